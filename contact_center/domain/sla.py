"""Case SLA clocks that run on a calendar's business hours and pause while a case waits on the customer."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace

from contact_center.domain.calendar import Calendar

RUNNING_STATUSES = frozenset({"new", "open"})
PAUSED_STATUSES = frozenset({"pending_customer"})
STOPPED_STATUSES = frozenset({"resolved", "closed"})
MAX_ESCALATION_LEVEL = 3


@dataclass(frozen=True, slots=True)
class SlaClock:
    """Business time used so far; ``running_since`` is None while paused or stopped."""

    target: dt.timedelta
    used: dt.timedelta = dt.timedelta()
    running_since: dt.datetime | None = None

    def used_at(self, calendar: Calendar, now: dt.datetime) -> dt.timedelta:
        if self.running_since is None:
            return self.used
        return self.used + calendar.business_time_between(self.running_since, now)

    def due_at(self, calendar: Calendar) -> dt.datetime | None:
        """When the target is reached if the clock keeps running; None while paused or stopped."""
        if self.running_since is None:
            return None
        remaining = max(self.target - self.used, dt.timedelta())
        return calendar.add_business_time(self.running_since, remaining)

    def breached(self, calendar: Calendar, now: dt.datetime) -> bool:
        return self.used_at(calendar, now) >= self.target

    def escalation_level(self, calendar: Calendar, now: dt.datetime) -> int:
        """0 within target; 1 at breach, then one more level for each further half target (max 3)."""
        over = self.used_at(calendar, now) - self.target
        if over < dt.timedelta():
            return 0
        step = self.target / 2 if self.target > dt.timedelta() else dt.timedelta(hours=1)
        return min(MAX_ESCALATION_LEVEL, 1 + int(over / step))


def start(target: dt.timedelta, now: dt.datetime) -> SlaClock:
    return SlaClock(target=target, running_since=now)


def on_status(clock: SlaClock, status: str, calendar: Calendar, now: dt.datetime) -> SlaClock:
    """The clock after a case moves to ``status`` at ``now``."""
    if status in RUNNING_STATUSES:
        return clock if clock.running_since is not None else replace(clock, running_since=now)
    if clock.running_since is None:
        return clock
    return replace(clock, used=clock.used_at(calendar, now), running_since=None)
