"""The centre's days and months (``CC_TIMEZONE``) as the analytics tables read them: where a local day begins
and ends as instants (daylight-saving changes included), and the days and months of a period. The database
counts rows against those instants, which reads alike on SQLite and PostgreSQL and needs no time-zone tables."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo


def month_of(day: dt.date) -> str:
    return day.strftime("%Y-%m")


def bounds(first: dt.date, last: dt.date, zone: ZoneInfo) -> tuple[dt.datetime, dt.datetime]:
    """The instants where the centre's day ``first`` begins and the day after ``last`` begins (UTC)."""
    start = dt.datetime.combine(first, dt.time(), zone).astimezone(dt.UTC)
    end = dt.datetime.combine(last + dt.timedelta(days=1), dt.time(), zone).astimezone(dt.UTC)
    return start, end


def days_between(first: dt.date, last: dt.date) -> list[dt.date]:
    return [first + dt.timedelta(days=n) for n in range((last - first).days + 1)]


def months_between(first: dt.date, last: dt.date) -> list[str]:
    out: list[str] = []
    for day in days_between(first, last):
        if not out or out[-1] != month_of(day):
            out.append(month_of(day))
    return out
