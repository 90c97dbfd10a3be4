"""Property tests: under any order of events, no call is lost, duplicated or offered twice,
and no agent ever holds two offers; no call waits while a free agent could take it."""

from __future__ import annotations

import random

from hypothesis import given, settings
from hypothesis import strategies as st

from contact_center.domain.acd import Acd, AgentState, CallState, EscalationRule, ExitAction, QueueConfig
from contact_center.domain.acd import commands as c
from contact_center.domain.acd.errors import AcdError
from contact_center.domain.acd.events import AgentStateChanged, CallAnswered, CallOffered, CallQueued, Event

QUEUES = (
    QueueConfig("a", ring_timeout_seconds=10, wrapup_seconds=5, reoffer_delay_seconds=8,
                escalation=(EscalationRule(15, "widen", queue="b"), EscalationRule(25, "relax_skills"))),
    QueueConfig("b", strategy="skills_best_match", ring_timeout_seconds=7, wrapup_seconds=0, max_length=3,
                exit_action=ExitAction("queue", "c")),
    QueueConfig("c", strategy="random", max_wait_seconds=40, exit_action=ExitAction("callback"), wrapup_seconds=3),
)  # fmt: skip
AGENTS = {
    "x": ({"s": 3}, {"a": 1, "b": 2}),
    "y": ({"s": 1}, {"a": 2, "c": 1}),
    "z": ({}, {"b": 1, "c": 1}),
    "w": ({"s": 5}, {"a": 1, "b": 1, "c": 2}),
}
CALLS = [f"k{i}" for i in range(8)]

agent_ids = st.sampled_from(sorted(AGENTS))
call_ids = st.sampled_from(CALLS)
queue_ids = st.sampled_from(["a", "b", "c"])
ops = st.one_of(
    st.tuples(st.just("enqueue"), call_ids, queue_ids, st.integers(0, 2), st.integers(0, 3)),
    st.tuples(st.just("abandon"), call_ids),
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
)


def _command(acd: Acd, op: tuple) -> c.Command | None:  # type: ignore[type-arg]
    kind = op[0]
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


class OfferAudit:
    """Replays the event log: an offer while the call or the agent already has one is a double offer."""

    def __init__(self) -> None:
        self.holding: dict[str, str] = {}  # agent -> call with a ringing offer
        self.answers: dict[str, int] = {}
        self.queued: dict[str, int] = {}

    def feed(self, events: list[Event]) -> None:
        for e in events:
            if isinstance(e, AgentStateChanged) and e.old == "reserved":
                self.holding.pop(e.agent_id, None)
            elif isinstance(e, CallOffered):
                assert e.agent_id not in self.holding, f"{e.agent_id} got a second offer"
                assert e.call_id not in self.holding.values(), f"{e.call_id} offered twice"
                self.holding[e.agent_id] = e.call_id
            elif isinstance(e, CallQueued):
                self.queued[e.call_id] = self.queued.get(e.call_id, 0) + 1
            elif isinstance(e, CallAnswered):
                self.answers[e.call_id] = self.answers.get(e.call_id, 0) + 1
                assert self.answers[e.call_id] <= self.queued[e.call_id], f"{e.call_id} answered twice in a visit"


def check_invariants(acd: Acd, enqueued: set[str], now: float) -> None:
    # No call lost or duplicated: each known call is in exactly one place, with one state.
    assert not set(acd.calls) & set(acd.finished)
    assert enqueued == set(acd.calls) | set(acd.finished)
    waiting = {call.id for call in acd.waiting.all_waiting()}
    assert waiting == {cid for cid, call in acd.calls.items() if call.state is CallState.QUEUED}
    holders: dict[str, str] = {}
    for agent in acd.agents.values():
        if agent.state is AgentState.RESERVED:
            call = acd.calls[agent.call_id or ""]
            assert call.id not in holders, f"{call.id} held by {holders[call.id]} and {agent.id}"
            holders[call.id] = agent.id
            assert call.state is CallState.OFFERED and call.agent_id == agent.id
        if agent.state is AgentState.ON_CALL:
            call = acd.calls[agent.call_id or ""]
            assert call.state is CallState.CONNECTED
            assert agent.id == call.agent_id or agent.id in call.conference or agent.id == call.consult_agent_id
    for call in acd.calls.values():
        if call.state is CallState.OFFERED:
            assert holders.get(call.id) == call.agent_id
        if call.state is CallState.QUEUED:
            # Work conservation: no free agent who may take this call is left idle.
            for agent in acd.agents.values():
                if agent.state is AgentState.AVAILABLE and any(p in agent.tiers for p in call.pools):
                    assert not agent.has_skills(call.signature) or call.is_excluded(agent.id, now), (call, agent)


@settings(max_examples=300, deadline=None)
@given(st.lists(ops, min_size=1, max_size=60), st.integers(0, 2**16))
def test_no_call_lost_duplicated_or_offered_twice(steps: list[tuple], seed: int) -> None:  # type: ignore[type-arg]
    acd = Acd(QUEUES, rng=random.Random(seed))
    audit = OfferAudit()
    now = 0.0
    for agent_id, (skills, tiers) in AGENTS.items():
        audit.feed(acd.handle(c.ConfigureAgent(agent_id, skills=skills, tiers=tiers), now))
        audit.feed(acd.handle(c.LogIn(agent_id, ready=True), now))
    enqueued: set[str] = set()
    for op in steps:
        now += 0.5
        if op[0] == "tick":
            now += op[1]
            audit.feed(acd.advance(now))
        else:
            command = _command(acd, op)
            assert command is not None
            try:
                audit.feed(acd.handle(command, now))
            except AcdError:
                audit.feed(acd.advance(now))  # a refused command changes nothing; due timers still fire
            if isinstance(command, c.EnqueueCall):
                enqueued.add(command.call_id)
        check_invariants(acd, enqueued, now)
