"""Technicians and field appointments as stored: slots offered, bookings made, moved and cancelled (each on
the customer's timeline), and the dispatcher's day. The rules are domain/service/scheduling's; this module
reads and writes them."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any
from zoneinfo import ZoneInfo

from pydantic import Field, StringConstraints
from sqlalchemy import delete, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from contact_center.clock import utc_iso
from contact_center.crm import contract_tiers
from contact_center.crm.calendars import calendar_by_name, to_domain
from contact_center.crm.changes import change_activity
from contact_center.crm.errors import Conflict, ValidationFailed
from contact_center.crm.phone_schemas import Strict
from contact_center.crm.schemas import NON_BLANK, Id, Instant
from contact_center.domain.calendar import always_open
from contact_center.domain.service import scheduling as rules
from contact_center.domain.service.entitlements import contract_year, visit_included
from contact_center.store.tables import (
    Appointment,
    Case,
    Customer,
    ServiceOrder,
    Technician,
    TechnicianQuarter,
    User,
)
from contact_center.store.tables import Calendar as CalendarRow

Label = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=64), NON_BLANK]
Minutes = Annotated[int, Field(ge=15, le=600, multiple_of=15)]
NOTICE = dt.timedelta(hours=2)  # the least time ahead a customer may book for themselves
MAX_DAYS = 62  # how far ahead slots are offered


class TechnicianCreate(Strict):
    name: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100), NON_BLANK]
    skills: list[Label] = Field(min_length=1, max_length=50)
    territories: list[Label] = Field(default_factory=list, max_length=200)  # empty: goes anywhere
    calendar: Label  # the name of the calendar of their working hours
    home_location: Annotated[str, StringConstraints(strip_whitespace=True, max_length=64)] = ""
    user_id: Id | None = None
    active: bool = True


class AppointmentCreate(Strict):
    customer_id: Id
    skill: Label
    starts_at: Instant
    minutes: Minutes = 60
    technician_id: Id | None = None  # None: whoever is free then
    case_id: Id | None = None
    service_order_id: Id | None = None
    notes: Annotated[str, StringConstraints(max_length=2000)] = ""


class AppointmentMove(Strict):
    starts_at: Instant
    technician_id: Id | None = None  # None: the same technician, else whoever is free then


class AppointmentCancel(Strict):
    reason: Annotated[str, StringConstraints(strip_whitespace=True, max_length=500)] = ""


def technician_json(row: Technician, calendar: str | None) -> dict[str, Any]:
    return {
        "id": row.id,
        "name": row.name,
        "skills": list(row.skills),
        "territories": list(row.territories),
        "calendar": calendar,
        "home_location": row.home_location,
        "user_id": row.user_id,
        "active": row.active,
    }


def appointment_json(row: Appointment, technician: str | None = None) -> dict[str, Any]:
    return {
        "id": row.id,
        "customer_id": row.customer_id,
        "technician_id": row.technician_id,
        "technician": technician,
        "case_id": row.case_id,
        "service_order_id": row.service_order_id,
        "skill": row.skill,
        "starts_at": utc_iso(row.starts_at),
        "ends_at": utc_iso(row.ends_at),
        "minutes": int((row.ends_at - row.starts_at).total_seconds() // 60),
        "status": row.status,
        "booked_by": row.booked_by,
        "included_by_contract_id": row.included_by_contract_id,
        "notes": row.notes,
    }


# --- technicians -----------------------------------------------------------------------------------------


async def add_technician(session: AsyncSession, data: TechnicianCreate) -> dict[str, Any]:
    calendar = await calendar_by_name(session, data.calendar)
    if calendar is None:
        raise ValidationFailed.one("calendar", f"no calendar named {data.calendar!r}")
    if data.user_id is not None and await session.get(User, data.user_id) is None:
        raise ValidationFailed.one("user_id", f"no user {data.user_id}")
    if await session.scalar(select(Technician.id).where(Technician.name == data.name)) is not None:
        raise Conflict(f"a technician named {data.name!r} exists already")
    row = Technician(
        name=data.name,
        skills=sorted(set(data.skills)),
        territories=list(dict.fromkeys(data.territories)),
        calendar_id=calendar.id,
        home_location=data.home_location,
        user_id=data.user_id,
        active=data.active,
    )
    session.add(row)
    await session.flush()
    return technician_json(row, calendar.name)


async def technicians(session: AsyncSession) -> list[dict[str, Any]]:
    rows = await session.execute(
        select(Technician, CalendarRow.name)
        .outerjoin(CalendarRow, CalendarRow.id == Technician.calendar_id)
        .order_by(Technician.name)
    )
    return [technician_json(t, name) for t, name in rows.all()]


async def _domain_technicians(
    session: AsyncSession, now: dt.datetime, ids: list[int] | None = None
) -> dict[int, rules.Technician]:
    query = select(Technician, CalendarRow).outerjoin(CalendarRow, CalendarRow.id == Technician.calendar_id)
    if ids is not None:
        query = query.where(Technician.id.in_(ids))
    out = {}
    for tech, calendar in (await session.execute(query)).all():
        # A technician whose calendar was deleted has no working hours: never offered, never booked.
        hours = to_domain(calendar, now) if calendar is not None else None
        out[tech.id] = rules.Technician(
            tech.id,
            tech.name,
            frozenset(tech.skills),
            tuple(tech.territories),
            hours or always_open(),
            active=tech.active and hours is not None,
        )
    return out


async def _booked(
    session: AsyncSession, start: dt.datetime, end: dt.datetime, technician_ids: list[int] | None = None
) -> list[rules.Booked]:
    query = select(Appointment.technician_id, Appointment.starts_at, Appointment.ends_at).where(
        Appointment.status == "booked", Appointment.starts_at < end, Appointment.ends_at > start
    )
    if technician_ids is not None:
        query = query.where(Appointment.technician_id.in_(technician_ids))
    return [rules.Booked(t, s, e) for t, s, e in (await session.execute(query)).all()]


async def skills_offered(session: AsyncSession) -> list[str]:
    """What visits can be booked for: the skills of the technicians taking appointments."""
    rows = await session.scalars(select(Technician.skills).where(Technician.active))
    return sorted({skill for skills in rows.all() for skill in skills})


# --- slots and bookings ----------------------------------------------------------------------------------


async def _customer(session: AsyncSession, customer_id: int) -> Customer:
    customer = await session.get(Customer, customer_id)
    if customer is None:
        raise ValidationFailed.one("customer_id", f"no customer {customer_id}")
    return customer


async def slots(
    session: AsyncSession,
    customer_id: int,
    skill: str,
    minutes: int,
    *,
    now: dt.datetime,
    start: dt.datetime | None = None,
    days: int = 14,
    notice: dt.timedelta = NOTICE,
) -> list[dict[str, Any]]:
    """Times a technician with the skill who covers the customer's address can come, earliest first."""
    if not 1 <= days <= MAX_DAYS:
        raise ValidationFailed.one("days", f"must be from 1 to {MAX_DAYS}")
    length = dt.timedelta(minutes=minutes)
    try:
        rules.check_length(length)
    except rules.BookingRefused as refused:
        raise ValidationFailed.one(refused.field, refused.reason) from None
    customer = await _customer(session, customer_id)
    earliest = max(start or now, now + notice)
    until = earliest + dt.timedelta(days=days)
    techs = await _domain_technicians(session, now)
    booked = await _booked(session, earliest, until)
    query = rules.SlotQuery(skill, length, earliest, until, customer.address or {})
    names = {t.id: t.name for t in techs.values()}
    return [
        {
            "starts_at": utc_iso(s.start),
            "ends_at": utc_iso(s.end),
            "technician_id": s.technician_id,
            "technician": names[s.technician_id],
        }
        for s in rules.free_slots(techs.values(), booked, query)
    ]


async def book(
    session: AsyncSession,
    data: AppointmentCreate,
    *,
    now: dt.datetime,
    actor: str,
    agent_id: int | None,
    notice: dt.timedelta = dt.timedelta(0),
) -> dict[str, Any]:
    """A technician's visit, checked against their skills, territories, hours and bookings; on the
    customer's (and the case's) timeline. Two bookings racing for the same time: the second gets Conflict."""
    customer = await _customer(session, data.customer_id)
    order = await _links(session, customer.id, data.case_id, data.service_order_id)
    length = dt.timedelta(minutes=data.minutes)
    start = data.starts_at.astimezone(dt.UTC)
    _check_notice(start, now, notice)
    tech = await _choose(session, data.technician_id, start, length, data.skill, customer, now)
    row = Appointment(
        customer_id=customer.id,
        technician_id=tech.id,
        case_id=data.case_id if data.case_id is not None else (order.case_id if order else None),
        service_order_id=data.service_order_id,
        skill=data.skill,
        starts_at=start,
        ends_at=start + length,
        status="booked",
        booked_by=actor,
        notes=data.notes,
    )
    session.add(row)
    await session.flush()
    await _hold(session, row, tech.name)
    if order is not None and order.status == "open":
        order.status = "scheduled"
    cover = await _included(session, row)
    said = f"Visit booked: {tech.name}, {_local(row, customer, tech)}; {cover}"
    session.add(_on_timeline(row, said, agent_id, now))
    return appointment_json(row, tech.name)


async def _included(session: AsyncSession, row: Appointment) -> str:
    """Whether the visit is one the customer's contract includes this contract year (marked on it), said so."""
    covering = await contract_tiers.in_force(session, row.customer_id, row.starts_at.date())
    for contract, tier in covering:
        start, end = contract_year(contract.starts_on, row.starts_at.date())
        used = await session.scalar(
            select(func.count())
            .select_from(Appointment)
            .where(
                Appointment.included_by_contract_id == contract.id,
                Appointment.status != "cancelled",
                Appointment.starts_at >= dt.datetime.combine(start, dt.time(), dt.UTC),
                Appointment.starts_at < dt.datetime.combine(end + dt.timedelta(days=1), dt.time(), dt.UTC),
            )
        )
        if visit_included(tier.visits_per_year, used or 0):
            row.included_by_contract_id = contract.id
            n = (used or 0) + 1
            return f"included in the {tier.name} contract (visit {n} of {tier.visits_per_year} this contract year)"
    return "chargeable (no contract visit left)" if covering else "chargeable (no contract)"


async def _links(
    session: AsyncSession, customer_id: int, case_id: int | None, order_id: int | None
) -> ServiceOrder | None:
    if case_id is not None:
        case = await session.get(Case, case_id)
        if case is None or case.customer_id != customer_id:
            raise ValidationFailed.one("case_id", f"no case {case_id} of customer {customer_id}")
    if order_id is None:
        return None
    order = await session.get(ServiceOrder, order_id)
    if order is None or order.customer_id != customer_id:
        raise ValidationFailed.one("service_order_id", f"no service order {order_id} of customer {customer_id}")
    if order.status in ("completed", "cancelled"):
        raise ValidationFailed.one("service_order_id", f"service order {order_id} is {order.status}")
    return order


async def _choose(
    session: AsyncSession,
    technician_id: int | None,
    start: dt.datetime,
    length: dt.timedelta,
    skill: str,
    customer: Customer,
    now: dt.datetime,
    moving: Appointment | None = None,
) -> rules.Technician:
    """The technician named (checked), or the first who can take the job then."""
    techs = await _domain_technicians(session, now, [technician_id] if technician_id is not None else None)
    if technician_id is not None and technician_id not in techs:
        raise ValidationFailed.one("technician_id", f"no technician {technician_id}")
    booked = await _booked(session, start, start + length, list(techs))
    ignore = rules.Booked(moving.technician_id, moving.starts_at, moving.ends_at) if moving is not None else None
    refusal: rules.BookingRefused | None = None
    for tech in sorted(techs.values(), key=lambda t: t.id):
        try:
            rules.check_booking(
                tech,
                start,
                length,
                skill=skill,
                address=customer.address or {},
                booked=booked,
                now=now,
                ignore=ignore,
            )
        except rules.BookingRefused as refused:
            refusal = refusal or refused
            continue
        return tech
    if technician_id is None:
        raise ValidationFailed.one("starts_at", f"no technician who does {skill!r} in the customer's area is free then")
    assert refusal is not None
    raise ValidationFailed.one(refusal.field, refusal.reason)


async def _hold(session: AsyncSession, row: Appointment, technician: str) -> None:
    """The quarters the visit takes, written so that a booking racing this one for them fails."""
    session.add_all(
        TechnicianQuarter(technician_id=row.technician_id, starts_at=q, appointment_id=row.id)
        for q in rules.quarters(row.starts_at, row.ends_at)
    )
    try:
        await session.flush()
    except IntegrityError:
        raise Conflict(f"{technician} was booked for part of that time a moment ago: choose another time") from None


async def move(
    session: AsyncSession,
    appointment_id: int,
    data: AppointmentMove,
    *,
    now: dt.datetime,
    actor: str,
    agent_id: int | None,
    customer_id: int | None = None,
    notice: dt.timedelta = dt.timedelta(0),
) -> dict[str, Any] | None:
    """The visit at another time (and technician); None when there is no such appointment (of this customer)."""
    row = await _still_booked(session, appointment_id, customer_id)
    if row is None:
        return None
    start = data.starts_at.astimezone(dt.UTC)
    _check_notice(start, now, notice)
    customer = await _customer(session, row.customer_id)
    length = row.ends_at - row.starts_at
    wanted = data.technician_id if data.technician_id is not None else row.technician_id
    try:
        tech = await _choose(session, wanted, start, length, row.skill, customer, now, moving=row)
    except ValidationFailed:
        if data.technician_id is not None:
            raise
        tech = await _choose(session, None, start, length, row.skill, customer, now, moving=row)
    before = _local(row, customer, tech)
    await session.execute(delete(TechnicianQuarter).where(TechnicianQuarter.appointment_id == row.id))
    row.technician_id, row.starts_at, row.ends_at = tech.id, start, start + length
    await session.flush()
    await _hold(session, row, tech.name)
    after = _local(row, customer, tech)
    session.add(_on_timeline(row, f"Visit moved from {before} to {after} ({tech.name}), by {actor}", agent_id, now))
    return appointment_json(row, tech.name)


async def cancel(
    session: AsyncSession,
    appointment_id: int,
    reason: str,
    *,
    now: dt.datetime,
    actor: str,
    agent_id: int | None,
    customer_id: int | None = None,
) -> dict[str, Any] | None:
    row = await _still_booked(session, appointment_id, customer_id)
    if row is None:
        return None
    customer = await _customer(session, row.customer_id)
    row.status = "cancelled"
    await session.execute(delete(TechnicianQuarter).where(TechnicianQuarter.appointment_id == row.id))
    if row.service_order_id is not None:
        order = await session.get(ServiceOrder, row.service_order_id)
        if order is not None and order.status == "scheduled":
            order.status = "open"  # the work is still to do: it needs another visit
    tech = (await _domain_technicians(session, now, [row.technician_id]))[row.technician_id]
    said = f"Visit on {_local(row, customer, tech)} cancelled by {actor}" + (f": {reason}" if reason else "")
    session.add(_on_timeline(row, said, agent_id, now))
    return appointment_json(row, tech.name)


async def _still_booked(session: AsyncSession, appointment_id: int, customer_id: int | None) -> Appointment | None:
    """The appointment to change (locked), None when there is none (of this customer); Conflict once it is not
    booked any more (cancelled or done)."""
    row = await session.get(Appointment, appointment_id, with_for_update=True)
    if row is None or (customer_id is not None and row.customer_id != customer_id):
        return None
    if row.status != "booked":
        raise Conflict(f"appointment {appointment_id} is {row.status}")
    return row


async def of_customer(
    session: AsyncSession, customer_id: int, *, since: dt.datetime | None = None
) -> list[dict[str, Any]]:
    """The customer's appointments (from ``since`` on, when given), soonest first."""
    query = (
        select(Appointment, Technician.name)
        .join(Technician, Technician.id == Appointment.technician_id)
        .where(Appointment.customer_id == customer_id)
        .order_by(Appointment.starts_at)
    )
    if since is not None:
        query = query.where(Appointment.ends_at >= since)
    return [appointment_json(a, name) for a, name in (await session.execute(query)).all()]


async def day_view(session: AsyncSession, day: dt.date, now: dt.datetime) -> list[dict[str, Any]]:
    """The dispatcher's day: every active technician, their working hours that day and their visits (in the
    technician's local day), with whom and where."""
    techs = await _domain_technicians(session, now)
    rows = (await session.execute(select(Technician).where(Technician.active).order_by(Technician.name))).scalars()
    # One read of the visits around the day (every zone's local day lies within a day either side of it in UTC),
    # each technician's then taken from it by their own local day.
    around = dt.datetime.combine(day - dt.timedelta(days=1), dt.time(), dt.UTC)
    near = await session.execute(
        select(Appointment, Customer)
        .join(Customer, Customer.id == Appointment.customer_id)
        .where(
            Appointment.status != "cancelled",
            Appointment.starts_at < around + dt.timedelta(days=3),
            Appointment.ends_at > around,
        )
        .order_by(Appointment.starts_at)
    )
    by_technician: dict[int, list[tuple[Appointment, Customer]]] = {}
    for a, c in near.all():
        by_technician.setdefault(a.technician_id, []).append((a, c))
    out = []
    for tech in rows.all():
        hours = techs[tech.id].calendar
        zone = ZoneInfo(hours.timezone)
        start = dt.datetime.combine(day, dt.time(), zone)
        end = dt.datetime.combine(day + dt.timedelta(days=1), dt.time(), zone)
        visits = [(a, c) for a, c in by_technician.get(tech.id, []) if a.starts_at < end and a.ends_at > start]
        working = [(lo, min(hi, end)) for lo, hi in hours.open_intervals(start, days=1) if lo < end]
        out.append(
            {
                "technician_id": tech.id,
                "technician": tech.name,
                "timezone": hours.timezone,
                "working": [{"from": utc_iso(lo), "to": utc_iso(hi)} for lo, hi in working],
                "visits": [
                    appointment_json(a, tech.name)
                    | {
                        "customer": f"{c.first_name} {c.last_name}",
                        "city": (c.address or {}).get("city", ""),
                        "postal_code": (c.address or {}).get("postal_code", ""),
                    }
                    for a, c in visits
                ],
            }
        )
    return out


def _on_timeline(row: Appointment, subject: str, agent_id: int | None, now: dt.datetime) -> Any:
    return change_activity(
        "appointment",
        subject,
        {"appointment": {"from": None, "to": row.id}},
        agent_id=agent_id,
        now=now,
        outcome=row.status,
        extra={
            "appointment_id": row.id,
            "technician_id": row.technician_id,
            "starts_at": utc_iso(row.starts_at),
            "ends_at": utc_iso(row.ends_at),
            "source": "portal" if row.booked_by == "portal" else "staff",
        },
        customer_id=row.customer_id,
        case_id=row.case_id,
    )


def _local(row: Appointment, customer: Customer, tech: rules.Technician) -> str:
    """When the visit is, in the customer's own time (their zone, else the technician's: the same area)."""
    try:
        zone = ZoneInfo(customer.timezone or tech.calendar.timezone)
    except (ValueError, KeyError):
        zone = ZoneInfo("UTC")
    start = row.starts_at.astimezone(zone)
    return f"{start:%a %d %b %Y %H:%M}-{row.ends_at.astimezone(zone):%H:%M} {start.tzname()}"


def _check_notice(start: dt.datetime, now: dt.datetime, notice: dt.timedelta) -> None:
    if start < now:
        raise ValidationFailed.one("starts_at", "is in the past")
    if start < now + notice:
        hours = notice.total_seconds() / 3600
        raise ValidationFailed.one("starts_at", f"book at least {hours:g} hour{'' if hours == 1 else 's'} ahead")


__all__ = [
    "NOTICE",
    "AppointmentCancel",
    "AppointmentCreate",
    "AppointmentMove",
    "TechnicianCreate",
    "add_technician",
    "book",
    "cancel",
    "day_view",
    "move",
    "of_customer",
    "skills_offered",
    "slots",
    "technicians",
]
