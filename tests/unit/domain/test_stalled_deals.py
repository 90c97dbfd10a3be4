"""Stalled deals by hand-worked cases."""

from __future__ import annotations

import datetime as dt

from contact_center.domain.sales.forecast import Deal, stalled

D = dt.date


def deal(n: int, stage: str, amount: int, probability: int, close: dt.date | None, **kw: object) -> Deal:
    values: dict[str, object] = {"owner": "ann", "last_touched": D(2026, 12, 1), **kw}
    return Deal(n, stage, amount, probability, close, **values)  # type: ignore[arg-type]


def test_a_deal_past_its_close_or_untouched_for_a_month_is_stalled() -> None:
    late = deal(1, "proposal", 1, 50, D(2026, 11, 30))
    quiet = deal(2, "proposal", 1, 50, D(2027, 1, 30), last_touched=D(2026, 11, 1))
    fine = deal(3, "proposal", 1, 50, D(2027, 1, 30))
    assert [d.id for d in stalled([late, quiet, fine, deal(4, "won", 1, 100, D(2026, 1, 1))], D(2026, 12, 6))] == [1, 2]
