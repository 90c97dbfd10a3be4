"""An in-memory directory for tests, the simulator's fallback and benchmarks."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from contact_center.domain.calendar import Calendar
from contact_center.domain.service.entitlements import serial_digits
from contact_center.flows.directory import (
    AgentRecord,
    CaseRecord,
    ContractRecord,
    CustomerRecord,
    EquipmentRecord,
    OrderRecord,
    VisitRecord,
)


@dataclass
class InMemoryDirectory:
    customers: dict[int, CustomerRecord] = field(default_factory=dict)
    phones: dict[str, int] = field(default_factory=dict)  # E.164 -> customer id
    orders: dict[str, OrderRecord] = field(default_factory=dict)
    cases: dict[int, CaseRecord] = field(default_factory=dict)
    agents: dict[int, AgentRecord] = field(default_factory=dict)
    contracts: dict[int, list[ContractRecord]] = field(default_factory=dict)  # customer id -> their contracts
    equipment: list[EquipmentRecord] = field(default_factory=list)
    visits: dict[int, list[VisitRecord]] = field(default_factory=dict)  # customer id -> their booked visits
    calendars: dict[str, Calendar] = field(default_factory=dict)
    queues: set[str] = field(default_factory=set)
    calls: list[tuple[str, object]] = field(default_factory=list)  # what was asked, for tests

    def add_customer(self, customer: CustomerRecord, phones: Iterable[str] = ()) -> CustomerRecord:
        self.customers[customer.id] = customer
        for phone in phones:
            self.phones[phone] = customer.id
        return customer

    def add_order(self, order: OrderRecord) -> OrderRecord:
        self.orders[order.number] = order
        return order

    def add_contract(self, customer_id: int, contract: ContractRecord) -> ContractRecord:
        self.contracts.setdefault(customer_id, []).append(contract)
        return contract

    def add_case(self, case: CaseRecord) -> CaseRecord:
        self.cases[case.number] = case
        return case

    def add_calendars(self, calendars: Mapping[str, Calendar] | Iterable[Calendar]) -> None:
        items = calendars.values() if isinstance(calendars, Mapping) else calendars
        for calendar in items:
            self.calendars[calendar.name] = calendar

    async def customer_by_phone(self, e164: str) -> CustomerRecord | None:
        self.calls.append(("customer_by_phone", e164))
        customer_id = self.phones.get(e164)
        return self.customers.get(customer_id) if customer_id is not None else None

    async def customer_by_id(self, customer_id: int) -> CustomerRecord | None:
        self.calls.append(("customer_by_id", customer_id))
        return self.customers.get(customer_id)

    async def order_by_number(self, number: str) -> OrderRecord | None:
        self.calls.append(("order_by_number", number))
        return self.orders.get(number)

    async def orders_of_customer(self, customer_id: int, limit: int = 5) -> list[OrderRecord]:
        self.calls.append(("orders_of_customer", customer_id))
        mine = [o for o in self.orders.values() if o.customer_id == customer_id]
        return sorted(mine, key=lambda o: o.placed_at, reverse=True)[:limit]

    async def case_by_number(self, number: int) -> CaseRecord | None:
        self.calls.append(("case_by_number", number))
        return self.cases.get(number)

    async def account_manager(self, customer_id: int) -> AgentRecord | None:
        self.calls.append(("account_manager", customer_id))
        customer = self.customers.get(customer_id)
        if customer is None or customer.account_manager_id is None:
            return None
        return self.agents.get(customer.account_manager_id)

    async def latest_contract(self, customer_id: int) -> ContractRecord | None:
        self.calls.append(("latest_contract", customer_id))
        mine = self.contracts.get(customer_id, [])
        return max(mine, key=lambda c: c.ends_on) if mine else None

    async def equipment_by_serial(self, digits: str) -> EquipmentRecord | None:
        self.calls.append(("equipment_by_serial", digits))
        found = [e for e in self.equipment if serial_digits(e.serial) == digits]
        return found[0] if len(found) == 1 else None

    async def equipment_of_customer(self, customer_id: int) -> EquipmentRecord | None:
        self.calls.append(("equipment_of_customer", customer_id))
        mine = [e for e in self.equipment if e.customer_id == customer_id]
        return max(mine, key=lambda e: e.installed_on or dt.date.min) if mine else None

    async def next_visit(self, customer_id: int, after: dt.datetime) -> VisitRecord | None:
        self.calls.append(("next_visit", customer_id))
        ahead = [v for v in self.visits.get(customer_id, []) if v.starts_at > after]
        return min(ahead, key=lambda v: v.starts_at) if ahead else None

    async def calendar(self, name: str, around: dt.datetime | None = None) -> Calendar | None:
        self.calls.append(("calendar", name))
        return self.calendars.get(name)

    async def calendar_names(self) -> set[str]:
        return set(self.calendars)

    async def queue_names(self) -> set[str]:
        return set(self.queues)
