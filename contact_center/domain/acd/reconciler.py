"""State reconciler: agent and call states checked against the live call legs.

A lost hang-up (a SIP BYE that never reached us, a crashed node) leaves an agent
"reserved" or "on call" forever: the most common complaint against ACDs. The service
calls ``reconcile`` every few seconds with the legs the telephony layer really has; each
repair is applied through the same transition the missing event would have caused
(``AbandonCall``, ``EndCall``, ``AgentHungUp``, ``CancelConsult``, ``LeaveConference``) and
recorded as ``StateRepaired`` for the audit trail. States younger than ``grace_seconds``
are left alone (a leg may still be setting up).

A callback has no customer leg until the agent accepts it and the customer is dialled, so
a waiting or ringing callback is never taken for a ghost (its ring timeout handles a
ringing one). Each repair stands alone: one that fails is recorded as ``RepairFailed`` and
the pass goes on with the next.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass

from contact_center.domain.acd.agents import Agent, AgentState
from contact_center.domain.acd.calls import Call, CallState
from contact_center.domain.acd.commands import (
    AbandonCall,
    AgentHungUp,
    CancelCallback,
    CancelConsult,
    Command,
    EndCall,
    LeaveConference,
)
from contact_center.domain.acd.events import Event, RepairFailed, StateRepaired
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
        if ghost.id in live or now - ghost.queued_at < grace_seconds:
            continue
        if ghost.is_callback:  # nobody holds it any more (its node is gone): it would ring agents for nothing
            events += _attempt(
                acd, "call", ghost.id, "queued", "callback held by no node", now, CancelCallback(ghost.id)
            )
            continue
        events += _attempt(acd, "call", ghost.id, "queued", "waiting call has no live leg", now, AbandonCall(ghost.id))
    for agent in list(acd.agents.values()):
        if agent.state not in (AgentState.RESERVED, AgentState.ON_CALL) or now - agent.since < grace_seconds:
            continue
        before = agent.state_key
        call = acd.calls.get(agent.call_id or "")
        if call is None:
            # Nothing behind the state at all: the work is over.
            events += _attempt(acd, "agent", agent.id, before, "state refers to an unknown call", now, None)
            continue
        found = _repair_for(agent, call, live, legs.agents)
        if found is None:
            continue
        command, reason = found
        events += _attempt(acd, "agent", agent.id, before, reason, now, command)
    return events


def _repair_for(
    agent: Agent, call: Call, live: set[str], agent_legs: Mapping[str, str] | None
) -> tuple[Command, str] | None:
    if call.state is CallState.OFFERED and call.is_callback:
        return None  # no customer leg before the agent accepts; the ring timeout ends a stuck offer
    if call.id not in live and call.state in (CallState.QUEUED, CallState.OFFERED):
        return AbandonCall(call.id), "offered call has no live leg"
    if call.id not in live and call.state is CallState.CONNECTED:
        return EndCall(call.id), "connected call has no live leg"
    if agent_legs is None or agent.state is not AgentState.ON_CALL or call.state is not CallState.CONNECTED:
        return None
    if agent_legs.get(agent.id) == call.id:
        return None
    if call.consult_agent_id == agent.id:
        return CancelConsult(call.id), "consulted agent's leg is gone"
    if call.conference and (agent.id == call.agent_id or agent.id in call.conference):
        return LeaveConference(call.id, agent.id), "conference member's leg is gone"
    if call.agent_id == agent.id:
        return AgentHungUp(call.id), "agent leg is gone, customer still on the line"
    return None


def _attempt(
    acd: Acd, subject: str, subject_id: str, before: str, reason: str, now: float, command: Command | None
) -> list[Event]:
    """Apply one repair (``None``: release the agent); a refusal is recorded and the pass goes on."""
    try:
        events = acd.release_agent(subject_id, now) if command is None else acd.handle(command, now)
    except Exception as exc:  # one repair that cannot be made must not stop the others
        return [
            RepairFailed(
                at=now,
                subject=subject,
                subject_id=subject_id,
                state=before,
                reason=reason,
                error=f"{type(exc).__name__}: {exc}",
            )
        ]
    after = acd.call(subject_id).state.value if subject == "call" else acd.agent(subject_id).state_key
    return [
        *events,
        StateRepaired(at=now, subject=subject, subject_id=subject_id, before=before, after=after, reason=reason),
    ]
