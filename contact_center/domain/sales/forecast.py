"""Stalled deals (pure): an open deal whose expected close is past, or which nobody touched for
``STALLED_AFTER``, is stalled and its owner is told. The stages a deal is open in are the forecast's too
(crm/analytics.forecast_by sums it in the database)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

OPEN_STAGES = ("prospecting", "qualification", "proposal", "negotiation")
STALLED_AFTER = dt.timedelta(days=30)


@dataclass(frozen=True, slots=True)
class Deal:
    id: int
    stage: str
    amount_cents: int
    probability: int  # percent
    expected_close: dt.date | None
    owner: str  # the owner's username, "(none)" without one
    last_touched: dt.date


def stalled(deals: Iterable[Deal], today: dt.date) -> list[Deal]:
    """Open deals past their expected close, or untouched for a month: what their owners should look at."""
    return [d for d in deals if stall_reason(d, today) is not None]


def stall_reason(deal: Deal, today: dt.date) -> str | None:
    """Why an open deal is stalled (what its owner is told), or None when it is not."""
    if deal.stage not in OPEN_STAGES:
        return None
    if deal.expected_close is not None and deal.expected_close < today:
        return f"its expected close, {deal.expected_close.isoformat()}, has passed"
    if today - deal.last_touched > STALLED_AFTER:
        return f"nobody has touched it since {deal.last_touched.isoformat()}"
    return None
