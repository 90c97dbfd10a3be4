"""How many calls one telephony process carries, and the RTP ports it may use.

Both are thread-safe: the SIP receive thread admits calls, the loop releases them.
Over capacity the SIP adapter answers 503 with ``Retry-After`` instead of carrying a
call with bad audio (measured ceiling: see ``contact-center bench telephony``).

Capacity counts legs, and a caller only reaches an agent through a second leg (the
agent's phone). If callers on hold could take every leg, no agent could ever be
connected and the queue would never move, so ``reserve`` legs are kept for agent and
outbound legs: an inbound call is admitted only while fewer than ``max_calls - reserve``
legs are up.
"""

from __future__ import annotations

import random
import threading


def default_reserve(max_calls: int) -> int:
    """A quarter of the legs, at least 2, but never more than half (a tiny worker still
    takes calls): 60 -> 15, 100 -> 25, 4 -> 2, 2 -> 1, 1 -> 0."""
    return min(max(2, max_calls // 4), max_calls // 2)


class CapacityGuard:
    def __init__(self, max_calls: int, retry_after: int = 5, reserve: int | None = None) -> None:
        if max_calls < 1:
            raise ValueError("max_calls must be at least 1")
        reserve = default_reserve(max_calls) if reserve is None else reserve
        if not 0 <= reserve < max_calls:
            raise ValueError(f"reserve must be between 0 and max_calls - 1 ({max_calls - 1}), not {reserve}")
        self.max_calls = max_calls
        self.reserve = reserve
        self.retry_after = retry_after
        self._active = 0
        self._rejected = 0
        self._lock = threading.Lock()

    @property
    def inbound_limit(self) -> int:
        return self.max_calls - self.reserve

    def try_admit(self, *, inbound: bool = True) -> bool:
        """Take a leg: inbound ones only below ``max_calls - reserve``, agent/outbound ones up
        to ``max_calls``."""
        with self._lock:
            if self._active >= (self.inbound_limit if inbound else self.max_calls):
                self._rejected += 1
                return False
            self._active += 1
            return True

    def release(self) -> None:
        with self._lock:
            self._active = max(0, self._active - 1)

    @property
    def active(self) -> int:
        return self._active

    @property
    def rejected(self) -> int:
        return self._rejected


class NoPortsLeft(Exception):
    """Every RTP port in the range is in use."""


class PortPool:
    """RTP ports from an inclusive range; even numbers only (RTP convention, RTCP = +1)."""

    def __init__(self, low: int, high: int, rng: random.Random | None = None) -> None:
        if not 1024 <= low <= high <= 65535:
            raise ValueError(f"bad RTP port range {low}-{high}")
        self._free = [p for p in range(low + (low % 2), high + 1, 2)]
        if not self._free:
            raise ValueError(f"no even port in {low}-{high}")
        (rng or random.Random()).shuffle(self._free)
        self._used: set[int] = set()
        self._lock = threading.Lock()
        self.size = len(self._free)

    def take(self) -> int:
        with self._lock:
            if not self._free:
                raise NoPortsLeft(f"all {self.size} RTP ports are in use")
            port = self._free.pop()
            self._used.add(port)
            return port

    def give_back(self, port: int) -> None:
        """Return a port; returning one that is not taken does nothing (idempotent)."""
        with self._lock:
            if port in self._used:
                self._used.remove(port)
                self._free.insert(0, port)  # reuse last: a late packet for it finds nobody

    @property
    def in_use(self) -> frozenset[int]:
        with self._lock:
            return frozenset(self._used)
