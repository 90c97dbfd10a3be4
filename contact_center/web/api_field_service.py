"""Field service over HTTP: technicians, appointment slots and bookings, the dispatcher's day, service orders
with their parts, parts stock, and maintenance plans."""

from __future__ import annotations

import datetime as dt

from aiohttp import web

from contact_center.crm import scheduling, service_orders
from contact_center.crm.errors import FieldError, ValidationFailed
from contact_center.web.api_crm import record_id
from contact_center.web.auth import principal
from contact_center.web.errors import query_day, query_int, read_body
from contact_center.web.keys import CLOCK, SESSIONS
from contact_center.web.routing import Api

api = Api()


# --- technicians and appointments ------------------------------------------------------------------------


@api.route(
    "POST",
    "/api/v1/technicians",
    "A field technician: skills, territories (postal-code prefixes or city / region / country names; none: "
    "anywhere), the calendar of their working hours",
    tag="field service",
    role="admin",
    body=scheduling.TechnicianCreate,
    status=201,
)
async def add_technician(request: web.Request) -> web.Response:
    body = await read_body(request, scheduling.TechnicianCreate)
    async with request.app[SESSIONS].begin() as session:
        out = await scheduling.add_technician(session, body)
    return web.json_response(out, status=201)


@api.route("GET", "/api/v1/technicians", "The technicians, by name", tag="field service")
async def list_technicians(request: web.Request) -> web.Response:
    async with request.app[SESSIONS]() as session:
        items = await scheduling.technicians(session)
    return web.json_response({"items": items, "next_cursor": None})


@api.route(
    "GET",
    "/api/v1/appointments/slots",
    "Times a technician with the skill who covers the customer's address can come (from ``date`` or now, "
    "for ``days``), earliest first",
    tag="field service",
    query=("customer_id", "skill", "minutes", "date", "days"),
    required=("customer_id", "skill"),
)
async def appointment_slots(request: web.Request) -> web.Response:
    errors: list[FieldError] = []
    customer_id = query_int(request, "customer_id", 1, 2**31 - 1, 0, errors)
    if "customer_id" not in request.query:
        errors.append(FieldError("customer_id", "required"))
    skill = request.query.get("skill", "").strip()
    if not skill:
        errors.append(FieldError("skill", "required: the skill the job needs"))
    minutes = query_int(request, "minutes", 15, 600, 60, errors)
    if minutes % 15:
        errors.append(FieldError("minutes", "must be a whole number of quarter hours, from 15 to 600"))
    days = query_int(request, "days", 1, scheduling.MAX_DAYS, 14, errors)
    day = query_day(request, "date", errors, required=False)
    if errors:
        raise ValidationFailed(errors)
    now = request.app[CLOCK].now()
    start = dt.datetime.combine(day, dt.time(), dt.UTC) if day is not None else None
    async with request.app[SESSIONS]() as session:
        items = await scheduling.slots(session, customer_id, skill, minutes, now=now, start=start, days=days)
    return web.json_response({"items": items})


@api.route(
    "POST",
    "/api/v1/appointments",
    "Book a technician's visit (the technician named, or whoever is free then); refused naming why when "
    "it does not fit their skills, territory, hours or bookings; 409 when another booking took the time first",
    tag="field service",
    body=scheduling.AppointmentCreate,
    status=201,
)
async def book(request: web.Request) -> web.Response:
    body = await read_body(request, scheduling.AppointmentCreate)
    me = principal(request)
    async with request.app[SESSIONS].begin() as session:
        out = await scheduling.book(session, body, now=request.app[CLOCK].now(), actor=me.username, agent_id=me.user_id)
    return web.json_response(out, status=201)


@api.route(
    "POST",
    "/api/v1/appointments/{id}/move",
    "Move a visit to another time (and technician); on the customer's timeline",
    tag="field service",
    body=scheduling.AppointmentMove,
)
async def move(request: web.Request) -> web.Response:
    appointment_id = record_id(request)
    body = await read_body(request, scheduling.AppointmentMove)
    me = principal(request)
    async with request.app[SESSIONS].begin() as session:
        out = await scheduling.move(
            session, appointment_id, body, now=request.app[CLOCK].now(), actor=me.username, agent_id=me.user_id
        )
    if out is None:
        raise web.HTTPNotFound(text=f"no appointment {appointment_id}")
    return web.json_response(out)


@api.route(
    "POST",
    "/api/v1/appointments/{id}/cancel",
    "Cancel a visit (its time is free again; its service order is open again); on the customer's timeline",
    tag="field service",
    body=scheduling.AppointmentCancel,
)
async def cancel(request: web.Request) -> web.Response:
    appointment_id = record_id(request)
    body = await read_body(request, scheduling.AppointmentCancel)
    me = principal(request)
    async with request.app[SESSIONS].begin() as session:
        out = await scheduling.cancel(
            session, appointment_id, body.reason, now=request.app[CLOCK].now(), actor=me.username, agent_id=me.user_id
        )
    if out is None:
        raise web.HTTPNotFound(text=f"no appointment {appointment_id}")
    return web.json_response(out)


@api.route(
    "GET",
    "/api/v1/customers/{id}/appointments",
    "The customer's visits, soonest first",
    tag="field service",
)
async def customer_appointments(request: web.Request) -> web.Response:
    async with request.app[SESSIONS]() as session:
        items = await scheduling.of_customer(session, record_id(request))
    return web.json_response({"items": items})


@api.route(
    "GET",
    "/api/v1/dispatch",
    "The dispatcher's day: each technician's working hours and visits on ``date`` (their local day; today "
    "when not given)",
    tag="field service",
    role="supervisor",
    query=("date",),
)
async def dispatch(request: web.Request) -> web.Response:
    errors: list[FieldError] = []
    day = query_day(request, "date", errors, required=False)
    if errors:
        raise ValidationFailed(errors)
    now = request.app[CLOCK].now()
    day = day or now.date()
    async with request.app[SESSIONS]() as session:
        technicians = await scheduling.day_view(session, day, now)
    return web.json_response({"date": day.isoformat(), "technicians": technicians})


# --- service orders and stock ------------------------------------------------------------------------------


@api.route(
    "POST",
    "/api/v1/cases/{id}/service-orders",
    "A service order from a case: work, the skill it needs, the equipment, parts reserved from a location's "
    "stock (refused naming the line when short)",
    tag="field service",
    body=service_orders.ServiceOrderCreate,
    status=201,
)
async def order_from_case(request: web.Request) -> web.Response:
    case_id = record_id(request)
    body = await read_body(request, service_orders.ServiceOrderCreate)
    me = principal(request)
    async with request.app[SESSIONS].begin() as session:
        out = await service_orders.from_case(
            session, case_id, body, now=request.app[CLOCK].now(), actor=me.username, agent_id=me.user_id
        )
    return web.json_response(out, status=201)


@api.route("GET", "/api/v1/cases/{id}/service-orders", "A case's service orders", tag="field service")
async def case_orders(request: web.Request) -> web.Response:
    async with request.app[SESSIONS]() as session:
        items = await service_orders.of_case(session, record_id(request))
    return web.json_response({"items": items})


@api.route("GET", "/api/v1/service-orders/{id}", "A service order with its parts", tag="field service")
async def get_order(request: web.Request) -> web.Response:
    async with request.app[SESSIONS]() as session:
        out = await service_orders.get(session, record_id(request))
    return web.json_response(out)


@api.route(
    "POST",
    "/api/v1/service-orders/{id}/complete",
    "The work done: labour booked, reserved parts used (out of stock), the visit done",
    tag="field service",
    body=service_orders.ServiceOrderComplete,
)
async def complete_order(request: web.Request) -> web.Response:
    order_id = record_id(request)
    body = await read_body(request, service_orders.ServiceOrderComplete)
    me = principal(request)
    async with request.app[SESSIONS].begin() as session:
        out = await service_orders.complete(
            session, order_id, body, now=request.app[CLOCK].now(), actor=me.username, agent_id=me.user_id
        )
    return web.json_response(out)


@api.route(
    "POST",
    "/api/v1/service-orders/{id}/cancel",
    "Nothing to do after all: reserved parts back in stock, the booked visit cancelled",
    tag="field service",
)
async def cancel_order(request: web.Request) -> web.Response:
    order_id = record_id(request)
    me = principal(request)
    async with request.app[SESSIONS].begin() as session:
        out = await service_orders.cancel(
            session, order_id, now=request.app[CLOCK].now(), actor=me.username, agent_id=me.user_id
        )
    return web.json_response(out)


@api.route(
    "POST",
    "/api/v1/stock",
    "Parts received at a location (a warehouse, a van): on hand goes up",
    tag="field service",
    role="supervisor",
    body=service_orders.StockReceipt,
    status=201,
)
async def receive_stock(request: web.Request) -> web.Response:
    body = await read_body(request, service_orders.StockReceipt)
    async with request.app[SESSIONS].begin() as session:
        out = await service_orders.receive(session, body)
    return web.json_response(out, status=201)


@api.route(
    "GET",
    "/api/v1/stock",
    "Parts stock per location: on hand, reserved by open orders, free",
    tag="field service",
    query=("location",),
)
async def list_stock(request: web.Request) -> web.Response:
    async with request.app[SESSIONS]() as session:
        items = await service_orders.stock(session, request.query.get("location"))
    return web.json_response({"items": items})


# --- maintenance plans -----------------------------------------------------------------------------------


@api.route(
    "POST",
    "/api/v1/maintenance-plans",
    "Preventive maintenance: a service order for this work every so many months, made two weeks ahead",
    tag="field service",
    role="supervisor",
    body=service_orders.PlanCreate,
    status=201,
)
async def add_plan(request: web.Request) -> web.Response:
    body = await read_body(request, service_orders.PlanCreate)
    async with request.app[SESSIONS].begin() as session:
        out = await service_orders.add_plan(session, body)
    return web.json_response(out, status=201)


@api.route(
    "GET",
    "/api/v1/maintenance-plans",
    "Maintenance plans, next due first",
    tag="field service",
    query=("customer_id",),
)
async def list_plans(request: web.Request) -> web.Response:
    errors: list[FieldError] = []
    customer_id = query_int(request, "customer_id", 1, 2**31 - 1, 0, errors)
    if errors:
        raise ValidationFailed(errors)
    async with request.app[SESSIONS]() as session:
        items = await service_orders.plans(session, customer_id or None)
    return web.json_response({"items": items})


@api.route(
    "POST",
    "/api/v1/maintenance-plans/run",
    "Make the service orders of the planned visits due within two weeks now (the server does it hourly)",
    tag="field service",
    role="supervisor",
)
async def run_plans(request: web.Request) -> web.Response:
    async with request.app[SESSIONS].begin() as session:
        made = await service_orders.run_plans(session, request.app[CLOCK].now())
    return web.json_response({"made": made})
