"""A hand-written stand-in for ``TimerThread``: callbacks fire only when the test moves the clock."""

from __future__ import annotations

from collections.abc import Callable

from contact_center.telephony.sip_timers import TimerHandle


class ManualTimers:
    """Timers that fire only when the test moves the clock."""

    def __init__(self) -> None:
        self.now = 0.0
        self.due: list[TimerHandle] = []

    def clock(self) -> float:
        return self.now

    def call_later(self, delay: float, fn: Callable[[], None]) -> TimerHandle:
        handle = TimerHandle(self.now + delay, fn)
        self.due.append(handle)
        return handle

    def advance(self, seconds: float) -> None:
        end = self.now + seconds
        while True:
            ready = sorted((h for h in self.due if not h.cancelled and h.due <= end), key=lambda h: h.due)
            if not ready:
                break
            handle = ready[0]
            self.due.remove(handle)
            self.now = max(self.now, handle.due)
            handle.fn()
        self.now = end
