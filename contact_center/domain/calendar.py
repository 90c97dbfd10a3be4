"""Business calendars: when a line, a queue, an SLA clock or a calling window is open.

One definition serves IVR opening hours, queue open/closed, case SLA clocks and
outbound calling windows, so they can never disagree. Pure: every question takes
the instant it is about.
"""

from __future__ import annotations

import datetime as dt
import functools
import itertools
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal
from zoneinfo import ZoneInfo

CalendarStatus = Literal["open", "closed", "holiday"]
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


class CalendarError(ValueError):
    """A calendar definition that cannot be used (bad time zone, bad hours)."""


@dataclass(frozen=True, slots=True)
class Span:
    """One opening interval within a day, local time, start inclusive, end exclusive."""

    start: dt.time
    end: dt.time  # dt.time.max stands for "until midnight"


def parse_spans(raw: Sequence[Sequence[str]], where: str) -> tuple[Span, ...]:
    spans = []
    for pair in raw:
        if len(pair) != 2:
            raise CalendarError(f"{where}: each span is [start, end], got {list(pair)!r}")
        start = _parse_time(pair[0], where)
        end = dt.time.max if pair[1] in ("24:00", "24:00:00") else _parse_time(pair[1], where)
        if end <= start:
            raise CalendarError(f"{where}: span {pair[0]}-{pair[1]} ends before it starts")
        spans.append(Span(start, end))
    spans.sort(key=lambda s: s.start)
    for a, b in itertools.pairwise(spans):
        if b.start < a.end:
            raise CalendarError(f"{where}: spans overlap ({a.start}-{a.end} and {b.start}-{b.end})")
    return tuple(spans)


def _parse_time(text: str, where: str) -> dt.time:
    try:
        return dt.time.fromisoformat(text)
    except (TypeError, ValueError):
        raise CalendarError(f"{where}: {text!r} is not a time like 09:00") from None


@dataclass(frozen=True, slots=True)
class Override:
    """A supervisor's "open now" or "closed now", from ``start`` until ``until`` (aware instants), with a
    reason: it wins over the hours, holidays and exceptions while it lasts, for everything that asks
    (IVR hours, queues, SLA clocks, calling windows)."""

    state: Literal["open", "closed"]
    start: dt.datetime
    until: dt.datetime
    reason: str = ""

    def covers(self, at: dt.datetime) -> bool:
        return self.start <= at < self.until


@dataclass(frozen=True)
class Calendar:
    """Weekly opening hours in a time zone, with holidays and dated exceptions.

    ``holidays`` maps a date to its name (closed all day). ``exceptions`` maps a date
    to that day's own spans (an empty tuple closes the day); an exception wins over a
    holiday, so "open 10-14 on Boxing Day" is expressible.
    """

    name: str
    timezone: str
    weekly: Mapping[str, tuple[Span, ...]]
    holidays: Mapping[dt.date, str] = field(default_factory=dict)
    exceptions: Mapping[dt.date, tuple[Span, ...]] = field(default_factory=dict)
    override: Override | None = None

    def __post_init__(self) -> None:
        try:
            ZoneInfo(self.timezone)
        except Exception:
            raise CalendarError(f"calendar {self.name!r}: unknown time zone {self.timezone!r}") from None
        unknown = set(self.weekly) - set(WEEKDAYS)
        if unknown:
            raise CalendarError(f"calendar {self.name!r}: unknown weekday(s) {sorted(unknown)}")

    @classmethod
    def from_config(
        cls,
        name: str,
        timezone: str,
        weekly_hours: Mapping[str, Sequence[Sequence[str]]],
        holidays: Mapping[str, str] | None = None,
        exceptions: Mapping[str, Sequence[Sequence[str]]] | None = None,
        override: Override | None = None,
    ) -> Calendar:
        """Build from the JSON-shaped definition stored in the CRM."""
        weekly = {day: parse_spans(spans, f"{name}.{day}") for day, spans in weekly_hours.items()}
        hol = {_parse_date(d, name): n for d, n in (holidays or {}).items()}
        exc = {_parse_date(d, name): parse_spans(s, f"{name}.{d}") for d, s in (exceptions or {}).items()}
        return cls(name=name, timezone=timezone, weekly=weekly, holidays=hol, exceptions=exc, override=override)

    @functools.cached_property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    def spans_on(self, day: dt.date) -> tuple[Span, ...]:
        if day in self.exceptions:
            return self.exceptions[day]
        if day in self.holidays:
            return ()
        return self.weekly.get(WEEKDAYS[day.weekday()], ())

    def status(self, at: dt.datetime) -> CalendarStatus:
        """Open, closed, or closed for a named holiday, at an aware instant."""
        if self.override is not None and self.override.covers(_aware(at)):
            return self.override.state
        local = _aware(at).astimezone(self.zone)
        day = local.date()
        if day not in self.exceptions and day in self.holidays:
            return "holiday"
        t = local.time()  # naive: time() drops tzinfo, unlike timetz()
        for span in self.spans_on(day):
            if span.start <= t < span.end:
                return "open"
        return "closed"

    def is_open(self, at: dt.datetime) -> bool:
        return self.status(at) == "open"

    def holiday_name(self, at: dt.datetime) -> str | None:
        return self.holidays.get(_aware(at).astimezone(self.zone).date())

    def open_intervals(self, start: dt.datetime, *, days: int = 400) -> Iterator[tuple[dt.datetime, dt.datetime]]:
        """Open intervals (UTC) from ``start`` onwards, clipped at ``start``; at most ``days`` days ahead.
        An override in force cuts its span out of them (closed) or adds it (open)."""
        start = _aware(start).astimezone(dt.UTC)
        hours = self._hours_intervals(start, days)
        o = self.override
        if o is None or o.until <= start:
            yield from hours
            return
        window = (max(o.start.astimezone(dt.UTC), start), o.until.astimezone(dt.UTC))
        yield from (_without if o.state == "closed" else _with)(hours, window)

    def _hours_intervals(self, start: dt.datetime, days: int) -> Iterator[tuple[dt.datetime, dt.datetime]]:
        zone = self.zone
        day = start.astimezone(zone).date()
        for _ in range(days):
            for span in self.spans_on(day):
                lo = dt.datetime.combine(day, span.start, zone).astimezone(dt.UTC)
                if span.end == dt.time.max:
                    hi = dt.datetime.combine(day + dt.timedelta(days=1), dt.time(), zone).astimezone(dt.UTC)
                else:
                    hi = dt.datetime.combine(day, span.end, zone).astimezone(dt.UTC)
                if hi <= start:
                    continue
                yield max(lo, start), hi
            day += dt.timedelta(days=1)

    def next_open(self, at: dt.datetime) -> dt.datetime | None:
        """The first open instant at or after ``at`` (within about a year)."""
        for lo, _hi in self.open_intervals(at):
            return lo
        return None

    def add_business_time(self, start: dt.datetime, amount: dt.timedelta) -> dt.datetime | None:
        """The instant when ``amount`` of open time has passed since ``start``."""
        remaining = amount
        for lo, hi in self.open_intervals(start):
            if hi - lo >= remaining:
                return lo + remaining
            remaining -= hi - lo
        return None

    def business_time_between(self, start: dt.datetime, end: dt.datetime) -> dt.timedelta:
        """How much open time lies between two instants."""
        total = dt.timedelta()
        end = _aware(end)
        if end <= _aware(start):
            return total
        for lo, hi in self.open_intervals(start):
            if lo >= end:
                break
            total += min(hi, end) - lo
        return total


ALWAYS_OPEN_HOURS: dict[str, list[list[str]]] = {day: [["00:00", "24:00"]] for day in WEEKDAYS}


def always_open(timezone: str = "UTC") -> Calendar:
    return Calendar.from_config("24x7", timezone, ALWAYS_OPEN_HOURS)


Interval = tuple[dt.datetime, dt.datetime]


def _without(intervals: Iterator[Interval], window: Interval) -> Iterator[Interval]:
    """The intervals with ``window`` cut out."""
    cut_lo, cut_hi = window
    for lo, hi in intervals:
        if hi <= cut_lo or lo >= cut_hi:
            yield lo, hi
            continue
        if lo < cut_lo:
            yield lo, cut_lo
        if hi > cut_hi:
            yield cut_hi, hi


def _with(intervals: Iterator[Interval], window: Interval) -> Iterator[Interval]:
    """The sorted intervals with ``window`` added (merged with those it touches)."""
    pending: Interval | None = window
    for lo, hi in intervals:
        if pending is None or hi < pending[0]:
            yield lo, hi
        elif lo > pending[1]:
            yield pending
            pending = None
            yield lo, hi
        else:
            pending = (min(lo, pending[0]), max(hi, pending[1]))
    if pending is not None:
        yield pending


def _parse_date(text: str, where: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except (TypeError, ValueError):
        raise CalendarError(f"calendar {where!r}: {text!r} is not a date like 2026-12-25") from None


def _aware(at: dt.datetime) -> dt.datetime:
    if at.tzinfo is None:
        raise ValueError("calendar questions need an aware datetime (with a time zone)")
    return at
