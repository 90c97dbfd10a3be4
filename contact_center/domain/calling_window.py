"""When a call we place may go out: inside the customer's own calling hours and while the queue is open.

Calling someone at 7 a.m. their time is illegal in many places (the US TCPA allows 8 a.m. to 9 p.m. at
the called party's location) and rude everywhere; a callback placed while nobody staffs the queue
rings an agent who is not there. So a due time moves forward to the first moment both allow.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from contact_center.domain.calendar import Calendar

EARLIEST = dt.time(8, 0)
LATEST = dt.time(21, 0)
SEARCH_DAYS = 14  # two weeks without a moment both allow: give up (the callback is then failed, not stuck)


def customer_zone(name: str | None, fallback: dt.tzinfo) -> dt.tzinfo:
    if not name:
        return fallback
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return fallback


def within_customer_hours(
    at: dt.datetime, zone: dt.tzinfo, earliest: dt.time = EARLIEST, latest: dt.time = LATEST
) -> dt.datetime:
    """``at`` if it is between ``earliest`` and ``latest`` on the customer's clock, else their next ``earliest``."""
    local = at.astimezone(zone)
    if local.time() < earliest:
        return dt.datetime.combine(local.date(), earliest, zone).astimezone(dt.UTC)
    if local.time() >= latest:
        return dt.datetime.combine(local.date() + dt.timedelta(days=1), earliest, zone).astimezone(dt.UTC)
    return at


def next_call_time(due: dt.datetime, customer: dt.tzinfo, queue: Calendar | None) -> dt.datetime | None:
    """The first moment at or after ``due`` inside the customer's hours and the queue's opening hours."""
    at = due
    limit = due + dt.timedelta(days=SEARCH_DAYS)
    while at <= limit:
        allowed = within_customer_hours(at, customer)
        opened = queue.next_open(allowed) if queue is not None else allowed
        if opened is None:
            return None
        if opened == allowed:
            return allowed
        at = opened
    return None
