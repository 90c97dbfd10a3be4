"""Instants grouped in the database into quarter-hours of UTC, summed here into the centre's days and months.

Every time zone in use is offset from UTC by a whole number of quarter-hours, so a quarter-hour of UTC lies in
exactly one local day, daylight-saving changes included. The database groups by a plain integer (the same SQL
on SQLite and PostgreSQL, no time-zone tables needed) and returns at most 96 groups a day, whatever the number
of rows; turning them into local days costs next to nothing."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence
from zoneinfo import ZoneInfo

QUARTER = 900  # seconds


def local_day(bucket: int, zone: ZoneInfo) -> dt.date:
    return dt.datetime.fromtimestamp(bucket * QUARTER, zone).date()


def month_of(day: dt.date) -> str:
    return day.strftime("%Y-%m")


def by_day(groups: Iterable[Sequence[int]], zone: ZoneInfo) -> dict[dt.date, list[int]]:
    """``groups``: rows of (quarter-hour bucket, figure, figure, …); the figures summed per local day."""
    days: dict[dt.date, list[int]] = {}
    for bucket, *figures in groups:
        into = days.setdefault(local_day(int(bucket), zone), [0] * len(figures))
        for i, value in enumerate(figures):
            into[i] += int(value or 0)
    return days


def by_month(days: dict[dt.date, list[int]]) -> dict[str, list[int]]:
    months: dict[str, list[int]] = defaultdict(list)
    for day, figures in sorted(days.items()):
        into = months[month_of(day)]
        if not into:
            into.extend([0] * len(figures))
        for i, value in enumerate(figures):
            into[i] += value
    return dict(months)


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
