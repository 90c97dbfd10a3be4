"""Transfers and conference hooks as state transitions with events."""

from __future__ import annotations

from typing import Any

import pytest

from contact_center.domain.acd import EscalationRule, QueueConfig
from contact_center.domain.acd import commands as c
from contact_center.domain.acd.errors import InvalidTransition
from contact_center.domain.acd.events import CallEnded, CallEscalated, CallQueued, CallTransferred, ConsultEnded


def _connected(desk: Any, call_id: str = "c1", agent: str = "a") -> None:
    desk.call(call_id)
    assert desk.offered_to(call_id) == agent
    desk.answer(call_id)


def test_blind_transfer_to_queue(make_desk: Any) -> None:
    desk = make_desk(QueueConfig("q", wrapup_seconds=10), QueueConfig("billing"))
    desk.agent("a")
    desk.agent("b", tiers={"billing": 1})
    _connected(desk)
    desk.do(c.BlindTransfer("c1", queue_id="billing"), at=60)
    assert desk.state("a") == "wrap_up"
    assert desk.offered_to("c1") == "b"
    queued = desk.of_type(CallQueued)
    assert [(e.queue_id, e.reason) for e in queued] == [("q", "new"), ("billing", "transfer")]
    assert desk.of_type(CallEnded)[0].talk_seconds == 60


def test_blind_transfer_to_an_agent_and_back_to_queue_when_missed(make_desk: Any) -> None:
    desk = make_desk(QueueConfig("q", ring_timeout_seconds=10))
    desk.agent("a")
    desk.agent("b", ready=False)
    _connected(desk)
    with pytest.raises(InvalidTransition):
        desk.do(c.BlindTransfer("c1", agent_id="b"))  # b is not available
    desk.do(c.MakeAvailable("b"))
    desk.do(c.BlindTransfer("c1", agent_id="b"), at=20)
    assert desk.offers()[-1] == ("c1", "b")
    desk.tick(30)
    assert desk.state("b") == "not_ready:missed"
    assert desk.acd.call("c1").state == "queued"


def test_warm_transfer(desk: Any) -> None:
    desk.agent("a")
    desk.agent("b")
    _connected(desk)
    desk.do(c.StartConsult("c1", "b"), at=10)
    assert desk.state("b") == "reserved"
    desk.do(c.AcceptOffer("b", "c1"), at=12)
    desk.do(c.CompleteTransfer("c1"), at=30)
    assert desk.acd.call("c1").agent_id == "b"
    assert desk.state("a") == "wrap_up" and desk.state("b") == "on_call"
    assert desk.of_type(CallTransferred)[0].kind == "warm"
    desk.do(c.EndCall("c1"), at=90)
    ended = desk.of_type(CallEnded)
    assert [(e.agent_id, e.talk_seconds) for e in ended] == [("a", 30), ("b", 60)]


def test_consult_canceled_or_declined(desk: Any) -> None:
    desk.agent("a")
    desk.agent("b")
    _connected(desk)
    desk.do(c.StartConsult("c1", "b"))
    desk.do(c.RejectOffer("b", "c1"))
    desk.do(c.StartConsult("c1", "b"))
    desk.do(c.AcceptOffer("b", "c1"))
    desk.do(c.CancelConsult("c1"))
    assert [e.outcome for e in desk.of_type(ConsultEnded)] == ["declined", "canceled"]
    assert desk.state("b") == "available"
    assert desk.acd.call("c1").agent_id == "a"


def test_conference_then_owner_leaves(desk: Any) -> None:
    desk.agent("a")
    desk.agent("b")
    _connected(desk)
    desk.do(c.StartConsult("c1", "b"))
    desk.do(c.AcceptOffer("b", "c1"))
    desk.do(c.StartConference("c1"), at=5)
    desk.do(c.LeaveConference("c1", "a"), at=40)
    assert desk.acd.call("c1").agent_id == "b"
    desk.do(c.EndCall("c1"), at=100)
    assert desk.state("b") == "wrap_up"


def test_agent_hang_up_before_customer_requeues_at_original_place(desk: Any) -> None:
    desk.agent("a")
    _connected(desk)
    desk.call("c2", at=5)
    desk.do(c.AgentHungUp("c1"), at=30)
    assert [call.id for call in desk.acd.waiting_calls("q")] == ["c1", "c2"]
    assert desk.of_type(CallQueued)[-1].reason == "agent_hangup"
    assert desk.state("a") == "wrap_up"


def test_requeue_does_not_fire_escalation_rules_again(make_desk: Any) -> None:
    rules = (EscalationRule(10, "raise_priority", amount=2), EscalationRule(100, "alert"))
    desk = make_desk(QueueConfig("q", escalation=rules))
    desk.agent("a", ready=False)
    desk.call("c1", at=0)
    desk.tick(10)
    assert desk.acd.call("c1").priority == 2
    desk.do(c.MakeAvailable("a"), at=20)
    desk.answer("c1")
    desk.do(c.AgentHungUp("c1"), at=30)  # back in the same queue
    desk.tick(90)
    assert desk.acd.call("c1").priority == 2  # raised once, not twice
    desk.tick(130)
    assert [e.rule_index for e in desk.of_type(CallEscalated)] == [0, 1]  # the next rule, timed from re-entry


def test_blind_transfer_back_to_the_queue_keeps_relaxed_skills(make_desk: Any) -> None:
    desk = make_desk(QueueConfig("q", escalation=(EscalationRule(10, "relax_skills", amount=2),)))
    desk.agent("junior", skills={"fr": 1}, ready=False)
    desk.call("c1", at=0, skills={"fr": 3})
    desk.tick(10)
    desk.do(c.MakeAvailable("junior"), at=11)
    desk.answer("c1")
    desk.do(c.BlindTransfer("c1", queue_id="q"), at=40)
    assert desk.acd.call("c1").signature == (("fr", 1),)  # the relaxation stays; the rule did not fire again
    assert len(desk.of_type(CallEscalated)) == 1
