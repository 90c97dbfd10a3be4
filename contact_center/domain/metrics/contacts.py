"""Contacts folded from the routing event log: one record per queue visit, the unit every figure counts.

A visit starts with ``CallQueued`` (a new call, a blind transfer, a re-queue after the
agent's leg dropped) and ends with its outcome: answered, abandoned, exited (voicemail,
disconnect) or canceled (a callback no longer wanted). Moves between queues while
waiting (escalation, overflow exits) stay in the same visit, which is counted in the
queue where the outcome happened.

An answered visit is *handled* once its conversation is over (the customer hung up, the
agent's leg dropped, or a blind transfer handed it on; a warm transfer or an owner leaving a
conference hands the same visit to the next agent) and every agent part of it has finished
its wrap-up. ``handled_at`` is that instant; the visit's talk, hold and wrap-up are complete
then and never change afterwards.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from contact_center.domain.acd import events as ev

FINAL_REASONS = ("hangup", "agent_hangup")


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
    handled_at: float | None = None
    moved_from: list[str] = field(default_factory=list)
    blind_transfer: bool = False
    open_wraps: set[str] = field(default_factory=set)  # agents whose wrap-up of this visit is running

    @property
    def handle_seconds(self) -> float:
        return self.talk_seconds + self.hold_seconds + self.wrap_seconds

    def finished_before(self, instant: float, open_for: float = 86_400.0) -> bool:
        """Its last figure was counted before ``instant`` (or it was answered ``open_for`` before that and its
        end never came: a log with a gap)."""
        if self.outcome_at is None or self.outcome_at >= instant:
            return False
        if self.outcome != "answered":
            return True
        if self.handled_at is None:
            return self.outcome_at < instant - open_for
        return self.handled_at < instant


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
        self._current: dict[str, Contact] = {}
        self._handled: dict[tuple[str, str], Contact] = {}  # (call, agent) whose wrap-up is still to come

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
        if isinstance(event, ev.WrapUpStarted):
            self._wrap_started(event)
            return
        if isinstance(event, ev.WrapUpEnded):
            done = self._handled.pop((event.call_id, event.agent_id), None)
            if done is not None:
                done.wrap_seconds += event.wrap_seconds
                done.open_wraps.discard(event.agent_id)
                self._maybe_handled(done, event.at)
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
        elif isinstance(event, ev.CallTransferred):
            contact.blind_transfer = event.kind == "blind"
        elif isinstance(event, ev.CallEnded):
            self._part_ended(contact, event)

    def _part_ended(self, contact: Contact, event: ev.CallEnded) -> None:
        contact.talk_seconds += event.talk_seconds
        contact.hold_seconds += event.hold_seconds
        if event.reason in FINAL_REASONS or (event.reason == "transfer" and contact.blind_transfer):
            contact.conversation_ended = True
        if event.wrap_up:
            self._handled[(event.call_id, event.agent_id)] = contact
            contact.open_wraps.add(event.agent_id)
        self.parts.append(
            AgentPart(event.agent_id, event.call_id, event.queue_id, event.at, event.talk_seconds, event.hold_seconds)
        )
        self._maybe_handled(contact, event.at)

    def _wrap_started(self, event: ev.WrapUpStarted) -> None:
        # Logs written before CallEnded said ``wrap_up``: the wrap-up starts at the instant its part
        # ended, so reopening the visit then changes no interval that could have closed.
        key = (event.call_id, event.agent_id)
        contact = self._handled.get(key) or self._current.get(event.call_id)
        if contact is None or event.agent_id in contact.open_wraps or contact.handled_at != event.at:
            return
        contact.handled_at = None
        contact.open_wraps.add(event.agent_id)
        self._handled[key] = contact

    @staticmethod
    def _maybe_handled(contact: Contact, at: float) -> None:
        if contact.handled_at is None and contact.conversation_ended and not contact.open_wraps:
            contact.handled_at = at

    @staticmethod
    def _close(contact: Contact, outcome: str, at: float, wait: float) -> None:
        contact.outcome = outcome
        contact.outcome_at = at
        contact.wait_seconds = wait

    def waiting(self) -> list[Contact]:
        return [c for c in self._current.values() if c.outcome == "waiting"]

    def prune(self, before: float) -> int:
        """Forget the contacts finished before ``before`` (memory stays bounded by day); returns how many."""
        kept = [c for c in self.contacts if not c.finished_before(before)]
        dropped = len(self.contacts) - len(kept)
        if dropped:
            self.contacts = kept
            alive = {id(c) for c in kept}
            self._current = {k: c for k, c in self._current.items() if id(c) in alive}
            self._handled = {k: c for k, c in self._handled.items() if id(c) in alive}
        self.parts = [p for p in self.parts if p.ended_at >= before]
        return dropped
