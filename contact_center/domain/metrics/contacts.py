"""Contacts folded from the routing event log: one record per queue visit, the unit every figure counts.

A visit starts with ``CallQueued`` (a new call, a blind transfer, a re-queue after the
agent's leg dropped) and ends with its outcome: answered, abandoned, exited (voicemail,
disconnect) or canceled (a callback no longer wanted). Moves between queues while
waiting (escalation, overflow exits) stay in the same visit, which is counted in the
queue where the outcome happened. Handling time (talk, hold, wrap-up of every agent
who worked on it) is added as it is reported.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from contact_center.domain.acd import events as ev


@dataclass(eq=False)
class Contact:
    call_id: str
    visit: int  # 1 for the first visit of the call, 2 after a transfer or re-queue, ...
    queue_id: str
    queued_at: float
    outcome: str = "waiting"  # answered, abandoned, exited, canceled
    outcome_at: float | None = None
    wait_seconds: float = 0.0
    agent_id: str | None = None
    callback: bool = False
    talk_seconds: float = 0.0
    hold_seconds: float = 0.0
    wrap_seconds: float = 0.0
    conversation_ended: bool = False
    moved_from: list[str] = field(default_factory=list)

    @property
    def handle_seconds(self) -> float:
        return self.talk_seconds + self.hold_seconds + self.wrap_seconds


@dataclass(frozen=True, slots=True)
class AgentPart:
    """One agent's part of a conversation (an answered call, or the second half of a warm transfer)."""

    agent_id: str
    call_id: str
    queue_id: str
    ended_at: float
    talk_seconds: float
    hold_seconds: float


class ContactLedger:
    """Folds events, in order, into contacts; replaying the stored log rebuilds it after a restart."""

    def __init__(self) -> None:
        self.contacts: list[Contact] = []
        self.parts: list[AgentPart] = []
        self.wraps: list[ev.WrapUpEnded] = []
        self._current: dict[str, Contact] = {}
        self._handled: dict[tuple[str, str], Contact] = {}

    def apply_all(self, events: Iterable[ev.Event]) -> None:
        for event in events:
            self.apply(event)

    def apply(self, event: ev.Event) -> None:
        if isinstance(event, ev.CallQueued):
            previous = self._current.get(event.call_id)
            visit = Contact(event.call_id, 1 if previous is None else previous.visit + 1, event.queue_id, event.at)
            self._current[event.call_id] = visit
            self.contacts.append(visit)
            return
        if isinstance(event, ev.WrapUpEnded):
            self.wraps.append(event)
            done = self._handled.pop((event.call_id, event.agent_id), None)
            if done is not None:
                done.wrap_seconds += event.wrap_seconds
            return
        if not isinstance(event, ev.CallEvent):
            return
        contact = self._current.get(event.call_id)
        if contact is None:
            return
        if isinstance(event, ev.CallMoved):
            contact.moved_from.append(contact.queue_id)
            contact.queue_id = event.to_queue
        elif isinstance(event, ev.CallAnswered):
            self._close(contact, "answered", event.at, event.wait_seconds)
            contact.agent_id = event.agent_id
        elif isinstance(event, ev.CallAbandoned):
            self._close(contact, "abandoned", event.at, event.wait_seconds)
        elif isinstance(event, ev.CallExited):
            self._close(contact, "exited", event.at, event.wait_seconds)
        elif isinstance(event, ev.CallbackCanceled):
            self._close(contact, "canceled", event.at, event.at - contact.queued_at)
        elif isinstance(event, ev.CallbackRequested):
            contact.callback = True
        elif isinstance(event, ev.CallEnded):
            contact.talk_seconds += event.talk_seconds
            contact.hold_seconds += event.hold_seconds
            contact.conversation_ended = True
            self._handled[(event.call_id, event.agent_id)] = contact
            self.parts.append(
                AgentPart(event.agent_id, event.call_id, event.queue_id, event.at, event.talk_seconds,
                          event.hold_seconds)
            )  # fmt: skip

    @staticmethod
    def _close(contact: Contact, outcome: str, at: float, wait: float) -> None:
        contact.outcome = outcome
        contact.outcome_at = at
        contact.wait_seconds = wait

    def waiting(self) -> list[Contact]:
        return [c for c in self._current.values() if c.outcome == "waiting"]
