"""Router core: state, indexes, timers and the matching step every command ends with.

Invariant kept after every command: no waiting call has a free agent who may take it
(same pool, skills, not excluded after a reject/miss). So a call is matched when it
starts to wait (best free agent by tier, then the queue's strategy) and an agent when
they become free (oldest eligible call across all their queues).
"""

from __future__ import annotations

import heapq
import random
from collections import OrderedDict, deque
from collections.abc import Iterable

from contact_center.domain.acd.agents import MISSED, Agent, AgentState
from contact_center.domain.acd.calls import Call, CallState
from contact_center.domain.acd.config import QueueConfig
from contact_center.domain.acd.errors import NoSuchAgent, NoSuchCall, NoSuchQueue
from contact_center.domain.acd.events import (
    CallEnded,
    CallOffered,
    ConsultEnded,
    Event,
    OfferMissed,
    WrapUpEnded,
    WrapUpStarted,
)
from contact_center.domain.acd.queues import AvailableIndex, WaitingIndex
from contact_center.domain.acd.strategies import pick

OUTBOUND_WRAPUP_SECONDS = 60.0  # after-call work for a call an agent placed outside any queue

Timer = tuple[float, int, str, str, int]  # due, seq, kind, ref, version


class RouterCore:
    def __init__(self, queues: Iterable[QueueConfig] = (), *, rng: random.Random, keep_finished: int = 10_000):
        self.queues: dict[str, QueueConfig] = {q.id: q for q in queues}
        self.agents: dict[str, Agent] = {}
        self.calls: dict[str, Call] = {}
        self.finished: OrderedDict[str, Call] = OrderedDict()
        self.waiting = WaitingIndex()
        self.available = AvailableIndex()
        self.preferred: dict[str, dict[str, Call]] = {}  # agent -> calls waiting for them by name
        self.clock = float("-inf")
        self._rng = rng
        self._keep_finished = keep_finished
        # Plain counters (not itertools.count) so that a snapshot can hold them: domain/acd/snapshot.py.
        self.seqs = {"call": 0, "offer": 0, "timer": 0}
        self._timers: list[Timer] = []
        self._out: list[Event] = []
        self._touched_agents: deque[Agent] = deque()
        self._touched_calls: deque[Call] = deque()

    # -- look-ups ---------------------------------------------------------------------
    def queue(self, queue_id: str) -> QueueConfig:
        try:
            return self.queues[queue_id]
        except KeyError:
            raise NoSuchQueue(queue_id) from None

    def agent(self, agent_id: str) -> Agent:
        try:
            return self.agents[agent_id]
        except KeyError:
            raise NoSuchAgent(agent_id) from None

    def call(self, call_id: str) -> Call:
        found = self.calls.get(call_id) or self.finished.get(call_id)
        if found is None:
            raise NoSuchCall(call_id)
        return found

    def live_call(self, call_id: str) -> Call:
        try:
            return self.calls[call_id]
        except KeyError:
            raise NoSuchCall(call_id) from None

    # -- events and timers ------------------------------------------------------------
    def _emit(self, event: Event, call: Call | None = None) -> None:
        self._out.append(event)
        if call is not None:
            call.trail.append(event)

    def _take_events(self) -> list[Event]:
        out, self._out = self._out, []
        return out

    def _schedule(self, due: float, kind: str, ref: str, version: int) -> None:
        heapq.heappush(self._timers, (due, self._next("timer"), kind, ref, version))

    def next_deadline(self) -> float | None:
        """When ``advance`` next may have something to do (ring timeout, wrap-up end, escalation)."""
        # Only timers that can never fire are dropped here: a re-offer timer of a call that rings
        # elsewhere now must still fire if the call is back in the queue by then.
        while self._timers and self._timer_dead(self._timers[0]):
            heapq.heappop(self._timers)
        return self._timers[0][0] if self._timers else None

    def _timer_dead(self, timer: Timer) -> bool:
        _, _, kind, ref, version = timer
        if kind in ("ring", "wrap"):
            agent = self.agents.get(ref)
            return agent is None or agent.timer_version != version  # every state change bumps it
        call = self.calls.get(ref)
        if call is None:
            return True
        if kind == "reoffer":
            return False
        return (call.prefer_version if kind == "prefer" else call.timer_version) != version

    def advance(self, now: float) -> list[Event]:
        """Fire every timer due at or before ``now`` (each at its own instant), then route."""
        self._advance(now)
        self.clock = max(self.clock, now)
        return self._take_events()

    def _advance(self, now: float) -> None:
        while self._timers and self._timers[0][0] <= now:
            timer = heapq.heappop(self._timers)
            if self._timer_live(timer):
                at = max(timer[0], self.clock)
                self.clock = at
                self._fire(timer[2], timer[3], at)
                self._dispatch(at)

    def _timer_live(self, timer: Timer) -> bool:
        _, _, kind, ref, version = timer
        if kind in ("ring", "wrap"):
            agent = self.agents.get(ref)
            wanted = AgentState.RESERVED if kind == "ring" else AgentState.WRAP_UP
            return agent is not None and agent.timer_version == version and agent.state is wanted
        call = self.calls.get(ref)
        if kind == "prefer":  # also while the preferred agent's offer rings
            return call is not None and call.preferred_agent is not None and call.prefer_version == version
        if call is None or call.state is not CallState.QUEUED:
            return False
        return kind == "reoffer" or call.timer_version == version

    def _fire(self, kind: str, ref: str, now: float) -> None:
        if kind == "ring":
            self._offer_missed(self.agents[ref], now)
        elif kind == "wrap":
            self._end_wrap(self.agents[ref], now)
        elif kind == "reoffer":
            self._touched_calls.append(self.calls[ref])
        elif kind == "escalate":
            self._escalate(self.calls[ref], now)
        elif kind == "maxwait":
            self._max_wait(self.calls[ref], now)
        elif kind == "prefer":
            self._unprefer(self.calls[ref], now, "timeout")

    def _escalate(self, call: Call, now: float) -> None:  # pragma: no cover - overridden
        raise NotImplementedError

    def _max_wait(self, call: Call, now: float) -> None:  # pragma: no cover - overridden
        raise NotImplementedError

    def _arm_call_timers(self, call: Call) -> None:  # pragma: no cover - overridden
        raise NotImplementedError

    def _unprefer(self, call: Call, now: float, reason: str) -> None:  # pragma: no cover - overridden
        raise NotImplementedError

    def _recheck_preference(self, call: Call, now: float) -> None:  # pragma: no cover - overridden
        raise NotImplementedError

    def _drop_preference(self, call: Call) -> None:
        """The preference is over without anything to say (answered by that agent, or the call ended)."""
        agent_id = call.preferred_agent
        if agent_id is None:
            return
        call.preferred_agent = None
        call.prefer_version += 1
        waiting = self.preferred.get(agent_id, {})
        waiting.pop(call.id, None)
        if not waiting:
            self.preferred.pop(agent_id, None)

    # -- agent helpers ----------------------------------------------------------------
    def _set_agent(self, agent: Agent, state: AgentState, now: float, reason: str | None = None) -> None:
        if agent.state is AgentState.AVAILABLE:
            self.available.remove(agent)
        self._emit(agent.move_to(state, now, reason))
        if state is AgentState.AVAILABLE:
            self.available.add(agent)
            self._touched_agents.append(agent)

    def _agent_done(self, agent: Agent, now: float) -> None:
        """Work is over: the not-ready the agent asked for while busy wins over available."""
        call_id = agent.call_id
        if agent.pending_not_ready is not None:
            reason, agent.pending_not_ready = agent.pending_not_ready, None
            self._set_agent(agent, AgentState.NOT_READY, now, reason)
        else:
            self._set_agent(agent, AgentState.AVAILABLE, now)
        if call_id is not None:
            self._maybe_retire(call_id)

    def _finish_talk(self, call: Call, agent: Agent, now: float, reason: str) -> None:
        """The agent's part of the conversation is over: count it, then wrap-up (or free them)."""
        talk, hold = call.talk_seconds(now), call.total_hold(now)
        agent.talk_today += talk
        if call.queue_id in self.queues:
            wrap = self.queues[call.queue_id].wrapup_seconds
        else:
            wrap = OUTBOUND_WRAPUP_SECONDS if call.outbound else 0.0
        self._emit(
            CallEnded(
                at=now,
                call_id=call.id,
                agent_id=agent.id,
                queue_id=call.queue_id,
                talk_seconds=talk,
                hold_seconds=hold,
                reason=reason,
                wrap_up=wrap > 0,
            ),
            call,
        )
        if wrap > 0:
            self._set_agent(agent, AgentState.WRAP_UP, now)
            agent.call_id = call.id
            agent.wrap_queue = call.queue_id
            agent.wrap_deadline = now + wrap
            self._schedule(agent.wrap_deadline, "wrap", agent.id, agent.timer_version)
            self._emit(
                WrapUpStarted(
                    at=now, agent_id=agent.id, call_id=call.id, queue_id=call.queue_id, deadline=agent.wrap_deadline
                )
            )
        else:
            agent.call_id = None
            self._agent_done(agent, now)

    def _end_wrap(self, agent: Agent, now: float) -> None:
        call_id = agent.call_id or ""
        self._emit(
            WrapUpEnded(
                at=now,
                agent_id=agent.id,
                call_id=call_id,
                queue_id=agent.wrap_queue,
                wrap_seconds=max(0.0, now - agent.since),
            )
        )
        self._agent_done(agent, now)

    # -- call helpers -----------------------------------------------------------------
    def _new_seq(self) -> int:
        return self._next("call")

    def _next(self, name: str) -> int:
        value = self.seqs[name]
        self.seqs[name] = value + 1
        return value

    def _put_waiting(self, call: Call) -> None:
        call.state = CallState.QUEUED
        call.agent_id = None
        call.offer_kind = None
        self.waiting.add(call)
        self._arm_call_timers(call)
        self._touched_calls.append(call)

    def _return_to_queue(self, call: Call, agent: Agent, now: float, why: str) -> None:
        """After a reject, a miss or a withdrawal: back to its place (original order), not to that agent soon."""
        delay = self.queue(call.queue_id).reoffer_delay_seconds
        if delay > 0:
            call.excluded[agent.id] = now + delay
            self._schedule(now + delay, "reoffer", call.id, 0)
        self._put_waiting(call)
        if call.preferred_agent == agent.id:
            self._unprefer(call, now, why)  # the agent asked for did not take it: anyone may now

    def _close(self, call: Call, state: CallState) -> None:
        if call.state is CallState.QUEUED:
            self.waiting.remove(call)
        call.state = state
        self._maybe_retire(call.id)

    def _maybe_retire(self, call_id: str) -> None:
        call = self.calls.get(call_id)
        if call is None or not call.state.final:
            return
        self._drop_preference(call)
        involved = [call.agent_id, call.consult_agent_id, *call.conference]
        if any(a is not None and a in self.agents and self.agents[a].call_id == call_id for a in involved):
            return
        del self.calls[call_id]
        self.finished[call_id] = call
        while len(self.finished) > self._keep_finished:
            self.finished.popitem(last=False)

    # -- offers -----------------------------------------------------------------------
    def _offer(self, call: Call, agent: Agent, now: float, kind: str) -> None:
        if call.state is CallState.QUEUED:
            self.waiting.remove(call)
        call.state = CallState.OFFERED
        call.agent_id = agent.id
        call.offer_kind = kind
        self._reserve(agent, call, now, kind)

    def _reserve(self, agent: Agent, call: Call, now: float, kind: str) -> None:
        self._set_agent(agent, AgentState.RESERVED, now)
        agent.call_id = call.id
        agent.offer_kind = kind
        agent.last_offer_seq[call.queue_id] = self._next("offer")
        cfg = self.queues.get(call.queue_id)
        deadline = now + (cfg.ring_timeout_seconds if cfg is not None else 15.0)
        self._schedule(deadline, "ring", agent.id, agent.timer_version)
        self._emit(
            CallOffered(
                at=now, call_id=call.id, agent_id=agent.id, queue_id=call.queue_id, kind=kind, ring_deadline=deadline
            ),
            call,
        )

    def _offer_missed(self, agent: Agent, now: float) -> None:
        call = self.calls[agent.call_id or ""]
        if agent.offer_kind == "consult":
            call.consult_agent_id = None
            self._emit(
                ConsultEnded(
                    at=now, call_id=call.id, agent_id=call.agent_id or "", target_agent_id=agent.id, outcome="missed"
                ),
                call,
            )
        else:
            self._emit(OfferMissed(at=now, call_id=call.id, agent_id=agent.id), call)
            self._return_to_queue(call, agent, now, "missed")
        # A missed offer makes the agent not-ready, as real ACDs do: they may have walked away.
        self._set_agent(agent, AgentState.NOT_READY, now, MISSED)

    def _best_agent(self, call: Call, now: float) -> Agent | None:
        strategy = self.queue(call.queue_id).strategy
        for pool in call.pools:
            for tier in self.available.tiers(pool):
                candidates = [a for a in tier if a.has_skills(call.signature) and not call.is_excluded(a.id, now)]
                if candidates:
                    return pick(strategy, candidates, call, call.queue_id, self._rng)
        return None

    def _preferred_call_for(self, agent: Agent, now: float) -> Call | None:
        """A free agent first takes the oldest call that waits for them by name (no one else may take it)."""
        waiting = self.preferred.get(agent.id)
        if not waiting:
            return None
        eligible = [c for c in waiting.values() if c.state is CallState.QUEUED and agent.has_skills(c.signature)]
        return min(eligible, key=lambda c: c.key, default=None)

    def _dispatch(self, now: float) -> None:
        """Match what changed: freed agents take their oldest eligible call, new waiters find an agent."""
        while self._touched_agents or self._touched_calls:
            if self._touched_agents:
                agent = self._touched_agents.popleft()
                if agent.state is AgentState.AVAILABLE:
                    found = self._preferred_call_for(agent, now) or self.waiting.best_for(agent, now)
                    if found is not None:
                        self._offer(found, agent, now, "callback" if found.is_callback else "queue")
                continue
            call = self._touched_calls.popleft()
            if call.state is CallState.QUEUED:
                chosen = self._best_agent(call, now)
                if chosen is not None:
                    self._offer(call, chosen, now, "callback" if call.is_callback else "queue")
