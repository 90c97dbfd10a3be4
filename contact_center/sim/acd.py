"""Discrete-event simulation of one queue on a virtual clock, through the real router and metrics.

Poisson arrivals; handling times exponential or lognormal (same mean, coefficient of
variation 1); patience exponential with the given mean, or infinite. Agents accept
offers at once and have no wrap-up, the M/M/N(+M) assumptions Erlang C and A make,
so the results can be compared with ``theory``. Arrivals stop after ``hours``; the
calls still in the system are then served (or abandon) so every offered call has an
outcome.
"""

from __future__ import annotations

import heapq
import itertools
import math
import random
from dataclasses import dataclass
from typing import Any, Literal

from contact_center.domain.acd import Acd, CallState, QueueConfig
from contact_center.domain.acd import commands as c
from contact_center.domain.acd.events import CallOffered, Event
from contact_center.domain.metrics import LiveMetrics, MetricsConfig
from contact_center.domain.metrics.agent_time import merge, occupancy
from contact_center.sim.theory import Prediction, erlang_a, erlang_c

QUEUE = "sim"


@dataclass(frozen=True, slots=True)
class SimParams:
    agents: int
    calls_per_hour: float
    aht_seconds: float
    hours: float
    sl_threshold_seconds: float = 20.0
    seed: int = 1
    aht_distribution: Literal["exponential", "lognormal"] = "exponential"
    patience_seconds: float | None = None
    short_abandon_seconds: float = 5.0

    def __post_init__(self) -> None:
        if self.agents < 1 or self.calls_per_hour <= 0 or self.aht_seconds <= 0 or self.hours <= 0:
            raise ValueError("agents, calls per hour, AHT and hours must be positive")
        if self.patience_seconds is not None and self.patience_seconds <= 0:
            raise ValueError("patience must be positive")


@dataclass(frozen=True, slots=True)
class SimResult:
    params: SimParams
    figures: dict[str, Any]
    metrics: LiveMetrics
    theory: Prediction | None


class _Run:
    def __init__(self, params: SimParams) -> None:
        self.p = params
        self.rng = random.Random(params.seed)
        queue = QueueConfig(QUEUE, sl_threshold_seconds=params.sl_threshold_seconds, wrapup_seconds=0.0)
        self.acd = Acd([queue], rng=random.Random(params.seed + 1), keep_finished=0)
        self.metrics = LiveMetrics(MetricsConfig(params.sl_threshold_seconds, params.short_abandon_seconds))
        self.pending: list[tuple[float, int, str, str]] = []  # time, seq, kind, call id
        self.seq = itertools.count()
        sigma2 = math.log(2.0)  # lognormal with CV 1: sigma^2 = ln(1 + CV^2)
        self.log_mu, self.log_sigma = math.log(params.aht_seconds) - sigma2 / 2, math.sqrt(sigma2)

    def service_time(self) -> float:
        if self.p.aht_distribution == "lognormal":
            return self.rng.lognormvariate(self.log_mu, self.log_sigma)
        return self.rng.expovariate(1.0 / self.p.aht_seconds)

    def at(self, when: float, kind: str, call_id: str) -> None:
        heapq.heappush(self.pending, (when, next(self.seq), kind, call_id))

    def feed(self, events: list[Event], now: float) -> None:
        for event in events:
            self.metrics.apply(event)
            if isinstance(event, CallOffered):
                self.feed(self.acd.handle(c.AcceptOffer(event.agent_id, event.call_id), now), now)
                self.at(now + self.service_time(), "end", event.call_id)

    def run(self) -> float:
        for i in range(self.p.agents):
            agent = f"agent-{i:04d}"
            self.feed(self.acd.handle(c.ConfigureAgent(agent, tiers={QUEUE: 1}), 0.0), 0.0)
            self.feed(self.acd.handle(c.LogIn(agent, ready=True), 0.0), 0.0)
        horizon = self.p.hours * 3600.0
        rate = self.p.calls_per_hour / 3600.0
        arrival = self.rng.expovariate(rate)
        arrivals = itertools.count()
        while arrival < horizon or self.pending:
            if arrival < horizon and (not self.pending or arrival <= self.pending[0][0]):
                now, call_id = arrival, f"call-{next(arrivals)}"
                arrival += self.rng.expovariate(rate)
                if self.p.patience_seconds is not None:
                    self.at(now + self.rng.expovariate(1.0 / self.p.patience_seconds), "abandon", call_id)
                self.feed(self.acd.handle(c.EnqueueCall(call_id, QUEUE), now), now)
                continue
            now, _, kind, call_id = heapq.heappop(self.pending)
            call = self.acd.calls.get(call_id)
            if kind == "end" and call is not None and call.state is CallState.CONNECTED:
                self.feed(self.acd.handle(c.EndCall(call_id), now), now)
            elif kind == "abandon" and call is not None and call.state is CallState.QUEUED:
                self.feed(self.acd.handle(c.AbandonCall(call_id), now), now)
        return horizon


def simulate(params: SimParams) -> SimResult:
    run = _Run(params)
    horizon = run.run()
    stats = run.metrics.report(0.0, math.inf).total
    busy = occupancy(merge(run.metrics.agent_time.time_by_state(0.0, horizon)))
    offered = stats.offered
    abandoned = stats.abandoned + stats.short_abandoned
    figures: dict[str, Any] = {
        "offered": offered,
        "answered": stats.answered,
        "abandoned": abandoned,
        "short_abandoned": stats.short_abandoned,
        "answered_within_threshold": stats.answered_within_threshold,
        "p_wait": stats.waited / offered if offered else None,
        "service_level": stats.service_level,
        "asa_seconds": stats.asa_seconds,
        "aht_seconds": stats.aht_seconds,
        "abandon_rate": abandoned / offered if offered else None,
        "occupancy": busy,
        "average_wait_seconds": stats.average_wait_seconds,
        "longest_wait_seconds": stats.longest_wait_seconds,
    }
    return SimResult(params, figures, run.metrics, predict(params))


def predict(params: SimParams) -> Prediction | None:
    """Erlang C (no abandonment) or Erlang A (exponential patience); None when the load has no steady state."""
    try:
        if params.patience_seconds is None:
            return erlang_c(params.agents, params.calls_per_hour, params.aht_seconds, params.sl_threshold_seconds)
        return erlang_a(
            params.agents,
            params.calls_per_hour,
            params.aht_seconds,
            params.patience_seconds,
            params.sl_threshold_seconds,
        )
    except ValueError:
        return None
