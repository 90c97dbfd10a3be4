"""Administration over HTTP: queues, skills, teams, calendars and dispositions (read: supervisors;
create, change, remove: admins) and the audit trail.

Every change is checked as routing would check it, lands with its audit entry in one transaction, and
reaches routing at once on this node (other nodes within seconds, through the configuration version).
"""

from __future__ import annotations

import contextlib
from collections.abc import Awaitable, Callable
from typing import Annotated, Any, Literal
from zoneinfo import ZoneInfo

from aiohttp import web
from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from contact_center.crm import configuration as stored
from contact_center.crm.config_specs import KINDS, QueueSpec, Spec, UserSpec
from contact_center.crm.errors import ValidationFailed
from contact_center.crm.records import parse_cursor, parse_limit
from contact_center.security import MIN_PASSWORD_LENGTH
from contact_center.services.admin import configuration as config
from contact_center.services.admin import overrides
from contact_center.services.desk import DeskError
from contact_center.store import audit_log as audit
from contact_center.web.auth import end_sessions, hashed, principal
from contact_center.web.errors import read_body, read_json_object, strictly
from contact_center.web.keys import ACD, CALL_CENTER, CLOCK, SESSIONS
from contact_center.web.routing import Api

api = Api()


class AuditOut(BaseModel):
    id: int
    at: str
    actor: str
    action: str
    target: str
    before: dict[str, Any] | None
    after: dict[str, Any] | None


async def _applied(request: web.Request) -> None:
    """This node's routing takes the change now."""
    await request.app[ACD].reload_queues()
    await request.app[CALL_CENTER].refresh_people()


@api.route(
    "POST",
    "/api/v1/queues",
    "Create a queue (admin)",
    tag="admin",
    role="admin",
    body=QueueSpec,
    response=QueueSpec,
    status=201,
)
async def create_queue(request: web.Request) -> web.Response:
    spec = await read_body(request, QueueSpec)
    async with request.app[SESSIONS].begin() as session:
        await config.store_one(
            session, "queues", spec, create=True, actor=principal(request).username, now=request.app[CLOCK].now()
        )
    await _applied(request)
    return web.json_response(spec.model_dump(mode="json"), status=201)


@api.route(
    "GET", "/api/v1/queues/{name}", "One queue's configuration", tag="admin", role="supervisor", response=QueueSpec
)
async def get_queue(request: web.Request) -> web.Response:
    async with request.app[SESSIONS]() as session:
        spec = await config.one(session, "queues", request.match_info["name"])
    return web.json_response(spec.model_dump(mode="json"))


@api.route(
    "PATCH",
    "/api/v1/queues/{name}",
    "Change a queue (admin): the fields sent replace the stored ones",
    tag="admin",
    role="admin",
    response=QueueSpec,
    changes=QueueSpec,
)
async def change_queue(request: web.Request) -> web.Response:
    name = request.match_info["name"]
    body = await read_json_object(request)
    async with request.app[SESSIONS].begin() as session:
        current = await config.one(session, "queues", name)
        if body.get("name", name) != name:
            raise ValidationFailed.one("name", "a queue cannot be renamed; create a new one")
        spec = strictly(QueueSpec, {**current.model_dump(mode="json"), **body})
        await config.store_one(
            session, "queues", spec, create=False, actor=principal(request).username, now=request.app[CLOCK].now()
        )
    await _applied(request)
    return web.json_response(spec.model_dump(mode="json"))


@api.route("DELETE", "/api/v1/queues/{name}", "Remove a queue (admin)", tag="admin", role="admin", status=204)
async def remove_queue(request: web.Request) -> web.Response:
    async with request.app[SESSIONS].begin() as session:
        await config.remove_one(
            session,
            "queues",
            request.match_info["name"],
            actor=principal(request).username,
            now=request.app[CLOCK].now(),
        )
    await _applied(request)
    return web.Response(status=204)


@api.route(
    "GET",
    "/api/v1/audit",
    "Administrative changes and supervisor actions, newest first (admin)",
    tag="admin",
    role="admin",
    response=AuditOut,
    many=True,
    query=("cursor", "limit"),
)
async def list_audit(request: web.Request) -> web.Response:
    limit = parse_limit(request.query.get("limit"))
    async with request.app[SESSIONS]() as session:
        rows = await audit.newest(session, before_id=parse_cursor(request.query.get("cursor")), limit=limit)
    items = [
        AuditOut(
            id=r.id,
            at=r.at.isoformat().replace("+00:00", "Z"),
            actor=r.actor,
            action=r.action,
            target=r.target,
            before=r.before,
            after=r.after,
        ).model_dump()
        for r in rows
    ]
    return web.json_response({"items": items, "next_cursor": str(rows[-1].id) if len(rows) == limit else None})


# --- skills, teams, calendars, dispositions: the same five routes each -----------------------------


AfterChange = Callable[[web.Request, Spec], Awaitable[None]]


async def _nothing_more(request: web.Request, spec: Spec) -> None:
    return None


def _kind_routes(
    kind: str,
    spec_type: type[Spec],
    *,
    create: bool = True,
    listed: bool = True,
    after_change: AfterChange = _nothing_more,
) -> None:
    """List, read, create, change and remove one kind of record. A record is named by its key (``name``,
    ``code`` for dispositions, ``username`` for users), which cannot change: create a new one instead.
    ``after_change`` runs once a change or removal is committed (with the record as it is now)."""
    one, key = kind[:-1], {"dispositions": "code", "users": "username"}.get(kind, "name")
    base, item = f"/api/v1/{kind}", f"/api/v1/{kind}/{{{key}}}"

    async def list_all(request: web.Request) -> web.Response:
        async with request.app[SESSIONS]() as session:
            specs = (await stored.export(session))[kind]
        return web.json_response({"items": [s.model_dump(mode="json") for s in specs]})

    async def read_one(request: web.Request) -> web.Response:
        async with request.app[SESSIONS]() as session:
            spec = await config.one(session, kind, request.match_info[key])
        return web.json_response(spec.model_dump(mode="json"))

    async def create_one(request: web.Request) -> web.Response:
        spec = await read_body(request, spec_type)
        async with request.app[SESSIONS].begin() as session:
            await config.store_one(
                session, kind, spec, create=True, actor=principal(request).username, now=request.app[CLOCK].now()
            )
        await _applied(request)
        return web.json_response(spec.model_dump(mode="json"), status=201)

    async def change(request: web.Request) -> web.Response:
        name = request.match_info[key]
        body = await read_json_object(request)
        async with request.app[SESSIONS].begin() as session:
            current = await config.one(session, kind, name)
            if body.get(key, name) != name:
                raise ValidationFailed.one(key, f"a {one}'s {key} cannot change; create a new one")
            spec = strictly(spec_type, {**current.model_dump(mode="json"), **body})
            await config.store_one(
                session, kind, spec, create=False, actor=principal(request).username, now=request.app[CLOCK].now()
            )
        await _applied(request)
        await after_change(request, spec)
        return web.json_response(spec.model_dump(mode="json"))

    async def remove(request: web.Request) -> web.Response:
        async with request.app[SESSIONS].begin() as session:
            await config.remove_one(
                session, kind, request.match_info[key], actor=principal(request).username, now=request.app[CLOCK].now()
            )
            removed = await stored.export(session)
        await _applied(request)
        now_stored = {s.key: s for s in removed[kind]}.get(request.match_info[key])
        if now_stored is not None:  # a user is switched off, not removed
            await after_change(request, now_stored)
        return web.Response(status=204)

    if listed:
        api.route("GET", base, f"Every {one}", tag="admin", role="supervisor", response=spec_type, many=True)(list_all)
    api.route("GET", item, f"One {one}", tag="admin", role="supervisor", response=spec_type)(read_one)
    if create:
        api.route(
            "POST",
            base,
            f"Create a {one} (admin)",
            tag="admin",
            role="admin",
            body=spec_type,
            response=spec_type,
            status=201,
        )(create_one)
    api.route(
        "PATCH",
        item,
        f"Change a {one} (admin): the fields sent replace the stored ones",
        tag="admin",
        role="admin",
        response=spec_type,
        changes=spec_type,
    )(change)
    what = "switch a user off (their history stays)" if kind == "users" else f"remove a {one} (refused while in use)"
    api.route("DELETE", item, f"{what[0].upper()}{what[1:]} (admin)", tag="admin", role="admin", status=204)(remove)


for _kind, _spec_type in KINDS.items():
    if _kind not in (
        "queues",
        "users",
        "campaigns",
    ):  # queues have their routes above (and their list in the routing API)
        _kind_routes(_kind, _spec_type)
# Campaigns are listed with their status and list sizes by the supervisors' API (GET /api/v1/campaigns).
_kind_routes("campaigns", KINDS["campaigns"], listed=False)


# --- users: made with a password, switched off rather than removed ---------------------------------


class UserCreate(UserSpec):
    # Without one the user cannot log in until an admin sets it.
    password: Annotated[str, StringConstraints(min_length=MIN_PASSWORD_LENGTH, max_length=1024)] | None = None


class PasswordIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    password: Annotated[str, StringConstraints(min_length=MIN_PASSWORD_LENGTH, max_length=1024)]


async def _logged_out_if_off(request: web.Request, spec: Spec) -> None:
    """A user switched off is logged out at once, everywhere (their open desktops too)."""
    assert isinstance(spec, UserSpec)
    if not spec.active:
        async with request.app[SESSIONS]() as session:
            user_id = await stored.user_id(session, spec.username)
        await end_sessions(request, user_id)
        with contextlib.suppress(DeskError):  # not an agent, or never logged in: nothing to log out of
            await request.app[CALL_CENTER].set_state(user_id, "offline")


_kind_routes("users", UserSpec, create=False, after_change=_logged_out_if_off)


@api.route(
    "POST",
    "/api/v1/users",
    "Create a user (admin): role, extension, team, skills, queues, password",
    tag="admin",
    role="admin",
    body=UserCreate,
    response=UserSpec,
    status=201,
)
async def create_user(request: web.Request) -> web.Response:
    body = await read_body(request, UserCreate)
    spec = UserSpec.model_validate(body.model_dump(exclude={"password"}))
    digest = await hashed(request, body.password) if body.password is not None else None
    actor, now = principal(request).username, request.app[CLOCK].now()
    async with request.app[SESSIONS].begin() as session:
        await config.store_one(session, "users", spec, create=True, actor=actor, now=now)
        if digest is not None:
            await config.set_password(session, spec.username, digest, actor=actor, now=now)
    await _applied(request)
    return web.json_response(spec.model_dump(mode="json"), status=201)


@api.route(
    "POST",
    "/api/v1/users/{username}/password",
    "Set a user's password (admin); their other sessions are logged out",
    tag="admin",
    role="admin",
    body=PasswordIn,
    status=204,
)
async def reset_password(request: web.Request) -> web.Response:
    body = await read_body(request, PasswordIn)
    digest = await hashed(request, body.password)
    me = principal(request)
    async with request.app[SESSIONS].begin() as session:
        user_id = await config.set_password(
            session, request.match_info["username"], digest, actor=me.username, now=request.app[CLOCK].now()
        )
    await end_sessions(request, user_id, keep=me.session_id)
    return web.Response(status=204)


# --- open or close now (supervisors) ------------------------------------------------------------


class OverrideIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    state: Literal["open", "closed"]
    # HH:MM (the next such time in the calendar's zone) or an ISO 8601 date and time
    until: Annotated[str, StringConstraints(pattern=r"^(([01][0-9]|2[0-3]):[0-5][0-9]|[0-9]{4}-[0-9]{2}-[0-9]{2}T.+)$")]
    # Said on the board and in the audit trail; a blank one is refused with a reason (overrides.py).
    reason: str = Field(json_schema_extra={"pattern": r"\S"})


@api.route(
    "GET",
    "/api/v1/calendars/{name}/status",
    "Open or closed now, and why (the override in force)",
    tag="admin",
    role="supervisor",
)
async def calendar_status(request: web.Request) -> web.Response:
    async with request.app[SESSIONS]() as session:
        status = await overrides.calendar_status(session, request.match_info["name"], request.app[CLOCK].now())
    return web.json_response(status)


@api.route(
    "POST",
    "/api/v1/calendars/{name}/override",
    "Open or close a calendar now, until a time (supervisor; audited)",
    tag="admin",
    role="supervisor",
    body=OverrideIn,
)
async def override_calendar(request: web.Request) -> web.Response:
    body = await read_body(request, OverrideIn)
    name, now = request.match_info["name"], request.app[CLOCK].now()
    async with request.app[SESSIONS].begin() as session:
        zone = ZoneInfo((await overrides.calendar_status(session, name, now))["timezone"])
        try:
            until = overrides.until_time(body.until, zone, now)
        except ValueError as exc:
            raise ValidationFailed.one("until", str(exc)) from None
        await overrides.set_override(
            session, name, body.state, until, body.reason, actor=principal(request).username, now=now
        )
        status = await overrides.calendar_status(session, name, now)
    return web.json_response(status)


@api.route(
    "DELETE",
    "/api/v1/calendars/{name}/override",
    "Back to the calendar's hours (supervisor; audited)",
    tag="admin",
    role="supervisor",
    status=204,
)
async def clear_calendar_override(request: web.Request) -> web.Response:
    async with request.app[SESSIONS].begin() as session:
        await overrides.clear_override(
            session, request.match_info["name"], actor=principal(request).username, now=request.app[CLOCK].now()
        )
    return web.Response(status=204)
