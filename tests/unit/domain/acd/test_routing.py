"""Queues and strategies: who gets the call, and which call an agent gets."""

from __future__ import annotations

from typing import Any

import pytest

from contact_center.domain.acd import QueueConfig
from contact_center.domain.acd import commands as c
from contact_center.domain.acd.errors import DuplicateCall, NoSuchQueue


def _busy_then_free(desk: Any, order: list[str]) -> None:
    """Make agents available one after another (so longest idle = first in ``order``)."""
    for i, agent in enumerate(order):
        desk.do(c.MakeAvailable(agent), at=float(i))


def test_longest_idle_is_the_default(make_desk: Any) -> None:
    desk = make_desk(QueueConfig("q"))
    for a in ("a", "b", "c"):
        desk.agent(a, ready=False)
    _busy_then_free(desk, ["b", "c", "a"])
    desk.call("c1", at=10)
    assert desk.offered_to("c1") == "b"


def test_round_robin_rotates_through_agents(make_desk: Any) -> None:
    desk = make_desk(QueueConfig("q", strategy="round_robin", wrapup_seconds=0))
    for a in ("a", "b", "c"):
        desk.agent(a)
    got = []
    for i in range(6):
        desk.call(f"c{i}", at=float(i))
        got.append(desk.offered_to(f"c{i}"))
        desk.answer(f"c{i}")
        desk.do(c.EndCall(f"c{i}"))
    assert got == ["a", "b", "c", "a", "b", "c"]


def test_fewest_calls_today(make_desk: Any) -> None:
    desk = make_desk(QueueConfig("q", strategy="fewest_calls", wrapup_seconds=0))
    desk.agent("a")
    desk.agent("b", ready=False)
    for i in range(2):
        desk.call(f"x{i}", at=float(i))
        desk.answer(f"x{i}")
        desk.do(c.EndCall(f"x{i}"))
    desk.do(c.MakeAvailable("b"), at=5)  # b idles less long than a, but has taken no call
    desk.call("c1", at=6)
    assert desk.offered_to("c1") == "b"
    desk.do(c.ResetDailyCounters())
    assert desk.acd.agent("a").calls_today == 0
    desk.do(c.ResetDailyCounters(calls={"b": 3}, talk_seconds={"b": 90.0}))  # as the day's log says
    assert (desk.acd.agent("b").calls_today, desk.acd.agent("b").talk_today) == (3, 90.0)
    assert desk.acd.agent("a").calls_today == 0


def test_least_talk_time(make_desk: Any) -> None:
    desk = make_desk(QueueConfig("q", strategy="least_talk_time", wrapup_seconds=0))
    desk.agent("a")
    desk.agent("b")
    desk.call("long", at=0)  # a (longest idle, ties by id) talks 300 s
    desk.answer("long")
    desk.call("short", at=1)  # b talks 10 s
    desk.answer("short")
    desk.do(c.EndCall("short"), at=11)
    desk.do(c.EndCall("long"), at=300)
    desk.call("next", at=400)
    assert desk.offered_to("next") == "b"
    desk.answer("next")
    desk.do(c.EndCall("next"), at=401)  # a is now the longest idle, but b has far less talk time
    desk.call("again", at=500)
    assert desk.offered_to("again") == "b"


def test_skills_best_match_prefers_highest_proficiency_then_longest_idle(make_desk: Any) -> None:
    desk = make_desk(QueueConfig("q", strategy="skills_best_match"))
    desk.agent("low", skills={"fr": 2}, ready=False)
    desk.agent("high1", skills={"fr": 5}, ready=False)
    desk.agent("high2", skills={"fr": 5}, ready=False)
    _busy_then_free(desk, ["low", "high2", "high1"])
    desk.call("c1", at=10, skills={"fr": 1})
    assert desk.offered_to("c1") == "high2"


def test_random_strategy_is_reproducible_with_the_injected_rng(make_desk: Any) -> None:
    picks = []
    for _ in range(2):
        desk = make_desk(QueueConfig("q", strategy="random"), seed=42)
        for a in "abcdefgh":
            desk.agent(a)
        desk.call("c1")
        picks.append(desk.offered_to("c1"))
    assert picks[0] == picks[1]
    spread = set()
    for seed in range(30):
        desk = make_desk(QueueConfig("q", strategy="random"), seed=seed)
        for a in "abcd":
            desk.agent(a)
        desk.call("c1")
        spread.add(desk.offered_to("c1"))
    assert len(spread) > 1


def test_lower_tier_only_when_higher_tier_has_no_one_free(make_desk: Any) -> None:
    desk = make_desk(QueueConfig("q"))
    desk.agent("backup", tiers={"q": 2})
    desk.agent("main", tiers={"q": 1})
    desk.call("c1", at=1)
    assert desk.offered_to("c1") == "main"  # although backup idled longer
    desk.call("c2", at=2)
    assert desk.offered_to("c2") == "backup"


def test_priority_first_then_fifo(desk: Any) -> None:
    desk.agent("a", ready=False)
    desk.call("low-old", at=0, priority=0)
    desk.call("high-new", at=1, priority=5)
    desk.call("low-new", at=2, priority=0)
    desk.call("high-newer", at=3, priority=5)
    assert [call.id for call in desk.acd.waiting_calls("q")] == ["high-new", "high-newer", "low-old", "low-new"]
    desk.do(c.MakeAvailable("a"), at=4)
    assert desk.offered_to("high-new") == "a"


def test_required_skills_with_minimum_levels(make_desk: Any) -> None:
    desk = make_desk(QueueConfig("q", required_skills={"billing": 2}))
    desk.agent("novice", skills={"billing": 1, "es": 5})
    desk.agent("expert", skills={"billing": 4})
    desk.call("c1", skills={"es": 3})
    assert desk.acd.call("c1").state == "queued"  # expert lacks Spanish, novice lacks billing level
    desk.call("c2")
    assert desk.offered_to("c2") == "expert"


def test_agent_serving_several_queues_gets_oldest_eligible_call_among_them(make_desk: Any) -> None:
    desk = make_desk(QueueConfig("alpha"), QueueConfig("beta"), QueueConfig("zeta"))
    desk.agent("a", tiers={"alpha": 1, "beta": 1, "zeta": 1}, ready=False)
    desk.call("z-old", queue="zeta", at=1)
    desk.call("a-new", queue="alpha", at=2)
    desk.call("b-vip", queue="beta", at=3, priority=9)
    desk.do(c.MakeAvailable("a"), at=4)
    assert desk.offered_to("b-vip") == "a"  # priority first, across queues
    desk.answer("b-vip")
    desk.do(c.EndCall("b-vip"), at=5)
    desk.do(c.FinishWrapUp("a"), at=6)
    assert desk.offered_to("z-old") == "a"  # then the oldest, whichever queue is checked first


def test_rejected_call_goes_to_another_agent_and_rejecting_agent_takes_the_next(make_desk: Any) -> None:
    desk = make_desk(QueueConfig("q"))
    desk.agent("a")
    desk.agent("b", ready=False)
    desk.call("c1", at=1)
    desk.call("c2", at=2)
    desk.do(c.MakeAvailable("b"), at=3)
    assert desk.offers() == [("c1", "a"), ("c2", "b")]
    desk.do(c.RejectOffer("a", "c1"), at=4)
    assert desk.acd.call("c1").state == "queued"
    assert desk.state("a") == "available"  # nothing else waits for a, c1 is not offered back to a yet


def test_unknown_queue_and_duplicate_call_are_refused(desk: Any) -> None:
    with pytest.raises(NoSuchQueue):
        desk.call("c1", queue="nope")
    desk.call("c1")
    with pytest.raises(DuplicateCall):
        desk.call("c1")


def test_skill_change_of_a_free_agent_reroutes(desk: Any) -> None:
    desk.agent("a")
    desk.call("c1", skills={"de": 3})
    assert desk.acd.call("c1").state == "queued"
    desk.do(c.ConfigureAgent("a", skills={"de": 3}, tiers={"q": 1}))
    assert desk.offered_to("c1") == "a"


def test_a_reoffer_wakeup_survives_the_call_ringing_elsewhere_meanwhile(make_desk: Any) -> None:
    desk = make_desk(QueueConfig("q", reoffer_delay_seconds=30, ring_timeout_seconds=60))
    desk.agent("x")
    desk.agent("y", ready=False)
    desk.call("c1", at=0)
    desk.do(c.RejectOffer("x", "c1"), at=1)  # x may have it again from 31
    desk.do(c.MakeAvailable("y"), at=2)
    assert desk.offered_to("c1") == "y"
    assert desk.acd.next_deadline() == 31  # asking when to wake must not drop the wake-up at 31
    desk.do(c.RejectOffer("y", "c1"), at=5)
    desk.tick(31)
    assert desk.offered_to("c1") == "x"
