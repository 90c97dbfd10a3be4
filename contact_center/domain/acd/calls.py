"""A call as the router sees it: where it waits, in what order, and what happened to it."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from contact_center.domain.acd.events import Event

Signature = tuple[tuple[str, int], ...]


class CallState(StrEnum):
    QUEUED = "queued"  # waiting (a callback waits here too, with ``callback_number`` set)
    OFFERED = "offered"  # ringing at one agent
    CONNECTED = "connected"
    ENDED = "ended"
    ABANDONED = "abandoned"
    EXITED = "exited"  # voicemail / disconnect after max wait or a full queue
    CANCELED = "canceled"  # a callback the customer no longer wants

    @property
    def final(self) -> bool:
        return self in _FINAL


_FINAL = frozenset({CallState.ENDED, CallState.ABANDONED, CallState.EXITED, CallState.CANCELED})


@dataclass(eq=False)
class Call:
    id: str
    queue_id: str
    priority: int
    signature: Signature
    enqueued_at: float  # ordering time within a priority: kept by callbacks, misses and re-queues
    queued_at: float  # start of this queue visit (waits are measured from here)
    entered_queue_at: float  # when it entered its current queue: the clock escalation rules read
    seq: int
    state: CallState = CallState.QUEUED
    agent_id: str | None = None
    offer_kind: str | None = None
    requested_skills: dict[str, int] = field(default_factory=dict)  # the call's own, before the queue's
    caller_number: str | None = None
    pools: list[str] = field(default_factory=list)  # queues whose agents may answer it, in order
    excluded: dict[str, float] = field(default_factory=dict)  # agent -> not re-offered before
    rules_done: dict[str, int] = field(default_factory=dict)  # queue -> escalation rules already applied there
    callback_number: str | None = None
    outbound: bool = False  # an agent placed it (click-to-call): no queue visit
    answered_at: float | None = None
    held_since: float | None = None
    hold_seconds: float = 0.0
    consult_agent_id: str | None = None
    conference: list[str] = field(default_factory=list)  # agents in a conference besides agent_id
    preferred_agent: str | None = None  # offered only to this agent until preferred_until
    preferred_until: float = 0.0
    prefer_version: int = 0
    index_version: int = 0
    timer_version: int = 0
    trail: list[Event] = field(default_factory=list)

    @property
    def key(self) -> tuple[int, float, int]:
        """Routing order: higher priority first, then earlier enqueue time, then arrival order."""
        return (-self.priority, self.enqueued_at, self.seq)

    @property
    def next_rule(self) -> int:
        """Index of the next escalation rule of the current queue (rules fire in order, each once per call)."""
        return self.rules_done.get(self.queue_id, 0)

    @property
    def is_callback(self) -> bool:
        return self.callback_number is not None

    def is_excluded(self, agent_id: str, now: float) -> bool:
        """Not to be offered to this agent now: they rejected or missed it lately, or it waits for another."""
        if self.preferred_agent is not None and agent_id != self.preferred_agent and now < self.preferred_until:
            return True
        until = self.excluded.get(agent_id)
        if until is None:
            return False
        if until > now:
            return True
        del self.excluded[agent_id]
        return False

    def talk_seconds(self, now: float) -> float:
        if self.answered_at is None:
            return 0.0
        held = self.hold_seconds + (now - self.held_since if self.held_since is not None else 0.0)
        return max(0.0, now - self.answered_at - held)

    def total_hold(self, now: float) -> float:
        return self.hold_seconds + (now - self.held_since if self.held_since is not None else 0.0)
