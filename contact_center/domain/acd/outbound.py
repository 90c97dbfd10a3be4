"""Calls an agent places (click-to-call): the agent is on the phone, so routing offers them nothing,
and afterwards they wrap up and go back to the state they dialled from (ready, or not ready with its
reason). The call is no queue visit: queue figures do not count it; the agent's time and calls do."""

from __future__ import annotations

from contact_center.domain.acd.agents import AgentState
from contact_center.domain.acd.calls import Call, CallState
from contact_center.domain.acd.commands import StartOutboundCall
from contact_center.domain.acd.core import RouterCore
from contact_center.domain.acd.errors import DuplicateCall, InvalidTransition, NoSuchQueue
from contact_center.domain.acd.events import OutboundCallStarted


class OutboundMixin(RouterCore):
    def _start_outbound(self, cmd: StartOutboundCall, now: float) -> None:
        agent = self.agent(cmd.agent_id)
        if agent.state not in (AgentState.AVAILABLE, AgentState.NOT_READY):
            raise InvalidTransition(f"agent {agent.id!r} is {agent.state}: finish the current work before dialling out")
        if cmd.call_id in self.calls:
            raise DuplicateCall(cmd.call_id)
        queue_id = cmd.queue_id or ""
        if queue_id and queue_id not in self.queues:
            raise NoSuchQueue(queue_id)
        if agent.state is AgentState.NOT_READY:
            agent.pending_not_ready = agent.reason or "not_ready"  # back to the same break after the call
        call = Call(
            id=cmd.call_id,
            queue_id=queue_id,
            priority=0,
            signature=(),
            enqueued_at=now,
            queued_at=now,
            entered_queue_at=now,
            seq=self._new_seq(),
            state=CallState.CONNECTED,
            agent_id=agent.id,
            answered_at=now,
            outbound=True,
        )
        self.calls[call.id] = call
        agent.call_id = call.id
        agent.calls_today += 1
        self._set_agent(agent, AgentState.ON_CALL, now)
        self._emit(OutboundCallStarted(at=now, call_id=call.id, agent_id=agent.id, queue_id=queue_id), call)
