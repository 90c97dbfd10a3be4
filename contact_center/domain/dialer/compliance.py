"""Whether a number may be dialled now, checked at dial time (a list loaded yesterday knows nothing of
today's do-not-call entries or of a call abandoned an hour ago). Pure: the called person's time zone, the
campaign's calendar and the time are arguments; the adapter works the zone out (the customer's address,
else the number's region)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from contact_center.domain.calendar import Calendar
from contact_center.domain.calling_window import EARLIEST, LATEST

NO_REDIAL_AFTER_ABANDON = dt.timedelta(hours=72)


@dataclass(frozen=True, slots=True)
class DialCheck:
    zone: dt.tzinfo  # the called person's
    do_not_call: bool = False  # on the internal list, an imported DNC file, or the customer's own flag
    last_abandoned_at: dt.datetime | None = None  # the last time a call to this number was abandoned
    attempts: int = 0
    max_attempts: int = 3
    hours: tuple[dt.time, dt.time] = (EARLIEST, LATEST)  # the campaign's; never wider than the law's
    calendar: Calendar | None = None  # the campaign's opening days and holidays


def refusal(check: DialCheck, now: dt.datetime) -> str | None:
    """Why the number may not be dialled now (a stable code), or None when it may."""
    if check.do_not_call:
        return "do_not_call"
    if check.attempts >= check.max_attempts:
        return "attempts_used"
    if check.last_abandoned_at is not None and now - check.last_abandoned_at < NO_REDIAL_AFTER_ABANDON:
        return "abandoned_within_72h"
    start, end = max(EARLIEST, check.hours[0]), min(LATEST, check.hours[1])
    local = now.astimezone(check.zone).time()
    if not start <= local < end:
        return "outside_calling_hours"
    if check.calendar is not None:
        status = check.calendar.status(now)
        if status == "holiday":
            return "holiday"
        if status != "open":
            return "campaign_closed"
    return None


def next_allowed(check: DialCheck, now: dt.datetime, *, search_days: int = 14) -> dt.datetime | None:
    """The first moment from ``now`` at which only the clock stood in the way (None when something else
    does: do-not-call, attempts used, or no such moment within ``search_days``)."""
    if check.do_not_call or check.attempts >= check.max_attempts:
        return None
    at = now
    if check.last_abandoned_at is not None:
        at = max(at, check.last_abandoned_at + NO_REDIAL_AFTER_ABANDON)
    start, end = max(EARLIEST, check.hours[0]), min(LATEST, check.hours[1])
    limit = now + dt.timedelta(days=search_days)
    while at <= limit:
        local = at.astimezone(check.zone)
        if local.time() < start:
            at = dt.datetime.combine(local.date(), start, check.zone).astimezone(dt.UTC)
        elif local.time() >= end:
            at = dt.datetime.combine(local.date() + dt.timedelta(days=1), start, check.zone).astimezone(dt.UTC)
        elif check.calendar is not None and not check.calendar.is_open(at):
            opened = check.calendar.next_open(at)
            if opened is None:
                return None
            at = opened
        else:
            return at
    return None
