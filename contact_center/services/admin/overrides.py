"""Open or close now: a supervisor's override of a calendar until a time, with a reason.

IVR hours, queues, SLA clocks and calling windows read calendars when they need them, so the
override takes effect with the next question asked, on every node. It is operations, not
configuration: the configuration file neither exports nor changes it. Every override, and its
clearing, is in the audit trail.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any, Literal
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from contact_center.clock import utc_iso
from contact_center.crm.calendars import CalendarRow, calendar_by_name, to_domain
from contact_center.crm.errors import NotFound, ValidationFailed
from contact_center.store.audit_log import record_change

MAX_OVERRIDE = dt.timedelta(days=31)  # longer than this is a change of hours: edit the calendar
_CLOCK_TIME = re.compile(r"^\d{1,2}:\d{2}$")


def until_time(text: str, zone: ZoneInfo, now: dt.datetime) -> dt.datetime:
    """``HH:MM`` (the next such time in the calendar's zone), or an ISO 8601 date and time (local to the
    calendar's zone when it names none); ``ValueError`` saying what is wrong otherwise."""
    text = text.strip()
    local_now = now.astimezone(zone)
    if _CLOCK_TIME.match(text):
        hour, minute = map(int, text.split(":"))
        if hour > 23 or minute > 59:
            raise ValueError(f"{text!r} is not a time of day")
        moment = local_now.replace(hour=hour, minute=minute, second=0, microsecond=0)
        return moment if moment > local_now else moment + dt.timedelta(days=1)
    try:
        moment = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise ValueError(f"{text!r} is neither HH:MM nor an ISO 8601 date and time (2026-12-06T22:00)") from None
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=zone)


async def set_override(
    session: AsyncSession,
    name: str,
    state: Literal["open", "closed"],
    until: dt.datetime,
    reason: str,
    *,
    actor: str,
    now: dt.datetime,
) -> dict[str, Any]:
    """Open or close the calendar from now until ``until``; returns the override as stored."""
    row = await _row(session, name)
    if until <= now:
        raise ValidationFailed.one("until", "is not in the future")
    if until - now > MAX_OVERRIDE:
        raise ValidationFailed.one("until", "is more than 31 days away: change the calendar's hours instead")
    if not reason.strip():
        raise ValidationFailed.one("reason", "say why (the board and the audit trail show it)")
    before = row.override
    row.override = {
        "state": state,
        "start": now.astimezone(dt.UTC).isoformat(),
        "until": until.astimezone(dt.UTC).isoformat(),
        "reason": reason.strip()[:200],
        "by": actor,
    }
    record_change(session, actor, "calendar.override", f"calendar:{name}", before, row.override, now)
    await session.flush()
    return row.override


async def clear_override(session: AsyncSession, name: str, *, actor: str, now: dt.datetime) -> None:
    row = await _row(session, name)
    if row.override is not None:
        record_change(session, actor, "calendar.override_cleared", f"calendar:{name}", row.override, None, now)
        row.override = None
        await session.flush()


async def calendar_status(session: AsyncSession, name: str, now: dt.datetime) -> dict[str, Any]:
    """Open or closed now, and why: the override in force (if any), else the hours."""
    row = await _row(session, name)
    calendar = to_domain(row, now)
    override = calendar.override if calendar.override is not None and calendar.override.covers(now) else None
    next_open = calendar.next_open(now) if calendar.status(now) != "open" else None
    return {
        "name": name,
        "timezone": row.timezone,
        "status": calendar.status(now),
        "override": row.override if override is not None else None,
        "next_open": utc_iso(next_open) if next_open else None,
    }


async def _row(session: AsyncSession, name: str) -> CalendarRow:
    row = await calendar_by_name(session, name)
    if row is None:
        raise NotFound("calendar", name)
    return row
