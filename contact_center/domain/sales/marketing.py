"""What a marketing campaign did for its money (pure): responses, the leads and hot leads it brought, the deals
made of them, the revenue of those won, and what each cost.

Attribution is first touch: a lead names the campaign that brought it, and the deal made when the lead is
converted names the same campaign, so won revenue is counted once, for the campaign that found the customer.
ROI is (won revenue - cost) / cost; with no cost recorded it is not a number anyone should read (None).

A marketing plan's actuals: revenue is what orders placed in its period brought from products of its group
(order lines by their SKU's group), from customers in its geography (their country); attainment is actual over
target.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True, slots=True)
class Counts:
    responses: int
    leads: int
    hot_leads: int
    opportunities: int
    won: int
    won_revenue_cents: int
    cost_cents: int


@dataclass(frozen=True, slots=True)
class Effect:
    counts: Counts
    cost_per_lead_cents: int | None
    cost_per_won_cents: int | None
    lead_to_won: float | None  # share of its leads whose deal was won
    roi: float | None


def effect(counts: Counts) -> Effect:
    c = counts
    return Effect(
        counts=c,
        cost_per_lead_cents=round(c.cost_cents / c.leads) if c.leads else None,
        cost_per_won_cents=round(c.cost_cents / c.won) if c.won else None,
        lead_to_won=round(c.won / c.leads, 4) if c.leads else None,
        roi=round((c.won_revenue_cents - c.cost_cents) / c.cost_cents, 4) if c.cost_cents else None,
    )


def revenue_in_group(items: Sequence[Mapping[str, Any]], group_of_sku: Mapping[str, str], group: str | None) -> int:
    """An order's revenue (cents) from the lines whose product is in ``group`` (every line when None). A line's
    total is ``line_total_cents``, else its quantity times ``unit_price_cents``."""
    total = 0
    for item in items:
        if group is not None and group_of_sku.get(str(item.get("sku", ""))) != group:
            continue
        line = item.get("line_total_cents")
        if line is None:
            line = int(item.get("quantity") or 0) * int(item.get("unit_price_cents") or 0)
        total += int(line)
    return total


def attainment(target: int, actual: int) -> float | None:
    """How much of the target the actual reached (1.0 = all of it); None when there is no target."""
    return round(actual / target, 4) if target > 0 else None
