"""`contact-center simulate dialer`: a day of outbound calling on a virtual clock, through the real pacing
(domain/dialer/pacing.py) and abandonment ledger. Who answers, when, and how long calls last are drawn
from a seeded random generator, so a run is repeatable."""

from __future__ import annotations

import heapq
import itertools
import random
from dataclasses import dataclass, field
from typing import Any

from contact_center.domain.dialer.ledger import AbandonmentLedger
from contact_center.domain.dialer.pacing import MODES, Floor, Mode, RingingLines, Steering, lines_to_dial

TICK = 1.0  # the dialer decides once a second
PREVIEW_SECONDS = 10.0  # an agent reads a record this long before calling it
NO_ANSWER_SECONDS = 25.0  # unanswered lines ring at least 15 s (the rules); 25 s here
HOLD_SECONDS = 2.0  # an answered call waits this long for an agent before the abandoned-call message plays


@dataclass(frozen=True)
class DialerParams:
    agents: int
    mode: Mode
    live_answer_rate: float
    aht_seconds: float
    hours: float
    target_abandon: float = 0.025
    seed: int = 1

    def __post_init__(self) -> None:
        if self.agents < 1:
            raise ValueError("--agents must be at least 1")
        if self.mode not in MODES:
            raise ValueError(f"--mode must be one of {', '.join(MODES)}")
        if not 0 < self.live_answer_rate <= 1:
            raise ValueError("--live-answer-rate must be above 0 and at most 1")
        if self.aht_seconds <= 0 or self.hours <= 0:
            raise ValueError("--aht and --hours must be positive")
        if not 0 < self.target_abandon < 0.03:
            raise ValueError("--target-abandon must be above 0 and below the 3 % cap (e.g. 0.025)")


@dataclass
class _Figures:
    dialed: int = 0
    answered_live: int = 0
    connected: int = 0
    abandoned: int = 0
    handle_total: float = 0.0
    busy_in_shift: float = 0.0  # agents' handle time inside the shift: what occupancy is over
    handled: int = 0
    answer_delay_total: float = 0.0
    resolved: int = 0
    worst_window_rate: float = 0.0


@dataclass
class _Run:
    params: DialerParams
    rng: random.Random
    now: float = 0.0
    events: list[tuple[float, int, str, int]] = field(default_factory=list)
    free: list[int] = field(default_factory=list)
    busy_since: dict[int, float] = field(default_factory=dict)
    previewing: set[int] = field(default_factory=set)
    lines: dict[int, tuple[float, int]] = field(default_factory=dict)  # line -> (dialled at, previewing agent or -1)
    timings: RingingLines = field(default_factory=RingingLines)
    held: list[int] = field(default_factory=list)  # answered calls waiting (up to HOLD_SECONDS) for an agent
    figures: _Figures = field(default_factory=_Figures)
    ledger: AbandonmentLedger = field(default_factory=AbandonmentLedger)
    _order: itertools.count[int] = field(default_factory=itertools.count)

    def at(self, when: float, kind: str, who: int = -1) -> None:
        heapq.heappush(self.events, (when, next(self._order), kind, who))

    def dial(self, agent: int = -1) -> None:
        """One line: a person answers (after a few seconds) or it ends unanswered, busy or failed."""
        self.figures.dialed += 1
        line = next(self._order)
        self.lines[line] = (self.now, agent)
        if self.rng.random() < self.params.live_answer_rate:
            self.at(self.now + self.rng.uniform(5.0, 20.0), "answered", line)
        else:
            self.at(self.now + self.rng.choice((2.0, 4.0, NO_ANSWER_SECONDS, NO_ANSWER_SECONDS)), "unanswered", line)

    def handle_time(self) -> float:
        return self.rng.expovariate(1.0 / self.params.aht_seconds)

    def connect(self, agent: int) -> None:
        self.figures.connected += 1
        self.busy_since[agent] = self.now
        self.at(self.now + self.handle_time(), "done", agent)


def simulate_dialer(params: DialerParams) -> dict[str, Any]:
    run = _Run(params, random.Random(params.seed))
    run.free = list(range(params.agents))
    end = params.hours * 3600.0
    run.at(0.0, "tick")
    figures = run.figures
    while run.events:
        when, _, kind, who = heapq.heappop(run.events)
        if when > end and kind == "tick":
            continue  # the day is over: no more dialling; calls in progress finish
        run.now = when
        if kind == "tick":
            _pace(run)
            run.at(when + TICK, "tick")
        elif kind == "answered":
            dialled_at, who = run.lines.pop(who)
            run.timings.ended(when - dialled_at, live=True)
            figures.resolved += 1
            figures.answered_live += 1
            figures.answer_delay_total += when - dialled_at  # measured, as a real dialer does
            if who >= 0:  # preview: the agent who dialled is waiting on this line
                run.previewing.discard(who)
                run.connect(who)
                run.ledger.record(when, abandoned=False)
            elif run.free:
                run.connect(run.free.pop(0))
                run.ledger.record(when, abandoned=False)
            else:  # nobody free: the call waits a moment for an agent who is about to be
                call = next(run._order)
                run.held.append(call)
                run.at(when + HOLD_SECONDS, "hold_over", call)
        elif kind == "hold_over":
            if who in run.held:
                run.held.remove(who)
                figures.abandoned += 1  # the recorded message plays; nobody was free in time
                run.ledger.record(when, abandoned=True)
                rate, answered = run.ledger.rate(when)
                if answered >= 50:
                    figures.worst_window_rate = max(figures.worst_window_rate, rate)
        elif kind == "unanswered":
            dialled_at, who = run.lines.pop(who)
            run.timings.ended(when - dialled_at, live=False)
            figures.resolved += 1
            if who >= 0:  # preview: on to the next record
                run.at(when + PREVIEW_SECONDS, "preview_dial", who)
        elif kind == "preview_dial":
            if when < end:
                run.dial(who)
        elif kind == "done":
            started = run.busy_since.pop(who)
            figures.handle_total += when - started
            figures.busy_in_shift += min(when, end) - started  # a call past the shift's end is overtime
            figures.handled += 1
            if params.mode == "preview":
                run.previewing.add(who)
                run.at(when + PREVIEW_SECONDS, "preview_dial", who)
            elif run.held:  # an answered call is waiting for exactly this
                run.held.pop(0)
                run.connect(who)
                run.ledger.record(when, abandoned=False)
            else:
                run.free.append(who)
    busy = figures.busy_in_shift
    hours = params.hours
    abandon_rate = figures.abandoned / figures.answered_live if figures.answered_live else 0.0
    return {
        "mode": params.mode,
        "agents": params.agents,
        "hours": hours,
        "dialed": figures.dialed,
        "answered_live": figures.answered_live,
        "connected": figures.connected,
        "abandoned": figures.abandoned,
        "abandon_rate": round(abandon_rate, 5),
        "worst_24h_abandon_rate": round(max(figures.worst_window_rate, abandon_rate), 5),
        "occupancy": round(busy / (params.agents * end), 4),
        "connects_per_agent_hour": round(figures.connected / (params.agents * hours), 3),
        "target_abandon": params.target_abandon,
        "seed": params.seed,
    }


def _pace(run: _Run) -> None:
    params, figures = run.params, run.figures
    if params.mode == "preview":
        if run.now == 0.0:  # every agent starts on a record
            for agent in run.free:
                run.previewing.add(agent)
                run.at(PREVIEW_SECONDS, "preview_dial", agent)
            run.free.clear()
        return
    rate, answered = run.ledger.rate(run.now)
    prior = 10  # a few calls' worth of the expected figures before the measured ones take over
    live_answer_rate = (figures.answered_live + prior * params.live_answer_rate) / (figures.resolved + prior)
    ages = [run.now - dialled_at for dialled_at, _ in run.lines.values()]
    floor = Floor(
        agents_free=len(run.free),
        busy_elapsed=tuple(run.now - since for since in run.busy_since.values()),
        lines_ringing=len(run.lines),
        answers_coming=run.timings.expected_answers(ages, live_answer_rate)
        + len(run.held),  # held ones need agents too
        live_answer_rate=live_answer_rate,
        handle_seconds=(figures.handle_total + prior * params.aht_seconds) / (figures.handled + prior),
        answer_seconds=(figures.answer_delay_total + prior * 12.0) / (figures.answered_live + prior),
        abandon_rate=rate,
        answered_live=answered,
    )
    for _ in range(lines_to_dial(params.mode, floor, Steering(target_abandon=params.target_abandon))):
        run.dial()


__all__ = ["DialerParams", "simulate_dialer"]
