"""Time as a dependency: the system clock in production, a fake one in tests."""

from __future__ import annotations

import datetime as dt
from typing import Protocol


class Clock(Protocol):
    def now(self) -> dt.datetime:
        """The current instant, timezone-aware (UTC)."""
        ...


class SystemClock:
    def now(self) -> dt.datetime:
        return dt.datetime.now(dt.UTC)


class FixedClock:
    """A clock that moves only when told to (tests, simulations)."""

    def __init__(self, start: dt.datetime) -> None:
        self._now = start

    def now(self) -> dt.datetime:
        return self._now

    def advance(self, seconds: float) -> None:
        self._now += dt.timedelta(seconds=seconds)


def utc_iso(moment: dt.datetime) -> str:
    """ISO 8601 in UTC with a ``Z``: what the API and the desktops read."""
    return moment.astimezone(dt.UTC).isoformat().replace("+00:00", "Z")


def epoch_iso(seconds: float) -> str:
    """Routing keeps epoch seconds; the API and the desktops read ISO 8601 (UTC)."""
    return utc_iso(dt.datetime.fromtimestamp(seconds, dt.UTC))
