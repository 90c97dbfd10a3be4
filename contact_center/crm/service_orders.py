"""Service orders (from a case or a maintenance plan), the parts they reserve and use, parts stock per location,
and the maintenance plans that make orders on schedule. Each order's life is on the customer's timeline.

Stock is changed by single conditional UPDATEs (``reserved + n`` only where that many are free), so two orders
reserving the last part at once cannot both have it, on either database, from any node.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from pydantic import Field, StringConstraints
from sqlalchemy import and_, delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from contact_center.clock import utc_iso
from contact_center.crm.changes import change_activity
from contact_center.crm.errors import Conflict, NotFound, ValidationFailed
from contact_center.crm.phone_schemas import Strict
from contact_center.crm.schemas import NON_BLANK, Day, Id
from contact_center.domain.service.entitlements import add_months
from contact_center.store.tables import (
    Appointment,
    Case,
    Customer,
    Equipment,
    MaintenancePlan,
    Product,
    ServiceContract,
    ServiceOrder,
    ServiceOrderPart,
    StockLevel,
    TechnicianQuarter,
)

Location = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=64), NON_BLANK]
Label = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=64), NON_BLANK]
Work = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=4000), NON_BLANK]
Quantity = Annotated[int, Field(ge=1, le=100_000)]
PLAN_LEAD = dt.timedelta(days=14)  # a planned visit's order is made this long before its date
MAX_PLANS_PER_PASS = 200


class PartLine(Strict):
    product_id: Id
    quantity: Quantity = 1
    location: Location


class ServiceOrderCreate(Strict):
    work: Work
    skill: Label
    equipment_id: Id | None = None
    due_on: Day | None = None
    parts: list[PartLine] = Field(default_factory=list, max_length=100)


class ServiceOrderComplete(Strict):
    labour_minutes: Annotated[int, Field(ge=0, le=10_000)]
    notes: Annotated[str, StringConstraints(max_length=4000)] = ""


class StockReceipt(Strict):
    location: Location
    product_id: Id
    quantity: Quantity


class PlanCreate(Strict):
    customer_id: Id
    work: Work
    skill: Label
    every_months: Annotated[int, Field(ge=1, le=120)]
    first_due_on: Day
    contract_id: Id | None = None
    equipment_id: Id | None = None


def order_json(row: ServiceOrder, parts: list[ServiceOrderPart]) -> dict[str, Any]:
    return {
        "id": row.id,
        "customer_id": row.customer_id,
        "case_id": row.case_id,
        "equipment_id": row.equipment_id,
        "plan_id": row.plan_id,
        "work": row.work,
        "skill": row.skill,
        "status": row.status,
        "due_on": row.due_on.isoformat() if row.due_on else None,
        "labour_minutes": row.labour_minutes,
        "completed_at": utc_iso(row.completed_at) if row.completed_at else None,
        "parts": [
            {"product_id": p.product_id, "quantity": p.quantity, "location": p.location, "state": p.state}
            for p in parts
        ],
    }


# --- stock ------------------------------------------------------------------------------------------------


async def receive(session: AsyncSession, data: StockReceipt) -> dict[str, Any]:
    """Parts in at a location: on hand goes up."""
    if await session.get(Product, data.product_id) is None:
        raise ValidationFailed.one("product_id", f"no product {data.product_id}")
    level = await session.get(StockLevel, (data.location, data.product_id), with_for_update=True)
    if level is None:
        level = StockLevel(location=data.location, product_id=data.product_id, on_hand=0, reserved=0)
        session.add(level)
    level.on_hand += data.quantity
    await session.flush()
    return stock_json(level)


def stock_json(level: StockLevel) -> dict[str, Any]:
    return {
        "location": level.location,
        "product_id": level.product_id,
        "on_hand": level.on_hand,
        "reserved": level.reserved,
        "free": level.on_hand - level.reserved,
    }


async def stock(session: AsyncSession, location: str | None = None) -> list[dict[str, Any]]:
    query = select(StockLevel).order_by(StockLevel.location, StockLevel.product_id)
    if location:
        query = query.where(StockLevel.location == location)
    return [stock_json(level) for level in (await session.scalars(query)).all()]


async def _reserve(session: AsyncSession, line: PartLine, index: int) -> None:
    done = await session.execute(
        update(StockLevel)
        .where(
            StockLevel.location == line.location,
            StockLevel.product_id == line.product_id,
            StockLevel.on_hand - StockLevel.reserved >= line.quantity,
        )
        .values(reserved=StockLevel.reserved + line.quantity)
        .execution_options(synchronize_session=False)
    )
    if done.rowcount == 1:  # type: ignore[attr-defined]
        return
    level = await session.get(StockLevel, (line.location, line.product_id))
    free = level.on_hand - level.reserved if level is not None else 0
    raise ValidationFailed.one(
        f"parts[{index}].quantity",
        f"only {free} of product {line.product_id} free at {line.location!r}, {line.quantity} asked for",
    )


async def _settle(session: AsyncSession, part: ServiceOrderPart, *, consume: bool) -> None:
    """A reserved part used (leaves the stock) or released (free again)."""
    values: dict[str, Any] = {"reserved": StockLevel.reserved - part.quantity}
    if consume:
        values["on_hand"] = StockLevel.on_hand - part.quantity
    await session.execute(
        update(StockLevel)
        .where(and_(StockLevel.location == part.location, StockLevel.product_id == part.product_id))
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    part.state = "consumed" if consume else "released"


# --- orders -----------------------------------------------------------------------------------------------


async def from_case(
    session: AsyncSession, case_id: int, data: ServiceOrderCreate, *, now: dt.datetime, actor: str, agent_id: int | None
) -> dict[str, Any]:
    """Work to do for a case's customer, its parts reserved from stock (refused, naming the line, when short)."""
    case = await session.get(Case, case_id)
    if case is None:
        raise NotFound("case", case_id)
    if case.customer_id is None:
        raise ValidationFailed.one("case_id", f"case {case.number} has no customer to visit")
    return await _create(
        session, case.customer_id, data, case_id=case.id, plan_id=None, now=now, actor=actor, agent_id=agent_id
    )


async def _create(
    session: AsyncSession,
    customer_id: int,
    data: ServiceOrderCreate,
    *,
    case_id: int | None,
    plan_id: int | None,
    now: dt.datetime,
    actor: str,
    agent_id: int | None,
) -> dict[str, Any]:
    if data.equipment_id is not None:
        piece = await session.get(Equipment, data.equipment_id)
        if piece is None or piece.customer_id != customer_id:
            raise ValidationFailed.one("equipment_id", f"no equipment {data.equipment_id} of customer {customer_id}")
    order = ServiceOrder(
        customer_id=customer_id,
        case_id=case_id,
        equipment_id=data.equipment_id,
        plan_id=plan_id,
        work=data.work,
        skill=data.skill,
        status="open",
        due_on=data.due_on,
        labour_minutes=0,
        created_by=actor,
    )
    session.add(order)
    await session.flush()
    parts = []
    for index, line in enumerate(data.parts):
        await _reserve(session, line, index)
        parts.append(
            ServiceOrderPart(
                service_order_id=order.id,
                product_id=line.product_id,
                location=line.location,
                quantity=line.quantity,
                state="reserved",
            )
        )
    session.add_all(parts)
    await session.flush()
    reserved = ", ".join(f"{p.quantity} x product {p.product_id} at {p.location}" for p in parts)
    said = f"Service order {order.id}: {data.work}" + (f" (parts reserved: {reserved})" if reserved else "")
    session.add(_on_timeline(order, said, agent_id, now))
    return order_json(order, parts)


async def get(session: AsyncSession, order_id: int) -> dict[str, Any]:
    order = await session.get(ServiceOrder, order_id)
    if order is None:
        raise NotFound("service order", order_id)
    return order_json(order, await _parts(session, order.id))


async def of_case(session: AsyncSession, case_id: int) -> list[dict[str, Any]]:
    if await session.get(Case, case_id) is None:
        raise NotFound("case", case_id)
    orders = (await session.scalars(select(ServiceOrder).where(ServiceOrder.case_id == case_id))).all()
    return [order_json(o, await _parts(session, o.id)) for o in orders]


async def _parts(session: AsyncSession, order_id: int) -> list[ServiceOrderPart]:
    query = select(ServiceOrderPart).where(ServiceOrderPart.service_order_id == order_id).order_by(ServiceOrderPart.id)
    return list((await session.scalars(query)).all())


async def complete(
    session: AsyncSession,
    order_id: int,
    data: ServiceOrderComplete,
    *,
    now: dt.datetime,
    actor: str,
    agent_id: int | None,
) -> dict[str, Any]:
    """The work done: labour booked, its reserved parts used (out of stock), its visit done."""
    order = await _open_order(session, order_id)
    parts = await _parts(session, order.id)
    for part in parts:
        if part.state == "reserved":
            await _settle(session, part, consume=True)
    order.status, order.labour_minutes, order.completed_at = "completed", data.labour_minutes, now
    await session.execute(
        update(Appointment)
        .where(Appointment.service_order_id == order.id, Appointment.status == "booked")
        .values(status="done")
        .execution_options(synchronize_session=False)
    )
    said = f"Service order {order.id} completed by {actor}: {data.labour_minutes} min of labour" + (
        f"; {data.notes}" if data.notes else ""
    )
    session.add(_on_timeline(order, said, agent_id, now))
    await session.flush()
    return order_json(order, parts)


async def cancel(
    session: AsyncSession, order_id: int, *, now: dt.datetime, actor: str, agent_id: int | None
) -> dict[str, Any]:
    """Nothing to do after all: its parts back in stock, its booked visit cancelled."""
    order = await _open_order(session, order_id)
    parts = await _parts(session, order.id)
    for part in parts:
        if part.state == "reserved":
            await _settle(session, part, consume=False)
    order.status = "cancelled"
    visits = (
        await session.scalars(
            select(Appointment.id).where(Appointment.service_order_id == order.id, Appointment.status == "booked")
        )
    ).all()
    if visits:
        await session.execute(delete(TechnicianQuarter).where(TechnicianQuarter.appointment_id.in_(visits)))
        await session.execute(
            update(Appointment)
            .where(Appointment.id.in_(visits))
            .values(status="cancelled")
            .execution_options(synchronize_session=False)
        )
    session.add(_on_timeline(order, f"Service order {order.id} cancelled by {actor}", agent_id, now))
    await session.flush()
    return order_json(order, parts)


async def _open_order(session: AsyncSession, order_id: int) -> ServiceOrder:
    order = await session.get(ServiceOrder, order_id, with_for_update=True)
    if order is None:
        raise NotFound("service order", order_id)
    if order.status in ("completed", "cancelled"):
        raise Conflict(f"service order {order_id} is {order.status}")
    return order


def _on_timeline(order: ServiceOrder, subject: str, agent_id: int | None, now: dt.datetime) -> Any:
    return change_activity(
        "service_order",
        subject,
        {"status": {"from": None, "to": order.status}},
        agent_id=agent_id,
        now=now,
        outcome=order.status,
        extra={"service_order_id": order.id, "equipment_id": order.equipment_id, "plan_id": order.plan_id},
        customer_id=order.customer_id,
        case_id=order.case_id,
    )


# --- maintenance plans ------------------------------------------------------------------------------------


async def add_plan(session: AsyncSession, data: PlanCreate) -> dict[str, Any]:
    if await session.get(Customer, data.customer_id) is None:
        raise ValidationFailed.one("customer_id", f"no customer {data.customer_id}")
    if data.contract_id is not None:
        contract = await session.get(ServiceContract, data.contract_id)
        if contract is None or contract.customer_id != data.customer_id:
            raise ValidationFailed.one("contract_id", f"no contract {data.contract_id} of customer {data.customer_id}")
    if data.equipment_id is not None:
        piece = await session.get(Equipment, data.equipment_id)
        if piece is None or piece.customer_id != data.customer_id:
            raise ValidationFailed.one(
                "equipment_id", f"no equipment {data.equipment_id} of customer {data.customer_id}"
            )
    plan = MaintenancePlan(
        customer_id=data.customer_id,
        contract_id=data.contract_id,
        equipment_id=data.equipment_id,
        work=data.work,
        skill=data.skill,
        every_months=data.every_months,
        next_due_on=data.first_due_on,
        active=True,
    )
    session.add(plan)
    await session.flush()
    return plan_json(plan)


def plan_json(plan: MaintenancePlan) -> dict[str, Any]:
    return {
        "id": plan.id,
        "customer_id": plan.customer_id,
        "contract_id": plan.contract_id,
        "equipment_id": plan.equipment_id,
        "work": plan.work,
        "skill": plan.skill,
        "every_months": plan.every_months,
        "next_due_on": plan.next_due_on.isoformat(),
        "active": plan.active,
    }


async def plans(session: AsyncSession, customer_id: int | None = None) -> list[dict[str, Any]]:
    query = select(MaintenancePlan).order_by(MaintenancePlan.next_due_on, MaintenancePlan.id)
    if customer_id is not None:
        query = query.where(MaintenancePlan.customer_id == customer_id)
    return [plan_json(p) for p in (await session.scalars(query)).all()]


async def run_plans(
    session: AsyncSession, now: dt.datetime, lead: dt.timedelta = PLAN_LEAD, most: int = MAX_PLANS_PER_PASS
) -> list[dict[str, Any]]:
    """A service order for each plan's visit due within ``lead``; the plan's next date moves past the horizon.
    A plan that fell behind gets one order, for its latest date (a visit missed months ago is not worth
    several; the one to do is the next). A plan under a contract makes none for a date after the contract
    ends, and stops there. At most ``most`` plans a pass (the next pass does the rest), so one pass is a
    short transaction."""
    horizon = (now + lead).date()
    made = []
    due = await session.scalars(
        select(MaintenancePlan)
        .where(MaintenancePlan.active, MaintenancePlan.next_due_on <= horizon)
        .order_by(MaintenancePlan.next_due_on, MaintenancePlan.id)
        .limit(most)
        .with_for_update()
    )
    for plan in due.all():
        contract = await session.get(ServiceContract, plan.contract_id) if plan.contract_id else None
        visit_on = plan.next_due_on
        while add_months(visit_on, plan.every_months) <= horizon:
            visit_on = add_months(visit_on, plan.every_months)
        plan.next_due_on = add_months(visit_on, plan.every_months)
        if contract is not None and visit_on > contract.ends_on:
            plan.active = False
            continue
        order = ServiceOrderCreate(work=plan.work, skill=plan.skill, equipment_id=plan.equipment_id, due_on=visit_on)
        made.append(
            await _create(
                session, plan.customer_id, order, case_id=None, plan_id=plan.id, now=now, actor="plan", agent_id=None
            )
        )
        if contract is not None and plan.next_due_on > contract.ends_on:
            plan.active = False  # its last visit under the contract is ordered
    await session.flush()
    return made


__all__ = [
    "PartLine",
    "PlanCreate",
    "ServiceOrderComplete",
    "ServiceOrderCreate",
    "StockReceipt",
    "add_plan",
    "cancel",
    "complete",
    "from_case",
    "get",
    "of_case",
    "plans",
    "receive",
    "run_plans",
    "stock",
]
