"""How late the event loop runs what is due: the wait every callback on the loop pays, measured.

A timer is due every ``interval`` seconds; its lateness (when it ran minus when it was due) is what
any call event, desk command or socket message arriving then would also have waited.
"""

from __future__ import annotations

import asyncio
import contextlib
from types import TracebackType
from typing import Any

from contact_center.bench.stats import percentiles


class LoopLag:
    """``async with LoopLag() as lag: ...`` then ``lag.figures()`` (milliseconds late)."""

    def __init__(self, interval: float = 0.005) -> None:
        self.interval = interval
        self.late_ms: list[float] = []
        self._task: asyncio.Task[None] | None = None

    async def _watch(self) -> None:
        loop = asyncio.get_running_loop()
        while True:
            due = loop.time() + self.interval
            await asyncio.sleep(self.interval)
            self.late_ms.append(max(0.0, (loop.time() - due) * 1000))

    async def __aenter__(self) -> LoopLag:
        self._task = asyncio.create_task(self._watch(), name="loop-lag")
        return self

    async def __aexit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    def figures(self) -> dict[str, Any]:
        if len(self.late_ms) < 2:
            return {"n": len(self.late_ms)}
        over = sum(1 for late in self.late_ms if late > 10)
        return {**percentiles(self.late_ms, 2), "over_10ms": over, "interval_ms": self.interval * 1000}
