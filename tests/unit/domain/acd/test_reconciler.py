"""The reconciler heals states that have no live call leg behind them, with an audit trail."""

from __future__ import annotations

from typing import Any

from contact_center.domain.acd import commands as c
from contact_center.domain.acd.events import CallAbandoned, StateRepaired
from contact_center.domain.acd.reconciler import LiveLegs, reconcile


def test_stuck_on_call_agent_is_healed(desk: Any) -> None:
    desk.agent("a")
    desk.call("c1")
    desk.answer("c1")
    assert reconcile(desk.acd, LiveLegs(calls={"c1"}), 100) == []
    events = reconcile(desk.acd, LiveLegs(calls=set()), 200)
    repairs = [e for e in events if isinstance(e, StateRepaired)]
    assert [(r.subject, r.subject_id, r.before, r.after) for r in repairs] == [("agent", "a", "on_call", "wrap_up")]
    assert desk.acd.call("c1").state == "ended"


def test_stuck_reserved_agent_and_ghost_waiting_call(desk: Any) -> None:
    desk.agent("a")
    desk.call("c1", at=0)
    desk.call("ghost", at=1)
    events = reconcile(desk.acd, LiveLegs(calls=set()), 12)
    repairs = [(e.subject, e.subject_id, e.after) for e in events if isinstance(e, StateRepaired)]
    assert repairs == [("call", "ghost", "abandoned"), ("agent", "a", "available")]
    assert {e.call_id for e in events if isinstance(e, CallAbandoned)} == {"c1", "ghost"}


def test_grace_period_protects_fresh_states(desk: Any) -> None:
    desk.agent("a")
    desk.call("c1", at=0)
    assert reconcile(desk.acd, LiveLegs(calls=set()), 5, grace_seconds=10) == []
    assert desk.state("a") == "reserved"


def test_dropped_agent_leg_requeues_the_customer(desk: Any) -> None:
    desk.agent("a")
    desk.call("c1")
    desk.answer("c1")
    events = reconcile(desk.acd, LiveLegs(calls={"c1"}, agents={}), 60)
    assert [e.reason for e in events if isinstance(e, StateRepaired)] == [
        "agent leg is gone, customer still on the line"
    ]
    assert desk.acd.call("c1").state == "queued"


def test_healthy_states_are_left_alone(desk: Any) -> None:
    desk.agent("a")
    desk.call("c1")
    desk.answer("c1")
    desk.do(c.MakeNotReady("a", "break"))
    assert reconcile(desk.acd, LiveLegs(calls={"c1"}, agents={"a": "c1"}), 500) == []
