"""At most one board update per interval, however fast routing events come.

Every routing event changes the board, and at a busy hour there are tens a second; each update is the
whole board, built once and sent to every supervisor. The first change after a quiet spell goes out at
once (a tile moves as soon as a call arrives); changes within the interval fold into one trailing update
that carries the board as it is by then, so nothing is lost and a board never lags more than an interval.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable

BOARD_INTERVAL = 0.25  # seconds: four updates a second at most, per node, to every board


class Coalesced:
    def __init__(
        self, send: Callable[[], None], interval: float = BOARD_INTERVAL, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self._send, self.interval, self._clock = send, interval, clock
        self._last = float("-inf")
        self._timer: asyncio.TimerHandle | None = None

    @property
    def pending(self) -> bool:
        """A trailing update is due (tests wait for it before counting updates)."""
        return self._timer is not None

    def poke(self) -> None:
        if self._timer is not None:
            return  # the update already due will carry this change too
        wait = self._last + self.interval - self._clock()
        if wait <= 0:
            self._fire()
        else:
            self._timer = asyncio.get_running_loop().call_later(wait, self._fire)

    def _fire(self) -> None:
        self._timer = None
        self._last = self._clock()
        self._send()

    def close(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
