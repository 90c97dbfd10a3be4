"""The realtime gateway: authenticated sockets, rooms, sync/replay and heartbeats around one notifier."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Collection
from dataclasses import dataclass, field
from typing import Any, TypeVar

import socketio
from aiohttp import web
from pydantic import BaseModel, ValidationError

from contact_center.clock import Clock
from contact_center.principal import Authenticator, Principal
from contact_center.realtime.commands import Sync
from contact_center.realtime.notifier import AGENT_NAMESPACE, Notifier
from contact_center.services.desk import Desk

log = logging.getLogger(__name__)
B = TypeVar("B", bound=BaseModel)


@dataclass
class Client:
    principal: Principal
    request: web.Request
    last_seen: float
    checked_at: float


@dataclass
class Timing:
    """Liveness knobs (seconds). socket.io's own ping finds dead transports; the gateway also drops
    sockets that have sent nothing for ``stale_after`` (desktops send ``heartbeat`` every 15 s) and
    re-checks each socket's session every ``recheck_after`` so a logout or expiry closes it."""

    ping_interval: float = 10
    ping_timeout: float = 10
    stale_after: float = 120
    recheck_after: float = 60
    sweep_every: float = 15
    # An agent whose last desktop closed (browser shut, crash, network gone) and did not come back within
    # this is made not ready ("disconnected"), so callers do not ring into nobody; a reload is quicker.
    disconnect_grace: float = 20


@dataclass
class Gateway:
    sio: socketio.AsyncServer
    desk: Desk
    notifier: Notifier
    clock: Clock
    authenticate: Authenticator
    trusted_origins: Collection[str] = ()
    timing: Timing = field(default_factory=Timing)
    clients: dict[tuple[str, str], Client] = field(default_factory=dict)
    _gone_checks: dict[int, asyncio.Task[None]] = field(default_factory=dict)

    def server_time(self) -> str:
        return self.clock.now().isoformat().replace("+00:00", "Z")

    def register(self, namespace: str, sid: str, principal: Principal, request: web.Request) -> None:
        now = time.monotonic()
        self.clients[(namespace, sid)] = Client(principal, request, now, now)
        if namespace == AGENT_NAMESPACE:
            pending = self._gone_checks.pop(principal.user_id, None)
            if pending is not None:  # back within the grace: nothing happens
                pending.cancel()

    def forget(self, namespace: str, sid: str) -> None:
        client = self.clients.pop((namespace, sid), None)
        if client is None or namespace != AGENT_NAMESPACE:
            return
        user_id = client.principal.user_id
        if user_id not in self.agent_desktops() and user_id not in self._gone_checks:
            task = asyncio.get_running_loop().create_task(
                self._desktop_gone_later(user_id), name=f"desk-gone-{user_id}"
            )
            self._gone_checks[user_id] = task

    def agent_desktops(self) -> dict[int, int]:
        """How many desktops each agent has connected to this node."""
        counts: dict[int, int] = {}
        for (namespace, _), client in self.clients.items():
            if namespace == AGENT_NAMESPACE:
                counts[client.principal.user_id] = counts.get(client.principal.user_id, 0) + 1
        return counts

    async def _desktop_gone_later(self, user_id: int) -> None:
        try:
            await asyncio.sleep(self.timing.disconnect_grace)
            if user_id not in self.agent_desktops():
                await self.desk.desktop_gone(user_id)
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("could not mark agent %d as disconnected", user_id)
        finally:
            if self._gone_checks.get(user_id) is asyncio.current_task():
                del self._gone_checks[user_id]

    async def stop(self) -> None:
        checks = list(self._gone_checks.values())
        for task in checks:
            task.cancel()
        await asyncio.gather(*checks, return_exceptions=True)

    def seen(self, namespace: str, sid: str) -> Client | None:
        client = self.clients.get((namespace, sid))
        if client is not None:
            client.last_seen = time.monotonic()
        return client

    async def sync_agent(self, user_id: int, body: Sync) -> dict[str, Any]:
        # The position is read before the snapshot: events made while it is built arrive live with a
        # higher seq and are applied on top (the desktop's reducers are idempotent), so none is lost.
        position = await self.notifier.since(user_id, body.since_seq, body.stream)
        if position.events is not None:
            return {
                "ok": True,
                "mode": "replay",
                "stream": position.stream,
                "seq": position.seq,
                "events": position.events,
                "server_time": self.server_time(),
            }
        snapshot = await self.desk.snapshot(user_id)
        return {
            "ok": True,
            "mode": "snapshot",
            "stream": position.stream,
            "seq": position.seq,
            "snapshot": snapshot,
            "server_time": self.server_time(),
        }

    async def sync_board(self) -> dict[str, Any]:
        seq = await self.notifier.board_position()
        board = await self.desk.board()
        return {"ok": True, "seq": seq, "board": board, "server_time": self.server_time()}

    async def heartbeat(self, user_id: int | None) -> dict[str, Any]:
        answer: dict[str, Any] = {"ok": True, "server_time": self.server_time()}
        if user_id is not None:
            position = await self.notifier.since(user_id, None, None)
            answer.update(seq=position.seq, stream=position.stream)
        else:
            answer.update(seq=await self.notifier.board_position())
        return answer

    async def sweep(self) -> None:
        """Drop silent sockets and sockets whose session has ended."""
        now = time.monotonic()
        for (namespace, sid), client in list(self.clients.items()):
            if now - client.last_seen > self.timing.stale_after:
                log.info("dropping silent socket %s on %s (user %d)", sid, namespace, client.principal.user_id)
                await self.sio.disconnect(sid, namespace=namespace)
                continue
            if now - client.checked_at > self.timing.recheck_after:
                client.checked_at = now
                found = await self.authenticate(client.request)
                if found is None or found.user_id != client.principal.user_id:
                    await self._end(namespace, sid, "logged_out")

    async def close_session(self, session_id: str) -> None:
        """The login session ended here (logout): its sockets on this node close now, not at the next recheck."""
        for (namespace, sid), client in list(self.clients.items()):
            if client.principal.session_id == session_id:
                await self._end(namespace, sid, "logged_out")

    async def _end(self, namespace: str, sid: str, reason: str) -> None:
        self.forget(namespace, sid)
        await self.sio.emit("session.ended", {"reason": reason}, to=sid, namespace=namespace)
        await self.sio.disconnect(sid, namespace=namespace)

    async def run_sweeper(self) -> None:
        while True:
            await asyncio.sleep(self.timing.sweep_every)
            try:
                await self.sweep()
            except Exception:
                log.exception("socket sweep failed")


def parse(model: type[B], data: Any) -> B | dict[str, Any]:
    """The validated body, or a ``bad_request`` ack naming the fields."""
    try:
        return model.model_validate(data if data is not None else {})
    except ValidationError as exc:
        fields = "; ".join(f"{'.'.join(str(p) for p in e['loc']) or 'body'}: {e['msg']}" for e in exc.errors())
        return {"ok": False, "error": "bad_request", "message": fields}
