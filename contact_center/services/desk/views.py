"""What a desktop and the board see: the agent's snapshot, the board, where a call can be transferred.

A read model composed into the call center: it reads routing and the centre's state (``LiveCalls``,
``AgentDesks``, ``People``, the supervisors on calls) and changes nothing. ``desk_view`` is the part of an
agent's desk this node holds (the offer it built, the call whose leg it has, the wrap-up of that call); with
several nodes each node's view is written beside the events it sends (``services/desk/cluster.py``) and a
snapshot merges them.
"""

from __future__ import annotations

import heapq
from collections import Counter
from collections.abc import Callable
from typing import Any

from contact_center.domain.acd.agents import agent_key
from contact_center.services.calls.base import iso, iso_time
from contact_center.services.calls.live import STANDING_RINGING, AgentDesks, LiveCalls, People
from contact_center.services.calls.monitoring import Monitoring
from contact_center.services.calls.record import CallRecord
from contact_center.services.routing.service import AcdService

WAITING_ROWS = 200  # the board lists at most this many callers in line (the longest waits first)


class DeskViews:
    def __init__(
        self,
        *,
        acd: AcdService,
        calls: LiveCalls,
        desks: AgentDesks,
        people: People,
        monitoring: Monitoring,
        pending_wrapup: Callable[[int], dict[str, Any] | None],
    ) -> None:
        self.acd, self.calls, self.desks, self.people = acd, calls, desks, people
        self.monitoring = monitoring
        self.pending_wrapup = pending_wrapup  # a wrap-up that ran out before its disposition was saved

    def snapshot(self, user_id: int) -> dict[str, Any]:
        return {"agent": self.agent_view(user_id), **self.desk_view(user_id), "phone": self.phone_view(user_id)}

    def agent_view(self, user_id: int) -> dict[str, Any]:
        agent = self.acd.acd.agents.get(agent_key(user_id))
        state: dict[str, Any] = {
            "state": "offline",
            "reason": None,
            "since": None,
            "extension": self.people.extensions.get(user_id),
        }
        if agent is not None:
            state.update(state=str(agent.state), reason=agent.reason, since=iso(agent.since))
        return state

    def phone_view(self, user_id: int) -> dict[str, Any]:
        return {"extension": self.people.extensions.get(user_id), "registered": self.people.phones.get(user_id)}

    def desk_view(self, user_id: int) -> dict[str, Any]:
        """The offer, call and wrap-up of this agent that this node holds (each None when it holds none)."""
        call_id = self.desks.active(user_id)
        call = None
        conversation = self.calls.conversation(call_id) if call_id is not None else None
        if call_id is not None and conversation is not None and self.desks.wrapup(user_id) is None:
            record = conversation.record
            call = {
                "call_id": call_id,
                "started_at": iso_time(record.connected_at),
                "held": record.held_since is not None,
                "queue": record.queue,
                "caller_number": record.caller_number,
                "direction": record.direction,
                "screen_pop": self.calls.screen_pop(call_id),
                "customer_id": record.customer_id,
                "consult": consult.view(user_id, self.people.names)
                if (consult := self.calls.consult(call_id))
                else None,
                "coaching": self.monitoring.coaching_of(call_id, user_id),
            }
        # A call whose wrap-up ran out shows as the wrap-up, "disposition pending", until its disposition is saved.
        wrapup = self.desks.wrapup(user_id) or self.pending_wrapup(user_id)
        return {
            "offer": self.desks.offer(user_id),
            "call": call,
            "wrapup": wrapup,
            "preview": self.desks.preview(user_id),
            # Predictive dialling: the phone stands by between calls ("connected"), or is being rung for it.
            "standby": _standby(self.desks.standing(user_id)),
        }

    def transfer_targets(self, user_id: int) -> dict[str, Any]:
        routing = self.acd.acd
        queues = [
            {"name": name, "waiting": sum(1 for _ in routing.waiting.calls_in(name))} for name in sorted(routing.queues)
        ]
        order = {"available": 0, "wrap_up": 1, "on_call": 2, "reserved": 2, "not_ready": 3}
        agents = sorted(
            (
                {
                    "user_id": int(a.id),
                    "name": self.people.names.get(int(a.id), a.id),
                    "state": str(a.state),
                    "extension": self.people.extensions.get(int(a.id)),
                }
                for a in routing.agents.values()
                if str(a.state) != "offline" and int(a.id) != user_id
            ),
            key=lambda a: (order.get(str(a["state"]), 4), str(a["name"]).lower()),
        )
        return {"queues": queues, "agents": agents}

    def board(self) -> dict[str, Any]:
        report = self.acd.report(900)
        now = self.acd.now()
        routing = self.acd.acd
        agents = [a for a in routing.agents.values() if str(a.state) != "offline"]
        queues = []
        in_line = {name: routing.waiting_calls(name) for name in routing.queues}  # once per queue, per board
        for name, config in sorted(routing.queues.items()):
            members = [a for a in agents if name in a.tiers]
            queues.append(
                {
                    "name": name,
                    "sl_target": config.sl_target,
                    "sl_threshold_seconds": config.sl_threshold_seconds,
                    "alert_wait_seconds": config.alert_wait_seconds or 3 * config.sl_threshold_seconds,
                    "waiting": len(in_line[name]),
                    "oldest_wait_seconds": round(routing.oldest_wait(name, now), 1),
                    "agents_available": sum(1 for a in members if str(a.state) == "available"),
                    "agents_busy": sum(1 for a in members if str(a.state) in ("reserved", "on_call", "wrap_up")),
                    "agents_by_state": dict(Counter(str(a.state) for a in members)),
                    "agents_logged_in": len(members),
                    "callbacks_waiting": sum(1 for c in in_line[name] if c.is_callback),
                    **_figures(report.groups.get(name)),
                }
            )
        rows = []
        for a in agents:
            user_id = int(a.id)
            # Routing knows an offer before the desk has built it; once the work is over the row shows no call.
            working = str(a.state) in ("reserved", "on_call", "wrap_up")
            call_id = (a.call_id or self.desks.active(user_id)) if working else None
            call = routing.calls.get(call_id) if call_id else None
            record = self.calls.record(call_id) if call_id else None
            rows.append(
                {
                    "agent_id": a.id,
                    "user_id": user_id,
                    "name": self.people.names.get(user_id, a.id),
                    "extension": self.people.extensions.get(user_id),
                    "phone_registered": self.people.phones.get(user_id),
                    "state": str(a.state),
                    "reason": a.reason,
                    "since": iso(a.since),
                    "call_id": call_id,
                    "calls_today": a.calls_today,
                    "queue": call.queue_id if call is not None else None,
                    "customer": _customer_name(record),
                    "call_started": iso_time(record.connected_at) if record is not None else None,
                    "team": a.team,
                    "queues": dict(a.tiers),
                    "skills": dict(a.skills),
                    "occupancy": report.occupancy_by_agent.get(a.id),
                }
            )
        rows.sort(key=lambda r: str(r["name"]).lower())
        # With several nodes each holds only its own callbacks; routing knows those of every node.
        callbacks = (
            sum(1 for c in routing.waiting.all_waiting() if c.is_callback)
            if self.acd.shared
            else len(self.calls.callbacks())
        )
        totals = {
            **_figures(report.total),
            "waiting": sum(q["waiting"] for q in queues),
            "agents_available": sum(1 for a in agents if str(a.state) == "available"),
            "agents_on_call": sum(1 for a in agents if str(a.state) in ("reserved", "on_call")),
            "agents_wrap_up": sum(1 for a in agents if str(a.state) == "wrap_up"),
            "agents_not_ready": sum(1 for a in agents if str(a.state) == "not_ready"),
            "callbacks_waiting": callbacks,
            # Callers in the IVR or leaving a voicemail on the node that builds the board (the routing leader):
            # with several nodes, the other nodes' are not counted yet.
            "in_ivr": sum(1 for c in self.calls.conversations() if c.in_self_service),
        }
        # Thousands may wait: the rows shown are picked before they are built (this runs on every routing event).
        shown = heapq.nsmallest(
            WAITING_ROWS,
            (c for name in sorted(in_line) for c in in_line[name]),
            key=lambda c: (-c.priority, c.queued_at),
        )
        waiting = [self._waiting_row(call, now) for call in shown]
        waiting.sort(key=lambda w: (-w["priority"], -w["wait_seconds"]))
        return {
            "queues": queues,
            "agents": rows,
            "totals": totals,
            "waiting_calls": waiting[:WAITING_ROWS],
            "monitors": self.monitoring.on_calls(),
        }

    def _waiting_row(self, call: Any, now: float) -> dict[str, Any]:
        """A caller in line as the board lists them: where, how long, who (when known), what they did in the IVR."""
        record = self.calls.record(call.id)
        customer = _customer_name(record)
        return {
            "call_id": call.id,
            "queue": call.queue_id,
            "priority": call.priority,
            "wait_seconds": round(max(0.0, now - call.queued_at), 1),
            "caller_number": call.caller_number or (record.caller_number if record is not None else None),
            "customer": customer,
            "callback": call.callback_number is not None,
            "ivr": _ivr_steps(record.ivr if record is not None else None),
        }


def _customer_name(record: CallRecord | None) -> str | None:
    """The caller's name when the call knows who they are (by their number, or linked by the agent)."""
    if record is None or record.customer_id is None:
        return None
    match = next((m for m in record.matches if m.get("id") == record.customer_id), None)
    if match is None:
        return None
    return f"{match.get('first_name', '')} {match.get('last_name', '')}".strip() or None


def _ivr_steps(ivr: dict[str, Any] | None) -> list[str]:
    """The caller's way through the IVR in the flow's words: the nodes where they answered, and the last."""
    if not ivr:
        return []
    path, labels = ivr.get("path") or [], ivr.get("labels") or {}
    asked = {i.get("node") for i in ivr.get("inputs") or []}
    kept = [step for i, step in enumerate(path) if step in asked or i == len(path) - 1]
    steps = [labels.get(step, step) for n, step in enumerate(kept) if n == 0 or step != kept[n - 1]]
    return steps[-6:]


def _figures(stats: Any) -> dict[str, Any]:
    if stats is None:
        return {
            "offered": 0,
            "answered": 0,
            "abandoned": 0,
            "service_level": None,
            "asa_seconds": None,
            "aht_seconds": None,
            "longest_wait_seconds": None,
        }
    return {
        "offered": stats.offered,
        "answered": stats.answered,
        "abandoned": stats.abandoned + stats.short_abandoned,
        "service_level": stats.service_level,
        "asa_seconds": stats.asa_seconds,
        "aht_seconds": stats.aht_seconds,
        "longest_wait_seconds": stats.longest_wait_seconds,
    }


def _standby(line: str | None) -> dict[str, Any] | None:
    if line is None:
        return None
    return {"state": "ringing" if line == STANDING_RINGING else "connected"}
