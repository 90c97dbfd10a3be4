"""The reconciler heals states that have no live call leg behind them, with an audit trail."""

from __future__ import annotations

import random
from typing import Any

from contact_center.domain.acd import Acd, QueueConfig
from contact_center.domain.acd import commands as c
from contact_center.domain.acd.errors import InvalidTransition
from contact_center.domain.acd.events import CallAbandoned, Event, RepairFailed, StateRepaired
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


def test_not_ready_asked_while_busy_survives_a_repair(desk: Any) -> None:
    desk.agent("a")
    desk.call("c1")
    desk.answer("c1")
    desk.do(c.MakeNotReady("a", "lunch"))  # asked during the call: applies when the work ends
    desk.acd.calls.pop("c1")  # the call is gone without a trace (a lost node)
    events = reconcile(desk.acd, LiveLegs(calls=set()), 100)
    assert [(e.before, e.after) for e in events if isinstance(e, StateRepaired)] == [("on_call", "not_ready:lunch")]


def test_a_ringing_callback_is_not_taken_for_a_ghost(make_desk: Any) -> None:
    desk = make_desk(QueueConfig("q", ring_timeout_seconds=60))
    desk.agent("a", ready=False)
    desk.call("c1", at=0)
    desk.do(c.RequestCallback("c1", "+15551234567"), at=1)
    desk.do(c.MakeAvailable("a"), at=2)
    assert desk.state("a") == "reserved"
    events = reconcile(desk.acd, LiveLegs(calls=set()), 40)  # older than grace, still within its ring time
    assert events == []
    assert desk.acd.call("c1").state == "offered"


class RefusingAcd(Acd):
    """Refuses to abandon one call, as a repair that cannot be made would."""

    def handle(self, command: c.Command, now: float) -> list[Event]:
        if isinstance(command, c.AbandonCall) and command.call_id == "stubborn":
            raise InvalidTransition("cannot")
        return super().handle(command, now)


def test_one_failed_repair_does_not_stop_the_pass() -> None:
    acd = RefusingAcd([QueueConfig("q")], rng=random.Random(0))
    acd.handle(c.EnqueueCall("stubborn", "q"), 0)
    acd.handle(c.EnqueueCall("ghost", "q"), 1)
    events = reconcile(acd, LiveLegs(calls=set()), 50)
    assert [(e.subject_id, e.error) for e in events if isinstance(e, RepairFailed)] == [
        ("stubborn", "InvalidTransition: cannot")
    ]
    assert [e.subject_id for e in events if isinstance(e, StateRepaired)] == ["ghost"]


def test_consulted_agent_whose_leg_dropped_is_freed(desk: Any) -> None:
    desk.agent("a")
    desk.agent("b")
    desk.call("c1")
    desk.answer("c1")
    desk.do(c.StartConsult("c1", "b"), at=10)
    desk.do(c.AcceptOffer("b", "c1"), at=12)
    events = reconcile(desk.acd, LiveLegs(calls={"c1"}, agents={"a": "c1"}), 60)
    assert [e.reason for e in events if isinstance(e, StateRepaired)] == ["consulted agent's leg is gone"]
    assert desk.acd.call("c1").consult_agent_id is None and desk.acd.call("c1").agent_id == "a"
    assert desk.state("b") == "available"  # a consult has no wrap-up of its own


def test_conference_member_whose_leg_dropped_leaves_the_conference(desk: Any) -> None:
    desk.agent("a")
    desk.agent("b")
    desk.call("c1")
    desk.answer("c1")
    desk.do(c.StartConsult("c1", "b"))
    desk.do(c.AcceptOffer("b", "c1"))
    desk.do(c.StartConference("c1"))
    events = reconcile(desk.acd, LiveLegs(calls={"c1"}, agents={"b": "c1"}), 60)  # the owner's leg is gone
    assert [(e.subject_id, e.reason) for e in events if isinstance(e, StateRepaired)] == [
        ("a", "conference member's leg is gone")
    ]
    assert desk.acd.call("c1").agent_id == "b" and desk.acd.call("c1").conference == []


def test_a_waiting_callback_no_node_holds_is_canceled_not_rung_for_ever(desk: Any) -> None:
    from contact_center.domain.acd.commands import EnqueueCall
    from contact_center.domain.acd.events import CallbackCanceled

    desk.do(EnqueueCall("cb-lost", "q", callback_number="+14155550142"), at=0)
    held = reconcile(desk.acd, LiveLegs(calls=["cb-lost"], agents={}), 60.0, grace_seconds=10)
    assert not [e for e in held if isinstance(e, CallbackCanceled)]  # a node still has it
    gone = reconcile(desk.acd, LiveLegs(calls=[], agents={}), 61.0, grace_seconds=10)
    assert [e.call_id for e in gone if isinstance(e, CallbackCanceled)] == ["cb-lost"]
