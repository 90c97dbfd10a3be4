"""Agent time by state, occupancy and agents by state, folded from ``AgentStateChanged`` events.

Occupancy = busy / (busy + available), busy = reserved + on call + wrap-up: the share
of the time an agent was ready for work that went to work. Not-ready and offline time
count in neither part.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from contact_center.domain.acd.events import AgentStateChanged, Event

BUSY_STATES = ("reserved", "on_call", "wrap_up")


@dataclass(frozen=True, slots=True)
class Span:
    agent_id: str
    state: str  # state key: "available", "on_call", "not_ready:lunch", ...
    start: float
    end: float


def state_key(state: str, reason: str | None) -> str:
    return f"{state}:{reason}" if state == "not_ready" and reason else state


class AgentTimeLedger:
    def __init__(self) -> None:
        self.spans: list[Span] = []
        self._open: dict[str, tuple[str, float]] = {}

    def apply_all(self, events: Iterable[Event]) -> None:
        for event in events:
            self.apply(event)

    def apply(self, event: Event) -> None:
        if not isinstance(event, AgentStateChanged):
            return
        opened = self._open.get(event.agent_id)
        if opened is not None:
            self.spans.append(Span(event.agent_id, opened[0], opened[1], event.at))
        elif event.old != "offline" and event.seconds_in_old > 0:
            # The log starts mid-state (e.g. replay from today's start): take the event's word for it.
            self.spans.append(Span(event.agent_id, event.old, event.at - event.seconds_in_old, event.at))
        self._open[event.agent_id] = (state_key(event.new, event.reason), event.at)

    def prune(self, before: float) -> int:
        """Forget the spans that ended before ``before``; returns how many."""
        kept = [span for span in self.spans if span.end >= before]
        dropped = len(self.spans) - len(kept)
        self.spans = kept
        return dropped

    def current_states(self) -> dict[str, str]:
        return {agent: opened[0] for agent, opened in self._open.items()}

    def agents_by_state(self, teams: Mapping[str, str] | None = None, team: str | None = None) -> dict[str, int]:
        counts: dict[str, int] = {}
        for agent, key in self.current_states().items():
            if team is not None and (teams or {}).get(agent) != team:
                continue
            counts[key] = counts.get(key, 0) + 1
        return counts

    def time_by_state(self, start: float, end: float) -> dict[str, dict[str, float]]:
        """Seconds per agent per state key within [start, end); the open spans run until ``end``."""
        out: dict[str, dict[str, float]] = {}
        open_spans = [Span(a, key, since, end) for a, (key, since) in self._open.items()]
        for span in (*self.spans, *open_spans):
            seconds = min(span.end, end) - max(span.start, start)
            if seconds > 0:
                per_agent = out.setdefault(span.agent_id, {})
                per_agent[span.state] = per_agent.get(span.state, 0.0) + seconds
        return out


def occupancy(times: Mapping[str, float]) -> float | None:
    busy = sum(times.get(s, 0.0) for s in BUSY_STATES)
    ready = busy + times.get("available", 0.0)
    return busy / ready if ready > 0 else None


def merge(per_agent: Mapping[str, Mapping[str, float]], agents: Iterable[str] | None = None) -> dict[str, float]:
    """Sum the state times of several agents (a team, everyone)."""
    wanted = None if agents is None else set(agents)
    total: dict[str, float] = {}
    for agent, times in per_agent.items():
        if wanted is not None and agent not in wanted:
            continue
        for key, seconds in times.items():
            total[key] = total.get(key, 0.0) + seconds
    return total
