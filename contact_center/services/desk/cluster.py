"""The desk of a node among several (``CC_REDIS_URL``): every desktop sees one coherent desk whichever
node its socket is connected to and whichever node holds its call.

* **Commands go to the call's node.** A call lives on the node that has its caller's leg (or its
  callback, or an agent's part of it to wrap up). Each node marks the calls it tells desks about
  (``p:owner:{call}``, written with the event, refreshed while the call lives). A command naming a
  call this node does not hold is sent to the owner (``RedisRpc``) and its answer, refusal
  included (``DeskError`` code and message as they were), comes back; an owner that is not
  running or does not answer is ``owner_unavailable``. Commands about the agent alone run where
  the desktop is: ``set_state`` and ``transfer_targets`` (routing is shared), and ``dial`` (any
  node can place a call; the one the agent is on is up, and the call then lives there).
* **Snapshots from Redis.** With each event a node writes what the event leaves behind on the
  desk (``annotate``): the agent's state (routing's leader), the phone, or this node's view of
  the desk (offer, call, wrap-up). A snapshot merges them, so it reflects every event up to the
  ``seq`` read before it, on any node, without asking the owner.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from contact_center.domain.acd.agents import agent_key
from contact_center.services.calls.center import CallCenter
from contact_center.services.desk import DeskError, DeskListener
from contact_center.store.redis_desk import Annotation, RedisDeskStore, StateWrite
from contact_center.store.redis_rpc import NodeUnavailable, RedisRpc

log = logging.getLogger(__name__)
CALL_COMMANDS = frozenset(
    {
        "accept",
        "reject",
        "hangup",
        "hold",
        "resume",
        "transfer",
        "complete_transfer",
        "cancel_consult",
        "add_note",
        "save_wrapup",
        "link_customer",
        "monitor",
        "stop_monitor",
    }
)
SERVED = CALL_COMMANDS | {"extend_wrapup", "board"}
VIEW_KEYS = ("offer", "call", "wrapup", "preview")


class ClusterDesk:
    """Implements ``contact_center.services.desk.Desk`` around this node's ``CallCenter``."""

    def __init__(
        self,
        center: CallCenter,
        store: RedisDeskStore,
        *,
        node_id: str,
        leader: Callable[[], Awaitable[str | None]] | None = None,
        request_timeout: float = 10.0,
        owner_ttl: float = 60.0,
        alive_ttl: float = 15.0,
    ) -> None:
        self.center, self.store, self.node_id, self.leader = center, store, node_id, leader
        # Longer than routing's own request timeout (5 s): an owner forwarding to a slow leader still answers.
        self.request_timeout, self.owner_ttl, self.alive_ttl = request_timeout, owner_ttl, alive_ttl
        self.rpc = RedisRpc(store.client, store.prefix, node_id, self._serve)
        self._views: dict[int, str | None] = {}  # user id -> this node's view as last written
        # This node's desktops per agent (the gateway's count, handed over by the composition root).
        self.desktops_here: Callable[[], dict[int, int]] = dict
        # This node's gateway: a login session that ended on another node ends here too (its sockets close).
        self.close_session_here: Callable[[str], Awaitable[None]] | None = None
        # This node's notifier: a view Redis lost is written again through it, in order with the events.
        self.restate_here: Callable[[int, StateWrite], None] | None = None
        self._unwritten: set[int] = set()  # agents whose view from this node Redis may not have
        self._keeper: asyncio.Task[None] | None = None

    async def start(self) -> None:
        await self.store.alive(self.node_id, self.alive_ttl)
        await self.rpc.start()
        self._keeper = asyncio.create_task(self._keep(), name=f"desk-cluster-{self.node_id}")

    async def stop(self) -> None:
        if self._keeper is not None:
            self._keeper.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._keeper
        await self.rpc.stop()
        with contextlib.suppress(Exception):
            await self.store.gone(self.node_id)

    async def _keep(self) -> None:
        """This node is alive, and answers for the calls it holds, as long as it runs."""
        while True:
            await asyncio.sleep(self.alive_ttl / 3)
            try:
                if not await self.store.alive(self.node_id, self.alive_ttl):
                    # Redis came back empty (or this node's mark lapsed): every view it wrote may be gone.
                    self._unwritten.update(self._views)
                self._write_again()
                await self.store.own(self.center.owned_calls(), self.node_id, self.owner_ttl)
                await self.store.desktops(self.node_id, self.desktops_here(), self.alive_ttl)
            except Exception:
                log.exception("could not refresh this node's marks in Redis; retrying")

    # -- what each event leaves behind (called by the notifier as the event is told) ------------------
    def annotate(self, user_id: int, event: str, payload: dict[str, Any]) -> Annotation:
        if event == "agent.state_changed":
            return Annotation(StateWrite("agent", json.dumps(payload)))
        if event == "phone.status":
            return Annotation(StateWrite("phone", json.dumps(payload)))
        text = self._view_text(user_id)
        state = None
        if user_id not in self._views or self._views[user_id] != text:
            self._views[user_id] = text
            state = StateWrite(f"part:{self.node_id}", text)
        call_id = payload.get("call_id")
        owner = (str(call_id), self.node_id, self.owner_ttl) if call_id else None
        return Annotation(state, owner)

    def _view_text(self, user_id: int) -> str | None:
        view = self.center.desk_view(user_id)
        return json.dumps(view) if any(view[k] is not None for k in VIEW_KEYS) else None

    def lost(self, user_id: int) -> None:
        """An event of the agent was not recorded: the view it carried must be written again."""
        self._unwritten.add(user_id)

    def _write_again(self) -> None:
        if self.restate_here is None:
            return
        for user_id in sorted(self._unwritten):
            self._views[user_id] = text = self._view_text(user_id)
            self.restate_here(user_id, StateWrite(f"part:{self.node_id}", text))
        self._unwritten.clear()

    # -- the Desk protocol ------------------------------------------------------------------------
    def subscribe(self, listener: DeskListener) -> None:
        self.center.subscribe(listener)

    async def snapshot(self, user_id: int) -> dict[str, Any]:
        state = await self.store.state(user_id)
        agent = self.center.agent_view(user_id)
        if state.agent is not None:  # as numbered in the stream, not as this node's copy of routing has it yet
            agent.update({k: state.agent.get(k) for k in ("state", "reason", "since")})
        merged: dict[str, Any] = dict.fromkeys(VIEW_KEYS)
        for _seq, part in sorted(state.parts, key=lambda item: item[0]):
            for key in VIEW_KEYS:
                if part.get(key) is not None:
                    merged[key] = part[key]
        phone = state.phone if state.phone is not None else self.center.phone_view(user_id)
        return {"agent": agent, **merged, "phone": phone}

    async def board(self) -> dict[str, Any]:
        if self.center.acd.leading or self.leader is None:
            return await self.center.board()
        leader = await self.leader()
        if leader is None or leader == self.node_id:
            return await self.center.board()
        try:  # the leader's board: it holds the phones' states and says every board.updated
            return dict(await self._forward(leader, "board", {}, f"the board on node {leader}"))
        except DeskError:
            return await self.center.board()

    async def set_state(self, user_id: int, state: str, reason: str | None = None) -> dict[str, Any]:
        return await self.center.set_state(user_id, state, reason)

    async def transfer_targets(self, user_id: int) -> dict[str, Any]:
        return await self.center.transfer_targets(user_id)

    async def desktop_gone(self, user_id: int) -> None:
        await self.store.desktops(self.node_id, self.desktops_here(), self.alive_ttl)
        if await self.store.desktop_elsewhere(user_id, self.node_id):
            return  # the desktop moved to another node (a reload reached another node): still here
        await self.center.desktop_gone(user_id)

    async def dial(self, user_id: int, number: str, customer_id: int | None = None) -> dict[str, Any]:
        return await self.center.dial(user_id, number, customer_id)

    async def accept(self, user_id: int, call_id: str) -> None:
        await self._at_owner(call_id, "accept", {"user_id": user_id, "call_id": call_id})

    async def reject(self, user_id: int, call_id: str) -> None:
        await self._at_owner(call_id, "reject", {"user_id": user_id, "call_id": call_id})

    async def hangup(self, user_id: int, call_id: str) -> None:
        await self._at_owner(call_id, "hangup", {"user_id": user_id, "call_id": call_id})

    async def hold(self, user_id: int, call_id: str) -> None:
        await self._at_owner(call_id, "hold", {"user_id": user_id, "call_id": call_id})

    async def resume(self, user_id: int, call_id: str) -> None:
        await self._at_owner(call_id, "resume", {"user_id": user_id, "call_id": call_id})

    async def transfer(
        self, user_id: int, call_id: str, *, queue: str | None = None, agent_id: int | None = None, warm: bool = False
    ) -> None:
        await self._at_owner(
            call_id,
            "transfer",
            {"user_id": user_id, "call_id": call_id, "queue": queue, "agent_id": agent_id, "warm": warm},
        )

    async def complete_transfer(self, user_id: int, call_id: str) -> None:
        await self._at_owner(call_id, "complete_transfer", {"user_id": user_id, "call_id": call_id})

    async def cancel_consult(self, user_id: int, call_id: str) -> None:
        await self._at_owner(call_id, "cancel_consult", {"user_id": user_id, "call_id": call_id})

    async def add_note(self, user_id: int, call_id: str, text: str) -> None:
        await self._at_owner(call_id, "add_note", {"user_id": user_id, "call_id": call_id, "text": text})

    async def save_wrapup(
        self, user_id: int, call_id: str, disposition: str, notes: str, follow_ups: list[dict[str, Any]]
    ) -> dict[str, Any]:
        return dict(
            await self._at_owner(
                call_id,
                "save_wrapup",
                {
                    "user_id": user_id,
                    "call_id": call_id,
                    "disposition": disposition,
                    "notes": notes,
                    "follow_ups": follow_ups,
                },
            )
        )

    async def link_customer(self, user_id: int, call_id: str, customer_id: int) -> dict[str, Any]:
        return dict(
            await self._at_owner(
                call_id, "link_customer", {"user_id": user_id, "call_id": call_id, "customer_id": customer_id}
            )
        )

    async def monitor(self, user_id: int, call_id: str, mode: str) -> dict[str, Any]:
        return dict(await self._at_owner(call_id, "monitor", {"user_id": user_id, "call_id": call_id, "mode": mode}))

    async def stop_monitor(self, user_id: int, call_id: str) -> None:
        await self._at_owner(call_id, "stop_monitor", {"user_id": user_id, "call_id": call_id})

    async def extend_wrapup(self, user_id: int, seconds: float) -> None:
        # The wrap-up is kept by the node that holds its call; routing knows which call that is.
        agent = self.center.acd.acd.agents.get(agent_key(user_id))
        call_id = None if self.center.desks.wrapup(user_id) is not None or agent is None else agent.call_id
        if call_id is None:
            await self.center.extend_wrapup(user_id, seconds)
        else:
            await self._at_owner(call_id, "extend_wrapup", {"user_id": user_id, "seconds": seconds})

    # -- forwarding -------------------------------------------------------------------------------
    async def _at_owner(self, call_id: str, method: str, args: dict[str, Any]) -> Any:
        """Run a desk command where the call is: here, or on its owner (whose refusal is raised here)."""
        if not self.center.holds(call_id):
            owner = await self.store.owner(call_id)
            if owner is not None and owner != self.node_id:
                return await self._forward(owner, method, args, f"call {call_id}")
        return await getattr(self.center, method)(**args)

    async def _forward(self, node: str, method: str, args: dict[str, Any], what: str) -> Any:
        try:
            answer = await self.rpc.call(node, method, args, self.request_timeout)
        except NodeUnavailable as exc:
            raise DeskError(
                "owner_unavailable", f"the node that holds {what} is unavailable ({exc}); try again"
            ) from None
        if not answer.get("ok"):
            raise DeskError(str(answer.get("error") or "internal"), str(answer.get("message") or ""))
        return answer.get("result")

    async def close_session_elsewhere(self, session_id: str) -> None:
        """A login session ended on this node (logout, password change, deactivation): every other node closes
        its sockets now rather than at its next minute's re-check. A node that does not answer still does then."""
        others = [n for n in await self.store.live_nodes() if n != self.node_id]
        results = await asyncio.gather(
            *(self.rpc.call(n, "close_session", {"session_id": session_id}, self.request_timeout) for n in others),
            return_exceptions=True,
        )
        for node, result in zip(others, results, strict=True):
            if isinstance(result, BaseException):
                log.warning("node %s did not close session sockets now (%s); it will at its re-check", node, result)

    async def _serve(self, method: str, args: dict[str, Any]) -> dict[str, Any]:
        """A command another node sent for a call this node holds: run here, never sent on again."""
        if method == "close_session":
            if self.close_session_here is not None:
                await self.close_session_here(str(args.get("session_id")))
            return {"ok": True, "result": None}
        if method not in SERVED:
            return {"ok": False, "error": "unknown_event", "message": f"no such desk command: {method}"}
        if args.get("user_id") is not None and args["user_id"] not in self.center.people.extensions:
            await self.center.refresh_people()  # added since this node last looked (their desk's node knows them)
        try:
            result = await getattr(self.center, method)(**args)
        except DeskError as exc:
            return {"ok": False, "error": exc.code, "message": exc.message}
        return {"ok": True, "result": result}
