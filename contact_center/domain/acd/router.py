"""The ACD: ``Acd.handle(command, now) -> events`` and ``Acd.advance(now) -> events``.

Pure and synchronous. The service feeds it commands with the current instant, calls
``advance`` at ``next_deadline()`` (ring timeouts, wrap-up ends, escalations) and
publishes / persists the returned events. If a command is refused (a domain error),
nothing has changed and the events already produced by due timers come with the next
result, so none is lost.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterable
from typing import Any

from contact_center.domain.acd import commands as c
from contact_center.domain.acd.agents import LOGIN, Agent, AgentState
from contact_center.domain.acd.callbacks import CallbacksMixin
from contact_center.domain.acd.calls import Call, CallState
from contact_center.domain.acd.config import QueueConfig, skill_signature
from contact_center.domain.acd.errors import DuplicateCall, InvalidTransition
from contact_center.domain.acd.events import (
    CallAbandoned,
    CallAnswered,
    CallbackRequested,
    CallHeld,
    CallQueued,
    CallResumed,
    ConferenceLeft,
    ConsultEnded,
    Event,
    OfferRejected,
    OfferWithdrawn,
    WrapUpExtended,
)
from contact_center.domain.acd.outbound import OutboundMixin
from contact_center.domain.acd.preferred import PreferredAgentMixin
from contact_center.domain.acd.transfers import TransfersMixin

_S = AgentState


class Acd(TransfersMixin, CallbacksMixin, PreferredAgentMixin, OutboundMixin):
    """Automatic call distributor: queues, agents, offers, escalation, callbacks, transfers."""

    def __init__(self, queues: Iterable[QueueConfig] = (), *, rng: random.Random, keep_finished: int = 10_000):
        super().__init__(queues, rng=rng, keep_finished=keep_finished)
        self._handlers: dict[type[c.Command], Callable[[Any, float], None]] = {
            c.ConfigureAgent: self._configure_agent,
            c.LogIn: self._log_in,
            c.LogOut: self._log_out,
            c.MakeAvailable: self._make_available,
            c.MakeNotReady: self._make_not_ready,
            c.EnqueueCall: self._enqueue,
            c.AbandonCall: self._abandon,
            c.AcceptOffer: self._accept,
            c.RejectOffer: self._reject,
            c.HoldCall: self._hold,
            c.ResumeCall: self._resume,
            c.EndCall: self._end_call,
            c.AgentHungUp: self._agent_hung_up,
            c.ExtendWrapUp: self._extend_wrap,
            c.FinishWrapUp: self._finish_wrap,
            c.RequestCallback: self._request_callback,
            c.CancelCallback: self._cancel_callback,
            c.BlindTransfer: self._blind_transfer,
            c.StartConsult: self._start_consult,
            c.CompleteTransfer: self._complete_transfer,
            c.CancelConsult: self._cancel_consult,
            c.StartConference: self._start_conference,
            c.LeaveConference: self._leave_conference,
            c.ResetDailyCounters: self._reset_daily,
            c.StartOutboundCall: self._start_outbound,
            c.MoveCall: self._move_call,
            c.SetCallPriority: self._set_priority,
            c.OfferCallback: self._offer_callback,
        }

    def configure_queue(self, config: QueueConfig) -> None:
        """Add or replace a queue definition; calls waiting in it get their timers from the new one.

        Rules are identified by position: a call that already had the first k rules of the queue applied
        goes on with rule k of the new list.
        """
        self.queues[config.id] = config
        for call in list(self.waiting.calls_in(config.id)):
            self._arm_call_timers(call)

    def handle(self, command: c.Command, now: float) -> list[Event]:
        self._advance(now)
        self.clock = max(self.clock, now)
        self._handlers[type(command)](command, self.clock)
        self._dispatch(self.clock)
        return self._take_events()

    def release_agent(self, agent_id: str, now: float) -> list[Event]:
        """Repair only (the reconciler): end the work of an agent whose state refers to no live call."""
        agent = self.agent(agent_id)
        if agent.call_id in self.calls:
            raise InvalidTransition(f"agent {agent_id!r} is busy with a known call; end the call instead")
        self.clock = max(self.clock, now)
        # The work ended (we just never heard): a not-ready the agent asked for meanwhile applies now.
        self._agent_done(agent, self.clock)
        self._dispatch(self.clock)
        return self._take_events()

    # -- agents -----------------------------------------------------------------------
    def _configure_agent(self, cmd: c.ConfigureAgent, now: float) -> None:
        agent = self.agents.get(cmd.agent_id)
        if agent is None:
            agent = self.agents[cmd.agent_id] = Agent(id=cmd.agent_id, since=now, idle_since=now)
        free = agent.state is _S.AVAILABLE
        if free:
            self.available.remove(agent)
        agent.set_skills(cmd.skills)
        agent.tiers = dict(cmd.tiers)
        agent.team = cmd.team
        if free:
            self.available.add(agent)
            self._touched_agents.append(agent)
        self._recheck_preferences(agent, now)

    def _log_in(self, cmd: c.LogIn, now: float) -> None:
        agent = self.agent(cmd.agent_id)
        if agent.state is not _S.OFFLINE:
            raise InvalidTransition(f"agent {agent.id!r} is already logged in")
        if cmd.ready:
            self._set_agent(agent, _S.AVAILABLE, now)
        else:
            self._set_agent(agent, _S.NOT_READY, now, LOGIN)

    def _withdraw_offer(self, agent: Agent, now: float, reason: str) -> None:
        """The agent leaves while an offer rings: the call goes back to its place, not to them soon."""
        call = self.calls[agent.call_id or ""]
        if agent.offer_kind == "consult":
            call.consult_agent_id = None
            self._emit(
                ConsultEnded(
                    at=now, call_id=call.id, agent_id=call.agent_id or "", target_agent_id=agent.id, outcome="declined"
                ),
                call,
            )
        else:
            self._emit(OfferWithdrawn(at=now, call_id=call.id, agent_id=agent.id, reason=reason), call)
            self._return_to_queue(call, agent, now, "withdrawn")

    def _log_out(self, cmd: c.LogOut, now: float) -> None:
        agent = self.agent(cmd.agent_id)
        if agent.state in (_S.ON_CALL, _S.OFFLINE):
            raise InvalidTransition(f"agent {agent.id!r} cannot log out while {agent.state}")
        if agent.state is _S.RESERVED:
            self._withdraw_offer(agent, now, "logout")
        if agent.state is _S.WRAP_UP:
            self._end_wrap(agent, now)  # counts the wrap-up, then makes them available or not-ready
        agent.pending_not_ready = None
        call_id = agent.call_id
        self._set_agent(agent, _S.OFFLINE, now)
        self._recheck_preferences(agent, now)
        if call_id is not None:
            self._maybe_retire(call_id)

    def _make_available(self, cmd: c.MakeAvailable, now: float) -> None:
        agent = self.agent(cmd.agent_id)
        if agent.state is _S.OFFLINE:
            raise InvalidTransition(f"agent {agent.id!r} must log in first")
        agent.pending_not_ready = None  # while busy this just cancels a pending not-ready
        if agent.state is _S.NOT_READY:
            self._set_agent(agent, _S.AVAILABLE, now)
        elif agent.state is _S.WRAP_UP:
            self._end_wrap(agent, now)

    def _make_not_ready(self, cmd: c.MakeNotReady, now: float) -> None:
        agent = self.agent(cmd.agent_id)
        if agent.state is _S.OFFLINE:
            raise InvalidTransition(f"agent {agent.id!r} must log in first")
        if agent.state in (_S.ON_CALL, _S.WRAP_UP):
            agent.pending_not_ready = cmd.reason  # applied when the work ends
            return
        if agent.state is _S.RESERVED:
            self._withdraw_offer(agent, now, "not_ready")
        self._set_agent(agent, _S.NOT_READY, now, cmd.reason)

    def _extend_wrap(self, cmd: c.ExtendWrapUp, now: float) -> None:
        agent = self.agent(cmd.agent_id)
        if agent.state is not _S.WRAP_UP or agent.wrap_deadline is None or cmd.seconds <= 0:
            raise InvalidTransition(f"agent {agent.id!r} is not in wrap-up (or the extension is not positive)")
        agent.wrap_deadline += cmd.seconds
        agent.timer_version += 1
        self._schedule(agent.wrap_deadline, "wrap", agent.id, agent.timer_version)
        self._emit(WrapUpExtended(at=now, agent_id=agent.id, call_id=agent.call_id or "", deadline=agent.wrap_deadline))

    def _finish_wrap(self, cmd: c.FinishWrapUp, now: float) -> None:
        agent = self.agent(cmd.agent_id)
        if agent.state is not _S.WRAP_UP:
            raise InvalidTransition(f"agent {agent.id!r} is not in wrap-up")
        self._end_wrap(agent, now)

    def _reset_daily(self, cmd: c.ResetDailyCounters, now: float) -> None:
        for agent in self.agents.values():
            agent.calls_today = cmd.calls.get(agent.id, 0)
            agent.talk_today = cmd.talk_seconds.get(agent.id, 0.0)

    # -- calls ------------------------------------------------------------------------
    def _enqueue(self, cmd: c.EnqueueCall, now: float) -> None:
        if cmd.call_id in self.calls:
            raise DuplicateCall(cmd.call_id)
        cfg = self.queue(cmd.queue_id)
        priority = cfg.default_priority if cmd.priority is None else cmd.priority
        call = Call(
            id=cmd.call_id,
            queue_id=cfg.id,
            priority=priority,
            signature=skill_signature(cmd.skills, cfg.required_skills),
            enqueued_at=now,
            queued_at=now,
            entered_queue_at=now,
            seq=self._new_seq(),
            requested_skills=dict(cmd.skills),
            caller_number=cmd.caller_number,
            callback_number=cmd.callback_number,
        )
        self.calls[call.id] = call
        self.finished.pop(call.id, None)
        self._emit(
            CallQueued(
                at=now,
                call_id=call.id,
                queue_id=cfg.id,
                priority=priority,
                skills=call.signature,
                enqueued_at=now,
                reason="new",
            ),
            call,
        )
        if cmd.callback_number is not None:
            self._emit(
                CallbackRequested(
                    at=now, call_id=call.id, queue_id=cfg.id, number=cmd.callback_number, reason="scheduled"
                ),
                call,
            )
        self._admit(call, cfg.id, now, {cfg.id})
        if cmd.preferred_agent is not None and call.state is CallState.QUEUED:
            wait = cfg.preferred_wait_seconds if cmd.preferred_wait_seconds is None else cmd.preferred_wait_seconds
            self._prefer(call, cmd.preferred_agent, wait, now)

    def _abandon(self, cmd: c.AbandonCall, now: float) -> None:
        call = self.live_call(cmd.call_id)
        if call.state not in (CallState.QUEUED, CallState.OFFERED) or call.is_callback:
            raise InvalidTransition(f"call {call.id!r} cannot be abandoned while {call.state}")
        agent = self.agents.get(call.agent_id or "") if call.state is CallState.OFFERED else None
        self._emit(
            CallAbandoned(
                at=now,
                call_id=call.id,
                queue_id=call.queue_id,
                wait_seconds=now - call.queued_at,
                reason="caller_hangup",
            ),
            call,
        )
        self._close(call, CallState.ABANDONED)
        if agent is not None:
            self._emit(OfferWithdrawn(at=now, call_id=call.id, agent_id=agent.id, reason="caller_hangup"), call)
            self._set_agent(agent, _S.AVAILABLE, now)
            self._maybe_retire(call.id)

    def _offered_to(self, agent_id: str, call_id: str) -> tuple[Agent, Call]:
        agent = self.agent(agent_id)
        if agent.state is not _S.RESERVED or agent.call_id != call_id:
            raise InvalidTransition(f"agent {agent_id!r} has no offer of call {call_id!r}")
        return agent, self.calls[call_id]

    def _accept(self, cmd: c.AcceptOffer, now: float) -> None:
        agent, call = self._offered_to(cmd.agent_id, cmd.call_id)
        self._set_agent(agent, _S.ON_CALL, now)
        if agent.offer_kind == "consult":
            return
        call.state = CallState.CONNECTED
        call.answered_at = now
        self._drop_preference(call)
        agent.calls_today += 1
        self._emit(
            CallAnswered(
                at=now, call_id=call.id, agent_id=agent.id, queue_id=call.queue_id, wait_seconds=now - call.queued_at
            ),
            call,
        )
        if call.is_callback:
            self._callback_accepted(call, agent.id, now)

    def _reject(self, cmd: c.RejectOffer, now: float) -> None:
        agent, call = self._offered_to(cmd.agent_id, cmd.call_id)
        if agent.offer_kind == "consult":
            call.consult_agent_id = None
            self._emit(
                ConsultEnded(
                    at=now, call_id=call.id, agent_id=call.agent_id or "", target_agent_id=agent.id, outcome="declined"
                ),
                call,
            )
        else:
            self._emit(OfferRejected(at=now, call_id=call.id, agent_id=agent.id), call)
            self._return_to_queue(call, agent, now, "rejected")  # not offered to this agent again soon
        self._set_agent(agent, _S.AVAILABLE, now)

    def _hold(self, cmd: c.HoldCall, now: float) -> None:
        call = self._connected(cmd.call_id)
        if call.held_since is not None:
            raise InvalidTransition(f"call {call.id!r} is already on hold")
        call.held_since = now
        self._emit(CallHeld(at=now, call_id=call.id, agent_id=call.agent_id or ""), call)

    def _resume(self, cmd: c.ResumeCall, now: float) -> None:
        call = self._connected(cmd.call_id)
        if call.held_since is None:
            raise InvalidTransition(f"call {call.id!r} is not on hold")
        held = now - call.held_since
        call.hold_seconds += held
        call.held_since = None
        self._emit(CallResumed(at=now, call_id=call.id, agent_id=call.agent_id or "", held_seconds=held), call)

    def _end_call(self, cmd: c.EndCall, now: float) -> None:
        call = self._connected(cmd.call_id)
        if call.consult_agent_id is not None:
            self._cancel_consult(c.CancelConsult(call.id), now)
        for other in list(call.conference):
            call.conference.remove(other)
            self._emit(ConferenceLeft(at=now, call_id=call.id, agent_id=other), call)
            self._agent_done(self.agent(other), now)
        call.state = CallState.ENDED
        self._finish_talk(call, self.agent(call.agent_id or ""), now, "hangup")
        self._maybe_retire(call.id)

    # -- queries ----------------------------------------------------------------------
    def agents_by_state(self) -> dict[str, int]:
        """Live count of agents per state key (``not_ready:<reason>`` separately)."""
        counts: dict[str, int] = {}
        for agent in self.agents.values():
            counts[agent.state_key] = counts.get(agent.state_key, 0) + 1
        return counts

    def waiting_calls(self, queue_id: str) -> list[Call]:
        return self.waiting.waiting(queue_id)

    def oldest_wait(self, queue_id: str, now: float) -> float:
        waiting = self.waiting.calls_in(queue_id)
        return max((now - call.queued_at for call in waiting), default=0.0)
