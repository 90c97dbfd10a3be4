"""The agent desk: what an agent's desktop (and the supervisor board) may ask of the server, and hear back.

This is the seam between the realtime gateway (socket.io, in ``contact_center/realtime``) and the
services that run calls. The gateway authenticates, keeps per-agent sequence numbers and replay
buffers, and relays; the desk decides. Everything the desk tells a desktop goes through the one
``DeskListener`` the gateway subscribes (the notifier), as ``(audience, event, payload)``.

Audiences: ``("agent", user_id)`` for one agent's desktop, ``("supervisors", None)`` for the board.

Events to an agent (payloads are JSON-ready dicts):
- ``agent.state_changed``  {"state", "reason", "since"}   states: offline, available, reserved,
  on_call, wrap_up, not_ready
- ``call.offered``         {"call_id", "kind" (queue, callback, transfer, consult), "queue", "caller_number", "dialled", "waited_seconds",
  "ring_deadline", "screen_pop"}; ``screen_pop`` is {"customer": {...} | None (the customer 360's
  ``customer`` with "first_name"/"last_name"), "customer_360": {...} | None (as GET
  /api/v1/customers/{id}/360), "matches": [...] (several customers share the number), "ivr": {...}
  (the IVR trail: path, inputs, answers), "queue", "waited_seconds", "caller_number", "dialled"}
- ``call.offer_withdrawn`` {"call_id", "reason"}          reason: missed, caller_hung_up, taken, ...
- ``call.connected``       {"call_id", "started_at", "direction"}
  A consult offer's ``screen_pop`` also holds "consult": {"from_agent_id", "notes"}.
- ``call.held`` / ``call.resumed`` {"call_id"}
- ``consult.started`` / ``consult.connected`` {"call_id", "role": "owner", "agent_id" (the consulted agent),
  "state": "ringing" | "connected"}; the consulted agent's ``call.connected`` carries "consult" (same shape,
  "role": "target", "agent_id" of the owner)
- ``consult.ended``        {"call_id", "agent_id", "role", "outcome"}   outcome: transferred, canceled, declined,
  missed, phone_unreachable, target_hung_up, caller_hung_up, ...
- ``call.ended``           {"call_id", "hung_up_by", "reason"}   hung_up_by: caller, agent, transfer,
  failure, system
- ``wrapup.started``       {"call_id", "deadline", "dispositions": [{"code", "label"}]}
- ``wrapup.ended``         {"call_id"}
- ``call.customer_linked`` {"call_id", "customer", "customer_360"}   the agent linked an unknown caller
- ``call.dialling``        {"call_id", "number", "screen_pop"}   a call we place (a callback, click-to-call): the
  agent's phone answered, the customer's rings
- ``timeline.appended``    {"customer_id", "activity"}   a row shaped like the 360's ``activities``, written
  by anyone while the call is on (the IVR, another agent, an integration, the wrap-up itself)
- ``phone.status``         {"extension", "registered"}

Events to supervisors: ``board.updated`` {"queues": [...], "agents": [...], "totals": {...},
"waiting_calls": [{"call_id", "queue", "priority", "wait_seconds", "caller_number", "customer", "callback",
"ivr": [the caller's steps in the flow's words]}] (longest waits of the highest priority first)} and
``board.alert`` {"call_id", "queue", "message", "wait_seconds", "at"} (a queue's alert rule fired).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Literal, Protocol

Audience = tuple[Literal["agent", "supervisors"], int | None]
DeskListener = Callable[[Audience, str, dict[str, Any]], None]


class DeskError(Exception):
    """A refused desk command; ``code`` is stable for clients (e.g. ``no_such_offer``)."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


class Desk(Protocol):
    def subscribe(self, listener: DeskListener) -> None:
        """The gateway's notifier; called synchronously on the event loop for every event."""

    async def snapshot(self, user_id: int) -> dict[str, Any]:
        """The agent's whole current state: {"agent": {"state", "reason", "since", "extension"},
        "offer": <call.offered payload> | None, "call": {...} | None, "wrapup": {...} | None}."""
        ...

    async def board(self) -> dict[str, Any]:
        """The supervisor board's whole current state (same shape as ``board.updated``)."""
        ...

    async def set_state(self, user_id: int, state: str, reason: str | None = None) -> dict[str, Any]:
        """state: "available", "not_ready" (with reason) or "offline"; returns the new agent state."""
        ...

    async def accept(self, user_id: int, call_id: str) -> None: ...

    async def reject(self, user_id: int, call_id: str) -> None: ...

    async def hangup(self, user_id: int, call_id: str) -> None: ...

    async def hold(self, user_id: int, call_id: str) -> None: ...

    async def resume(self, user_id: int, call_id: str) -> None: ...

    async def transfer(
        self, user_id: int, call_id: str, *, queue: str | None = None, agent_id: int | None = None, warm: bool = False
    ) -> None: ...

    async def complete_transfer(self, user_id: int, call_id: str) -> None:
        """End of a warm transfer: the consulted agent keeps the customer; the caller wraps up their part."""

    async def cancel_consult(self, user_id: int, call_id: str) -> None:
        """Drop the consulted agent and go back to the customer."""

    async def add_note(self, user_id: int, call_id: str, text: str) -> None: ...

    async def save_wrapup(
        self, user_id: int, call_id: str, disposition: str, notes: str, follow_ups: list[dict[str, Any]]
    ) -> dict[str, Any]:
        """Ends wrap-up; returns {"activity_id", "created": [...]} for follow-ups made."""
        ...

    async def extend_wrapup(self, user_id: int, seconds: float) -> None: ...

    async def dial(self, user_id: int, number: str, customer_id: int | None = None) -> dict[str, Any]:
        """Click-to-call; returns {"call_id"}; the call then reports like any other."""
        ...

    async def link_customer(self, user_id: int, call_id: str, customer_id: int) -> dict[str, Any]:
        """The agent says who an unknown caller is: the call, its wrap-up and its transfers follow that customer."""
        ...

    async def monitor(self, user_id: int, call_id: str, mode: str) -> dict[str, Any]:
        """A supervisor (``user_id``) listens in on, whispers into or barges the call (``mode`` listen,
        whisper, barge), their phone rung first; called again while on it, the mode changes. Returns
        {"call_id", "mode", "state" (ringing | connected), "supervisor_id", "agent_id", ...}."""
        ...

    async def stop_monitor(self, user_id: int, call_id: str) -> None:
        """The supervisor leaves the call (their phone is hung up)."""

    async def desktop_gone(self, user_id: int) -> None:
        """The agent's last desktop closed a grace period ago and none came back: a ready agent (or one
        whose offer rings) is made not ready with reason ``disconnected``; one on a call or in wrap-up
        when that work ends (their phone call goes on). Not ready or offline already: nothing changes."""

    async def transfer_targets(self, user_id: int) -> dict[str, Any]:
        """Where a call can go: {"queues": [{"name", "waiting"}], "agents": [{"user_id", "name", "state",
        "extension"}]} (logged-in agents other than the one asking)."""
        ...
