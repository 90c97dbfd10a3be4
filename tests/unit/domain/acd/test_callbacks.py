"""Callbacks keep the caller's place: neither jumping ahead nor falling behind."""

from __future__ import annotations

from typing import Any

import pytest

from contact_center.domain.acd import commands as c
from contact_center.domain.acd.errors import InvalidTransition
from contact_center.domain.acd.events import CallAnswered, CallbackPlaced, CallOffered


def test_callback_keeps_its_original_place(desk: Any) -> None:
    desk.agent("a", ready=False)
    desk.call("first", at=0)
    desk.call("cb", at=10)
    desk.call("later", at=20)
    desk.do(c.RequestCallback("cb", "+33123456789"), at=30)
    desk.call("latest", at=40)
    assert [call.id for call in desk.acd.waiting_calls("q")] == ["first", "cb", "later", "latest"]
    served = []
    for i in range(4):
        desk.do(c.MakeAvailable("a"), at=50 + 10 * i)
        call_id = desk.acd.agent("a").call_id
        served.append(call_id)
        desk.answer(call_id)
        desk.do(c.MakeNotReady("a", "pause"))  # applied after the wrap-up
        desk.do(c.EndCall(call_id), at=55 + 10 * i)
        desk.do(c.FinishWrapUp("a"))
    assert served == ["first", "cb", "later", "latest"]


def test_callback_turn_reserves_an_agent_then_places_the_call(desk: Any) -> None:
    desk.agent("a", ready=False)
    desk.call("cb", at=0)
    desk.do(c.RequestCallback("cb", "+15550001111"), at=5)
    desk.do(c.MakeAvailable("a"), at=100)
    offer = desk.of_type(CallOffered)[-1]
    assert (offer.kind, offer.agent_id) == ("callback", "a")
    assert desk.state("a") == "reserved"
    desk.answer("cb")
    placed = desk.of_type(CallbackPlaced)
    assert [(e.call_id, e.agent_id, e.number) for e in placed] == [("cb", "a", "+15550001111")]
    assert desk.of_type(CallAnswered)[0].wait_seconds == 100


def test_callback_cannot_be_abandoned_but_can_be_canceled(desk: Any) -> None:
    desk.call("cb")
    desk.do(c.RequestCallback("cb", "+15550001111"))
    with pytest.raises(InvalidTransition):
        desk.do(c.AbandonCall("cb"))
    desk.do(c.CancelCallback("cb"), at=10)
    assert desk.acd.call("cb").state == "canceled"
    assert desk.acd.waiting.length("q") == 0


def test_callback_not_subject_to_max_wait(make_desk: Any) -> None:
    from contact_center.domain.acd import QueueConfig

    desk = make_desk(QueueConfig("q", max_wait_seconds=30))
    desk.call("cb", at=0)
    desk.do(c.RequestCallback("cb", "+15550001111"), at=10)
    desk.tick(1000)
    assert desk.acd.call("cb").state == "queued"


def test_a_call_enqueued_as_a_callback_waits_as_one_from_the_start(desk: Any) -> None:
    from contact_center.domain.acd.events import CallbackRequested

    desk.agent("a", ready=True)
    events = desk.do(c.EnqueueCall("cb1", "q", callback_number="+14155550142"), at=5)
    assert any(isinstance(e, CallbackRequested) and e.reason == "scheduled" for e in events)
    offered = [e for e in events if isinstance(e, CallOffered)]
    assert [(e.call_id, e.kind) for e in offered] == [("cb1", "callback")]
    placed = [e for e in desk.do(c.AcceptOffer("a", "cb1"), at=6) if isinstance(e, CallbackPlaced)]
    assert [p.number for p in placed] == ["+14155550142"]
