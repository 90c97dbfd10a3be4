"""The simulator, run through the real router and metrics, against queueing theory.

Tolerances are sampling error, measured: over 10 seeds of 50-hour runs (about 20,000
calls each) the standard deviations were, for Erlang C (400 calls/h, AHT 180 s, 24
agents): P(wait) 0.020, SL20 0.018, ASA 2.2 s; for Erlang A (480 calls/h, patience
120 s): P(wait) 0.015, SL20 0.011, ASA 0.52 s, abandon rate 0.0036. Waits in a queue
are strongly autocorrelated, which is why the ASA spread is so much wider than
sqrt(n) would suggest. Standard deviations shrink with the square root of the run
length; each tolerance below is about 3.2 of those deviations for the run length
used, so a correct engine passes for almost every seed (the seeds are fixed, the
tests are deterministic) while a modelling error of one agent (23 agents: P(wait)
0.46, ASA 30 s) or a wrong service-level formula fails by far.
"""

from __future__ import annotations

import math

import pytest

from contact_center.sim.acd import SimParams, simulate
from contact_center.sim.theory import erlang_a, erlang_c


def test_erlang_c_reference_values() -> None:
    p = erlang_c(24, 400, 180, 20)
    assert p.p_wait == pytest.approx(0.298, abs=0.001)
    assert p.service_level == pytest.approx(0.809, abs=0.001)
    assert p.asa_seconds == pytest.approx(13.4, abs=0.05)
    assert p.occupancy == pytest.approx(20 / 24)


def test_erlang_a_tends_to_erlang_c_as_patience_grows_and_is_consistent() -> None:
    c, a = erlang_c(24, 400, 180, 20), erlang_a(24, 400, 180, 1e7, 20)
    assert (a.p_wait, a.service_level, a.asa_seconds) == pytest.approx(
        (c.p_wait, c.service_level, c.asa_seconds), rel=1e-3
    )
    # Little's law on the abandoning callers checks the chain: abandon rate = theta * E[queue] / lambda,
    # and the carried load equals the occupancy times the agents.
    impatient = erlang_a(10, 300, 120, 60, 20)
    assert 0 < impatient.abandon_rate < 1
    assert impatient.occupancy == pytest.approx(300 / 3600 * 120 * (1 - impatient.abandon_rate) / 10)


def test_simulator_agrees_with_erlang_c() -> None:
    result = simulate(SimParams(agents=24, calls_per_hour=400, aht_seconds=180, hours=100, seed=11))
    f, theory = result.figures, erlang_c(24, 400, 180, 20)
    assert f["offered"] >= 20_000
    assert f["answered"] == f["offered"] and f["abandoned"] == 0
    assert f["p_wait"] == pytest.approx(theory.p_wait, abs=0.045)
    assert f["service_level"] == pytest.approx(theory.service_level, abs=0.04)
    assert f["asa_seconds"] == pytest.approx(theory.asa_seconds, abs=5.0)
    assert f["aht_seconds"] == pytest.approx(180, rel=0.03)  # exponential: sd 180 / sqrt(40,000) ~ 0.5 %
    assert f["occupancy"] == pytest.approx(theory.occupancy, abs=0.015)
    assert f["answered_within_threshold"] / f["answered"] == pytest.approx(f["service_level"])


def test_simulator_agrees_with_erlang_a() -> None:
    result = simulate(SimParams(agents=24, calls_per_hour=480, aht_seconds=180, hours=60, seed=5, patience_seconds=120))
    f, theory = result.figures, erlang_a(24, 480, 180, 120, 20)
    assert f["offered"] >= 20_000
    assert f["answered"] + f["abandoned"] == f["offered"]
    assert 0 < f["short_abandoned"] < f["abandoned"]
    assert f["p_wait"] == pytest.approx(theory.p_wait, abs=0.045)
    assert f["service_level"] == pytest.approx(theory.service_level, abs=0.035)
    assert f["asa_seconds"] == pytest.approx(theory.asa_seconds, abs=1.6)
    assert f["abandon_rate"] == pytest.approx(theory.abandon_rate, abs=0.011)
    assert f["occupancy"] == pytest.approx(theory.occupancy, abs=0.015)


def test_same_seed_same_run_and_lognormal_keeps_the_mean() -> None:
    params = SimParams(agents=5, calls_per_hour=80, aht_seconds=180, hours=8, seed=3, aht_distribution="lognormal")
    first, second = simulate(params).figures, simulate(params).figures
    assert first == second
    assert math.isclose(first["aht_seconds"], 180, rel_tol=0.15)  # ~640 calls, CV 1: sd of the mean ~4 %
