"""``/agent`` (any logged-in user, own room only) and ``/supervisor`` (supervisor and admin roles).

Rooms are chosen by the server from the handshake's principal; no client event names a room or a
user id, so an agent cannot reach another agent's stream nor the board.
"""

from __future__ import annotations

import logging
from typing import Any

import socketio

from contact_center.principal import Principal
from contact_center.realtime.commands import COMMANDS, Heartbeat, Sync
from contact_center.realtime.gateway import Gateway, parse
from contact_center.realtime.handshake import Refused, handshake_request, identify, with_token
from contact_center.realtime.notifier import AGENT_NAMESPACE, SUPERVISOR_NAMESPACE, SUPERVISORS_ROOM, agent_room
from contact_center.services.desk import DeskError

log = logging.getLogger(__name__)


class GatewayNamespace(socketio.AsyncNamespace):  # type: ignore[misc]  # socketio is untyped
    required_role = "agent"

    def __init__(self, namespace: str, gateway: Gateway) -> None:
        super().__init__(namespace)
        self.gateway = gateway

    async def trigger_event(self, event: str, *args: Any) -> Any:
        if event == "connect":
            return await self.connect(args[0], args[1], args[2] if len(args) > 2 else None)
        if event == "disconnect":
            self.gateway.forget(self.namespace, args[0])
            return None
        sid, data = args[0], (args[1] if len(args) > 1 else None)
        client = self.gateway.seen(self.namespace, sid)
        if client is None:
            return {"ok": False, "error": "not_connected", "message": "connect to this namespace first"}
        try:
            return await self.handle(event, client.principal, data)
        except DeskError as exc:
            return {"ok": False, "error": exc.code, "message": exc.message}
        except Exception:
            log.exception("%s %s failed", self.namespace, event)
            return {"ok": False, "error": "internal", "message": "the server could not do that; try again"}

    async def connect(self, sid: str, environ: dict[str, Any], auth: object = None) -> bool:
        request = with_token(handshake_request(environ), auth)
        principal = await identify(request, self.gateway.trusted_origins, self.gateway.authenticate)
        if not principal.has_role(self.required_role):
            raise Refused("forbidden")
        await self.enter_room(sid, self.room(principal.user_id))
        self.gateway.register(self.namespace, sid, principal, request)
        return True

    def room(self, user_id: int) -> str:
        raise NotImplementedError

    async def handle(self, event: str, principal: Principal, data: Any) -> dict[str, Any]:
        raise NotImplementedError


def unknown(event: str) -> dict[str, Any]:
    return {"ok": False, "error": "unknown_event", "message": f"no such event here: {event}"}


class AgentNamespace(GatewayNamespace):
    def room(self, user_id: int) -> str:
        return agent_room(user_id)

    async def handle(self, event: str, principal: Principal, data: Any) -> dict[str, Any]:
        user_id = principal.user_id
        if event == "sync":
            body = parse(Sync, data)
            return body if isinstance(body, dict) else await self.gateway.sync_agent(user_id, body)
        if event == "heartbeat":
            beat = parse(Heartbeat, data)
            return beat if isinstance(beat, dict) else await self.gateway.heartbeat(user_id)
        spec = COMMANDS.get(event)
        if spec is None:
            return unknown(event)
        if principal.read_only:  # a wallboard's token reads; it never works a desk
            return {"ok": False, "error": "read_only_token", "message": "this token may only read"}
        model, run = spec
        parsed = parse(model, data)
        if isinstance(parsed, dict):
            return parsed
        result = await run(self.gateway.desk, user_id, parsed)
        return {"ok": True, **(result or {})}


class SupervisorNamespace(GatewayNamespace):
    required_role = "supervisor"

    def room(self, user_id: int) -> str:
        return SUPERVISORS_ROOM

    async def handle(self, event: str, principal: Principal, data: Any) -> dict[str, Any]:
        if event == "sync":
            return await self.gateway.sync_board()
        if event == "heartbeat":
            return await self.gateway.heartbeat(None)
        return unknown(event)


def namespaces(gateway: Gateway) -> list[GatewayNamespace]:
    return [AgentNamespace(AGENT_NAMESPACE, gateway), SupervisorNamespace(SUPERVISOR_NAMESPACE, gateway)]
