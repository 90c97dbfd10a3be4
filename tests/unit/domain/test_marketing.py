"""A campaign's effectiveness against hand-computed figures."""

from __future__ import annotations

from contact_center.domain.sales.marketing import Counts, effect


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
