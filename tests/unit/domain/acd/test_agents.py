"""Agent states: every change an event with a timestamp, time counted, rules of not-ready and misses."""

from __future__ import annotations

from typing import Any

import pytest

from contact_center.domain.acd import QueueConfig
from contact_center.domain.acd import commands as c
from contact_center.domain.acd.errors import InvalidTransition, NoSuchAgent
from contact_center.domain.acd.events import AgentStateChanged, OfferMissed, WrapUpEnded, WrapUpExtended


def test_every_state_change_is_a_timestamped_event_and_time_is_counted(desk: Any) -> None:
    desk.agent("a", ready=False)
    desk.do(c.MakeAvailable("a"), at=10)
    desk.do(c.MakeNotReady("a", "lunch"), at=25)
    desk.do(c.MakeAvailable("a"), at=85)
    changes = desk.of_type(AgentStateChanged)
    assert [(e.at, e.old, e.new) for e in changes] == [
        (0, "offline", "not_ready"),
        (10, "not_ready:login", "available"),
        (25, "available", "not_ready"),
        (85, "not_ready:lunch", "available"),
    ]
    assert changes[2].reason == "lunch"
    agent = desk.acd.agent("a")
    assert agent.time_in("not_ready:lunch", 100) == 60
    assert agent.time_in("available", 100) == 15 + 15
    assert desk.acd.agents_by_state() == {"available": 1}


def test_full_cycle_offer_talk_wrap_up_with_extension(make_desk: Any) -> None:
    desk = make_desk(QueueConfig("q", wrapup_seconds=30))
    desk.agent("a")
    desk.do(c.EnqueueCall("c1", "q"), at=5)
    assert desk.state("a") == "reserved"
    desk.answer("c1")
    assert desk.state("a") == "on_call"
    desk.do(c.EndCall("c1"), at=65)
    assert desk.state("a") == "wrap_up"
    assert desk.acd.next_deadline() == 95
    desk.do(c.ExtendWrapUp("a", 20), at=90)
    assert desk.of_type(WrapUpExtended)[0].deadline == 115
    desk.tick(100)
    assert desk.state("a") == "wrap_up"  # the extension moved the deadline
    desk.tick(115)
    assert desk.state("a") == "available"
    assert desk.of_type(WrapUpEnded)[0].wrap_seconds == 50
    assert desk.acd.agent("a").calls_today == 1


def test_ring_timeout_returns_call_to_queue_and_makes_agent_not_ready_missed(make_desk: Any) -> None:
    desk = make_desk(QueueConfig("q", ring_timeout_seconds=10))
    desk.agent("a")
    desk.call("c1")
    desk.tick(9.9)
    assert desk.state("a") == "reserved"
    desk.tick(10)
    assert desk.state("a") == "not_ready:missed"
    assert desk.acd.call("c1").state == "queued"
    assert desk.of_type(OfferMissed)[0].agent_id == "a"
    with pytest.raises(InvalidTransition):
        desk.do(c.AcceptOffer("a", "c1"))  # too late


def test_accept_after_the_deadline_is_refused_even_without_a_tick(make_desk: Any) -> None:
    desk = make_desk(QueueConfig("q", ring_timeout_seconds=10))
    desk.agent("a")
    desk.call("c1")
    with pytest.raises(InvalidTransition):
        desk.do(c.AcceptOffer("a", "c1"), at=11)
    # The miss that the late accept revealed is not lost: it comes with the next result.
    assert any(isinstance(e, OfferMissed) for e in desk.tick(11))


def test_not_ready_asked_while_busy_applies_when_work_ends(make_desk: Any) -> None:
    desk = make_desk(QueueConfig("q", wrapup_seconds=10))
    desk.agent("a")
    desk.call("c1")
    desk.answer("c1")
    desk.do(c.MakeNotReady("a", "break"), at=5)
    assert desk.state("a") == "on_call"
    desk.do(c.EndCall("c1"), at=20)
    desk.call("c2", at=21)
    desk.tick(30)
    assert desk.state("a") == "not_ready:break"
    assert desk.acd.call("c2").state == "queued"  # never offered to an agent on break


def test_chosen_not_ready_is_never_overridden_by_routing(desk: Any) -> None:
    desk.agent("a")
    desk.do(c.MakeNotReady("a", "training"))
    for i in range(5):
        desk.call(f"c{i}", at=i)
    desk.tick(1000)
    assert desk.state("a") == "not_ready:training"
    assert desk.offers() == []


def test_logout_rules(desk: Any) -> None:
    desk.agent("a")
    desk.call("c1")
    desk.do(c.LogOut("a"))  # while ringing: the offer is withdrawn, the call waits again
    assert desk.state("a") == "offline"
    assert desk.acd.call("c1").state == "queued"
    desk.do(c.LogIn("a", ready=True), at=100)
    desk.answer("c1")
    with pytest.raises(InvalidTransition):
        desk.do(c.LogOut("a"))
    with pytest.raises(NoSuchAgent):
        desk.do(c.LogIn("nobody"))


def test_offline_agent_cannot_go_available(desk: Any) -> None:
    desk.do(c.ConfigureAgent("a", tiers={"q": 1}))
    with pytest.raises(InvalidTransition):
        desk.do(c.MakeAvailable("a"))


def test_reject_keeps_agent_available_but_not_reoffered_straight_away(make_desk: Any) -> None:
    desk = make_desk(QueueConfig("q", reoffer_delay_seconds=30))
    desk.agent("a")
    desk.call("c1")
    desk.do(c.RejectOffer("a", "c1"), at=2)
    assert desk.state("a") == "available"
    assert desk.acd.call("c1").state == "queued"
    desk.tick(31.9)
    assert desk.offers() == [("c1", "a")]
    desk.tick(32)  # the delay is over and nobody else could take it
    assert desk.offers() == [("c1", "a"), ("c1", "a")]
