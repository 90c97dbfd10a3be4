"""Field appointments: which technicians can take a job, which times they can take it at, and whether a
booking fits. Pure: working hours come as the technician's calendar, bookings and "now" as arguments.

Times sit on a 15-minute grid in UTC (every time zone's offset is a whole number of quarter hours, so a
local 08:00 or 08:30 is on it everywhere); an appointment covers whole quarters. The store keeps one row
per quarter a technician is booked, unique per technician, so two bookings that overlap cannot both be
written, whichever node or transaction comes second.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field

from contact_center.domain.calendar import Calendar

GRID = dt.timedelta(minutes=15)
MAX_JOB = dt.timedelta(hours=10)
_EPOCH = dt.datetime(2000, 1, 1, tzinfo=dt.UTC)


class BookingRefused(ValueError):
    """A booking that cannot be made; ``field`` names what to change."""

    def __init__(self, field: str, reason: str) -> None:
        super().__init__(f"{field}: {reason}")
        self.field = field
        self.reason = reason


@dataclass(frozen=True, slots=True)
class Technician:
    id: int
    name: str
    skills: frozenset[str]
    territories: tuple[str, ...]  # postal-code prefixes, or city / region / country names; empty: anywhere
    calendar: Calendar  # working hours, holidays and days off
    active: bool = True

    def can_do(self, skill: str) -> bool:
        return self.active and skill in self.skills

    def serves(self, address: Mapping[str, object]) -> bool:
        """Whether the address lies in one of the technician's territories."""
        if not self.territories:
            return True
        postal = _compact(address.get("postal_code"))
        names = {str(address.get(k) or "").strip().casefold() for k in ("city", "region", "country")} - {""}
        return any(
            t.strip().casefold() in names or (postal and postal.startswith(_compact(t)))
            for t in self.territories
            if t.strip()
        )


@dataclass(frozen=True, slots=True)
class Booked:
    """Time a technician is taken (an appointment that is not cancelled)."""

    technician_id: int
    start: dt.datetime
    end: dt.datetime


@dataclass(frozen=True, slots=True)
class Slot:
    start: dt.datetime
    end: dt.datetime
    technician_id: int


@dataclass(frozen=True, slots=True)
class SlotQuery:
    skill: str
    length: dt.timedelta
    earliest: dt.datetime  # nothing before this (now plus the notice a technician needs)
    until: dt.datetime
    address: Mapping[str, object] = field(default_factory=dict)


def on_grid(at: dt.datetime) -> bool:
    return (_aware(at) - _EPOCH) % GRID == dt.timedelta(0)


def grid_up(at: dt.datetime) -> dt.datetime:
    """The first grid instant at or after ``at``."""
    rest = (_aware(at) - _EPOCH) % GRID
    return _aware(at) if not rest else _aware(at) + (GRID - rest)


def quarters(start: dt.datetime, end: dt.datetime) -> list[dt.datetime]:
    """The grid quarters an appointment from ``start`` to ``end`` covers (each by its start, UTC)."""
    out, at = [], _aware(start).astimezone(dt.UTC)
    while at < end:
        out.append(at)
        at += GRID
    return out


def check_length(length: dt.timedelta) -> None:
    if length <= dt.timedelta(0) or length % GRID or length > MAX_JOB:
        raise BookingRefused("minutes", "must be a whole number of quarter hours, from 15 to 600")


def free_slots(
    technicians: Iterable[Technician], booked: Iterable[Booked], query: SlotQuery, *, per_technician: int = 200
) -> list[Slot]:
    """Times the job can be done, earliest first, one per start time: when several technicians could take
    it then, the one with the least booked that day (to spread the work), then the lowest id. Each
    technician's working time is packed with the job back to back, starting again at the end of whatever
    is booked in the way."""
    check_length(query.length)
    taken = _by_technician(booked)
    booked_on: dict[tuple[int, dt.date], dt.timedelta] = {}
    for tech_id, items in taken.items():
        for b in items:
            key = (tech_id, b.start.date())
            booked_on[key] = booked_on.get(key, dt.timedelta(0)) + (b.end - b.start)
    by_start: dict[dt.datetime, Slot] = {}
    for tech in sorted(technicians, key=lambda t: t.id):
        if not (tech.can_do(query.skill) and tech.serves(query.address)):
            continue
        for slot in _slots_of(tech, taken.get(tech.id, []), query, per_technician):
            held = by_start.get(slot.start)
            if held is None or booked_on.get((tech.id, slot.start.date()), dt.timedelta(0)) < booked_on.get(
                (held.technician_id, held.start.date()), dt.timedelta(0)
            ):
                by_start[slot.start] = slot
    return [by_start[s] for s in sorted(by_start)]


def _slots_of(tech: Technician, taken: Sequence[Booked], query: SlotQuery, most: int) -> Iterator[Slot]:
    earliest = grid_up(max(query.earliest, _EPOCH))
    found = 0
    days = max(1, (query.until - earliest).days + 2)
    for lo, hi in tech.calendar.open_intervals(earliest, days=days):
        if lo >= query.until or found >= most:
            return
        at = grid_up(lo)
        while at + query.length <= hi and at < query.until and found < most:
            clash = next((b for b in taken if b.start < at + query.length and at < b.end), None)
            if clash is not None:
                at = grid_up(clash.end)
                continue
            yield Slot(at, at + query.length, tech.id)
            found += 1
            at += query.length


def check_booking(
    tech: Technician,
    start: dt.datetime,
    length: dt.timedelta,
    *,
    skill: str,
    address: Mapping[str, object],
    booked: Iterable[Booked],
    now: dt.datetime,
    ignore: Booked | None = None,
) -> dt.datetime:
    """Whether the technician can take the job at ``start``: its end, or ``BookingRefused`` naming why.
    ``ignore`` is the booking being moved (it does not stand in its own way)."""
    check_length(length)
    start = _aware(start).astimezone(dt.UTC)
    end = start + length
    if not on_grid(start):
        raise BookingRefused("starts_at", "must be on the quarter hour (:00, :15, :30 or :45)")
    if start < _aware(now):
        raise BookingRefused("starts_at", "is in the past")
    if not tech.active:
        raise BookingRefused("technician_id", f"{tech.name} is not taking appointments")
    if skill not in tech.skills:
        raise BookingRefused("skill", f"{tech.name} does not do {skill!r} (skills: {', '.join(sorted(tech.skills))})")
    if not tech.serves(address):
        raise BookingRefused("technician_id", f"the customer's address is outside {tech.name}'s territories")
    if not _within_hours(tech.calendar, start, end):
        raise BookingRefused("starts_at", f"{tech.name} does not work the whole of that time")
    for b in booked:
        if b.technician_id == tech.id and b != ignore and b.start < end and start < b.end:
            raise BookingRefused(
                "starts_at", f"{tech.name} is booked from {b.start.isoformat()} to {b.end.isoformat()}"
            )
    return end


def _within_hours(calendar: Calendar, start: dt.datetime, end: dt.datetime) -> bool:
    """The whole job lies in one stretch of working time (a job does not pause over lunch or the night)."""
    for lo, hi in calendar.open_intervals(start, days=2):
        return lo <= start and end <= hi
    return False


def _by_technician(booked: Iterable[Booked]) -> dict[int, list[Booked]]:
    out: dict[int, list[Booked]] = {}
    for b in booked:
        out.setdefault(b.technician_id, []).append(b)
    for items in out.values():
        items.sort(key=lambda b: b.start)
    return out


def _compact(text: object) -> str:
    return str(text or "").replace(" ", "").upper()


def _aware(at: dt.datetime) -> dt.datetime:
    return at if at.tzinfo is not None else at.replace(tzinfo=dt.UTC)
