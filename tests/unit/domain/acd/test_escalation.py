"""Escalation rules on wait time, maximum wait and maximum length, all on the call's trail."""

from __future__ import annotations

from typing import Any

from contact_center.domain.acd import EscalationRule, ExitAction, QueueConfig
from contact_center.domain.acd import commands as c
from contact_center.domain.acd.events import (
    CallbackOffered,
    CallbackRequested,
    CallEscalated,
    CallExited,
    CallMoved,
    RouteTargetUnknown,
    SupervisorAlerted,
)


def test_raise_priority_after_n_seconds_overtakes_newer_low_priority_calls(make_desk: Any) -> None:
    rules = (EscalationRule(30, "raise_priority", amount=5),)
    desk = make_desk(QueueConfig("slow", escalation=rules), QueueConfig("fast"))
    desk.agent("a", tiers={"slow": 1, "fast": 1}, ready=False)
    desk.call("s1", queue="slow", at=0, priority=0)
    desk.call("f1", queue="fast", at=10, priority=3)
    desk.tick(30)
    assert desk.acd.call("s1").priority == 5
    desk.do(c.MakeAvailable("a"), at=31)
    assert desk.offered_to("s1") == "a"
    escalated = [e for e in desk.acd.call("s1").trail if isinstance(e, CallEscalated)]
    assert escalated[0].action == "raise_priority" and escalated[0].detail == "priority 0 -> 5"


def test_relax_skills_lets_a_less_skilled_agent_answer(make_desk: Any) -> None:
    desk = make_desk(QueueConfig("q", escalation=(EscalationRule(20, "relax_skills", amount=2),)))
    desk.agent("junior", skills={"tech": 2})
    desk.call("c1", skills={"tech": 4})
    desk.tick(19)
    assert desk.acd.call("c1").state == "queued"
    desk.tick(20)
    assert desk.offered_to("c1") == "junior"


def test_widen_to_overflow_queue_agents_keeps_call_in_its_queue(make_desk: Any) -> None:
    desk = make_desk(
        QueueConfig("sales", overflow_queue="service", escalation=(EscalationRule(45, "widen"),)),
        QueueConfig("service"),
    )
    desk.agent("svc", tiers={"service": 1})
    desk.call("c1", queue="sales")
    desk.tick(44)
    assert desk.acd.call("c1").state == "queued"
    desk.tick(45)
    assert desk.offered_to("c1") == "svc"
    assert desk.acd.call("c1").queue_id == "sales"


def test_widened_call_is_taken_by_overflow_agent_who_frees_up_later(make_desk: Any) -> None:
    desk = make_desk(
        QueueConfig("sales", escalation=(EscalationRule(10, "widen", queue="service"),)), QueueConfig("service")
    )
    desk.agent("svc", tiers={"service": 1}, ready=False)
    desk.call("c1", queue="sales")
    desk.tick(10)
    desk.do(c.MakeAvailable("svc"), at=11)
    assert desk.offered_to("c1") == "svc"


def test_move_alert_and_offer_callback_in_order(make_desk: Any) -> None:
    rules = (
        EscalationRule(10, "alert", message="long wait"),
        EscalationRule(20, "offer_callback"),
        EscalationRule(30, "move", queue="other"),
    )
    desk = make_desk(QueueConfig("q", escalation=rules), QueueConfig("other"))
    desk.call("c1", at=0)
    desk.tick(100)
    call = desk.acd.call("c1")
    assert call.queue_id == "other"
    assert call.enqueued_at == 0  # moving keeps the place
    kinds = [type(e).__name__ for e in call.trail]
    assert kinds == [
        "CallQueued",
        "SupervisorAlerted",
        "CallEscalated",
        "CallbackOffered",
        "CallEscalated",
        "CallMoved",
        "CallEscalated",
    ]
    assert desk.of_type(SupervisorAlerted)[0].message == "long wait"
    assert desk.of_type(CallbackOffered)[0].at == 20
    assert desk.of_type(CallMoved)[0].at == 30


def test_escalation_clock_waits_while_offered(make_desk: Any) -> None:
    rules = (EscalationRule(10, "raise_priority", amount=1),)
    desk = make_desk(QueueConfig("q", escalation=rules, ring_timeout_seconds=5))
    desk.agent("a")
    desk.call("c1", at=0)
    desk.do(c.RejectOffer("a", "c1"), at=4)
    desk.tick(10)
    assert desk.acd.call("c1").priority == 1


def test_max_wait_exit_to_voicemail(make_desk: Any) -> None:
    desk = make_desk(QueueConfig("q", max_wait_seconds=60, exit_action=ExitAction("voicemail")))
    desk.call("c1", at=0)
    desk.tick(60)
    exited = desk.of_type(CallExited)
    assert [(e.call_id, e.reason, e.destination, e.wait_seconds) for e in exited] == [
        ("c1", "max_wait", "voicemail", 60)
    ]
    assert desk.acd.call("c1").state == "exited"


def test_max_wait_exit_to_callback_keeps_place(make_desk: Any) -> None:
    desk = make_desk(QueueConfig("q", max_wait_seconds=60, exit_action=ExitAction("callback")))
    desk.agent("a", ready=False)
    desk.call("c1", at=0, caller_number="+15551234567")
    desk.call("c2", at=30)
    desk.tick(60)
    assert desk.of_type(CallbackRequested)[0].reason == "max_wait"
    desk.do(c.MakeAvailable("a"), at=61)
    assert desk.offered_to("c1") == "a"


def test_max_length_exit_to_other_queue(make_desk: Any) -> None:
    desk = make_desk(
        QueueConfig("q", max_length=2, exit_action=ExitAction("queue", "spill")),
        QueueConfig("spill", max_length=1, exit_action=ExitAction("queue", "q")),
    )
    for i in range(5):
        desk.call(f"c{i}", at=float(i))
    assert desk.acd.waiting.length("q") == 2
    assert desk.acd.waiting.length("spill") == 1
    moved = desk.of_type(CallMoved)
    assert (moved[0].call_id, moved[0].to_queue, moved[0].reason) == ("c2", "spill", "queue_full")
    exits = desk.of_type(CallExited)  # both full: the chain loops back, so voicemail instead of ping-pong
    assert [(e.call_id, e.reason) for e in exits] == [("c3", "queue_full"), ("c4", "queue_full")]


def test_max_length_zero_sends_straight_to_exit(make_desk: Any) -> None:
    desk = make_desk(QueueConfig("closed", max_length=0, exit_action=ExitAction("disconnect")))
    desk.call("c1", queue="closed")
    assert desk.of_type(CallExited)[0].destination == "disconnect"


def test_move_to_an_unknown_queue_takes_the_exit_instead_and_says_why(make_desk: Any) -> None:
    rules = (EscalationRule(30, "move", queue="gone"),)
    desk = make_desk(QueueConfig("q", escalation=rules, exit_action=ExitAction("voicemail")))
    desk.call("c1", at=0)
    desk.tick(30)  # no exception: the target is checked before anything changes
    unknown = desk.of_type(RouteTargetUnknown)
    assert [(e.target_queue, e.source, e.fallback) for e in unknown] == [("gone", "escalation", "exit")]
    assert desk.of_type(CallExited)[0].reason == "move_failed"
    assert desk.acd.call("c1").state == "exited"
    assert desk.acd.waiting.length("q") == 0 and "c1" not in desk.acd.calls


def test_move_to_an_unknown_queue_with_no_usable_exit_keeps_waiting(make_desk: Any) -> None:
    rules = (EscalationRule(30, "move", queue="gone"), EscalationRule(40, "raise_priority", amount=1))
    desk = make_desk(QueueConfig("q", escalation=rules, exit_action=ExitAction("queue", "also-gone")))
    desk.agent("a", ready=False)
    desk.call("c1", at=0)
    desk.tick(45)
    assert desk.of_type(RouteTargetUnknown)[0].fallback == "waiting"
    assert desk.acd.call("c1").priority == 1  # the rules go on
    assert [c.id for c in desk.acd.waiting_calls("q")] == ["c1"]
    desk.do(c.MakeAvailable("a"), at=50)
    assert desk.offered_to("c1") == "a"  # not stranded


def test_exit_to_an_unknown_queue_keeps_the_caller_waiting(make_desk: Any) -> None:
    desk = make_desk(QueueConfig("q", max_wait_seconds=60, max_length=1, exit_action=ExitAction("queue", "gone")))
    desk.call("c1", at=0)
    desk.call("c2", at=1)  # full: the exit's queue is unknown, so c2 waits over the limit
    desk.tick(500)  # max wait: same, and it is not repeated
    unknown = desk.of_type(RouteTargetUnknown)
    assert [(e.call_id, e.source) for e in unknown] == [("c2", "queue_full"), ("c1", "max_wait"), ("c2", "max_wait")]
    assert [c.id for c in desk.acd.waiting_calls("q")] == ["c1", "c2"]


def test_reconfiguring_a_queue_with_fewer_rules_while_calls_wait(make_desk: Any) -> None:
    rules = (EscalationRule(10, "raise_priority", amount=1), EscalationRule(20, "raise_priority", amount=1))
    desk = make_desk(QueueConfig("q", escalation=rules))
    desk.call("c1", at=0)
    desk.tick(10)
    desk.acd.configure_queue(QueueConfig("q", escalation=rules[:1]))
    desk.tick(30)  # rule 1 no longer exists: nothing fires, nothing breaks
    assert desk.acd.call("c1").priority == 1
    desk.acd.configure_queue(QueueConfig("q", escalation=(*rules[:1], EscalationRule(60, "alert"))))
    desk.tick(59)
    assert not desk.of_type(SupervisorAlerted)
    desk.tick(60)
    assert desk.of_type(SupervisorAlerted)[0].at == 60  # the new rule at that place, on its own time
