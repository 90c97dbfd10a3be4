"""Administration over HTTP: queues (create, change, remove; admin only) and the audit trail.

Every change is checked as routing would check it, lands with its audit entry in one transaction, and
reaches routing at once on this node (other nodes within seconds, through the configuration version).
"""

from __future__ import annotations

from typing import Any

from aiohttp import web
from pydantic import BaseModel

from contact_center.crm.errors import ValidationFailed
from contact_center.crm.records import parse_cursor, parse_limit
from contact_center.services.admin import audit
from contact_center.services.admin import configuration as config
from contact_center.services.admin.specs import QueueSpec
from contact_center.web.auth import principal
from contact_center.web.errors import read_body, read_json_object
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


@api.route("POST", "/api/v1/queues", "Create a queue (admin)", tag="admin", role="admin", body=QueueSpec,
           response=QueueSpec, status=201)  # fmt: skip
async def create_queue(request: web.Request) -> web.Response:
    spec = await read_body(request, QueueSpec)
    async with request.app[SESSIONS].begin() as session:
        await config.store_one(session, "queues", spec, create=True, actor=principal(request).username,
                               now=request.app[CLOCK].now())  # fmt: skip
    await _applied(request)
    return web.json_response(spec.model_dump(mode="json"), status=201)


@api.route("GET", "/api/v1/queues/{name}", "One queue's configuration", tag="admin", role="supervisor",
           response=QueueSpec)  # fmt: skip
async def get_queue(request: web.Request) -> web.Response:
    async with request.app[SESSIONS]() as session:
        spec = await config.one(session, "queues", request.match_info["name"])
    return web.json_response(spec.model_dump(mode="json"))


@api.route("PATCH", "/api/v1/queues/{name}", "Change a queue (admin): the fields sent replace the stored ones",
           tag="admin", role="admin", response=QueueSpec)  # fmt: skip
async def change_queue(request: web.Request) -> web.Response:
    name = request.match_info["name"]
    body = await read_json_object(request)
    async with request.app[SESSIONS].begin() as session:
        current = await config.one(session, "queues", name)
        if body.get("name", name) != name:
            raise ValidationFailed.one("name", "a queue cannot be renamed; create a new one")
        spec = QueueSpec.model_validate({**current.model_dump(mode="json"), **body})
        await config.store_one(session, "queues", spec, create=False, actor=principal(request).username,
                               now=request.app[CLOCK].now())  # fmt: skip
    await _applied(request)
    return web.json_response(spec.model_dump(mode="json"))


@api.route("DELETE", "/api/v1/queues/{name}", "Remove a queue (admin)", tag="admin", role="admin", status=204)
async def remove_queue(request: web.Request) -> web.Response:
    async with request.app[SESSIONS].begin() as session:
        await config.remove_one(session, "queues", request.match_info["name"], actor=principal(request).username,
                                now=request.app[CLOCK].now())  # fmt: skip
    await _applied(request)
    return web.Response(status=204)


@api.route("GET", "/api/v1/audit", "Administrative changes and supervisor actions, newest first (admin)",
           tag="admin", role="admin", response=AuditOut, many=True, query=("cursor", "limit"))  # fmt: skip
async def list_audit(request: web.Request) -> web.Response:
    limit = parse_limit(request.query.get("limit"))
    async with request.app[SESSIONS]() as session:
        rows = await audit.newest(session, before_id=parse_cursor(request.query.get("cursor")), limit=limit)
    items = [
        AuditOut(id=r.id, at=r.at.isoformat().replace("+00:00", "Z"), actor=r.actor, action=r.action,
                 target=r.target, before=r.before, after=r.after).model_dump()
        for r in rows
    ]  # fmt: skip
    return web.json_response({"items": items, "next_cursor": rows[-1].id if len(rows) == limit else None})
