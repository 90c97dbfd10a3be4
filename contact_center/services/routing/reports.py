"""Routing figures for supervisors: live windows from memory, 15-minute intervals and drill-downs from the log.

Shared by every routing service variant. The live metrics are folded from each event as it
is published (and from the stored log at start-up); they know each queue's service-level
threshold and each agent's team, and forget what finished more than a day ago. Intervals
and drill-downs are rebuilt from the ``acd_events`` log, so they cover any day and survive
restarts.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, replace

from sqlalchemy.ext.asyncio import AsyncEngine

from contact_center.clock import Clock
from contact_center.domain.acd.commands import ConfigureAgent, ResetDailyCounters
from contact_center.domain.acd.config import QueueConfig
from contact_center.domain.acd.events import Event
from contact_center.domain.metrics.contacts import Contact
from contact_center.domain.metrics.live import LiveMetrics, WindowReport
from contact_center.domain.metrics.stats import (
    GroupBy,
    MetricsConfig,
    QueueStats,
    by_group,
    compute,
    group_key,
    interval_buckets,
    window_buckets,
)
from contact_center.store import acd_events as acd_log

INTERVAL = 900.0
KEEP_BEFORE_MIDNIGHT = 3_600.0  # the last hour of yesterday stays in memory for the 60-minute window


@dataclass(frozen=True, slots=True)
class IntervalRow:
    start: float
    end: float
    total: QueueStats
    groups: dict[str, QueueStats]


class AcdReports:
    def __init__(
        self,
        engine: AsyncEngine,
        clock: Clock,
        *,
        service_level_formula: str = "answered_plus_late_abandons",
        short_abandon_seconds: float = 5.0,
        zone: dt.tzinfo = dt.UTC,
    ) -> None:
        self.engine = engine
        self.clock = clock
        self.zone = zone  # the centre's: "today" starts at its midnight
        # MetricsConfig refuses an unknown formula with a message naming the choices.
        config = MetricsConfig(short_abandon_seconds=short_abandon_seconds, sl_formula=service_level_formula)  # type: ignore[arg-type]
        self.metrics = LiveMetrics(config)
        self._pruned_day: float | None = None

    def now(self) -> float:
        return self.clock.now().timestamp()

    def day_start(self, at: float | None = None) -> float:
        """The centre's midnight that began the day holding ``at`` (default: now)."""
        instant = self.now() if at is None else at
        return self.day_bounds(dt.datetime.fromtimestamp(instant, self.zone).date())[0]

    def day_bounds(self, day: dt.date) -> tuple[float, float]:
        """Where the centre's ``day`` starts and ends (23 or 25 hours across a daylight-saving change)."""
        start = dt.datetime.combine(day, dt.time(), self.zone)
        end = dt.datetime.combine(day + dt.timedelta(days=1), dt.time(), self.zone)
        return start.timestamp(), end.timestamp()

    def today_of(self, at: float | None = None) -> dt.date:
        """The centre's date at ``at`` (default: now)."""
        return dt.datetime.fromtimestamp(self.now() if at is None else at, self.zone).date()

    def counters_from_log(self) -> ResetDailyCounters:
        """Each agent's calls and talk time so far today, from the metrics the log rebuilt."""
        by_agent = self.today("agent").groups
        return ResetDailyCounters(
            calls={agent: stats.answered for agent, stats in by_agent.items()},
            talk_seconds={agent: stats.talk_seconds for agent, stats in by_agent.items()},
        )

    # -- what the live metrics need to know about the configuration ---------------------
    def note_queue(self, queue: QueueConfig) -> None:
        thresholds = {**self.metrics.config.thresholds, queue.id: queue.sl_threshold_seconds}
        self.metrics.config = replace(self.metrics.config, thresholds=thresholds)

    def note_agent(self, command: ConfigureAgent) -> None:
        if command.team:
            self.metrics.teams[command.agent_id] = command.team
        else:
            self.metrics.teams.pop(command.agent_id, None)

    def fold(self, events: Sequence[Event]) -> None:
        """Events as published: into the live metrics, which forget yesterday once a new day starts."""
        self.metrics.apply_all(events)
        today = self.day_start(events[-1].at) if events else self.day_start()
        if self._pruned_day != today:
            self._pruned_day = today
            self.metrics.prune(today - KEEP_BEFORE_MIDNIGHT)

    # -- live windows ---------------------------------------------------------------------
    def report(self, window_seconds: float, group: str = "queue") -> WindowReport:
        return self.metrics.window(self.now(), window_seconds, group)  # type: ignore[arg-type]

    def today(self, group: str = "queue") -> WindowReport:
        now = self.now()
        return self.metrics.today(now, self.day_start(now), group)  # type: ignore[arg-type]

    # -- from the log ---------------------------------------------------------------------
    async def _contacts(self, start: float, end: float) -> list[Contact]:
        history = LiveMetrics(self.metrics.config, self.metrics.teams)
        history.apply_all(await acd_log.touching(self.engine, start, end))
        return history.contacts.contacts

    async def over(
        self, start: float, end: float, group: GroupBy = "queue"
    ) -> tuple[QueueStats, dict[str, QueueStats]]:
        """Figures for [start, end) from the event log, in all and per queue, agent or team: the same
        definitions as the live board (a visit counts where its outcome falls)."""
        contacts = await self._contacts(start, end)
        config, teams = self.metrics.config, self.metrics.teams
        window = (start, end)
        return compute(contacts, config, window), by_group(contacts, config, group, teams, window)

    async def days(self, first: dt.date, last: dt.date) -> list[tuple[dt.date, QueueStats]]:
        """The whole centre's figures for each of its days in [first, last], from one read of the event log."""
        bounds = [self.day_bounds(first + dt.timedelta(days=n)) for n in range((last - first).days + 1)]
        edges = [start for start, _ in bounds] + [bounds[-1][1]]
        contacts = await self._contacts(edges[0], edges[-1])
        config = self.metrics.config
        return [
            (first + dt.timedelta(days=n), compute(items, config, bounds[n]))
            for n, items in enumerate(window_buckets(contacts, edges))
        ]

    async def intervals(self, day: dt.date, group: GroupBy = "queue") -> list[IntervalRow]:
        """The fifteen-minute rows of one of the centre's days (96; 92 or 100 across a daylight-saving change),
        rebuilt from the event log."""
        start, end = self.day_bounds(day)
        contacts = await self._contacts(start, end)
        config, teams = self.metrics.config, self.metrics.teams
        rows = []
        for i, items in enumerate(interval_buckets(contacts, start, end, INTERVAL)):
            window = (start + i * INTERVAL, start + (i + 1) * INTERVAL)
            rows.append(
                IntervalRow(
                    window[0], window[1], compute(items, config, window), by_group(items, config, group, teams, window)
                )
            )
        return rows

    async def calls(
        self,
        start: float,
        end: float,
        *,
        outcome: str | None = None,
        queue: str | None = None,
        agent: str | None = None,
        team: str | None = None,
    ) -> list[Contact]:
        """The visits behind a figure: outcome (or ``handled``) in [start, end), filtered (see OUTCOMES)."""
        config, teams = self.metrics.config, self.metrics.teams
        chosen = []
        for c in await self._contacts(start, end):
            instant = c.handled_at if outcome == "handled" else c.outcome_at
            if instant is None or not start <= instant < end:
                continue
            if queue is not None and c.queue_id != queue:
                continue
            if agent is not None and c.agent_id != agent:
                continue
            if team is not None and group_key(c, "team", teams) != team:
                continue
            if outcome is not None and not matches(c, outcome, config):
                continue
            chosen.append(c)
        return chosen


OUTCOMES: tuple[str, ...] = (
    "offered",
    "answered",
    "abandoned",
    "short_abandoned",
    "exited",
    "canceled",
    "handled",
    "answered_within_threshold",
    "answered_after_threshold",
    "abandoned_within_threshold",
    "abandoned_after_threshold",
)


def matches(c: Contact, outcome: str, config: MetricsConfig) -> bool:
    """Whether a finished visit is one of those a figure counts (the definitions of docs/routing.md)."""
    t, short = config.threshold(c.queue_id), config.short_abandon_seconds
    w = c.wait_seconds
    tests = {
        "offered": c.outcome != "waiting",
        "answered": c.outcome == "answered",
        "abandoned": c.outcome == "abandoned" and w >= short,
        "short_abandoned": c.outcome == "abandoned" and w < short,
        "exited": c.outcome == "exited",
        "canceled": c.outcome == "canceled",
        "handled": c.handled_at is not None,
        "answered_within_threshold": c.outcome == "answered" and w <= t,
        "answered_after_threshold": c.outcome == "answered" and w > t,
        "abandoned_within_threshold": c.outcome == "abandoned" and short <= w <= t,
        "abandoned_after_threshold": c.outcome == "abandoned" and w > t,
    }
    return tests[outcome]
