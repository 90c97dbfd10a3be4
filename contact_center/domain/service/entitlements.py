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


TIERS = {
    "basic": Tier("basic", response_hours=48, resolution_hours=120, visits_per_year=1),
    "standard": Tier("standard", response_hours=24, resolution_hours=72, visits_per_year=2),
    "premium": Tier("premium", response_hours=4, resolution_hours=24, visits_per_year=4),
}


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


def add_months(day: dt.date, months: int) -> dt.date:
    """The same day ``months`` later (the month's last day when it has fewer days)."""
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def entitlement(
    installed_on: dt.date | None, warranty_months: int, contracts: Iterable[ContractTerm], today: dt.date
) -> Entitlement:
    warranty_until = None
    if installed_on is not None and warranty_months > 0:
        warranty_until = add_months(installed_on, warranty_months) - dt.timedelta(days=1)
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
