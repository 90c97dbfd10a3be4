"""Preferred agent: a call kept for the agent the caller asked for, for a while, then for anyone."""

from __future__ import annotations

from typing import Any

from contact_center.domain.acd import EscalationRule, QueueConfig
from contact_center.domain.acd import commands as c
from contact_center.domain.acd.events import PreferredAgentReleased, PreferredAgentWaiting


def _released(desk: Any) -> list[tuple[str, str, float]]:
    return [(e.call_id, e.reason, e.at) for e in desk.of_type(PreferredAgentReleased)]


def test_only_the_preferred_agent_is_offered_the_call_until_the_wait_passes(make_desk: Any) -> None:
    desk = make_desk(QueueConfig("q", preferred_wait_seconds=30))
    desk.agent("manager")
    desk.do(c.MakeNotReady("manager", "break"))  # logged in, busy with something else
    desk.agent("other")
    desk.call("c1", at=0, preferred_agent="manager")
    assert desk.acd.call("c1").state == "queued"  # "other" is free but not asked for
    waiting = desk.of_type(PreferredAgentWaiting)
    assert [(e.agent_id, e.until) for e in waiting] == [("manager", 30)]
    desk.tick(29)
    assert desk.acd.call("c1").state == "queued"
    desk.tick(30)
    assert desk.offered_to("c1") == "other"
    assert _released(desk) == [("c1", "timeout", 30)]
    trail = [type(e).__name__ for e in desk.acd.call("c1").trail]
    assert trail == ["CallQueued", "PreferredAgentWaiting", "PreferredAgentReleased", "CallOffered"]


def test_the_preferred_agent_gets_it_when_free_even_if_another_is_free_first(make_desk: Any) -> None:
    desk = make_desk(QueueConfig("q"))
    desk.agent("other")
    desk.agent("manager", ready=False)
    desk.call("old", at=0)  # taken by "other"
    desk.call("c1", at=1, preferred_agent="manager", preferred_wait_seconds=60)
    desk.call("c2", at=2)
    desk.do(c.MakeAvailable("manager"), at=10)
    assert desk.offered_to("c1") == "manager"  # their own caller first, before the older c2
    assert desk.offered_to("c2") is None


def test_offline_unknown_or_not_a_member_routes_normally_at_once(make_desk: Any) -> None:
    desk = make_desk(QueueConfig("q"), QueueConfig("sales"))
    desk.agent("a")
    desk.agent("b")
    desk.do(c.ConfigureAgent("offline-manager", tiers={"q": 1}))
    desk.agent("seller", tiers={"sales": 1}, ready=False)
    desk.call("c1", preferred_agent="offline-manager")
    desk.call("c2", preferred_agent="nobody")
    desk.call("c3", preferred_agent="seller")
    assert [r[:2] for r in _released(desk)] == [("c1", "offline"), ("c2", "unknown_agent"), ("c3", "not_in_queue")]
    assert desk.offered_to("c1") == "a" and desk.offered_to("c2") == "b"


def test_logout_reject_or_miss_by_the_preferred_agent_frees_the_call_for_others(make_desk: Any) -> None:
    desk = make_desk(QueueConfig("q", ring_timeout_seconds=10, reoffer_delay_seconds=60))
    desk.agent("manager")
    desk.agent("other", ready=False)
    desk.call("c1", at=0, preferred_agent="manager", preferred_wait_seconds=300)
    assert desk.offered_to("c1") == "manager"
    desk.do(c.RejectOffer("manager", "c1"), at=2)
    desk.do(c.MakeAvailable("other"), at=3)
    assert desk.offered_to("c1") == "other"
    desk.do(c.MakeNotReady("other", "break"), at=4)  # withdrawn from other, waits again (nobody asked for)

    desk.do(c.MakeAvailable("manager"), at=5)
    desk.call("c2", at=5, preferred_agent="manager", preferred_wait_seconds=300)
    assert desk.offered_to("c2") == "manager"
    desk.tick(15)  # missed
    desk.call("c3", at=16, preferred_agent="manager", preferred_wait_seconds=300)  # manager is not ready now
    desk.do(c.LogOut("manager"), at=20)
    assert [r[:2] for r in _released(desk)] == [("c1", "rejected"), ("c2", "missed"), ("c3", "logged_out")]


def test_a_move_or_a_reconfiguration_that_makes_the_agent_ineligible_releases_the_call(make_desk: Any) -> None:
    rules = (EscalationRule(10, "move", queue="general"),)
    desk = make_desk(QueueConfig("vip", escalation=rules), QueueConfig("general"))
    desk.agent("manager", tiers={"vip": 1}, ready=False)
    desk.agent("any", tiers={"general": 1})
    desk.call("c1", queue="vip", at=0, preferred_agent="manager", preferred_wait_seconds=100)
    desk.tick(10)
    assert desk.offered_to("c1") == "any"
    desk.call("c2", queue="vip", at=11, preferred_agent="manager", preferred_wait_seconds=100)
    desk.do(c.ConfigureAgent("manager", tiers={"general": 1}), at=12)
    assert [r[:2] for r in _released(desk)] == [("c1", "not_in_queue"), ("c2", "not_in_queue")]
    assert QueueConfig.from_mapping("q", {"preferred_wait_seconds": 45}).preferred_wait_seconds == 45
