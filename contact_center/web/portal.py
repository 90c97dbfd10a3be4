"""The customer portal (``/portal``), apart from staff logins: a customer signs in with a one-time link sent
to their e-mail and sees their own cases. The same answer (202) whether or not anybody has the e-mail,
so the form tells nobody who is a customer."""

from __future__ import annotations

import asyncio
import logging
import time
from typing import Annotated, Any

from aiohttp import web
from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, StringConstraints

from contact_center.crm import installed_base, portal, scheduling
from contact_center.crm.records import parse_id
from contact_center.crm.schemas import Email
from contact_center.mail import Mailer
from contact_center.web.auth import client_address
from contact_center.web.errors import error, read_body
from contact_center.web.keys import ACD, CLOCK, MAILER, PORTAL_THROTTLE, SESSIONS, SETTINGS
from contact_center.web.pages import render

log = logging.getLogger(__name__)
COOKIE = "cc_portal"
_sending: set[asyncio.Task[Any]] = set()


class CaseIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    subject: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=300)]
    description: Annotated[str, StringConstraints(max_length=5000)] = ""


class CallbackIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    number: Annotated[str, StringConstraints(max_length=40)] | None = None


class PortalLogin(BaseModel):
    model_config = ConfigDict(extra="forbid")
    email: Annotated[Email, StringConstraints(max_length=200)]


def install(app: web.Application) -> None:
    app.router.add_get("/portal", page)
    app.router.add_post("/portal/login", login)
    app.router.add_get("/portal/auth", auth)
    app.router.add_post("/portal/logout", logout)
    app.router.add_get("/portal/api/me", my_profile)
    app.router.add_get("/portal/api/cases", my_cases)
    app.router.add_get("/portal/api/equipment", my_equipment)
    app.router.add_get("/portal/api/cases/{id}", my_case)
    app.router.add_post("/portal/api/cases", open_case)
    app.router.add_post("/portal/api/cases/{id}/replies", reply)
    app.router.add_post("/portal/api/callback", ask_callback)
    app.router.add_get("/portal/api/kb", search_kb)
    app.router.add_get("/portal/api/appointments", my_appointments)
    app.router.add_get("/portal/api/appointment-slots", appointment_slots)
    app.router.add_post("/portal/api/appointments", book_appointment)
    app.router.add_post("/portal/api/appointments/{id}/move", move_appointment)
    app.router.add_post("/portal/api/appointments/{id}/cancel", cancel_appointment)


async def page(request: web.Request) -> web.Response:
    return render(request, "portal.html")


async def login(request: web.Request) -> web.Response:
    if request.content_type != "application/json":
        return error(415, "unsupported_media_type", "send the e-mail as application/json")
    body = await read_body(request, PortalLogin)
    throttle, address, mono = request.app[PORTAL_THROTTLE], client_address(request), time.monotonic()
    wait = throttle.retry_after(body.email, address, mono)
    if wait > 0:  # the same for every address asked for: it tells nobody who is a customer
        response = error(429, "too_many_requests", f"too many sign-in links asked for; try again in {int(wait) + 1} s")
        response.headers["Retry-After"] = str(int(wait) + 1)
        return response
    throttle.attempt(body.email, address, mono)
    async with request.app[SESSIONS].begin() as session:
        made = await portal.new_link(session, body.email, request.app[CLOCK].now())
    if made is not None:
        base = request.app[SETTINGS].public_url or f"{request.scheme}://{request.host}"
        link = f"{base}/portal/auth?token={made[0]}"
        task = asyncio.create_task(_send(request.app[MAILER], body.email, link), name="portal-link")
        _sending.add(task)
        task.add_done_callback(_sending.discard)
    return web.json_response({"sent": "if a customer has this address, a sign-in link is on its way"}, status=202)


async def _send(mailer: Mailer, to: str, link: str) -> None:
    text = (
        "Hello,\n\nto see your cases and appointments, open this link within 15 minutes (it works once):\n\n"
        f"{link}\n\nIf you did not ask for it, ignore this e-mail.\n"
    )
    try:
        await mailer.send(to, "Your sign-in link", text)
    except Exception:
        log.exception("sending a portal sign-in link failed")


async def auth(request: web.Request) -> web.StreamResponse:
    token = request.query.get("token", "")
    async with request.app[SESSIONS].begin() as session:
        cookie = await portal.use_link(session, token, request.app[CLOCK].now()) if token else None
    if cookie is None:
        return web.Response(status=400, text="This sign-in link has expired or was used already: ask for a new one.")
    response = web.HTTPFound("/portal")
    response.set_cookie(COOKIE, cookie, httponly=True, samesite="Strict", secure=request.secure, path="/portal")
    raise response


async def _customer(request: web.Request) -> int:
    async with request.app[SESSIONS]() as session:
        found = await portal.signed_in(session, request.cookies.get(COOKIE), request.app[CLOCK].now())
    if found is None:
        raise web.HTTPUnauthorized(text="sign in first", content_type="text/plain")
    return found


async def logout(request: web.Request) -> web.Response:
    cookie = request.cookies.get(COOKIE)
    if cookie:
        async with request.app[SESSIONS].begin() as session:
            await portal.sign_out(session, cookie)
    response = web.json_response({"signed_out": True})
    response.del_cookie(COOKIE, path="/portal")
    return response


async def my_profile(request: web.Request) -> web.Response:
    customer_id = await _customer(request)
    async with request.app[SESSIONS]() as session:
        return web.json_response(await portal.me(session, customer_id))


async def my_cases(request: web.Request) -> web.Response:
    customer_id = await _customer(request)
    async with request.app[SESSIONS]() as session:
        return web.json_response({"items": await portal.cases(session, customer_id)})


async def my_equipment(request: web.Request) -> web.Response:
    """The customer's own equipment: its warranty (parts, labour) and the contract that covers it."""
    customer_id = await _customer(request)
    async with request.app[SESSIONS]() as session:
        items = await installed_base.entitlements(session, customer_id, request.app[CLOCK].now().date())
    return web.json_response({"items": items})


async def my_case(request: web.Request) -> web.Response:
    customer_id = await _customer(request)
    case_id = parse_id(request.match_info["id"])
    if case_id is None:
        raise web.HTTPNotFound()
    async with request.app[SESSIONS]() as session:
        found = await portal.case(session, customer_id, case_id)
    if found is None:
        return error(404, "not_found", f"no case {case_id}")
    return web.json_response(found)


def _same_origin(request: web.Request) -> None:
    """Writes only as JSON (a cross-site form cannot send it; the cookie is SameSite=Strict as well)."""
    if request.content_type != "application/json":
        raise web.HTTPUnsupportedMediaType(text="send JSON", content_type="text/plain")


async def open_case(request: web.Request) -> web.Response:
    customer_id = await _customer(request)
    _same_origin(request)
    body = await read_body(request, CaseIn)
    async with request.app[SESSIONS].begin() as session:
        case = await portal.open_case(session, customer_id, body.subject, body.description, request.app[CLOCK].now())
        out = portal.case_json(case)
    return web.json_response(out, status=201)


class ReplyIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    text: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=10_000)]


async def reply(request: web.Request) -> web.Response:
    customer_id = await _customer(request)
    _same_origin(request)
    case_id = parse_id(request.match_info["id"])
    body = await read_body(request, ReplyIn)
    if case_id is None:
        return error(404, "not_found", "no such case")
    async with request.app[SESSIONS].begin() as session:
        case = await portal.reply(session, customer_id, case_id, body.text, request.app[CLOCK].now())
        out = portal.case_json(case) if case is not None else None
    if out is None:
        return error(404, "not_found", f"no case {case_id}")
    return web.json_response(out, status=201)


async def ask_callback(request: web.Request) -> web.Response:
    customer_id = await _customer(request)
    _same_origin(request)
    body = await read_body(request, CallbackIn)
    settings = request.app[SETTINGS]
    if settings.portal_callback_queue not in request.app[ACD].acd.queues:
        return error(503, "no_callbacks", "callbacks cannot be asked for on the web here; please call us")
    async with request.app[SESSIONS].begin() as session:
        out = await portal.ask_callback(
            session,
            customer_id,
            body.number,
            settings.portal_callback_queue,
            request.app[CLOCK].now(),
            settings.default_region,
        )
    return web.json_response(out, status=201)


async def search_kb(request: web.Request) -> web.Response:
    await _customer(request)
    q = request.query.get("q", "")[:200]
    async with request.app[SESSIONS]() as session:
        return web.json_response({"items": await portal.kb(session, q)})


# --- technician visits: the customer books, moves and cancels their own ---------------------------------

VISIT_MINUTES = 60  # what a visit booked on the web holds; longer jobs are booked by the service desk


class VisitIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    skill: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=64)]
    starts_at: AwareDatetime
    case_id: Annotated[int, Field(ge=1, le=2**31 - 1)] | None = None


class VisitMove(BaseModel):
    model_config = ConfigDict(extra="forbid")
    starts_at: AwareDatetime


async def my_appointments(request: web.Request) -> web.Response:
    customer_id = await _customer(request)
    async with request.app[SESSIONS]() as session:
        items = await scheduling.of_customer(session, customer_id, since=request.app[CLOCK].now())
        kinds = await scheduling.skills_offered(session)
    return web.json_response({"items": items, "kinds": kinds})


async def appointment_slots(request: web.Request) -> web.Response:
    customer_id = await _customer(request)
    skill = request.query.get("skill", "").strip()[:64]
    if not skill:
        return error(422, "invalid", "say what the visit is for (skill)")
    async with request.app[SESSIONS]() as session:
        items = await scheduling.slots(
            session, customer_id, skill, VISIT_MINUTES, now=request.app[CLOCK].now(), days=21
        )
    return web.json_response({"items": [{k: v for k, v in s.items() if k != "technician_id"} for s in items]})


async def book_appointment(request: web.Request) -> web.Response:
    customer_id = await _customer(request)
    _same_origin(request)
    body = await read_body(request, VisitIn)
    data = scheduling.AppointmentCreate(
        customer_id=customer_id,
        skill=body.skill,
        starts_at=body.starts_at,
        minutes=VISIT_MINUTES,
        case_id=body.case_id,
    )
    async with request.app[SESSIONS].begin() as session:
        out = await scheduling.book(
            session, data, now=request.app[CLOCK].now(), actor="portal", agent_id=None, notice=scheduling.NOTICE
        )
    return web.json_response(out, status=201)


async def move_appointment(request: web.Request) -> web.Response:
    customer_id = await _customer(request)
    _same_origin(request)
    appointment_id = parse_id(request.match_info["id"])
    body = await read_body(request, VisitMove)
    if appointment_id is None:
        return error(404, "not_found", "no such appointment")
    async with request.app[SESSIONS].begin() as session:
        out = await scheduling.move(
            session,
            appointment_id,
            scheduling.AppointmentMove(starts_at=body.starts_at),
            now=request.app[CLOCK].now(),
            actor="the customer (portal)",
            agent_id=None,
            customer_id=customer_id,
            notice=scheduling.NOTICE,
        )
    if out is None:
        return error(404, "not_found", f"no appointment {appointment_id}")
    return web.json_response(out)


async def cancel_appointment(request: web.Request) -> web.Response:
    customer_id = await _customer(request)
    _same_origin(request)
    appointment_id = parse_id(request.match_info["id"])
    if appointment_id is None:
        return error(404, "not_found", "no such appointment")
    async with request.app[SESSIONS].begin() as session:
        out = await scheduling.cancel(
            session,
            appointment_id,
            "",
            now=request.app[CLOCK].now(),
            actor="the customer (portal)",
            agent_id=None,
            customer_id=customer_id,
        )
    if out is None:
        return error(404, "not_found", f"no appointment {appointment_id}")
    return web.json_response(out)
