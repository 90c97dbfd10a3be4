"""What a piece of equipment is entitled to on a day: its warranty (by model, from its install date) and the
service contract that covers it (pure: the day is an argument).

A contract covers its equipment from ``starts_on`` to ``ends_on`` inclusive. When several cover one piece,
the one in force that runs longest is named; when none is in force, the one that ended last (so the desk
and the IVR can say "your contract ended on ...").
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Tier:
    name: str
    response_hours: int  # first response on a case
    resolution_hours: int
    visits_per_year: int
    cover_calendar: str | None = None  # the hours of cover: a case's SLA clock runs on them (None: always)
    price_cents: int = 0  # a year of cover
    currency: str = "USD"


@dataclass(frozen=True, slots=True)
class ContractTerm:
    id: int
    tier: str
    starts_on: dt.date
    ends_on: dt.date

    def in_force(self, day: dt.date) -> bool:
        return self.starts_on <= day <= self.ends_on


@dataclass(frozen=True, slots=True)
class Entitlement:
    warranty_until: dt.date | None  # the last day of the warranty; None: the model has none
    in_warranty: bool
    contract: ContractTerm | None
    contract_active: bool


def serial_digits(serial: str) -> str:
    """The digits of a serial number, in order: what a caller can key on a phone."""
    return "".join(ch for ch in serial if ch.isdigit())


def add_months(day: dt.date, months: int) -> dt.date:
    """The same day ``months`` later (the month's last day when it has fewer days)."""
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def warranty_end(installed_on: dt.date | None, months: int) -> dt.date | None:
    """The last day a warranty of ``months`` from ``installed_on`` covers (None: no warranty, or no install date)."""
    if installed_on is None or months <= 0:
        return None
    return add_months(installed_on, months) - dt.timedelta(days=1)


@dataclass(frozen=True, slots=True)
class WarrantyCover:
    """What a piece's warranty covers on a day: parts and labour run for months of their own from installation."""

    parts_until: dt.date | None
    labour_until: dt.date | None
    parts: bool
    labour: bool

    @property
    def covers(self) -> str | None:
        """``parts_and_labour``, ``parts``, ``labour``, or None when the warranty covers nothing that day."""
        if self.parts and self.labour:
            return "parts_and_labour"
        return "parts" if self.parts else "labour" if self.labour else None


def warranty_cover(installed_on: dt.date | None, parts_months: int, labour_months: int, day: dt.date) -> WarrantyCover:
    parts_until, labour_until = warranty_end(installed_on, parts_months), warranty_end(installed_on, labour_months)

    def covered(until: dt.date | None) -> bool:
        return until is not None and installed_on is not None and installed_on <= day <= until

    return WarrantyCover(parts_until, labour_until, covered(parts_until), covered(labour_until))


def contract_year(starts_on: dt.date, day: dt.date) -> tuple[dt.date, dt.date]:
    """The contract year ``day`` falls in: from an anniversary of ``starts_on`` to the day before the next."""
    years = day.year - starts_on.year
    start = add_months(starts_on, 12 * years)
    if start > day:
        start = add_months(starts_on, 12 * (years - 1))
    return start, add_months(start, 12) - dt.timedelta(days=1)


def visit_included(visits_per_year: int, visits_so_far: int) -> bool:
    """Whether one more technician visit is within the visits a tier includes each contract year."""
    return visits_so_far < visits_per_year


def entitlement(
    installed_on: dt.date | None, warranty_months: int, contracts: Iterable[ContractTerm], today: dt.date
) -> Entitlement:
    warranty_until = warranty_end(installed_on, warranty_months)
    terms = list(contracts)
    active = sorted((c for c in terms if c.in_force(today)), key=lambda c: c.ends_on)
    chosen = (
        active[-1] if active else max((c for c in terms if c.ends_on < today), key=lambda c: c.ends_on, default=None)
    )
    return Entitlement(
        warranty_until=warranty_until,
        in_warranty=warranty_until is not None and installed_on is not None and installed_on <= today <= warranty_until,
        contract=chosen,
        contract_active=bool(active),
    )
