"""IVR flows over HTTP: read (supervisors), change or roll back (admins). A change is checked first and
refused with every problem as FILE:LINE: reason; the replaced version stays in the history."""

from __future__ import annotations

import hashlib
from typing import Any

from aiohttp import web
from pydantic import BaseModel, ConfigDict

from contact_center.crm.errors import FieldError, NotFound, ValidationFailed
from contact_center.flows.directory import Directory
from contact_center.flows.registry import FlowRegistry, known_names
from contact_center.services.admin import flow_files
from contact_center.store.audit_log import record_change
from contact_center.web.auth import principal
from contact_center.web.errors import read_body
from contact_center.web.keys import CLOCK, DIRECTORY, FLOWS, SESSIONS, SETTINGS
from contact_center.web.routing import Api

api = Api()


class FlowText(BaseModel):
    model_config = ConfigDict(extra="forbid")
    text: str  # the flow file's YAML


class Rollback(BaseModel):
    model_config = ConfigDict(extra="forbid")
    version: str  # an id from GET /api/v1/flows/{name}/history


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:12]


def _summary(registry: FlowRegistry, name: str) -> dict[str, Any]:
    flow = registry.current().flows.get(name)
    return {
        "name": name,
        "loaded": flow is not None,
        "version": flow.version if flow is not None else None,
        "numbers": list(flow.numbers) if flow is not None else [],
        "entry": name == registry.entry,
    }


def _name(request: web.Request) -> str:
    name = request.match_info["name"]
    try:
        flow_files.check_name(name)
    except flow_files.FlowRefused as refused:
        raise ValidationFailed.one("name", refused.problems[0]) from None
    return name


def _file(registry: FlowRegistry, name: str) -> str:
    path = registry.directory / f"{name}.yaml"
    if not path.is_file():
        raise NotFound("flow", name)
    return path.read_text(encoding="utf-8")


@api.route("GET", "/api/v1/flows", "IVR flows: name, loaded version, service numbers", tag="admin", role="supervisor")
async def list_flows(request: web.Request) -> web.Response:
    registry = request.app[FLOWS]
    names = sorted({p.stem for p in registry.directory.glob("*.yaml")} | set(registry.current().flows))
    return web.json_response({"items": [_summary(registry, n) for n in names]})


@api.route("GET", "/api/v1/flows/{name}", "One flow's file (YAML) and what is loaded", tag="admin", role="supervisor")
async def get_flow(request: web.Request) -> web.Response:
    registry, name = request.app[FLOWS], _name(request)
    return web.json_response({**_summary(registry, name), "text": _file(registry, name)})


@api.route(
    "GET", "/api/v1/flows/{name}/history", "Earlier versions of a flow, newest first", tag="admin", role="supervisor"
)
async def flow_history(request: web.Request) -> web.Response:
    name = _name(request)
    history = request.app[SETTINGS].var_dir / "flow-history"
    items = [{"version": v.id, "text": v.path.read_text(encoding="utf-8")} for v in flow_files.versions(history, name)]
    return web.json_response({"items": items})


@api.route(
    "PUT",
    "/api/v1/flows/{name}",
    "Write a flow (admin): checked first, refused with FILE:LINE reasons",
    tag="admin",
    role="admin",
    body=FlowText,
)
async def put_flow(request: web.Request) -> web.Response:
    body = await read_body(request, FlowText)
    return await _write(request, _name(request), body.text, "flow.change")


@api.route(
    "POST",
    "/api/v1/flows/{name}/rollback",
    "Put an earlier version of a flow back (admin)",
    tag="admin",
    role="admin",
    body=Rollback,
)
async def rollback_flow(request: web.Request) -> web.Response:
    body = await read_body(request, Rollback)
    name = _name(request)
    history = request.app[SETTINGS].var_dir / "flow-history"
    found = next((v for v in flow_files.versions(history, name) if v.id == body.version), None)
    if found is None:
        raise ValidationFailed.one("version", f"no earlier version {body.version!r} of flow {name}")
    return await _write(request, name, found.path.read_text(encoding="utf-8"), "flow.rollback")


async def _write(request: web.Request, name: str, text: str, action: str) -> web.Response:
    registry: FlowRegistry = request.app[FLOWS]
    directory: Directory = request.app[DIRECTORY]
    registry.known = await known_names(directory)  # check against the CRM as it is now
    try:
        flow_files.check(registry, name, text)
    except flow_files.FlowRefused as refused:
        raise ValidationFailed([FieldError("text", problem) for problem in refused.problems]) from None
    path = registry.directory / f"{name}.yaml"
    before = {"digest": _digest(path.read_text(encoding="utf-8"))} if path.is_file() else None
    now = request.app[CLOCK].now()
    kept = flow_files.save(registry, request.app[SETTINGS].var_dir / "flow-history", name, text, now)
    registry.reload()  # this node now; the others when their watcher sees the file (a shared flows folder)
    after = {"digest": _digest(text), "replaced_version": kept.id if kept else None}
    async with request.app[SESSIONS].begin() as session:
        record_change(session, principal(request).username, action, f"flow:{name}", before, after, now)
    return web.json_response(_summary(registry, name))
