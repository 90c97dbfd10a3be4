"""Transfers and conference hooks as state transitions: blind (to a queue or an agent), consult
(warm) transfer, conference, and re-queue when the agent's leg drops before the customer's.
"""

from __future__ import annotations

from contact_center.domain.acd.agents import AgentState
from contact_center.domain.acd.calls import Call, CallState
from contact_center.domain.acd.commands import (
    AgentHungUp,
    BlindTransfer,
    CancelConsult,
    CompleteTransfer,
    LeaveConference,
    StartConference,
    StartConsult,
)
from contact_center.domain.acd.errors import InvalidTransition
from contact_center.domain.acd.escalation import EscalationMixin
from contact_center.domain.acd.events import CallQueued, CallTransferred, ConferenceLeft, ConsultEnded, ConsultStarted


class TransfersMixin(EscalationMixin):
    def _connected(self, call_id: str) -> Call:
        call = self.live_call(call_id)
        if call.state is not CallState.CONNECTED or call.agent_id is None:
            raise InvalidTransition(f"call {call_id!r} is not connected to an agent")
        return call

    def _new_visit(self, call: Call, now: float, reason: str, *, keep_place: bool) -> None:
        """The call starts waiting again: a new queue visit for metrics (waits count from now)."""
        call.answered_at = None
        call.held_since = None
        call.hold_seconds = 0.0
        call.queued_at = now
        call.entered_queue_at = now  # rules already applied in this queue stay applied (call.rules_done)
        if not keep_place:
            call.enqueued_at = now
            call.seq = self._new_seq()
        self._emit(
            CallQueued(
                at=now,
                call_id=call.id,
                queue_id=call.queue_id,
                priority=call.priority,
                skills=call.signature,
                enqueued_at=call.enqueued_at,
                reason=reason,
            ),
            call,
        )

    def _blind_transfer(self, cmd: BlindTransfer, now: float) -> None:
        call = self._connected(cmd.call_id)
        if call.consult_agent_id is not None or call.conference:
            raise InvalidTransition(f"call {call.id!r}: end the consult or conference first")
        agent = self.agent(call.agent_id or "")
        target = None
        if cmd.agent_id is not None:
            target = self.agent(cmd.agent_id)
            if target.state is not AgentState.AVAILABLE:
                raise InvalidTransition(f"agent {target.id!r} is not available for a transfer")
        elif cmd.queue_id is not None:
            self.queue(cmd.queue_id)
        else:
            raise InvalidTransition("a blind transfer needs a queue or an agent")
        self._emit(
            CallTransferred(
                at=now,
                call_id=call.id,
                from_agent_id=agent.id,
                to_queue_id=cmd.queue_id,
                to_agent_id=cmd.agent_id,
                kind="blind",
            ),
            call,
        )
        self._finish_talk(call, agent, now, "transfer")
        call.state = CallState.QUEUED
        call.agent_id = None
        if cmd.queue_id is not None and cmd.queue_id != call.queue_id:
            queue_id = cmd.queue_id
            call.queue_id = queue_id
        self._new_visit(call, now, "transfer", keep_place=False)
        if target is not None:
            call.pools = [call.queue_id]
            self._offer(call, target, now, "transfer")  # on reject/miss it waits in its queue
        else:
            self._admit(call, call.queue_id, now, {call.queue_id})

    def _agent_hung_up(self, cmd: AgentHungUp, now: float) -> None:
        call = self._connected(cmd.call_id)
        if call.conference:
            self._leave_conference(LeaveConference(call.id, call.agent_id or ""), now)
            return
        if call.consult_agent_id is not None:
            self._cancel_consult(CancelConsult(call.id), now)
        agent = self.agent(call.agent_id or "")
        self._finish_talk(call, agent, now, "agent_hangup")
        call.state = CallState.QUEUED
        call.agent_id = None
        # The customer did nothing wrong: they go back to their original place.
        self._new_visit(call, now, "agent_hangup", keep_place=True)
        self._put_waiting(call)

    def _start_consult(self, cmd: StartConsult, now: float) -> None:
        call = self._connected(cmd.call_id)
        target = self.agent(cmd.target_agent_id)
        if call.consult_agent_id is not None:
            raise InvalidTransition(f"call {call.id!r}: a consult is already in progress")
        if target.state is not AgentState.AVAILABLE or target.id == call.agent_id:
            raise InvalidTransition(f"agent {target.id!r} is not available for a consult")
        call.consult_agent_id = target.id
        self._emit(
            ConsultStarted(at=now, call_id=call.id, agent_id=call.agent_id or "", target_agent_id=target.id), call
        )
        self._reserve(target, call, now, "consult")

    def _consulted(self, call: Call) -> str:
        if call.consult_agent_id is None or self.agent(call.consult_agent_id).state is not AgentState.ON_CALL:
            raise InvalidTransition(f"call {call.id!r}: no answered consult")
        return call.consult_agent_id

    def _complete_transfer(self, cmd: CompleteTransfer, now: float) -> None:
        call = self._connected(cmd.call_id)
        target_id = self._consulted(call)
        first = self.agent(call.agent_id or "")
        self._emit(
            CallTransferred(
                at=now, call_id=call.id, from_agent_id=first.id, to_queue_id=None, to_agent_id=target_id, kind="warm"
            ),
            call,
        )
        self._emit(
            ConsultEnded(at=now, call_id=call.id, agent_id=first.id, target_agent_id=target_id, outcome="transferred"),
            call,
        )
        self._finish_talk(call, first, now, "transfer")
        call.agent_id = target_id
        call.consult_agent_id = None
        call.answered_at = now
        call.held_since = None
        call.hold_seconds = 0.0
        self.agent(target_id).offer_kind = "transfer"

    def _cancel_consult(self, cmd: CancelConsult, now: float) -> None:
        call = self._connected(cmd.call_id)
        if call.consult_agent_id is None:
            raise InvalidTransition(f"call {call.id!r}: no consult in progress")
        target = self.agent(call.consult_agent_id)
        call.consult_agent_id = None
        self._emit(
            ConsultEnded(
                at=now, call_id=call.id, agent_id=call.agent_id or "", target_agent_id=target.id, outcome="canceled"
            ),
            call,
        )
        if target.state is AgentState.RESERVED:
            self._set_agent(target, AgentState.AVAILABLE, now)
        else:
            self._agent_done(target, now)

    def _start_conference(self, cmd: StartConference, now: float) -> None:
        call = self._connected(cmd.call_id)
        target_id = self._consulted(call)
        call.conference.append(target_id)
        call.consult_agent_id = None
        self._emit(
            ConsultEnded(
                at=now, call_id=call.id, agent_id=call.agent_id or "", target_agent_id=target_id, outcome="conference"
            ),
            call,
        )

    def _leave_conference(self, cmd: LeaveConference, now: float) -> None:
        call = self._connected(cmd.call_id)
        if cmd.agent_id != call.agent_id and cmd.agent_id not in call.conference:
            raise InvalidTransition(f"agent {cmd.agent_id!r} is not in the conference on {call.id!r}")
        if not call.conference:
            raise InvalidTransition(f"call {call.id!r} is not a conference")
        agent = self.agent(cmd.agent_id)
        self._emit(ConferenceLeft(at=now, call_id=call.id, agent_id=agent.id), call)
        if cmd.agent_id == call.agent_id:
            # The owner leaves: their part ends (with wrap-up); the first other agent owns the call now.
            self._finish_talk(call, agent, now, "transfer")
            call.agent_id = call.conference.pop(0)
            call.answered_at = now
            call.held_since = None
            call.hold_seconds = 0.0
        else:
            call.conference.remove(cmd.agent_id)
            self._agent_done(agent, now)
