"""Callbacks: the caller leaves the line but keeps their place in the queue.

The waiting entry is not touched (same priority, same original enqueue time, same
sequence number), so a callback neither jumps ahead of nor falls behind the callers
who stayed. When its turn comes an agent is reserved (offer kind "callback"); when
the agent accepts, ``CallbackPlaced`` tells the dialer / telephony port to call out.
"""

from __future__ import annotations

from contact_center.domain.acd.agents import AgentState
from contact_center.domain.acd.calls import Call, CallState
from contact_center.domain.acd.commands import CancelCallback, RequestCallback
from contact_center.domain.acd.core import RouterCore
from contact_center.domain.acd.errors import InvalidTransition
from contact_center.domain.acd.events import CallbackCanceled, CallbackPlaced, CallbackRequested, OfferWithdrawn


class CallbacksMixin(RouterCore):
    def _request_callback(self, cmd: RequestCallback, now: float) -> None:
        call = self.live_call(cmd.call_id)
        if call.state is not CallState.QUEUED or call.is_callback:
            raise InvalidTransition(f"call {call.id!r}: a callback can be requested only while waiting")
        if not cmd.number:
            raise InvalidTransition(f"call {call.id!r}: a callback needs a number")
        call.callback_number = cmd.number
        self._emit(
            CallbackRequested(at=now, call_id=call.id, queue_id=call.queue_id, number=cmd.number, reason="caller"), call
        )
        # Its place is unchanged; only the max-wait timer stops applying (nobody is holding on).
        self._arm_call_timers(call)

    def _cancel_callback(self, cmd: CancelCallback, now: float) -> None:
        call = self.live_call(cmd.call_id)
        if not call.is_callback or call.state not in (CallState.QUEUED, CallState.OFFERED):
            raise InvalidTransition(f"call {call.id!r}: no pending callback to cancel")
        agent = self.agents.get(call.agent_id or "") if call.state is CallState.OFFERED else None
        self._emit(CallbackCanceled(at=now, call_id=call.id, queue_id=call.queue_id), call)
        self._close(call, CallState.CANCELED)
        if agent is not None:
            self._emit(OfferWithdrawn(at=now, call_id=call.id, agent_id=agent.id, reason="callback_canceled"), call)
            self._set_agent(agent, AgentState.AVAILABLE, now)
            self._maybe_retire(call.id)

    def _callback_accepted(self, call: Call, agent_id: str, now: float) -> None:
        self._emit(CallbackPlaced(at=now, call_id=call.id, agent_id=agent_id, number=call.callback_number or ""), call)
