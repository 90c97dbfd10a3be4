"""Routing events: past tense, frozen, each stamped with the instant ``at`` (seconds, injected clock).

The service appends them to the activity log; metrics are folded from them; the
call's own trail (``Call.trail``) keeps the ones that concern it.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Event:
    at: float


@dataclass(frozen=True, slots=True)
class AgentStateChanged(Event):
    agent_id: str
    old: str
    new: str
    reason: str | None
    seconds_in_old: float


@dataclass(frozen=True, slots=True)
class CallEvent(Event):
    call_id: str


@dataclass(frozen=True, slots=True)
class CallQueued(CallEvent):
    queue_id: str
    priority: int
    skills: tuple[tuple[str, int], ...]
    enqueued_at: float  # the ordering time: original for callbacks and re-queues
    reason: str  # "new", "transfer", "agent_hangup"


@dataclass(frozen=True, slots=True)
class CallOffered(CallEvent):
    agent_id: str
    queue_id: str
    kind: str  # "queue", "callback", "transfer", "consult"
    ring_deadline: float


@dataclass(frozen=True, slots=True)
class PreferredAgentWaiting(CallEvent):
    """The call is offered only to the agent the caller asked for until ``until``, then to anyone."""

    queue_id: str
    agent_id: str
    until: float


@dataclass(frozen=True, slots=True)
class PreferredAgentReleased(CallEvent):
    """The call may go to anyone (now, or from the start): why it is not, or no longer, kept for that agent."""

    queue_id: str
    agent_id: str
    # at enqueue: "unknown_agent", "offline", "not_in_queue", "lacks_skills", "no_wait"; later: "timeout",
    # "logged_out", "rejected", "missed", "withdrawn", and "not_in_queue" after a move or a reconfiguration
    reason: str


@dataclass(frozen=True, slots=True)
class OfferRejected(CallEvent):
    agent_id: str


@dataclass(frozen=True, slots=True)
class OfferMissed(CallEvent):
    agent_id: str


@dataclass(frozen=True, slots=True)
class OfferWithdrawn(CallEvent):
    """The offer ended without an answer for a reason of the agent's (logout, not-ready)."""

    agent_id: str
    reason: str


@dataclass(frozen=True, slots=True)
class CallAnswered(CallEvent):
    agent_id: str
    queue_id: str
    wait_seconds: float


@dataclass(frozen=True, slots=True)
class CallHeld(CallEvent):
    agent_id: str


@dataclass(frozen=True, slots=True)
class CallResumed(CallEvent):
    agent_id: str
    held_seconds: float


@dataclass(frozen=True, slots=True)
class CallEnded(CallEvent):
    agent_id: str
    queue_id: str
    talk_seconds: float
    hold_seconds: float
    reason: str  # "hangup", "agent_hangup", "transfer" (blind, warm, or the owner leaving a conference)
    wrap_up: bool = False  # the agent goes on to wrap-up (a WrapUpEnded for this part will follow)


@dataclass(frozen=True, slots=True)
class CallAbandoned(CallEvent):
    queue_id: str
    wait_seconds: float
    reason: str  # "caller_hangup", "reconciled"


@dataclass(frozen=True, slots=True)
class CallExited(CallEvent):
    queue_id: str
    reason: str  # "max_wait", "queue_full"
    destination: str  # "voicemail", "disconnect"
    wait_seconds: float


@dataclass(frozen=True, slots=True)
class CallMoved(CallEvent):
    from_queue: str
    to_queue: str
    reason: str  # "escalation", "max_wait", "queue_full", "supervisor"


@dataclass(frozen=True, slots=True)
class RouteTargetUnknown(CallEvent):
    """A move or exit named a queue the router does not know: nothing was changed before this check."""

    queue_id: str
    target_queue: str
    source: str  # "escalation", "max_wait", "queue_full"
    fallback: str  # "exit" (the queue's exit action applies instead) or "waiting" (the call stays put)


@dataclass(frozen=True, slots=True)
class CallEscalated(CallEvent):
    queue_id: str
    rule_index: int
    action: str
    detail: str


@dataclass(frozen=True, slots=True)
class CallReprioritized(CallEvent):
    """A waiting call's priority was changed by a supervisor."""

    queue_id: str
    old: int
    new: int


@dataclass(frozen=True, slots=True)
class SupervisorAlerted(CallEvent):
    queue_id: str
    message: str
    wait_seconds: float


@dataclass(frozen=True, slots=True)
class CallbackOffered(CallEvent):
    """The caller should be offered to leave the queue and be called back (the IVR asks)."""

    queue_id: str


@dataclass(frozen=True, slots=True)
class CallbackRequested(CallEvent):
    queue_id: str
    number: str
    reason: str  # "caller", "max_wait", "queue_full"


@dataclass(frozen=True, slots=True)
class CallbackPlaced(CallEvent):
    """An agent accepted the callback: dial the customer and bridge (dialer / telephony port)."""

    agent_id: str
    number: str


@dataclass(frozen=True, slots=True)
class CallbackCanceled(CallEvent):
    queue_id: str


@dataclass(frozen=True, slots=True)
class WrapUpStarted(Event):
    agent_id: str
    call_id: str
    queue_id: str
    deadline: float


@dataclass(frozen=True, slots=True)
class WrapUpExtended(Event):
    agent_id: str
    call_id: str
    deadline: float


@dataclass(frozen=True, slots=True)
class WrapUpEnded(Event):
    agent_id: str
    call_id: str
    queue_id: str
    wrap_seconds: float


@dataclass(frozen=True, slots=True)
class CallTransferred(CallEvent):
    from_agent_id: str
    to_queue_id: str | None
    to_agent_id: str | None
    kind: str  # "blind", "warm"


@dataclass(frozen=True, slots=True)
class ConsultStarted(CallEvent):
    agent_id: str
    target_agent_id: str


@dataclass(frozen=True, slots=True)
class ConsultEnded(CallEvent):
    agent_id: str
    target_agent_id: str
    outcome: str  # "canceled", "transferred", "conference", "declined"


@dataclass(frozen=True, slots=True)
class ConferenceLeft(CallEvent):
    agent_id: str


@dataclass(frozen=True, slots=True)
class StateRepaired(Event):
    """The reconciler found a state with no live call leg behind it and healed it (audit trail)."""

    subject: str  # "agent" or "call"
    subject_id: str
    before: str
    after: str
    reason: str


@dataclass(frozen=True, slots=True)
class RepairFailed(Event):
    """The reconciler saw a state to heal but the repair was refused; the rest of the pass went on."""

    subject: str
    subject_id: str
    state: str
    reason: str
    error: str


@dataclass(frozen=True, slots=True)
class OutboundCallStarted(CallEvent):
    agent_id: str
    queue_id: str  # "" when the call belongs to no queue
