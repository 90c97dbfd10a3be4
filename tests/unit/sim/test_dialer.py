"""`contact-center simulate dialer`: the flags and JSON keys outside checks rely on, the accounting that
must always add up, and what predictive buys over progressive at the rules' limit."""

from __future__ import annotations

import json

import pytest

from contact_center.cli import main
from contact_center.sim.dialer import DialerParams, simulate_dialer

KEYS = {"dialed", "answered_live", "connected", "abandoned", "abandon_rate", "occupancy", "connects_per_agent_hour"}


def test_simulate_dialer_prints_one_json_object_that_adds_up(capsys: pytest.CaptureFixture[str]) -> None:
    argv = [
        "simulate",
        "dialer",
        "--agents",
        "10",
        "--mode",
        "predictive",
        "--live-answer-rate",
        "0.3",
        "--aht",
        "120",
        "--hours",
        "2",
        "--target-abandon",
        "0.02",
        "--seed",
        "4",
        "--json",
    ]
    assert main(argv) == 0
    result = json.loads(capsys.readouterr().out)
    assert set(result) >= KEYS
    assert result["connected"] + result["abandoned"] == result["answered_live"]
    assert result["abandon_rate"] == pytest.approx(result["abandoned"] / result["answered_live"], abs=1e-5)


@pytest.mark.parametrize("mode", ["preview", "progressive", "predictive"])
def test_every_mode_adds_up_and_a_seed_repeats_the_day(mode: str) -> None:
    params = DialerParams(agents=8, mode=mode, live_answer_rate=0.35, aht_seconds=150, hours=1.5, seed=3)  # type: ignore[arg-type]
    result = simulate_dialer(params)
    assert result == simulate_dialer(params)
    assert result["connected"] + result["abandoned"] == result["answered_live"] <= result["dialed"]
    assert 0 < result["occupancy"] < 1
    if mode != "predictive":
        assert result["abandoned"] == 0  # an agent waits for every line dialled for them


def test_predictive_keeps_agents_busier_than_progressive_and_under_the_cap_in_every_window() -> None:
    day = {"agents": 25, "live_answer_rate": 0.3, "aht_seconds": 180.0, "hours": 8.0, "seed": 1}
    progressive = simulate_dialer(DialerParams(mode="progressive", **day))  # type: ignore[arg-type]
    predictive = simulate_dialer(DialerParams(mode="predictive", **day))  # type: ignore[arg-type]
    assert predictive["occupancy"] > progressive["occupancy"] + 0.04
    assert predictive["worst_24h_abandon_rate"] < 0.03 and predictive["abandon_rate"] <= 0.025 + 0.002


def test_bad_flags_say_what_to_fix(capsys: pytest.CaptureFixture[str]) -> None:
    argv = [
        "simulate",
        "dialer",
        "--agents",
        "0",
        "--mode",
        "predictive",
        "--live-answer-rate",
        "0.3",
        "--aht",
        "120",
        "--hours",
        "2",
    ]
    assert main(argv) == 2 and "--agents must be at least 1" in capsys.readouterr().err
    argv[3], argv[7] = "5", "1.5"
    assert main(argv) == 2 and "--live-answer-rate" in capsys.readouterr().err


def test_occupancy_is_over_the_shift_and_a_call_running_past_its_end_is_overtime() -> None:
    # One agent, everyone answers within 20 s, calls of ten hours on average, a three-minute shift: the agent
    # is busy from the first answer to the end of the shift. The rest of that call is overtime, not time
    # the agent sat idle waiting for a dialer that had stopped.
    params = DialerParams(agents=1, mode="progressive", live_answer_rate=1.0, aht_seconds=36000, hours=0.05, seed=2)
    result = simulate_dialer(params)
    assert result["connected"] == 1
    assert 160 / 180 <= result["occupancy"] <= 175 / 180


def test_bench_dialer_prints_both_modes_and_whether_the_goal_is_met(capsys: pytest.CaptureFixture[str]) -> None:
    argv = ["bench", "dialer", "--agents", "5", "--hours", "0.5", "--seeds", "2", "--workers", "1", "--json"]
    assert main(argv) == 0
    summary = json.loads(capsys.readouterr().out)
    assert {"progressive", "predictive", "goal_met"} <= set(summary)
    assert summary["progressive"]["days"] == summary["predictive"]["days"] == 2
    assert summary["progressive"]["abandon_rate_max"] == 0
    assert main(["bench", "dialer", "--seeds", "0"]) == 2
    assert "--seeds" in capsys.readouterr().err
