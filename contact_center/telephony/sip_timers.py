"""SIP timers on one thread per line: retransmissions and time-outs (RFC 3261 section 17).

pyVoIP 1.6.8 has no SIP timers at all: our 200 OK to an INVITE went out once and a lost
ACK was never noticed, REGISTER refreshes were one ``threading.Timer`` thread each.
``TimerThread`` runs callbacks at their due time from a heap; ``Retransmit`` sends a
message at T1, 2*T1, 4*T1 ... (capped at T2) until stopped, and gives up after ``until``.
"""

from __future__ import annotations

import heapq
import itertools
import logging
import threading
import time
from collections.abc import Callable

log = logging.getLogger(__name__)
T1 = 0.5
T2 = 4.0


class TimerHandle:
    __slots__ = ("cancelled", "due", "fn")

    def __init__(self, due: float, fn: Callable[[], None]) -> None:
        self.due, self.fn, self.cancelled = due, fn, False

    def cancel(self) -> None:
        self.cancelled = True


class TimerThread:
    def __init__(self, name: str, clock: Callable[[], float] = time.monotonic) -> None:
        self.name = name
        self.clock = clock
        self._heap: list[tuple[float, int, TimerHandle]] = []
        self._order = itertools.count()
        self._cond = threading.Condition()
        self._running = False
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        with self._cond:
            if self._running:
                return
            self._running = True
        self._thread = threading.Thread(target=self._run, name=self.name, daemon=True)
        self._thread.start()

    def stop(self) -> None:
        with self._cond:
            self._running = False
            self._heap.clear()
            self._cond.notify()
        if self._thread is not None and self._thread is not threading.current_thread():
            self._thread.join(timeout=5)
        self._thread = None

    def call_later(self, delay: float, fn: Callable[[], None]) -> TimerHandle:
        handle = TimerHandle(self.clock() + max(0.0, delay), fn)
        with self._cond:
            if self._running:
                heapq.heappush(self._heap, (handle.due, next(self._order), handle))
                self._cond.notify()
            else:
                handle.cancelled = True
        return handle

    @property
    def pending(self) -> int:
        with self._cond:
            return sum(1 for _, _, h in self._heap if not h.cancelled)

    def _run(self) -> None:
        while True:
            with self._cond:
                while self._running and (not self._heap or self._heap[0][0] > self.clock()):
                    self._cond.wait(None if not self._heap else self._heap[0][0] - self.clock())
                if not self._running:
                    return
                _, _, handle = heapq.heappop(self._heap)
            if handle.cancelled:
                continue
            try:
                handle.fn()
            except Exception:
                log.exception("SIP timer callback failed; the line carries on")


class Retransmit:
    """Send now, then again at T1, 2*T1, ... (at most T2 apart) until ``stop``; after
    ``until`` seconds without being stopped, call ``on_timeout`` once."""

    def __init__(
        self,
        timers: TimerThread,
        send: Callable[[], None],
        *,
        until: float = 64 * T1,
        on_timeout: Callable[[], None] | None = None,
        t1: float = T1,
        t2: float = T2,
        start: bool = True,
    ) -> None:
        self._timers, self._send, self._on_timeout = timers, send, on_timeout
        self._interval, self._t2, self._until = t1, t2, until
        self._deadline = timers.clock() + until
        self._lock = threading.Lock()
        self.stopped = False
        self.sent = 0
        self._handle: TimerHandle | None = None
        if start:
            self.start()

    def start(self) -> None:
        """Send the first copy (when made with ``start=False``: register the transaction
        where its answer will look for it first, then start it)."""
        self._deadline = self._timers.clock() + self._until
        self._fire(first=True)

    def stop(self) -> None:
        with self._lock:
            self.stopped = True
            if self._handle is not None:
                self._handle.cancel()

    def _fire(self, first: bool = False) -> None:
        with self._lock:
            if self.stopped:
                return
            if not first and self._timers.clock() >= self._deadline:
                self.stopped = True
                timed_out = True
            else:
                timed_out = False
                self.sent += 1
        if timed_out:
            if self._on_timeout is not None:
                self._on_timeout()
            return
        self._send()
        with self._lock:
            if self.stopped:
                return
            delay = min(self._interval, max(0.0, self._deadline - self._timers.clock()))
            self._interval = min(2 * self._interval, self._t2)
            self._handle = self._timers.call_later(delay, self._fire)
