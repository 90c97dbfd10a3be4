"""Agent time by state, occupancy, agents by state: folded from AgentStateChanged."""

from __future__ import annotations

import random

import pytest

from contact_center.domain.acd import Acd, QueueConfig
from contact_center.domain.acd import commands as c
from contact_center.domain.metrics import LiveMetrics


def test_occupancy_and_time_by_state_from_a_real_router_log() -> None:
    acd = Acd([QueueConfig("q", wrapup_seconds=20)], rng=random.Random(0))
    live = LiveMetrics(teams={"a": "red", "b": "red"})
    steps = [
        (0, c.ConfigureAgent("a", tiers={"q": 1})),
        (0, c.LogIn("a", ready=True)),
        (0, c.ConfigureAgent("b", tiers={"q": 1})),
        (0, c.LogIn("b", ready=False)),
        (100, c.EnqueueCall("c1", "q")),
        (100, c.AcceptOffer("a", "c1")),
        (160, c.EndCall("c1")),
        (200, c.MakeNotReady("a", "lunch")),
    ]
    for at, command in steps:
        live.apply_all(acd.handle(command, at))
    live.apply_all(acd.advance(180))
    times = live.agent_time.time_by_state(0, 300)
    assert times["a"] == {"available": 100 + 20, "on_call": 60, "wrap_up": 20, "not_ready:lunch": 100}
    assert times["b"] == {"not_ready:login": 300}
    report = live.report(0, 300)
    assert report.occupancy == pytest.approx(80 / 200)
    assert report.occupancy_by_agent["b"] is None  # never ready: no occupancy to speak of
    assert report.agents_by_state == {"not_ready:lunch": 1, "not_ready:login": 1}
    assert live.team_occupancy("red", 0, 300) == pytest.approx(80 / 200)
    assert report.total.aht_seconds == pytest.approx(60 + 20)
