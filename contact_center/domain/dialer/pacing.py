"""How many numbers to dial now, for each dialing mode. Pure: every figure comes in as an argument.

- **preview**: the agent decides; the dialer never dials on its own.
- **progressive**: one line per free agent, never more (no abandoned calls unless an agent vanishes).
- **predictive**: enough lines that the people who answer meet the agents who will be free by then:
  agents free now, plus those expected to finish within the time a dialled line takes to answer,
  divided by the live-answer rate, less the lines already ringing. A steering factor (from the
  abandonment ledger) dials less as the abandonment rate nears its target and falls back to
  progressive at the hard cap, so the legal limit is never the thing that stops it.
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


def lines_to_dial(mode: Mode, floor: Floor, steering: Steering = Steering()) -> int:
    """New lines to dial now (0 or more)."""
    if mode == "preview":
        return 0
    if mode == "progressive" or floor.abandon_rate >= steering.hard_cap:
        return max(0, floor.agents_free - floor.lines_ringing)
    rate = min(1.0, max(0.02, floor.live_answer_rate))
    available = floor.agents_free + expected_free_within(floor.busy_elapsed, floor.answer_seconds, floor.handle_seconds)
    # Answers wanted beyond those the ringing lines will bring, each new line bringing ``rate`` of one.
    missing = available * pace_factor(floor, steering) - floor.answers_coming
    logged_in = floor.agents_free + len(floor.busy_elapsed)
    room = math.floor(steering.max_lines_per_agent * logged_in) - floor.lines_ringing
    lines = min(math.floor(missing / rate + 1e-9), room)
    # Never fewer than progressive would dial: predictive only adds lines to it.
    return max(0, lines, floor.agents_free - floor.lines_ringing)


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


def expected_free_within(busy_elapsed: tuple[float, ...], horizon: float, handle_seconds: float) -> float:
    """How many busy agents are expected to be free within ``horizon`` seconds.

    Handle times are taken as exponential with the measured mean (memoryless: the chance to finish
    within the horizon is the same whatever the elapsed time), except that an agent already past
    twice the mean is treated as finishing soon (a long call tends to be near its end)."""
    if handle_seconds <= 0:
        return float(len(busy_elapsed))
    p = 1.0 - math.exp(-horizon / handle_seconds)
    return sum(min(1.0, p * (2.0 if elapsed > 2 * handle_seconds else 1.0)) for elapsed in busy_elapsed)


def pace_factor(floor: Floor, steering: Steering) -> float:
    """How boldly to dial beyond progressive: the share of the expected free agents to dial answers for.

    Until the ledger holds ``warmup_answers`` live answers the rate says little, and a few early
    abandons would make it jump: progressive only. Then bolder the further the rate is under its
    target, down to a trickle near the target, and progressive at or over it. (Tuned with `contact-center simulate dialer`: dialling for
    every expected agent causes bursts of answers that nobody can take.)"""
    if floor.answered_live < steering.warmup_answers:
        return 0.0
    headroom = (steering.target_abandon - floor.abandon_rate) / steering.target_abandon
    if headroom <= 0:
        return 0.0  # at or over the target: progressive until the rate comes back down
    # A few abandons move a young ledger a lot: boldness grows with the answers it holds.
    confidence = min(1.0, floor.answered_live / (4 * steering.warmup_answers))
    return confidence * max(0.1, min(0.7, 0.35 + 0.35 * headroom))
