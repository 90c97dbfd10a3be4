"""Board updates fold: the first change goes at once, changes within the interval make one trailing update."""

from __future__ import annotations

import asyncio

from contact_center.services.board.coalesce import Coalesced


async def test_the_first_change_goes_at_once_and_a_burst_folds_into_one_trailing_update() -> None:
    now = [100.0]
    sent: list[float] = []
    updates = Coalesced(lambda: sent.append(now[0]), interval=0.05, clock=lambda: now[0])
    updates.poke()
    assert sent == [100.0] and not updates.pending  # after a quiet spell: at once
    for _ in range(20):  # a burst within the interval
        updates.poke()
    assert sent == [100.0] and updates.pending
    now[0] = 100.05
    await asyncio.sleep(0.08)  # the loop's own timer: the trailing update carries the whole burst
    assert sent == [100.0, 100.05] and not updates.pending
    now[0] = 101.0
    updates.poke()
    assert sent == [100.0, 100.05, 101.0]


async def test_closing_drops_a_trailing_update() -> None:
    sent: list[int] = []
    updates = Coalesced(lambda: sent.append(1), interval=0.02)
    updates.poke()
    updates.poke()
    updates.close()
    await asyncio.sleep(0.05)
    assert sent == [1]
