"""How many numbers to dial now, for each dialing mode. Pure: every figure comes in as an argument.

- **preview**: the agent decides; the dialer never dials on its own.
- **progressive**: one line per free agent, never more (no abandoned calls unless an agent vanishes).
- **predictive**: as many lines as keep the answers expected to find nobody free within an allowed share
  of all answers expected: answers from the lines ringing and the new ones (each answered at the live-
  answer rate) against agents free now and those expected to finish within the time a line takes to
  answer. The allowed share is the abandonment target, steered by the ledger (more while the measured
  rate is under the target, less above it, nothing beyond progressive at the hard cap), so the legal
  limit is never the thing that stops it.
"""

from __future__ import annotations

import bisect
import math
from dataclasses import dataclass
from typing import Literal

Mode = Literal["preview", "progressive", "predictive"]
MODES: tuple[Mode, ...] = ("preview", "progressive", "predictive")


@dataclass(frozen=True, slots=True)
class Floor:
    """What the dialer knows at one instant."""

    agents_free: int  # logged in, ready, no call
    busy_elapsed: tuple[float, ...]  # seconds into the work (talk + wrap) of each busy agent
    lines_ringing: int  # dialled, not yet answered or failed
    answers_coming: float  # live answers expected from the lines ringing now (``RingingLines.expected_answers``)
    live_answer_rate: float  # share of dialled lines a person answers (measured, 0..1)
    handle_seconds: float  # mean talk + wrap-up (measured)
    answer_seconds: float  # mean time from dialling to a live answer (measured)
    abandon_rate: float  # the ledger's rate over its window (abandoned / answered live)
    answered_live: int  # how many live answers that rate is over (its weight)


@dataclass(frozen=True, slots=True)
class Steering:
    target_abandon: float = 0.025
    hard_cap: float = 0.03
    max_lines_per_agent: float = 3.0  # never more lines in flight than this many per logged-in agent
    warmup_answers: int = 100  # before this many live answers in the ledger: progressive only
    gain: float = 3.0  # how hard the allowed share leans against the ledger's distance from the target
    caution_abandons: float = 4.0  # the ledger's rate is read as if it held this many abandons more


def lines_to_dial(mode: Mode, floor: Floor, steering: Steering = Steering()) -> int:
    """New lines to dial now (0 or more)."""
    if mode == "preview":
        return 0
    progressive = max(0, floor.agents_free - floor.lines_ringing)
    allowed = allowed_abandon(floor, steering)
    if mode == "progressive" or allowed <= 0:
        return progressive
    rate = min(1.0, max(0.02, floor.live_answer_rate))
    free = count_distribution(free_chances(floor.busy_elapsed, floor.answer_seconds, floor.handle_seconds))
    free = [0.0] * floor.agents_free + free  # those free now are free then too
    # Answers from the lines ringing now (many small chances: Poisson), then one line at a time.
    answers = poisson(floor.answers_coming)
    logged_in = floor.agents_free + len(floor.busy_elapsed)
    room = math.floor(steering.max_lines_per_agent * logged_in) - floor.lines_ringing
    lines = -1
    # The most new lines for which the answers expected to find nobody free stay within the allowed share
    # of all the answers expected.
    for n in range(max(0, room) + 1):
        if n:
            answers = add_chance(answers, rate)
        expected = floor.answers_coming + n * rate
        if expected > 0 and expected_excess(answers, free) > allowed * expected:
            break
        lines = n
    return max(lines, progressive)


def count_distribution(chances: list[float]) -> list[float]:
    """P(k of these independent chances come true), k = 0..len(chances)."""
    dist = [1.0]
    for p in chances:
        dist = add_chance(dist, p)
    return dist


def add_chance(dist: list[float], p: float) -> list[float]:
    """The count's distribution with one more independent chance ``p``."""
    out = [0.0] * (len(dist) + 1)
    for k, q in enumerate(dist):
        out[k] += q * (1 - p)
        out[k + 1] += q * p
    return out


def poisson(mean: float, tail: float = 1e-9) -> list[float]:
    """P(k), k = 0.. until what is left is under ``tail``."""
    dist = [math.exp(-mean)]
    total = dist[0]
    while 1 - total > tail and len(dist) < 1000:
        dist.append(dist[-1] * mean / len(dist))
        total += dist[-1]
    return dist


def expected_excess(answers: list[float], free: list[float]) -> float:
    """E[max(0, answers - free)]: how many answers are expected to find nobody free."""
    excess = 0.0
    below = 0.0  # P(free <= k - 1), grown as k rises
    gap = 0.0  # E[max(0, k - free)]
    for k, p in enumerate(answers):
        if k:
            below += free[k - 1] if k - 1 < len(free) else 0.0
            gap += below
        excess += p * gap
    return excess


def allowed_abandon(floor: Floor, steering: Steering) -> float:
    """The share of the answers now expected that may find no agent free: the target, steered by the
    ledger, more while its rate is under the target and less above it, nothing beyond progressive once it
    reaches the hard cap. The rate is taken pessimistically (``caution_abandons`` more than it holds), which
    weighs little on a full ledger and much on a young one, whose rate a few abandons move a lot; before
    ``warmup_answers`` it says too little: progressive only. (Tuned with `contact-center simulate dialer`
    over ten seeded days: see docs/dialer.md.)"""
    if floor.answered_live < steering.warmup_answers:
        return 0.0
    rate = floor.abandon_rate + steering.caution_abandons / floor.answered_live
    if rate >= steering.hard_cap:
        return 0.0
    steered = steering.target_abandon + steering.gain * (steering.target_abandon - rate)
    return max(0.0, min(steered, steering.hard_cap))


class RingingLines:
    """When dialled lines end, as measured: from it, how likely a line still ringing at a given age is
    to be answered by a person (a line past every live answer seen so far will not be)."""

    def __init__(self, keep: int = 500) -> None:
        self.keep = keep
        self.live: list[float] = []  # seconds from dial to a live answer, recent ones
        self.other: list[float] = []  # seconds from dial to any other end (busy, no answer, failed)

    def ended(self, seconds: float, *, live: bool) -> None:
        samples = self.live if live else self.other
        samples.append(seconds)
        if len(samples) > self.keep:
            del samples[0]

    def expected_answers(self, ages: list[float], live_answer_rate: float) -> float:
        """Live answers expected from lines ringing for these many seconds."""
        if len(self.live) < 10 or len(self.other) < 10:
            return live_answer_rate * len(ages)  # too few measured: the plain rate
        live, other = sorted(self.live), sorted(self.other)
        total = 0.0
        for age in ages:
            s_live = 1 - bisect.bisect_right(live, age) / len(live)  # share of live answers still to come
            s_other = 1 - bisect.bisect_right(other, age) / len(other)
            still = live_answer_rate * s_live + (1 - live_answer_rate) * s_other
            total += live_answer_rate * s_live / still if still > 0 else 0.0
        return total


def free_chances(busy_elapsed: tuple[float, ...], horizon: float, handle_seconds: float) -> list[float]:
    """For each busy agent, the chance they are free within ``horizon`` seconds.

    Handle times are taken as exponential with the measured mean (memoryless: the chance to finish
    within the horizon is the same whatever the elapsed time), except that an agent already past
    twice the mean is treated as finishing sooner (a long call tends to be near its end)."""
    if handle_seconds <= 0:
        return [1.0] * len(busy_elapsed)
    p = 1.0 - math.exp(-horizon / handle_seconds)
    return [min(1.0, p * (2.0 if elapsed > 2 * handle_seconds else 1.0)) for elapsed in busy_elapsed]


def expected_free_within(busy_elapsed: tuple[float, ...], horizon: float, handle_seconds: float) -> float:
    """How many busy agents are expected to be free within ``horizon`` seconds."""
    return sum(free_chances(busy_elapsed, horizon, handle_seconds))
