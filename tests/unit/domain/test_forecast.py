"""The weighted forecast and stalled deals by hand-worked cases."""

from __future__ import annotations

import datetime as dt

from contact_center.domain.sales.forecast import Deal, ForecastRow, forecast, stalled

D = dt.date


def deal(n: int, stage: str, amount: int, probability: int, close: dt.date | None, **kw: object) -> Deal:
    values: dict[str, object] = {"closed_on": None, "keys": ("ann",), "last_touched": D(2026, 12, 1), **kw}
    return Deal(n, stage, amount, probability, close, **values)  # type: ignore[arg-type]


def test_open_deals_are_weighted_and_won_ones_counted_in_full() -> None:
    deals = [
        deal(1, "proposal", 100_000, 50, D(2026, 12, 20)),
        deal(2, "negotiation", 40_000, 75, D(2026, 12, 5), keys=("ann", "bob")),
        deal(3, "won", 70_000, 100, None, closed_on=D(2026, 12, 2)),
        deal(4, "lost", 10_000, 0, D(2026, 12, 9)),
        deal(5, "prospecting", 9_999, 10, D(2027, 3, 1)),  # outside the range
    ]
    assert forecast(deals, D(2026, 12, 1), D(2027, 1, 31)) == [
        ForecastRow("2026-12", "ann", 3, 140_000, 80_000, 70_000),
        ForecastRow("2026-12", "bob", 1, 40_000, 30_000, 0),
    ]


def test_a_deal_past_its_close_or_untouched_for_a_month_is_stalled() -> None:
    late = deal(1, "proposal", 1, 50, D(2026, 11, 30))
    quiet = deal(2, "proposal", 1, 50, D(2027, 1, 30), last_touched=D(2026, 11, 1))
    fine = deal(3, "proposal", 1, 50, D(2027, 1, 30))
    assert [d.id for d in stalled([late, quiet, fine, deal(4, "won", 1, 100, D(2026, 1, 1))], D(2026, 12, 6))] == [1, 2]
