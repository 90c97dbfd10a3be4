"""The caller simulator: place a call through the simulated telephony adapter, press keys, hear the IVR
as text, wait in queue, hang up — the whole path to an agent's desktop without a phone."""

from __future__ import annotations

import re
from typing import Annotated

from aiohttp import web
from pydantic import BaseModel, ConfigDict, StringConstraints

from contact_center.crm.errors import ValidationFailed
from contact_center.crm.phones import try_e164
from contact_center.telephony.port import Prompt, Speech
from contact_center.telephony.simulated import SimulatedTelephony
from contact_center.web.errors import read_body
from contact_center.web.keys import CALL_CENTER, SETTINGS, SIMULATOR
from contact_center.web.routing import Api

api = Api()
KEYS = re.compile(r"^[0-9*#]{1,32}$")


class PlaceCall(BaseModel):
    model_config = ConfigDict(extra="forbid")
    caller: Annotated[str, StringConstraints(min_length=3, max_length=40)]
    dialled: Annotated[str, StringConstraints(max_length=40)] = "5000"


class Keys(BaseModel):
    model_config = ConfigDict(extra="forbid")
    digits: Annotated[str, StringConstraints(pattern=KEYS.pattern)]


def _port(request: web.Request) -> SimulatedTelephony:
    port = request.app.get(SIMULATOR)
    if port is None:
        raise web.HTTPConflict(text="the caller simulator runs only when no SIP line is configured (CC_SIP_REGISTRAR)")
    return port


def _known(port: SimulatedTelephony, call_id: str) -> None:
    if port.legs.find(call_id) is None:
        raise web.HTTPNotFound(text=f"no simulated call {call_id}")


@api.route(
    "POST",
    "/api/v1/simulator/calls",
    "Place a simulated inbound call as a caller number",
    tag="simulator",
    role="supervisor",
    body=PlaceCall,
    status=201,
)
async def place_call(request: web.Request) -> web.Response:
    port = _port(request)
    body = await read_body(request, PlaceCall)
    caller = try_e164(body.caller, request.app[SETTINGS].default_region)
    if caller is None:
        raise ValidationFailed.one("caller", f"{body.caller!r} is not a phone number")
    call_id = port.inject_call(caller, body.dialled)
    if call_id is None:
        raise web.HTTPServiceUnavailable(text="the simulated line is full")
    return web.json_response({"call_id": call_id, "caller": caller}, status=201)


@api.route(
    "POST",
    "/api/v1/simulator/calls/{call_id}/digits",
    "Press keys on a simulated call",
    tag="simulator",
    role="supervisor",
    body=Keys,
)
async def press(request: web.Request) -> web.Response:
    port = _port(request)
    call_id = request.match_info["call_id"]
    _known(port, call_id)
    body = await read_body(request, Keys)
    port.press(call_id, body.digits)
    return web.json_response({"ok": True})


@api.route(
    "DELETE",
    "/api/v1/simulator/calls/{call_id}",
    "Hang up a simulated call as the caller",
    tag="simulator",
    role="supervisor",
)
async def hang_up(request: web.Request) -> web.Response:
    port = _port(request)
    call_id = request.match_info["call_id"]
    _known(port, call_id)
    port.far_end_hangup(call_id)
    return web.json_response({"ok": True})


def _heard(port: SimulatedTelephony, call_id: str) -> list[tuple[Prompt, bool]]:
    """What the caller heard, in order: prompts, and on hold the music and the announcements between it."""
    heard: list[tuple[Prompt, bool]] = []
    for leg_id, prompt, on_hold in port.heard:
        if leg_id != call_id or (on_hold and not isinstance(prompt, Speech) and heard and heard[-1] == (prompt, True)):
            continue  # the same music again after an announcement is not news
        heard.append((prompt, on_hold))
    return heard


def _said(prompt: Prompt, on_hold: bool) -> str:
    if isinstance(prompt, Speech):
        return prompt.text
    return "♪ hold music" if on_hold else f"[audio {prompt.path.name}]"


@api.route(
    "GET",
    "/api/v1/simulator/calls/{call_id}",
    "What the caller has heard and pressed so far, and where the call is",
    tag="simulator",
    role="supervisor",
)
async def transcript(request: web.Request) -> web.Response:
    port = _port(request)
    call_id = request.match_info["call_id"]
    _known(port, call_id)
    heard = [
        {
            "text": _said(prompt, on_hold),
            "on_hold": on_hold,
            "audio": None
            if on_hold and not isinstance(prompt, Speech)
            else f"/api/v1/simulator/calls/{call_id}/heard/{n}.wav",
        }
        for n, (prompt, on_hold) in enumerate(_heard(port, call_id))
    ]
    detail = port.detail(call_id)
    leg = port.legs.find(call_id)
    ended = detail.ended_at is not None
    agent = None
    center = request.app.get(CALL_CENTER)
    session = center.calls.conversation(call_id) if center is not None else None
    if center is not None and session is not None and session.record.connected_at is not None:
        agent = center.people.names.get(session.record.agent_user_id or 0)
    on_hold = leg is not None and leg.hold_task is not None and not ended
    where = (
        "ended"
        if ended
        else "with_agent"
        if agent and not on_hold
        else "on_hold"
        if on_hold and agent
        else "queued"
        if detail.queued_at is not None and on_hold
        else "ivr"
    )
    return web.json_response(
        {
            "call_id": call_id,
            "heard": heard,
            "pressed": detail.digits,
            "ended": ended,
            "where": where,
            "agent": agent,
            "connected_to_agent": where == "with_agent",
            "hung_up_by": str(detail.hung_up_by) if detail.hung_up_by else None,
        }
    )


@api.route(
    "GET",
    "/api/v1/simulator/calls/{call_id}/heard/{n}.wav",
    "The n-th prompt the caller heard, as audio",
    tag="simulator",
    role="supervisor",
)
async def heard_audio(request: web.Request) -> web.StreamResponse:
    port = _port(request)
    call_id = request.match_info["call_id"]
    _known(port, call_id)
    heard = _heard(port, call_id)
    try:
        prompt, _on_hold = heard[int(request.match_info["n"])]
    except (ValueError, IndexError):
        raise web.HTTPNotFound(text="no such prompt on this call") from None
    path = port.prompts.cached_path(prompt) if isinstance(prompt, Speech) else prompt.path
    if not path.is_file():  # espeak-ng missing: the caller "heard" the text only
        raise web.HTTPNotFound(text="this prompt has no rendered audio (is espeak-ng installed?)")
    return web.FileResponse(path, headers={"Content-Type": "audio/wav", "Cache-Control": "private, max-age=3600"})
