"""A supervisor moves a waiting call to another queue or changes its priority: the call keeps its place,
the change is on its trail, and anything else is refused without changing a thing."""

from __future__ import annotations

from typing import Any

import pytest

from contact_center.domain.acd import QueueConfig
from contact_center.domain.acd import commands as c
from contact_center.domain.acd.errors import InvalidTransition, NoSuchCall, NoSuchQueue
from contact_center.domain.acd.events import CallbackOffered, CallMoved, CallReprioritized


def test_a_moved_call_keeps_its_place_and_is_offered_by_the_new_queue(make_desk: Any) -> None:
    desk = make_desk(QueueConfig("sales"), QueueConfig("billing"))
    desk.agent("b", tiers={"billing": 1}, ready=False)
    desk.call("old", queue="sales", at=0)
    desk.call("newer", queue="billing", at=50)
    events = desk.do(c.MoveCall("old", "billing"), at=60)
    assert [(e.from_queue, e.to_queue, e.reason) for e in events if isinstance(e, CallMoved)] == [
        ("sales", "billing", "supervisor")
    ]
    desk.do(c.MakeAvailable("b"), at=61)
    assert desk.offered_to("old") == "b"  # it waited longest, so it goes first in its new queue


def test_a_higher_priority_goes_first(make_desk: Any) -> None:
    desk = make_desk(QueueConfig("q"))
    desk.agent("a", ready=False)
    desk.call("first", at=0)
    desk.call("second", at=10)
    events = desk.do(c.SetCallPriority("second", 5), at=20)
    assert [(e.old, e.new) for e in events if isinstance(e, CallReprioritized)] == [(0, 5)]
    assert desk.do(c.SetCallPriority("second", 5), at=21) == []  # no change: nothing said
    desk.do(c.MakeAvailable("a"), at=22)
    assert desk.offered_to("second") == "a"


def test_what_cannot_be_moved_is_refused_and_nothing_changes(make_desk: Any) -> None:
    desk = make_desk(QueueConfig("q"), QueueConfig("r"))
    desk.call("c1", at=0)
    with pytest.raises(NoSuchQueue):
        desk.do(c.MoveCall("c1", "nowhere"))
    with pytest.raises(InvalidTransition):
        desk.do(c.MoveCall("c1", "q"))
    with pytest.raises(NoSuchCall):
        desk.do(c.SetCallPriority("c-none", 3))
    with pytest.raises(InvalidTransition):
        desk.do(c.SetCallPriority("c1", 5000))
    assert desk.acd.call("c1").queue_id == "q" and desk.acd.call("c1").priority == 0
    desk.agent("a")
    with pytest.raises(InvalidTransition):  # ringing an agent: not waiting any more
        desk.do(c.MoveCall("c1", "r"))


def test_a_waiting_caller_with_a_number_is_offered_a_callback(make_desk: Any) -> None:
    desk = make_desk(QueueConfig("q"))
    desk.call("known", at=0, caller_number="+14155550142")
    desk.call("withheld", at=0)
    events = desk.do(c.OfferCallback("known"), at=5)
    assert [e.call_id for e in events if isinstance(e, CallbackOffered)] == ["known"]
    with pytest.raises(InvalidTransition):
        desk.do(c.OfferCallback("withheld"))
