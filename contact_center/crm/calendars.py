"""Calendars as stored in the CRM, turned into the domain's Calendar (with public holidays filled in)."""

from __future__ import annotations

import datetime as dt

import holidays as public_holidays
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from contact_center.domain.calendar import Calendar, Override, always_open
from contact_center.store.tables import Calendar as CalendarRow


def to_domain(row: CalendarRow, around: dt.datetime) -> Calendar:
    """The domain calendar, with the public holidays of the years around ``around`` filled in."""
    named = dict(row.holidays or {})
    if row.holiday_country:
        years = range(around.year - 1, around.year + 2)
        for day, name in public_holidays.country_holidays(row.holiday_country, years=years).items():
            named.setdefault(day.isoformat(), str(name))
    return Calendar.from_config(
        row.name, row.timezone, row.weekly_hours or {}, named, row.exceptions or {}, override=override_of(row)
    )


def override_of(row: CalendarRow) -> Override | None:
    """The stored override; one that is unreadable is ignored (the hours apply), never fatal to a call."""
    raw = row.override
    if not raw:
        return None
    try:
        start = dt.datetime.fromisoformat(str(raw["start"]))
        until = dt.datetime.fromisoformat(str(raw["until"]))
        state = raw["state"]
    except (KeyError, TypeError, ValueError):
        return None
    if state not in ("open", "closed") or start.tzinfo is None or until.tzinfo is None:
        return None
    return Override(state, start, until, str(raw.get("reason") or ""))


async def calendar_by_name(session: AsyncSession, name: str) -> CalendarRow | None:
    return (await session.scalars(select(CalendarRow).where(CalendarRow.name == name))).first()


async def calendar_by_id(session: AsyncSession, calendar_id: int | None, around: dt.datetime) -> Calendar:
    """The calendar with this id; a record without one runs around the clock."""
    if calendar_id is None:
        return always_open()
    row = await session.get(CalendarRow, calendar_id)
    return to_domain(row, around) if row is not None else always_open()


__all__ = ["CalendarRow", "calendar_by_id", "calendar_by_name", "override_of", "to_domain"]
