"""Live figures for the supervisor board: sliding windows (last 15 min, 60 min, today) and intervals.

``LiveMetrics`` is fed every routing event as it is published, or the stored log on
start-up (so figures survive a restart); it never looks at the router's memory.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from contact_center.domain.acd.events import Event
from contact_center.domain.metrics.agent_time import AgentTimeLedger, merge, occupancy
from contact_center.domain.metrics.contacts import Contact, ContactLedger
from contact_center.domain.metrics.stats import GroupBy, MetricsConfig, QueueStats, by_group, compute, in_window
from contact_center.domain.metrics.stats import intervals as interval_stats


@dataclass(frozen=True, slots=True)
class WindowReport:
    start: float
    end: float
    total: QueueStats
    groups: Mapping[str, QueueStats]
    occupancy: float | None
    occupancy_by_agent: Mapping[str, float | None]
    agents_by_state: Mapping[str, int]
    waiting_now: int
    oldest_waiting_seconds: float


class LiveMetrics:
    def __init__(self, config: MetricsConfig | None = None, teams: Mapping[str, str] | None = None) -> None:
        self.config = config or MetricsConfig()
        self.teams: dict[str, str] = dict(teams or {})
        self.contacts = ContactLedger()
        self.agent_time = AgentTimeLedger()

    def apply(self, event: Event) -> None:
        self.contacts.apply(event)
        self.agent_time.apply(event)

    def apply_all(self, events: Iterable[Event]) -> None:
        for event in events:
            self.apply(event)

    def contacts_between(self, start: float, end: float) -> list[Contact]:
        return in_window(self.contacts.contacts, start, end)

    def window(self, now: float, seconds: float, group: GroupBy = "queue") -> WindowReport:
        """The last ``seconds`` up to and including ``now`` (900 for 15 minutes, 3600 for an hour)."""
        return self.report(now - seconds, math.nextafter(now, math.inf), group)

    def today(self, now: float, day_start: float, group: GroupBy = "queue") -> WindowReport:
        return self.report(day_start, math.nextafter(now, math.inf), group)

    def report(self, start: float, end: float, group: GroupBy = "queue") -> WindowReport:
        chosen = self.contacts_between(start, end)
        times = self.agent_time.time_by_state(start, end)
        waiting = self.contacts.waiting()
        return WindowReport(
            start=start,
            end=end,
            total=compute(chosen, self.config, (start, end)),
            groups=by_group(chosen, self.config, group, self.teams, (start, end)),
            occupancy=occupancy(merge(times)),
            occupancy_by_agent={agent: occupancy(t) for agent, t in sorted(times.items())},
            agents_by_state=self.agent_time.agents_by_state(),
            waiting_now=len(waiting),
            oldest_waiting_seconds=max((end - c.queued_at for c in waiting), default=0.0),
        )

    def team_occupancy(self, team: str, start: float, end: float) -> float | None:
        members = [a for a, t in self.teams.items() if t == team]
        return occupancy(merge(self.agent_time.time_by_state(start, end), members))

    def intervals(self, start: float, end: float, size: float = 900.0) -> list[tuple[float, QueueStats]]:
        return interval_stats(self.contacts.contacts, self.config, start, end, size)

    def prune(self, before: float) -> None:
        """Forget what finished before ``before`` (the service keeps about a day; the log keeps everything)."""
        self.contacts.prune(before)
        self.agent_time.prune(before)
