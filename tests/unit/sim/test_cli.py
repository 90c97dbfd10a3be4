"""`contact-center simulate acd`: the flags and JSON keys outside checks rely on."""

from __future__ import annotations

import json

import pytest

from contact_center.cli import main

KEYS = {
    "offered",
    "answered",
    "abandoned",
    "answered_within_threshold",
    "p_wait",
    "service_level",
    "asa_seconds",
    "aht_seconds",
    "abandon_rate",
    "occupancy",
}


def test_simulate_acd_prints_one_json_object(capsys: pytest.CaptureFixture[str]) -> None:
    status = main(
        [
            "simulate",
            "acd",
            "--agents",
            "10",
            "--calls-per-hour",
            "150",
            "--aht",
            "180",
            "--aht-distribution",
            "lognormal",
            "--patience",
            "60",
            "--hours",
            "2",
            "--sl-threshold",
            "20",
            "--seed",
            "4",
            "--json",
        ]
    )
    assert status == 0
    out = json.loads(capsys.readouterr().out)
    assert set(out) >= KEYS
    assert out["offered"] == out["answered"] + out["abandoned"]
    assert out["abandon_rate"] == pytest.approx(out["abandoned"] / out["offered"])
    assert 0 <= out["service_level"] <= 1 and 0 <= out["p_wait"] <= 1


def test_bad_parameters_exit_with_status_2(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["simulate", "acd", "--agents", "0", "--calls-per-hour", "1", "--aht", "1", "--hours", "1"]) == 2
    assert "positive" in capsys.readouterr().err
