"""What supervisors do to the line: move a waiting call to another queue, change its priority, have the
caller offered a callback or cancel a callback waiting for an agent; and the callbacks promised for later
(list, schedule, cancel). Supervisors and admins only; every action is in the audit trail."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Annotated, Any

from aiohttp import web
from pydantic import BaseModel, ConfigDict, Field, StringConstraints, field_validator

from contact_center.crm import scheduled_callbacks
from contact_center.crm.errors import FieldError, NotFound, ValidationFailed
from contact_center.crm.phones import try_e164
from contact_center.domain.acd import commands as cmd
from contact_center.domain.acd.errors import AcdError, InvalidTransition, NoSuchCall, NoSuchQueue
from contact_center.store.audit_log import record_change
from contact_center.web.auth import principal
from contact_center.web.errors import error, path_id, read_body
from contact_center.web.keys import ACD, CLOCK, SESSIONS, SETTINGS
from contact_center.web.routing import Api

api = Api()


class MoveIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    queue: Annotated[str, StringConstraints(min_length=1, max_length=64)]


class PriorityIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    priority: Annotated[int, Field(ge=-1000, le=1000)]


class CallbackIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    number: Annotated[str, StringConstraints(min_length=3, max_length=32)]
    queue: Annotated[str, StringConstraints(min_length=1, max_length=64)]
    due_at: dt.datetime
    customer_id: int | None = None
    agent_id: int | None = None

    @field_validator("due_at")
    @classmethod
    def _zoned(cls, value: dt.datetime) -> dt.datetime:
        if value.tzinfo is None:
            raise ValueError("give the time zone (2026-12-07T10:00:00Z or +01:00)")
        return value


async def _routing(request: web.Request, command: cmd.Command, field: str) -> web.Response | None:
    """Routing's answer to the command: None when done, else the refusal as an HTTP answer."""
    try:
        await request.app[ACD].handle(command)
    except NoSuchCall:
        raise NotFound("waiting call", getattr(command, "call_id", "?")) from None
    except NoSuchQueue as exc:
        raise ValidationFailed.one(field, f"no queue {exc.args[0]!r}") from None
    except InvalidTransition as exc:
        return error(409, "not_waiting", str(exc))
    except AcdError as exc:
        return error(409, type(exc).__name__, str(exc))
    return None


async def _audit(request: web.Request, action: str, target: str, before: Any, after: Any) -> None:
    async with request.app[SESSIONS].begin() as session:
        record_change(session, principal(request).username, action, target, before, after, request.app[CLOCK].now())


def _waiting(request: web.Request) -> tuple[str, dict[str, Any]]:
    call_id = request.match_info["call_id"]
    call = request.app[ACD].acd.calls.get(call_id)
    if call is None:
        raise NotFound("waiting call", call_id)
    return call_id, {"queue": call.queue_id, "priority": call.priority, "state": str(call.state)}


async def _on_waiting_call(
    request: web.Request, command: Callable[[str], cmd.Command], action: str, field: str, after: dict[str, Any]
) -> web.Response:
    """One supervisor action on a waiting call: routing's answer, then the audit entry and the result."""
    call_id, before = _waiting(request)
    refused = await _routing(request, command(call_id), field)
    if refused is not None:
        return refused
    await _audit(request, action, f"call:{call_id}", before, after)
    return web.json_response({"call_id": call_id, **after})


@api.route(
    "POST",
    "/api/v1/calls/{call_id}/move",
    "Move a waiting call to another queue; it keeps its place (supervisor; audited)",
    tag="supervisor",
    role="supervisor",
    body=MoveIn,
)
async def move_call(request: web.Request) -> web.Response:
    body = await read_body(request, MoveIn)
    return await _on_waiting_call(
        request, lambda call_id: cmd.MoveCall(call_id, body.queue), "call.move", "queue", {"queue": body.queue}
    )


@api.route(
    "POST",
    "/api/v1/calls/{call_id}/priority",
    "Change a waiting call's priority (higher goes first; supervisor; audited)",
    tag="supervisor",
    role="supervisor",
    body=PriorityIn,
)
async def set_priority(request: web.Request) -> web.Response:
    body = await read_body(request, PriorityIn)
    return await _on_waiting_call(
        request,
        lambda call_id: cmd.SetCallPriority(call_id, body.priority),
        "call.priority",
        "priority",
        {"priority": body.priority},
    )


@api.route(
    "POST",
    "/api/v1/calls/{call_id}/offer-callback",
    "Have a waiting caller offered a callback (the IVR asks them to press 1; supervisor; audited)",
    tag="supervisor",
    role="supervisor",
)
async def offer_callback(request: web.Request) -> web.Response:
    return await _on_waiting_call(request, cmd.OfferCallback, "call.offer_callback", "call_id", {"offered": "callback"})


@api.route(
    "POST",
    "/api/v1/calls/{call_id}/cancel-callback",
    "Cancel a callback waiting in a queue for an agent (supervisor; audited)",
    tag="supervisor",
    role="supervisor",
)
async def cancel_waiting_callback(request: web.Request) -> web.Response:
    return await _on_waiting_call(request, cmd.CancelCallback, "callback.cancel", "call_id", {"status": "canceled"})


@api.route(
    "GET",
    "/api/v1/callbacks",
    "Callbacks promised for later and not placed yet, soonest first (supervisor)",
    tag="supervisor",
    role="supervisor",
)
async def list_callbacks(request: web.Request) -> web.Response:
    async with request.app[SESSIONS]() as session:
        rows = await scheduled_callbacks.pending(session)
    return web.json_response({"items": [scheduled_callbacks.as_json(r) for r in rows], "next_cursor": None})


@api.route(
    "POST",
    "/api/v1/callbacks",
    "Schedule a callback: the number is called from the queue at due_at, "
    "inside the customer's calling hours (supervisor; audited)",
    tag="supervisor",
    role="supervisor",
    body=CallbackIn,
    status=201,
)
async def schedule_callback(request: web.Request) -> web.Response:
    body = await read_body(request, CallbackIn)
    errors: list[FieldError] = []
    number = try_e164(body.number, request.app[SETTINGS].default_region)
    if number is None:
        errors.append(FieldError("number", f"{body.number!r} is not a phone number"))
    if body.queue not in request.app[ACD].acd.queues:
        errors.append(FieldError("queue", f"no queue {body.queue!r}"))
    async with request.app[SESSIONS].begin() as session:
        for name in await scheduled_callbacks.unknown_people(session, body.customer_id, body.agent_id):
            errors.append(FieldError(name, f"no {name.removesuffix('_id')} {getattr(body, name)}"))
        if errors:
            raise ValidationFailed(errors)  # nothing written: the transaction is rolled back
        assert number is not None
        row = scheduled_callbacks.schedule(
            session,
            number=number,
            queue=body.queue,
            due_at=body.due_at.astimezone(dt.UTC),
            customer_id=body.customer_id,
            agent_id=body.agent_id,
            interaction_id=None,
            activity_id=None,
        )
        await session.flush()
        out = scheduled_callbacks.as_json(row)
        record_change(
            session,
            principal(request).username,
            "callback.schedule",
            f"callback:{row.id}",
            None,
            out,
            request.app[CLOCK].now(),
        )
    return web.json_response(out, status=201)


@api.route(
    "DELETE",
    "/api/v1/callbacks/{callback_id}",
    "Cancel a scheduled callback (supervisor; audited)",
    tag="supervisor",
    role="supervisor",
)
async def cancel_callback(request: web.Request) -> web.Response:
    callback_id = path_id(request, "callback_id", "a callback id")
    async with request.app[SESSIONS].begin() as session:
        row, canceled = await scheduled_callbacks.cancel(session, callback_id)
        if row is None:
            raise NotFound("callback", callback_id)
        status = row.status
        routing_call = f"cb{row.id}-{row.attempts + 1}" if status == "queued" else None
        if canceled:
            record_change(
                session,
                principal(request).username,
                "callback.cancel",
                f"callback:{callback_id}",
                None,
                scheduled_callbacks.as_json(row),
                request.app[CLOCK].now(),
            )
    if routing_call is not None:  # waiting for an agent now: canceled in routing, which settles the row
        refused = await _routing(request, cmd.CancelCallback(routing_call), "callback_id")
        if refused is not None:
            return refused
        await _audit(request, "callback.cancel", f"callback:{callback_id}", None, {"status": "canceled"})
        return web.json_response({"id": callback_id, "status": "canceled"})
    if not canceled:
        return error(409, "not_pending", f"callback {callback_id} is {status}: there is nothing to cancel")
    return web.json_response({"id": callback_id, "status": status})
