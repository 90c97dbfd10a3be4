"""Queueing theory the simulator is checked against, with the standard library only.

Erlang C (M/M/N, callers never leave) in closed form; Erlang A (M/M/N+M, exponential
patience) from the exact birth-death chain, truncated where its tail is negligible.
Service level follows the default formula of the metrics: answered within T divided
by (answered + abandoned after T).
"""

from __future__ import annotations

import math
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Prediction:
    model: str
    p_wait: float  # probability that an arriving caller has to wait
    service_level: float
    asa_seconds: float  # mean wait of the answered callers
    abandon_rate: float
    occupancy: float


def erlang_c(agents: int, calls_per_hour: float, aht_seconds: float, sl_threshold_seconds: float) -> Prediction:
    lam, mu = calls_per_hour / 3600.0, 1.0 / aht_seconds
    load = lam / mu
    if load >= agents:
        raise ValueError(f"offered load {load:.2f} erlangs needs more than {agents} agents (no steady state)")
    blocking = 1.0  # Erlang B by its stable recursion, then Erlang C from it
    for k in range(1, agents + 1):
        blocking = load * blocking / (k + load * blocking)
    p_wait = agents * blocking / (agents - load * (1.0 - blocking))
    drain = agents * mu - lam
    return Prediction(
        model="erlang_c",
        p_wait=p_wait,
        service_level=1.0 - p_wait * math.exp(-drain * sl_threshold_seconds),
        asa_seconds=p_wait / drain,
        abandon_rate=0.0,
        occupancy=load / agents,
    )


def erlang_a(
    agents: int, calls_per_hour: float, aht_seconds: float, patience_seconds: float, sl_threshold_seconds: float
) -> Prediction:
    lam, mu, theta = calls_per_hour / 3600.0, 1.0 / aht_seconds, 1.0 / patience_seconds
    n_mu = agents * mu
    # Stationary distribution of the number in system, in logs to survive large loads.
    logs = [0.0]
    n = 0
    while True:
        n += 1
        rate_out = min(n, agents) * mu + max(n - agents, 0) * theta
        logs.append(logs[-1] + math.log(lam / rate_out))
        if n > agents and logs[-1] - max(logs) < -40:  # e^-40: far below any figure we print
            break
    top = max(logs)
    weights = [math.exp(x - top) for x in logs]
    total = sum(weights)
    pi = [w / total for w in weights]
    queue_start = pi[agents:]  # an arrival finding n = agents + j - 1 waits at position j
    positions = len(queue_start)
    # A tagged caller at position j leaves it at rate a_j (someone ahead served or gone) or abandons (theta).
    served = [0.0] * (positions + 1)
    served[0] = 1.0
    wait_if_served = [0.0] * (positions + 1)
    for j in range(1, positions + 1):
        a_j = n_mu + (j - 1) * theta
        r_j = a_j + theta
        served[j] = a_j / r_j * served[j - 1]
        wait_if_served[j] = served[j] / r_j + a_j / r_j * wait_if_served[j - 1]
    p_wait = sum(queue_start)
    p_served = (1.0 - p_wait) + sum(p * served[j + 1] for j, p in enumerate(queue_start))
    p_abandon = 1.0 - p_served
    asa = sum(p * wait_if_served[j + 1] for j, p in enumerate(queue_start)) / p_served
    served_by_t, abandoned_by_t = _absorbed_by(queue_start, n_mu, theta, sl_threshold_seconds)
    answered_within = (1.0 - p_wait) + served_by_t
    abandoned_after = p_abandon - abandoned_by_t
    carried = lam * p_served / mu
    return Prediction(
        model="erlang_a",
        p_wait=p_wait,
        service_level=answered_within / (p_served + abandoned_after),
        asa_seconds=asa,
        abandon_rate=p_abandon,
        occupancy=carried / agents,
    )


def _absorbed_by(start: list[float], n_mu: float, theta: float, horizon: float) -> tuple[float, float]:
    """P(served by ``horizon``), P(abandoned by ``horizon``) for a caller starting at each position.

    Uniformization of the tagged caller's chain: at rate Lambda a step is taken; from
    position j it moves ahead with probability a_j / Lambda, abandons with theta / Lambda,
    else stays. The absorbed mass after k steps is weighted by Poisson(k; Lambda t).
    """
    positions = len(start)
    uniform = n_mu + positions * theta
    mean = uniform * horizon
    probs = list(start)
    served = abandoned = 0.0
    result_served = result_abandoned = 0.0
    steps = int(mean + 12 * math.sqrt(mean) + 30)
    for k in range(steps + 1):
        weight = math.exp(-mean + k * math.log(mean) - math.lgamma(k + 1)) if mean > 0 else float(k == 0)
        result_served += weight * served
        result_abandoned += weight * abandoned
        moved = [0.0] * positions
        for j, p in enumerate(probs):  # index j is position j + 1
            if p == 0.0:
                continue
            ahead = (n_mu + j * theta) / uniform
            gone = theta / uniform
            if j == 0:
                served += p * ahead
            else:
                moved[j - 1] += p * ahead
            abandoned += p * gone
            moved[j] += p * (1.0 - ahead - gone)
        probs = moved
    return result_served, result_abandoned
