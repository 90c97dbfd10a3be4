"""The directory: how IVR look-ups and flow validation reach the CRM.

A ``typing.Protocol`` with plain records, so the interpreter's driver, the
simulator and the validator work the same against SQL (``SqlDirectory``) or the
in-memory fake (``InMemoryDirectory``). Read-only; phone numbers are E.164.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Protocol

from contact_center.domain.calendar import Calendar
from contact_center.domain.ivr.template import Value

OPEN_CASE_STATUSES = ("new", "open", "pending_customer")


def _iso(value: dt.datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


@dataclass(frozen=True, slots=True)
class CustomerRecord:
    id: int
    first_name: str
    last_name: str
    language: str = "en"
    vip: bool = False
    segment: str = "standard"
    account_manager_id: int | None = None

    def values(self) -> dict[str, Value]:
        return {
            "id": self.id,
            "first_name": self.first_name,
            "last_name": self.last_name,
            "name": f"{self.first_name} {self.last_name}".strip(),
            "language": self.language,
            "vip": self.vip,
            "segment": self.segment,
            "has_account_manager": self.account_manager_id is not None,
        }


@dataclass(frozen=True, slots=True)
class ContractRecord:
    """A customer's service contract, the one ending last (what the IVR tells them of their cover)."""

    tier: str
    starts_on: dt.date
    ends_on: dt.date

    def values(self, today: dt.date) -> dict[str, Value]:
        return {
            "tier": self.tier,
            "starts_on": self.starts_on.isoformat(),
            "ends_on": self.ends_on.isoformat(),
            "ended": self.ends_on < today,
            "active": self.starts_on <= today <= self.ends_on,
        }


@dataclass(frozen=True, slots=True)
class EquipmentRecord:
    """A piece of equipment with its warranty ends and the contract covering it (if any), for the IVR."""

    customer_id: int
    model: str
    serial: str
    installed_on: dt.date | None
    warranty_until: dt.date | None  # parts
    labour_warranty_until: dt.date | None
    contract: ContractRecord | None = None

    def values(self, today: dt.date) -> dict[str, Value]:
        def until(day: dt.date | None) -> str:
            return day.isoformat() if day is not None else ""

        def covers(day: dt.date | None) -> bool:
            return day is not None and self.installed_on is not None and self.installed_on <= today <= day

        contract = self.contract.values(today) if self.contract is not None else {}
        return {
            "customer_id": self.customer_id,
            "model": self.model,
            "serial": self.serial,
            "installed_on": until(self.installed_on),
            "warranty_until": until(self.warranty_until),
            "in_warranty": covers(self.warranty_until),
            "labour_warranty_until": until(self.labour_warranty_until),
            "in_labour_warranty": covers(self.labour_warranty_until),
            "has_contract": self.contract is not None,
            "contract_tier": str(contract.get("tier", "")),
            "contract_active": bool(contract.get("active", False)),
            "contract_ends_on": str(contract.get("ends_on", "")),
        }


@dataclass(frozen=True, slots=True)
class VisitRecord:
    """A customer's next booked technician visit, in the technician's local time (what the caller is told)."""

    starts_at: dt.datetime  # aware, local
    technician: str
    skill: str

    def values(self) -> dict[str, Value]:
        return {
            "starts_at": self.starts_at.isoformat(),
            "day": f"{self.starts_at:%A} {self.starts_at.day} {self.starts_at:%B}",
            "time": f"{self.starts_at:%H:%M}",
            "technician": self.technician,
            "skill": self.skill.replace("_", " "),
        }


@dataclass(frozen=True, slots=True)
class OrderRecord:
    number: str
    status: str  # pending, processing, shipped, delivered, cancelled, returned
    placed_at: dt.datetime
    customer_id: int | None = None
    shipped_at: dt.datetime | None = None
    delivered_at: dt.datetime | None = None
    carrier: str | None = None

    def values(self) -> dict[str, Value]:
        return {
            "number": self.number,
            "status": self.status,
            "customer_id": self.customer_id,
            "placed_at": _iso(self.placed_at),
            "shipped_at": _iso(self.shipped_at),
            "delivered_at": _iso(self.delivered_at),
            "carrier": self.carrier or "",
        }


@dataclass(frozen=True, slots=True)
class CaseRecord:
    number: int
    status: str  # new, open, pending_customer, resolved, closed
    subject: str
    customer_id: int | None = None
    updated_at: dt.datetime | None = None

    def values(self) -> dict[str, Value]:
        return {
            "number": self.number,
            "status": self.status,
            "subject": self.subject,
            "customer_id": self.customer_id,
            "updated_at": _iso(self.updated_at),
            "open": self.status in OPEN_CASE_STATUSES,
        }


@dataclass(frozen=True, slots=True)
class AgentRecord:
    id: int
    username: str
    display_name: str = ""

    def values(self) -> dict[str, Value]:
        return {"id": self.id, "username": self.username, "name": self.display_name or self.username}


class Directory(Protocol):
    """Read-only CRM queries the IVR needs. ``None`` means not found; errors raise."""

    async def customer_by_phone(self, e164: str) -> CustomerRecord | None: ...

    async def customer_by_id(self, customer_id: int) -> CustomerRecord | None: ...

    async def order_by_number(self, number: str) -> OrderRecord | None: ...

    async def orders_of_customer(self, customer_id: int, limit: int = 5) -> list[OrderRecord]:
        """Most recent first."""
        ...

    async def case_by_number(self, number: int) -> CaseRecord | None: ...

    async def account_manager(self, customer_id: int) -> AgentRecord | None: ...

    async def latest_contract(self, customer_id: int) -> ContractRecord | None:
        """The customer's service contract that ends last (None: they never had one)."""
        ...

    async def equipment_by_serial(self, digits: str) -> EquipmentRecord | None:
        """The one piece whose serial number's digits are these (a caller keys digits only); None when none
        or several match."""
        ...

    async def equipment_of_customer(self, customer_id: int) -> EquipmentRecord | None:
        """The customer's most recently installed piece."""
        ...

    async def next_visit(self, customer_id: int, after: dt.datetime) -> VisitRecord | None:
        """The customer's next booked technician visit after ``after``."""
        ...

    async def calendar(self, name: str, around: dt.datetime | None = None) -> Calendar | None:
        """The named calendar, with public holidays filled in for the years around ``around`` (default now)."""
        ...

    async def calendar_names(self) -> set[str]: ...

    async def queue_names(self) -> set[str]: ...
