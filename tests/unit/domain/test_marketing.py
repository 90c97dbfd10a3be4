"""A campaign's effectiveness against hand-computed figures."""

from __future__ import annotations

from contact_center.domain.sales.marketing import Counts, attainment, effect, revenue_in_group


def test_cost_per_lead_conversion_and_roi() -> None:
    # 12 leads for 600.00; 3 won for 4,200.00 in all: 50.00 a lead, 200.00 a win, 25 % won, ROI (4200-600)/600.
    e = effect(
        Counts(
            responses=40, leads=12, hot_leads=5, opportunities=6, won=3, won_revenue_cents=420_000, cost_cents=60_000
        )
    )
    assert (e.cost_per_lead_cents, e.cost_per_won_cents, e.lead_to_won, e.roi) == (5_000, 20_000, 0.25, 6.0)


def test_nothing_spent_or_nothing_brought_says_so_instead_of_dividing_by_zero() -> None:
    free = effect(
        Counts(responses=3, leads=2, hot_leads=0, opportunities=1, won=1, won_revenue_cents=10_000, cost_cents=0)
    )
    assert free.roi is None and free.cost_per_lead_cents == 0
    idle = effect(
        Counts(responses=0, leads=0, hot_leads=0, opportunities=0, won=0, won_revenue_cents=0, cost_cents=5_000)
    )
    assert (idle.cost_per_lead_cents, idle.cost_per_won_cents, idle.lead_to_won, idle.roi) == (None, None, None, -1.0)


def test_a_plans_revenue_counts_the_lines_of_its_product_group_and_attainment_is_actual_over_target() -> None:
    groups = {"BLR-24": "heating", "FLUE-60": "heating", "SOL-1": "solar"}
    order = [
        {"sku": "BLR-24", "quantity": 1, "unit_price_cents": 189_900, "line_total_cents": 189_900},
        {"sku": "SOL-1", "quantity": 2, "unit_price_cents": 50_000},  # no line total: quantity x unit price
        {"sku": "FLUE-60", "quantity": 3, "unit_price_cents": 9_900, "line_total_cents": 29_700},
        {"sku": "GONE", "quantity": 1, "unit_price_cents": 100},  # a product no longer in the catalog
    ]
    assert revenue_in_group(order, groups, "heating") == 189_900 + 29_700
    assert revenue_in_group(order, groups, "solar") == 100_000
    assert revenue_in_group(order, groups, None) == 189_900 + 100_000 + 29_700 + 100
    assert attainment(400_000, 219_600) == 0.549 and attainment(0, 5) is None
