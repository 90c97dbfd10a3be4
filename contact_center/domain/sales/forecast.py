"""The weighted forecast (pure): each open opportunity counts its amount times its probability, in the month
it is expected to close, under its owner or product group; won deals count in full where they closed.
A deal whose expected close is past, or which nobody touched for ``STALLED_AFTER``, is stalled."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
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
    closed_on: dt.date | None
    keys: tuple[str, ...]  # what it is counted under: its owner, or each product group it holds
    last_touched: dt.date


@dataclass(frozen=True, slots=True)
class ForecastRow:
    period: str  # YYYY-MM
    key: str
    deals: int
    pipeline_cents: int  # open amounts in full
    weighted_cents: int  # open amounts x probability
    won_cents: int


def forecast(deals: Iterable[Deal], first: dt.date, last: dt.date) -> list[ForecastRow]:
    """Rows per month of [first, last] and key, in order."""
    sums: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0, 0, 0, 0])
    for deal in deals:
        if deal.stage in OPEN_STAGES and deal.expected_close is not None:
            day, won = deal.expected_close, False
        elif deal.stage == "won" and deal.closed_on is not None:
            day, won = deal.closed_on, True
        else:
            continue
        if not first <= day <= last:
            continue
        for key in deal.keys or ("(none)",):
            row = sums[(day.strftime("%Y-%m"), key)]
            row[0] += 1
            if won:
                row[3] += deal.amount_cents
            else:
                row[1] += deal.amount_cents
                row[2] += round(deal.amount_cents * deal.probability / 100)
    return [ForecastRow(period, key, *values) for (period, key), values in sorted(sums.items())]


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
