"""The directory over the CRM database: read-only queries, one short session each."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from contact_center.clock import Clock, SystemClock
from contact_center.crm.calendars import calendar_by_name, to_domain
from contact_center.domain.calendar import Calendar
from contact_center.domain.service.entitlements import warranty_end
from contact_center.flows.directory import (
    AgentRecord,
    CaseRecord,
    ContractRecord,
    CustomerRecord,
    EquipmentRecord,
    OrderRecord,
    VisitRecord,
)
from contact_center.store.tables import (
    Appointment,
    Case,
    Customer,
    Equipment,
    Order,
    Phone,
    Product,
    Queue,
    ServiceContract,
    Technician,
    User,
    contract_equipment,
)
from contact_center.store.tables import Calendar as CalendarRow


def _customer(row: Customer) -> CustomerRecord:
    return CustomerRecord(
        id=row.id,
        first_name=row.first_name,
        last_name=row.last_name,
        language=row.language or "en",
        vip=bool(row.vip),
        segment=row.segment or "standard",
        account_manager_id=row.account_manager_id,
    )


def _order(row: Order) -> OrderRecord:
    return OrderRecord(
        number=row.number,
        status=row.status,
        placed_at=row.placed_at,
        customer_id=row.customer_id,
        shipped_at=row.shipped_at,
        delivered_at=row.delivered_at,
        carrier=row.carrier,
    )


class SqlDirectory:
    def __init__(self, sessions: async_sessionmaker[AsyncSession], clock: Clock | None = None) -> None:
        self._clock = clock or SystemClock()
        self.sessions = sessions

    async def customer_by_phone(self, e164: str) -> CustomerRecord | None:
        # A number shared by several customers (a family line) finds the one added first.
        query = (
            select(Customer)
            .join(Phone, Phone.customer_id == Customer.id)
            .where(Phone.e164 == e164)
            .order_by(Customer.id)
            .limit(1)
        )
        async with self.sessions() as session:
            row = (await session.scalars(query)).first()
        return _customer(row) if row is not None else None

    async def customer_by_id(self, customer_id: int) -> CustomerRecord | None:
        async with self.sessions() as session:
            row = await session.get(Customer, customer_id)
        return _customer(row) if row is not None else None

    async def order_by_number(self, number: str) -> OrderRecord | None:
        async with self.sessions() as session:
            row = (await session.scalars(select(Order).where(Order.number == number))).first()
        return _order(row) if row is not None else None

    async def orders_of_customer(self, customer_id: int, limit: int = 5) -> list[OrderRecord]:
        query = (
            select(Order)
            .where(Order.customer_id == customer_id)
            .order_by(Order.placed_at.desc(), Order.id.desc())
            .limit(limit)
        )
        async with self.sessions() as session:
            return [_order(row) for row in await session.scalars(query)]

    async def case_by_number(self, number: int) -> CaseRecord | None:
        async with self.sessions() as session:
            row = (await session.scalars(select(Case).where(Case.number == number))).first()
        if row is None or row.number is None:
            return None
        return CaseRecord(row.number, row.status, row.subject, row.customer_id, row.updated_at)

    async def account_manager(self, customer_id: int) -> AgentRecord | None:
        query = select(User).join(Customer, Customer.account_manager_id == User.id).where(Customer.id == customer_id)
        async with self.sessions() as session:
            user = (await session.scalars(query)).first()
        if user is None or not user.active:
            return None
        return AgentRecord(user.id, user.username, user.display_name)

    async def latest_contract(self, customer_id: int) -> ContractRecord | None:
        query = select(ServiceContract).where(ServiceContract.customer_id == customer_id)
        async with self.sessions() as session:
            row = (await session.scalars(query.order_by(ServiceContract.ends_on.desc()).limit(1))).first()
        return ContractRecord(row.tier, row.starts_on, row.ends_on) if row is not None else None

    async def equipment_by_serial(self, digits: str) -> EquipmentRecord | None:
        query = (
            select(Equipment, Product.warranty_months, Product.warranty_labour_months)
            .outerjoin(Product, Product.id == Equipment.product_id)
            .where(Equipment.serial_digits == digits)
            .limit(2)
        )
        async with self.sessions() as session:
            found = (await session.execute(query)).all()
            return await self._equipment(session, *found[0]) if len(found) == 1 else None

    async def equipment_of_customer(self, customer_id: int) -> EquipmentRecord | None:
        query = (
            select(Equipment, Product.warranty_months, Product.warranty_labour_months)
            .outerjoin(Product, Product.id == Equipment.product_id)
            .where(Equipment.customer_id == customer_id)
            .order_by(Equipment.installed_on.desc().nulls_last(), Equipment.id.desc())
            .limit(1)
        )
        async with self.sessions() as session:
            row = (await session.execute(query)).first()
            return await self._equipment(session, *row) if row is not None else None

    async def _equipment(
        self, session: AsyncSession, piece: Equipment, parts: int | None, labour: int | None
    ) -> EquipmentRecord:
        covering = (
            select(ServiceContract)
            .join(contract_equipment, contract_equipment.c.contract_id == ServiceContract.id)
            .where(contract_equipment.c.equipment_id == piece.id)
            .order_by(ServiceContract.ends_on.desc())
            .limit(1)
        )
        contract = (await session.scalars(covering)).first()
        return EquipmentRecord(
            customer_id=piece.customer_id,
            model=piece.model,
            serial=piece.serial,
            installed_on=piece.installed_on,
            warranty_until=warranty_end(piece.installed_on, parts or 0),
            labour_warranty_until=warranty_end(piece.installed_on, labour or 0),
            contract=ContractRecord(contract.tier, contract.starts_on, contract.ends_on) if contract else None,
        )

    async def next_visit(self, customer_id: int, after: dt.datetime) -> VisitRecord | None:
        query = (
            select(Appointment, Technician.name, CalendarRow.timezone)
            .join(Technician, Technician.id == Appointment.technician_id)
            .outerjoin(CalendarRow, CalendarRow.id == Technician.calendar_id)
            .where(
                Appointment.customer_id == customer_id,
                Appointment.status == "booked",
                Appointment.starts_at > after,
            )
            .order_by(Appointment.starts_at)
            .limit(1)
        )
        async with self.sessions() as session:
            row = (await session.execute(query)).first()
        if row is None:
            return None
        visit, technician, zone = row
        try:
            local = visit.starts_at.astimezone(ZoneInfo(zone or "UTC"))
        except (KeyError, ValueError):
            local = visit.starts_at
        return VisitRecord(local, technician, visit.skill)

    async def calendar(self, name: str, around: dt.datetime | None = None) -> Calendar | None:
        # Public holidays are filled in for the years around the call's own time (a simulated 2030 call
        # needs 2030's holidays), not around the clock on the wall.
        async with self.sessions() as session:
            row = await calendar_by_name(session, name)
        return to_domain(row, around or self._clock.now()) if row is not None else None

    async def calendar_names(self) -> set[str]:
        async with self.sessions() as session:
            return set(await session.scalars(select(CalendarRow.name)))

    async def queue_names(self) -> set[str]:
        async with self.sessions() as session:
            return set(await session.scalars(select(Queue.name)))
