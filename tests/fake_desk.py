"""An in-memory Desk for tests and UI work: tests drive the telephony side (``offer``, ``end_call``,
``withdraw``, ``append_timeline``, ``set_phone``, ``set_queues``) and the desktop drives the rest
through the gateway. It keeps the same rules a real desk would (one offer or call per agent, wrap-up
before ready, dispositions from a list) and emits exactly the events of ``services/desk/__init__.py``.
"""

from __future__ import annotations

import copy
import datetime as dt
import itertools
from dataclasses import dataclass, field
from typing import Any

from contact_center.clock import Clock
from contact_center.services.desk import Audience, DeskError, DeskListener

DISPOSITIONS = [
    {"code": "resolved", "label": "Resolved"},
    {"code": "callback", "label": "Callback needed"},
    {"code": "escalated", "label": "Escalated"},
    {"code": "sale", "label": "Sale"},
    {"code": "wrong_number", "label": "Wrong number"},
]
SETTABLE = ("available", "not_ready", "offline")


def iso(moment: dt.datetime) -> str:
    return moment.isoformat().replace("+00:00", "Z")


@dataclass
class FakeAgent:
    user_id: int
    name: str
    extension: str
    state: str = "offline"
    reason: str | None = None
    since: str = ""
    registered: bool = True
    offer: dict[str, Any] | None = None
    call: dict[str, Any] | None = None
    wrapup: dict[str, Any] | None = None


@dataclass
class FakeDesk:
    clock: Clock
    wrapup_seconds: float = 60
    listeners: list[DeskListener] = field(default_factory=list)
    agents: dict[int, FakeAgent] = field(default_factory=dict)
    queues: list[dict[str, Any]] = field(default_factory=list)
    commands: list[tuple[str, int, dict[str, Any]]] = field(default_factory=list)
    wrapups: list[dict[str, Any]] = field(default_factory=list)
    screen_pops: dict[int, dict[str, Any]] = field(default_factory=dict)  # customer id -> screen-pop (for dial)
    _ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1))

    # -- the Desk protocol ---------------------------------------------------------------------
    async def link_customer(self, user_id: int, call_id: str, customer_id: int) -> dict[str, Any]:
        self._record("link_customer", user_id, call_id=call_id, customer_id=customer_id)
        return {"customer_id": customer_id}

    async def monitor(self, user_id: int, call_id: str, mode: str) -> dict[str, Any]:
        self._record("monitor", user_id, call_id=call_id, mode=mode)
        return {"call_id": call_id, "mode": mode, "state": "ringing", "supervisor_id": user_id}

    async def stop_monitor(self, user_id: int, call_id: str) -> None:
        self._record("stop_monitor", user_id, call_id=call_id)

    async def transfer_targets(self, user_id: int) -> dict[str, Any]:
        agents = [
            {"user_id": a.user_id, "name": a.name, "state": a.state, "extension": a.extension}
            for a in self.agents.values()
            if a.user_id != user_id and a.state != "offline"
        ]
        return {
            "queues": [{"name": q.get("name"), "waiting": q.get("waiting", 0)} for q in self.queues],
            "agents": agents,
        }

    async def desktop_gone(self, user_id: int) -> None:
        self._record("desktop_gone", user_id)
        a = self.agent(user_id)
        if a.state in ("available",) and not a.offer:
            self._state(a, "not_ready", "disconnected")

    def subscribe(self, listener: DeskListener) -> None:
        self.listeners.append(listener)

    async def snapshot(self, user_id: int) -> dict[str, Any]:
        a = self.agent(user_id)
        return copy.deepcopy(
            {
                "agent": {"state": a.state, "reason": a.reason, "since": a.since, "extension": a.extension},
                "phone": {"extension": a.extension, "registered": a.registered},
                "offer": a.offer,
                "call": a.call,
                "wrapup": a.wrapup,
            }
        )

    async def board(self) -> dict[str, Any]:
        return self._board()

    async def set_state(self, user_id: int, state: str, reason: str | None = None) -> dict[str, Any]:
        self._record("set_state", user_id, state=state, reason=reason)
        a = self.agent(user_id)
        if state not in SETTABLE:
            raise DeskError("bad_state", f"state must be one of {', '.join(SETTABLE)}")
        if a.offer or a.call:
            raise DeskError("busy", "finish the call first")
        if a.wrapup and state != "offline":
            raise DeskError("wrapup_pending", "save the wrap-up first")
        a.wrapup = None
        self._state(a, state, reason if state == "not_ready" else None)
        return {"state": a.state, "reason": a.reason, "since": a.since}

    async def accept(self, user_id: int, call_id: str) -> None:
        self._record("accept", user_id, call_id=call_id)
        a = self.agent(user_id)
        offer = self._offer(a, call_id)
        a.offer = None
        a.call = {
            "call_id": call_id,
            "direction": "inbound",
            "started_at": iso(self.clock.now()),
            "held": False,
            "queue": offer["queue"],
            "caller_number": offer["caller_number"],
            "dialled": offer["dialled"],
            "screen_pop": offer["screen_pop"],
            "notes": [],
        }
        self._emit(a, "call.connected", {"call_id": call_id, "started_at": a.call["started_at"]})
        self._state(a, "on_call")
        self._timeline(a, "call", f"Inbound call answered ({offer['queue']})")

    async def reject(self, user_id: int, call_id: str) -> None:
        self._record("reject", user_id, call_id=call_id)
        a = self.agent(user_id)
        self._offer(a, call_id)
        a.offer = None
        self._emit(a, "call.offer_withdrawn", {"call_id": call_id, "reason": "rejected"})
        self._state(a, "not_ready", "rejected a call")

    async def hangup(self, user_id: int, call_id: str) -> None:
        self._record("hangup", user_id, call_id=call_id)
        self._end(self.agent(user_id), call_id, "agent", "you hung up")

    async def hold(self, user_id: int, call_id: str) -> None:
        self._record("hold", user_id, call_id=call_id)
        call = self._call(self.agent(user_id), call_id)
        if call["held"]:
            raise DeskError("already_held", "the call is already on hold")
        call["held"] = True
        self._emit(self.agent(user_id), "call.held", {"call_id": call_id})

    async def resume(self, user_id: int, call_id: str) -> None:
        self._record("resume", user_id, call_id=call_id)
        call = self._call(self.agent(user_id), call_id)
        if not call["held"]:
            raise DeskError("not_held", "the call is not on hold")
        call["held"] = False
        self._emit(self.agent(user_id), "call.resumed", {"call_id": call_id})

    async def transfer(
        self, user_id: int, call_id: str, *, queue: str | None = None, agent_id: int | None = None, warm: bool = False
    ) -> None:
        self._record("transfer", user_id, call_id=call_id, queue=queue, agent_id=agent_id, warm=warm)
        a = self.agent(user_id)
        call = self._call(a, call_id)
        if agent_id == user_id:
            raise DeskError("bad_target", "you cannot transfer a call to yourself")
        if call.get("consult"):
            raise DeskError("consult_in_progress", "complete or cancel the consult first")
        if warm:
            if agent_id is None:
                raise DeskError("warm_needs_agent", "a warm transfer goes to an agent")
            # The fake's consulted agent answers at once; the customer waits on hold meanwhile.
            call["held"] = True
            self._emit(a, "call.held", {"call_id": call_id})
            consult = {"role": "owner", "agent_id": agent_id, "state": "ringing"}
            self._emit(a, "consult.started", {"call_id": call_id, **consult})
            call["consult"] = {**consult, "state": "connected"}
            self._emit(a, "consult.connected", {"call_id": call_id, **call["consult"]})
            return
        target = f"queue {queue}" if queue else f"agent {agent_id}"
        self._end(a, call_id, "transfer", f"blind transfer to {target}")

    async def complete_transfer(self, user_id: int, call_id: str) -> None:
        self._record("complete_transfer", user_id, call_id=call_id)
        a = self.agent(user_id)
        consult = self._call(a, call_id).get("consult")
        if not consult:
            raise DeskError("no_consult", "there is no consult on this call to complete")
        self._end(a, call_id, "transfer", f"transferred to agent {consult['agent_id']}")

    async def cancel_consult(self, user_id: int, call_id: str) -> None:
        self._record("cancel_consult", user_id, call_id=call_id)
        a = self.agent(user_id)
        call = self._call(a, call_id)
        consult = call.pop("consult", None)
        if not consult:
            raise DeskError("no_consult", "there is no consult on this call to cancel")
        self._emit(
            a,
            "consult.ended",
            {"call_id": call_id, "agent_id": consult["agent_id"], "role": "owner", "outcome": "canceled"},
        )
        call["held"] = False
        self._emit(a, "call.resumed", {"call_id": call_id})

    async def add_note(self, user_id: int, call_id: str, text: str) -> None:
        self._record("add_note", user_id, call_id=call_id, text=text)
        a = self.agent(user_id)
        self._call(a, call_id)["notes"].append(text)
        self._timeline(a, "note", text)

    async def save_wrapup(
        self, user_id: int, call_id: str, disposition: str, notes: str, follow_ups: list[dict[str, Any]]
    ) -> dict[str, Any]:
        self._record(
            "save_wrapup", user_id, call_id=call_id, disposition=disposition, notes=notes, follow_ups=follow_ups
        )
        a = self.agent(user_id)
        if a.wrapup is None or a.wrapup["call_id"] != call_id:
            raise DeskError("no_such_wrapup", "there is no wrap-up for this call")
        if disposition not in {d["code"] for d in DISPOSITIONS}:
            raise DeskError("bad_disposition", f"unknown disposition {disposition!r}")
        created = [{"type": f["type"], "id": next(self._ids)} for f in follow_ups]
        saved = {"call_id": call_id, "disposition": disposition, "notes": notes, "follow_ups": follow_ups}
        self.wrapups.append(saved)
        a.wrapup = None
        self._emit(a, "wrapup.ended", {"call_id": call_id})
        self._state(a, "available")
        return {"activity_id": next(self._ids), "created": created}

    async def extend_wrapup(self, user_id: int, seconds: float) -> None:
        self._record("extend_wrapup", user_id, seconds=seconds)
        a = self.agent(user_id)
        if a.wrapup is None:
            raise DeskError("no_wrapup", "you are not in wrap-up")
        deadline = dt.datetime.fromisoformat(a.wrapup["deadline"]) + dt.timedelta(seconds=seconds)
        a.wrapup["deadline"] = iso(deadline)
        self._emit(a, "wrapup.started", a.wrapup)  # re-sent with the new deadline

    async def dial(self, user_id: int, number: str, customer_id: int | None = None) -> dict[str, Any]:
        self._record("dial", user_id, number=number, customer_id=customer_id)
        a = self.agent(user_id)
        if a.offer or a.call or a.wrapup:
            raise DeskError("busy", "finish the current call first")
        call_id = f"out-{next(self._ids)}"
        pop = self.screen_pops.get(customer_id) if customer_id is not None else None
        a.call = {
            "call_id": call_id,
            "direction": "outbound",
            "started_at": iso(self.clock.now()),
            "held": False,
            "queue": None,
            "caller_number": number,
            "dialled": number,
            "screen_pop": copy.deepcopy(pop) if pop else _unknown_pop(number),
            "notes": [],
        }
        self._emit(a, "call.connected", {"call_id": call_id, "started_at": a.call["started_at"]})
        self._state(a, "on_call")
        return {"call_id": call_id}

    # -- what tests drive ----------------------------------------------------------------------
    def agent(self, user_id: int, name: str | None = None) -> FakeAgent:
        found = self.agents.get(user_id)
        if found is None:
            found = self.agents[user_id] = FakeAgent(
                user_id, name or f"agent {user_id}", f"{1000 + user_id}", since=iso(self.clock.now())
            )
        return found

    def offer(
        self,
        user_id: int,
        call_id: str,
        screen_pop: dict[str, Any] | None = None,
        *,
        queue: str = "support",
        caller_number: str = "+15550100100",
        dialled: str = "+18005550100",
        waited_seconds: float = 12,
        ring_seconds: float = 20,
    ) -> dict[str, Any]:
        a = self.agent(user_id)
        if a.state != "available":
            raise DeskError("not_available", f"agent {user_id} is {a.state}")
        pop = copy.deepcopy(screen_pop) if screen_pop else _unknown_pop(caller_number)
        pop.update(queue=queue, waited_seconds=waited_seconds, caller_number=caller_number, dialled=dialled)
        deadline = self.clock.now() + dt.timedelta(seconds=ring_seconds)
        a.offer = {
            "call_id": call_id,
            "queue": queue,
            "caller_number": caller_number,
            "dialled": dialled,
            "waited_seconds": waited_seconds,
            "ring_deadline": iso(deadline),
            "screen_pop": pop,
        }
        self._state(a, "reserved")
        self._emit(a, "call.offered", a.offer)
        return copy.deepcopy(a.offer)

    def withdraw(self, user_id: int, call_id: str, reason: str = "caller_hung_up") -> None:
        a = self.agent(user_id)
        self._offer(a, call_id)
        a.offer = None
        self._emit(a, "call.offer_withdrawn", {"call_id": call_id, "reason": reason})
        self._state(a, "available")

    def end_call(self, user_id: int, call_id: str, hung_up_by: str = "caller", reason: str = "caller hung up") -> None:
        self._end(self.agent(user_id), call_id, hung_up_by, reason)

    def append_timeline(self, user_id: int, activity: dict[str, Any]) -> None:
        a = self.agent(user_id)
        self._timeline(a, activity.get("type", "note"), activity.get("subject", ""), activity)

    def set_phone(self, user_id: int, registered: bool) -> None:
        a = self.agent(user_id)
        a.registered = registered
        self._emit(a, "phone.status", {"extension": a.extension, "registered": registered})

    def set_queues(self, queues: list[dict[str, Any]]) -> None:
        self.queues = copy.deepcopy(queues)
        self._send(("supervisors", None), "board.updated", self._board())

    # -- inside ----------------------------------------------------------------------------------
    def _record(self, name: str, user_id: int, **args: Any) -> None:
        self.commands.append((name, user_id, args))

    def _send(self, audience: Audience, event: str, payload: dict[str, Any]) -> None:
        for listener in self.listeners:
            listener(audience, event, copy.deepcopy(payload))

    def _emit(self, a: FakeAgent, event: str, payload: dict[str, Any]) -> None:
        self._send(("agent", a.user_id), event, payload)

    def _state(self, a: FakeAgent, state: str, reason: str | None = None) -> None:
        a.state, a.reason, a.since = state, reason, iso(self.clock.now())
        self._emit(a, "agent.state_changed", {"state": state, "reason": reason, "since": a.since})
        self._send(("supervisors", None), "board.updated", self._board())

    def _offer(self, a: FakeAgent, call_id: str) -> dict[str, Any]:
        if a.offer is None or a.offer["call_id"] != call_id:
            raise DeskError("no_such_offer", f"no offer of call {call_id} is ringing for you")
        return a.offer

    def _call(self, a: FakeAgent, call_id: str) -> dict[str, Any]:
        if a.call is None or a.call["call_id"] != call_id:
            raise DeskError("no_such_call", f"you are not on call {call_id}")
        return a.call

    def _end(self, a: FakeAgent, call_id: str, hung_up_by: str, reason: str) -> None:
        self._call(a, call_id)
        a.call = None
        self._emit(a, "call.ended", {"call_id": call_id, "hung_up_by": hung_up_by, "reason": reason})
        deadline = self.clock.now() + dt.timedelta(seconds=self.wrapup_seconds)
        a.wrapup = {"call_id": call_id, "deadline": iso(deadline), "dispositions": copy.deepcopy(DISPOSITIONS)}
        self._emit(a, "wrapup.started", a.wrapup)
        self._state(a, "wrap_up")

    def _timeline(self, a: FakeAgent, kind: str, subject: str, activity: dict[str, Any] | None = None) -> None:
        """Append to the customer's timeline of the agent's call (kept in the call's 360 too)."""
        pop = (a.call or {}).get("screen_pop") or {}
        customer = pop.get("customer")
        if not customer:
            return
        item = {
            "id": next(self._ids),
            "type": kind,
            "direction": None,
            "subject": subject,
            "started_at": iso(self.clock.now()),
            "disposition": None,
            "outcome": None,
            **(activity or {}),
        }
        view = pop.get("customer_360")
        if view is not None:
            view.setdefault("activities", []).insert(0, item)
        self._emit(a, "timeline.appended", {"customer_id": customer["id"], "activity": item})

    def _board(self) -> dict[str, Any]:
        agents = [
            {
                "user_id": a.user_id,
                "name": a.name,
                "extension": a.extension,
                "state": a.state,
                "reason": a.reason,
                "since": a.since,
                "call_id": (a.call or a.offer or {}).get("call_id"),
            }
            for a in self.agents.values()
        ]
        states = [a["state"] for a in agents]
        totals = {
            "waiting": sum(int(q.get("waiting", 0)) for q in self.queues),
            "agents_available": states.count("available"),
            "agents_on_call": states.count("on_call"),
            "agents_logged_in": sum(s != "offline" for s in states),
        }
        return {"queues": copy.deepcopy(self.queues), "agents": agents, "totals": totals}


def _unknown_pop(number: str) -> dict[str, Any]:
    return {
        "customer": None,
        "customer_360": None,
        "matches": [],
        "ivr": {"path": [], "inputs": {}, "answers": {}},
        "queue": None,
        "waited_seconds": 0,
        "caller_number": number,
        "dialled": None,
    }
