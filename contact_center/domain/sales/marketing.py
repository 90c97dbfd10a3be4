"""What a marketing campaign did for its money (pure): responses, the leads and hot leads it brought, the deals
made of them, the revenue of those won, and what each cost.

Attribution is first touch: a lead names the campaign that brought it, and the deal made when the lead is
converted names the same campaign, so won revenue is counted once, for the campaign that found the customer.
ROI is (won revenue - cost) / cost; with no cost recorded it is not a number anyone should read (None).
"""

from __future__ import annotations

from dataclasses import dataclass


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
