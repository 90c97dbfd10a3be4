"""State reconciler: agent and call states checked against the live call legs.

A lost hang-up (a SIP BYE that never reached us, a crashed node) leaves an agent
"reserved" or "on call" forever: the most common complaint against ACDs. The service
calls ``reconcile`` every few seconds with the legs the telephony layer really has; each
repair is applied through the same transition the missing event would have caused
(``AbandonCall``, ``EndCall``, ``AgentHungUp``) and recorded as ``StateRepaired`` for the
audit trail. States younger than ``grace_seconds`` are left alone (a leg may still be
setting up).
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass

from contact_center.domain.acd.agents import AgentState
from contact_center.domain.acd.calls import CallState
from contact_center.domain.acd.commands import AbandonCall, AgentHungUp, Command, EndCall
from contact_center.domain.acd.events import Event, StateRepaired
from contact_center.domain.acd.router import Acd


@dataclass(frozen=True)
class LiveLegs:
    """What telephony reports: customer legs alive, and (optionally) which call each agent leg is on."""

    calls: Collection[str]
    agents: Mapping[str, str] | None = None


def reconcile(acd: Acd, legs: LiveLegs, now: float, *, grace_seconds: float = 10.0) -> list[Event]:
    events = acd.advance(now)
    live = set(legs.calls)
    # Ghost waiters first, so an agent freed below is not offered a call that is already gone.
    for ghost in list(acd.waiting.all_waiting()):
        if ghost.is_callback or ghost.id in live or now - ghost.queued_at < grace_seconds:
            continue
        events += acd.handle(AbandonCall(ghost.id), now)
        events.append(_repaired(now, "call", ghost.id, "queued", ghost.state.value, "waiting call has no live leg"))
    for agent in list(acd.agents.values()):
        if agent.state not in (AgentState.RESERVED, AgentState.ON_CALL) or now - agent.since < grace_seconds:
            continue
        call = acd.calls.get(agent.call_id or "")
        before = agent.state_key
        if call is None:
            # Nothing behind the state at all: free the agent.
            events += acd.release_agent(agent.id, now)
            events.append(_repaired(now, "agent", agent.id, before, agent.state_key, "state refers to an unknown call"))
            continue
        command: Command | None = None
        reason = ""
        if call.id not in live and call.state in (CallState.QUEUED, CallState.OFFERED):
            command, reason = AbandonCall(call.id), "offered call has no live leg"
        elif call.id not in live and call.state is CallState.CONNECTED:
            command, reason = EndCall(call.id), "connected call has no live leg"
        elif (
            legs.agents is not None
            and agent.state is AgentState.ON_CALL
            and call.state is CallState.CONNECTED
            and call.agent_id == agent.id
            and not call.conference
            and legs.agents.get(agent.id) != call.id
        ):
            command, reason = AgentHungUp(call.id), "agent leg is gone, customer still on the line"
        if command is None:
            continue
        events += acd.handle(command, now)
        events.append(_repaired(now, "agent", agent.id, before, acd.agent(agent.id).state_key, reason))
    return events


def _repaired(now: float, subject: str, subject_id: str, before: str, after: str, reason: str) -> StateRepaired:
    return StateRepaired(at=now, subject=subject, subject_id=subject_id, before=before, after=after, reason=reason)
