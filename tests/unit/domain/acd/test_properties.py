"""Property tests: under any order of events, no call is lost, duplicated or offered twice,
no agent ever holds two offers, no call is offered again to an agent who turned it down before
the queue's re-offer delay, and no call waits while a free agent could take it."""

from __future__ import annotations

import json
import random
from collections.abc import Callable

from hypothesis import given, settings
from hypothesis import strategies as st

from contact_center.domain.acd import Acd, AgentState, CallState, EscalationRule, ExitAction, QueueConfig, snapshot
from contact_center.domain.acd import commands as c
from contact_center.domain.acd.errors import AcdError
from contact_center.domain.acd.events import (
    AgentStateChanged,
    CallAnswered,
    CallOffered,
    CallQueued,
    Event,
    OfferMissed,
    OfferRejected,
    OfferWithdrawn,
)
from contact_center.domain.acd.reconciler import LiveLegs, reconcile

QUEUES = (
    QueueConfig(
        "a",
        ring_timeout_seconds=10,
        wrapup_seconds=5,
        reoffer_delay_seconds=8,
        escalation=(EscalationRule(15, "widen", queue="b"), EscalationRule(25, "relax_skills")),
    ),
    QueueConfig(
        "b",
        strategy="skills_best_match",
        ring_timeout_seconds=7,
        wrapup_seconds=0,
        max_length=3,
        exit_action=ExitAction("queue", "c"),
    ),
    QueueConfig("c", strategy="random", max_wait_seconds=40, exit_action=ExitAction("callback"), wrapup_seconds=3),
)
AGENTS = {
    "x": ({"s": 3}, {"a": 1, "b": 2}),
    "y": ({"s": 1}, {"a": 2, "c": 1}),
    "z": ({}, {"b": 1, "c": 1}),
    "w": ({"s": 5}, {"a": 1, "b": 1, "c": 2}),
}
CALLS = [f"k{i}" for i in range(8)]
DELAYS = {q.id: q.reoffer_delay_seconds for q in QUEUES}
TIERS: tuple[dict[str, int], ...] = ({"a": 1}, {"b": 1, "c": 2}, {"a": 2, "b": 1, "c": 1}, {})

agent_ids = st.sampled_from(sorted(AGENTS))
call_ids = st.sampled_from(CALLS)
queue_ids = st.sampled_from(["a", "b", "c"])
ops = st.one_of(  # a few listed twice or three times: drawn more often, so consults get answered and completed
    st.tuples(st.just("enqueue"), call_ids, queue_ids, st.integers(0, 2), st.integers(0, 3)),
    st.tuples(st.just("abandon"), call_ids),
    st.tuples(st.just("accept"), agent_ids),
    st.tuples(st.just("accept"), agent_ids),
    st.tuples(st.just("accept"), agent_ids),
    st.tuples(st.just("reject"), agent_ids),
    st.tuples(st.just("end"), call_ids),
    st.tuples(st.just("agent_hangup"), call_ids),
    st.tuples(st.just("transfer"), call_ids, queue_ids),
    st.tuples(st.just("callback"), call_ids),
    st.tuples(st.just("available"), agent_ids),
    st.tuples(st.just("not_ready"), agent_ids),
    st.tuples(st.just("finish_wrap"), agent_ids),
    st.tuples(st.just("logout"), agent_ids),
    st.tuples(st.just("login"), agent_ids, st.booleans()),
    st.tuples(st.just("tick"), st.floats(0.0, 20.0)),
    st.tuples(st.just("prefer"), call_ids, queue_ids, agent_ids, st.sampled_from([None, 0.0, 12.0])),
    st.tuples(st.just("consult"), call_ids, agent_ids),
    st.tuples(st.just("complete_transfer"), call_ids),
    st.tuples(st.just("complete_transfer"), call_ids),
    st.tuples(st.just("cancel_consult"), call_ids),
    st.tuples(st.just("conference"), call_ids),
    st.tuples(st.just("conference"), call_ids),
    st.tuples(st.just("leave_conference"), call_ids, agent_ids),
    st.tuples(st.just("cancel_callback"), call_ids),
    st.tuples(st.just("transfer_agent"), call_ids, agent_ids),
    st.tuples(st.just("hold"), call_ids),
    st.tuples(st.just("resume"), call_ids),
    st.tuples(st.just("extend_wrap"), agent_ids, st.sampled_from([-1.0, 5.0, 30.0])),
    st.tuples(st.just("configure"), agent_ids, st.integers(0, 5), st.integers(0, len(TIERS) - 1)),
    st.tuples(st.just("reconcile"), st.sets(call_ids), st.sets(agent_ids) | st.none(), st.sampled_from([0.0, 6.0])),
)


SIMPLE_CALL_COMMANDS = {
    "complete_transfer": c.CompleteTransfer,
    "cancel_consult": c.CancelConsult,
    "conference": c.StartConference,
    "cancel_callback": c.CancelCallback,
    "hold": c.HoldCall,
    "resume": c.ResumeCall,
}


def _more_commands(op: tuple) -> c.Command | None:  # type: ignore[type-arg]
    kind = op[0]
    if kind == "prefer":
        return c.EnqueueCall(op[1], op[2], skills={"s": 1}, preferred_agent=op[3], preferred_wait_seconds=op[4])
    if kind in SIMPLE_CALL_COMMANDS:
        return SIMPLE_CALL_COMMANDS[kind](op[1])
    if kind == "consult":
        return c.StartConsult(op[1], op[2])
    if kind == "leave_conference":
        return c.LeaveConference(op[1], op[2])
    if kind == "transfer_agent":
        return c.BlindTransfer(op[1], agent_id=op[2])
    if kind == "extend_wrap":
        return c.ExtendWrapUp(op[1], op[2])
    if kind == "configure":
        return c.ConfigureAgent(op[1], skills={"s": op[2]}, tiers=TIERS[op[3]])
    return None


def _command(acd: Acd, op: tuple) -> c.Command | None:  # type: ignore[type-arg]
    kind = op[0]
    more = _more_commands(op)
    if more is not None:
        return more
    if kind == "enqueue":
        return c.EnqueueCall(op[1], op[2], priority=op[3], skills={"s": op[4]}, caller_number="+100")
    if kind in ("abandon", "end", "agent_hangup", "callback", "transfer"):
        if kind == "abandon":
            return c.AbandonCall(op[1])
        if kind == "end":
            return c.EndCall(op[1])
        if kind == "agent_hangup":
            return c.AgentHungUp(op[1])
        if kind == "callback":
            return c.RequestCallback(op[1], "+100")
        return c.BlindTransfer(op[1], queue_id=op[2])
    if kind in ("accept", "reject"):
        offered = acd.agents[op[1]].call_id or ""
        return c.AcceptOffer(op[1], offered) if kind == "accept" else c.RejectOffer(op[1], offered)
    simple = {"available": c.MakeAvailable, "finish_wrap": c.FinishWrapUp, "logout": c.LogOut}
    if kind in simple:
        return simple[kind](op[1])
    if kind == "not_ready":
        return c.MakeNotReady(op[1], "break")
    if kind == "login":
        return c.LogIn(op[1], ready=op[2])
    return None


def _candidates(acd: Acd, kind: str, slot: int) -> list[str] | None:
    """Ids for which the command makes sense now (slot 1 = the op's first id, 2 = its second)."""
    calls, agents = acd.calls.values(), acd.agents.values()
    S, C = AgentState, CallState
    if slot == 1 and kind in ("accept", "reject"):
        return [a.id for a in agents if a.state is S.RESERVED]
    if slot == 1 and kind in ("finish_wrap", "extend_wrap"):
        return [a.id for a in agents if a.state is S.WRAP_UP]
    if slot == 1 and kind in ("end", "agent_hangup", "transfer", "hold", "resume", "consult", "transfer_agent"):
        return [k.id for k in calls if k.state is C.CONNECTED]
    if slot == 1 and kind in ("complete_transfer", "cancel_consult", "conference"):
        return [k.id for k in calls if k.consult_agent_id is not None]
    if slot == 1 and kind == "leave_conference":
        return [k.id for k in calls if k.conference]
    if slot == 1 and kind == "abandon":
        return [k.id for k in calls if k.state in (C.QUEUED, C.OFFERED) and not k.is_callback]
    if slot == 1 and kind == "callback":
        return [k.id for k in calls if k.state is C.QUEUED and not k.is_callback]
    if slot == 1 and kind == "cancel_callback":
        return [k.id for k in calls if k.is_callback]
    if slot == 2 and kind in ("consult", "transfer_agent"):
        return [a.id for a in agents if a.state is S.AVAILABLE]
    return None


def _steer(acd: Acd, op: tuple) -> tuple:  # type: ignore[type-arg]
    """Most random commands would be refused; point each id at one for which the command makes sense."""
    out = list(op)
    for slot in (1, 2):
        found = _candidates(acd, op[0], slot)
        if found and isinstance(out[slot], str):
            pool = CALLS if out[slot] in CALLS else sorted(AGENTS)
            out[slot] = sorted(found)[pool.index(out[slot]) % len(found)]
    if op[0] == "leave_conference" and out[1] in acd.calls:
        call = acd.calls[out[1]]
        members = [call.agent_id or "", *call.conference]
        out[2] = members[sorted(AGENTS).index(op[2]) % len(members)]
    return tuple(out)


class OfferAudit:
    """Replays the event log: an offer while the call or the agent already has one is a double offer."""

    def __init__(self) -> None:
        self.holding: dict[str, str] = {}  # agent -> call with a ringing offer
        self.answers: dict[str, int] = {}
        self.queued: dict[str, int] = {}
        self.offered_in: dict[str, str] = {}  # call -> queue of its last offer
        self.not_before: dict[tuple[str, str], float] = {}  # (call, agent) -> earliest instant of a new offer

    def feed(self, events: list[Event]) -> None:
        for e in events:
            if isinstance(e, AgentStateChanged) and e.old == "reserved":
                self.holding.pop(e.agent_id, None)
            elif isinstance(e, OfferRejected | OfferMissed | OfferWithdrawn):
                delay = DELAYS[self.offered_in[e.call_id]]
                self.not_before[(e.call_id, e.agent_id)] = e.at + delay
            elif isinstance(e, CallOffered):
                assert e.agent_id not in self.holding, f"{e.agent_id} got a second offer"
                assert e.call_id not in self.holding.values(), f"{e.call_id} offered twice"
                if e.kind in ("queue", "callback"):  # routing's choice (a transfer or consult names the agent)
                    until = self.not_before.get((e.call_id, e.agent_id), float("-inf"))
                    assert e.at >= until, f"{e.call_id} re-offered to {e.agent_id} at {e.at}, before {until}"
                self.offered_in[e.call_id] = e.queue_id
                self.holding[e.agent_id] = e.call_id
            elif isinstance(e, CallQueued):
                self.queued[e.call_id] = self.queued.get(e.call_id, 0) + 1
                if e.reason == "new":  # the id of a call that finished may come back as a new call
                    self.not_before = {k: v for k, v in self.not_before.items() if k[0] != e.call_id}
            elif isinstance(e, CallAnswered):
                self.answers[e.call_id] = self.answers.get(e.call_id, 0) + 1
                assert self.answers[e.call_id] <= self.queued[e.call_id], f"{e.call_id} answered twice in a visit"


def check_invariants(acd: Acd, enqueued: set[str], now: float) -> None:
    # No call lost or duplicated: each known call is in exactly one place, with one state.
    assert not set(acd.calls) & set(acd.finished)
    assert enqueued == set(acd.calls) | set(acd.finished)
    waiting = {call.id for call in acd.waiting.all_waiting()}
    assert waiting == {cid for cid, call in acd.calls.items() if call.state is CallState.QUEUED}
    assert acd.waiting.live == sum(len(call.pools) for call in acd.waiting.all_waiting())
    holders: dict[str, str] = {}
    for agent in acd.agents.values():
        if agent.state is AgentState.RESERVED and agent.offer_kind == "consult":
            call = acd.calls[agent.call_id or ""]
            assert call.state is CallState.CONNECTED and call.consult_agent_id == agent.id
        elif agent.state is AgentState.RESERVED:
            call = acd.calls[agent.call_id or ""]
            assert call.id not in holders, f"{call.id} held by {holders[call.id]} and {agent.id}"
            holders[call.id] = agent.id
            assert call.state is CallState.OFFERED and call.agent_id == agent.id
        if agent.state is AgentState.ON_CALL:
            call = acd.calls[agent.call_id or ""]
            assert call.state is CallState.CONNECTED
            assert agent.id == call.agent_id or agent.id in call.conference or agent.id == call.consult_agent_id
    for agent_id, kept in acd.preferred.items():
        assert kept and all(call.preferred_agent == agent_id and call.id in acd.calls for call in kept.values())
    for call in acd.calls.values():
        if call.state is CallState.OFFERED:
            assert holders.get(call.id) == call.agent_id
        if call.state is CallState.QUEUED:
            # Work conservation: no free agent who may take this call is left idle.
            for agent in acd.agents.values():
                if agent.state is AgentState.AVAILABLE and any(p in agent.tiers for p in call.pools):
                    assert not agent.has_skills(call.signature) or call.is_excluded(agent.id, now), (call, agent)


def _action(acd: Acd, op: tuple, now: float) -> Callable[[Acd], list[Event]]:  # type: ignore[type-arg]
    """The step as a function of the engine, so that a restored twin can take exactly the same one."""
    if op[0] == "tick":
        return lambda engine: engine.advance(now)
    if op[0] == "reconcile":
        legs = LiveLegs(calls=op[1], agents=None if op[2] is None else {a: acd.agents[a].call_id or "" for a in op[2]})
        return lambda engine: reconcile(engine, legs, now, grace_seconds=op[3])
    command = _command(acd, op)
    assert command is not None

    def run(engine: Acd) -> list[Event]:
        try:
            return engine.handle(command, now)
        except AcdError:
            return engine.advance(now)  # a refused command changes nothing; due timers still fire

    return run


@settings(max_examples=400, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 3), ops), min_size=20, max_size=80), st.integers(0, 2**16), st.integers(0, 80))
def test_no_call_lost_duplicated_or_offered_twice(steps: list[tuple], seed: int, snapshot_at: int) -> None:  # type: ignore[type-arg]
    acd = Acd(QUEUES, rng=random.Random(seed))
    audit = OfferAudit()
    now = 0.0
    for agent_id, (skills, tiers) in AGENTS.items():
        audit.feed(acd.handle(c.ConfigureAgent(agent_id, skills=skills, tiers=tiers), now))
        audit.feed(acd.handle(c.LogIn(agent_id, ready=True), now))
    enqueued: set[str] = set()
    twin: Acd | None = None  # restored from a snapshot mid-run: must then do exactly what acd does
    for i, (steer, raw) in enumerate(steps):
        if i == snapshot_at:
            twin = snapshot.restore(json.loads(json.dumps(snapshot.dump(acd))))
        op = _steer(acd, raw) if steer else raw  # a quarter stay as drawn: refused commands must change nothing
        now += 0.5 + (op[1] if op[0] == "tick" else 0.0)
        step = _action(acd, op, now)
        events = step(acd)
        audit.feed(events)
        if twin is not None:
            assert step(twin) == events
        if op[0] in ("enqueue", "prefer"):
            enqueued.add(op[1])
        check_invariants(acd, enqueued, now)
    if twin is not None:
        assert snapshot.dump(twin) == snapshot.dump(acd)
