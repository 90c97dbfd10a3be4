"""Routing commands: imperative, frozen. ``Acd.handle(command, now)`` returns the resulting events."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class Command:
    pass


@dataclass(frozen=True, slots=True)
class ConfigureAgent(Command):
    """Create or update an agent: skills {skill: level}, queue memberships {queue: tier}, team."""

    agent_id: str
    skills: Mapping[str, int] = field(default_factory=dict)
    tiers: Mapping[str, int] = field(default_factory=dict)
    team: str | None = None


@dataclass(frozen=True, slots=True)
class LogIn(Command):
    agent_id: str
    ready: bool = False


@dataclass(frozen=True, slots=True)
class LogOut(Command):
    agent_id: str


@dataclass(frozen=True, slots=True)
class MakeAvailable(Command):
    agent_id: str


@dataclass(frozen=True, slots=True)
class MakeNotReady(Command):
    agent_id: str
    reason: str = "break"


@dataclass(frozen=True, slots=True)
class EnqueueCall(Command):
    call_id: str
    queue_id: str
    priority: int | None = None  # None: the queue's default priority
    skills: Mapping[str, int] = field(default_factory=dict)
    caller_number: str | None = None  # lets a "callback" exit call the customer back
    # "Talk to my account manager": the agent id as the router knows it (the CRM user id, as a string).
    # While that agent is logged in and may take calls of the queue, only they are offered the call, for
    # ``preferred_wait_seconds`` (None: the queue's ``preferred_wait_seconds``); then anyone.
    preferred_agent: str | None = None
    preferred_wait_seconds: float | None = None
    # A callback from the start (one promised for a time, now due): nobody holds a line, so it waits as a
    # callback to this number (as if ``RequestCallback`` had come at once) and no max-wait exit applies.
    callback_number: str | None = None


@dataclass(frozen=True, slots=True)
class AbandonCall(Command):
    """The caller hung up before being answered."""

    call_id: str


@dataclass(frozen=True, slots=True)
class AcceptOffer(Command):
    agent_id: str
    call_id: str


@dataclass(frozen=True, slots=True)
class RejectOffer(Command):
    agent_id: str
    call_id: str


@dataclass(frozen=True, slots=True)
class HoldCall(Command):
    call_id: str


@dataclass(frozen=True, slots=True)
class ResumeCall(Command):
    call_id: str


@dataclass(frozen=True, slots=True)
class EndCall(Command):
    """The conversation is over (the customer hung up, or both did)."""

    call_id: str


@dataclass(frozen=True, slots=True)
class AgentHungUp(Command):
    """The agent's leg dropped while the customer is still on the line: the customer is re-queued."""

    call_id: str


@dataclass(frozen=True, slots=True)
class ExtendWrapUp(Command):
    agent_id: str
    seconds: float


@dataclass(frozen=True, slots=True)
class FinishWrapUp(Command):
    agent_id: str


@dataclass(frozen=True, slots=True)
class RequestCallback(Command):
    """The caller leaves the line but keeps their place; they are called back at ``number``."""

    call_id: str
    number: str


@dataclass(frozen=True, slots=True)
class MoveCall(Command):
    """A supervisor moves a waiting call to another queue; it keeps its place (its original enqueue time)."""

    call_id: str
    queue_id: str


@dataclass(frozen=True, slots=True)
class OfferCallback(Command):
    """A supervisor has a waiting caller offered a callback (the IVR asks them, as an escalation rule would)."""

    call_id: str


@dataclass(frozen=True, slots=True)
class SetCallPriority(Command):
    """A supervisor changes a waiting call's priority (higher is answered first)."""

    call_id: str
    priority: int


@dataclass(frozen=True, slots=True)
class CancelCallback(Command):
    call_id: str


@dataclass(frozen=True, slots=True)
class BlindTransfer(Command):
    """Hand the call to a queue (a new visit there) or straight to an available agent."""

    call_id: str
    queue_id: str | None = None
    agent_id: str | None = None


@dataclass(frozen=True, slots=True)
class StartConsult(Command):
    call_id: str
    target_agent_id: str


@dataclass(frozen=True, slots=True)
class CompleteTransfer(Command):
    """End of a warm transfer: the consulted agent keeps the customer, the first agent wraps up."""

    call_id: str


@dataclass(frozen=True, slots=True)
class CancelConsult(Command):
    call_id: str


@dataclass(frozen=True, slots=True)
class StartConference(Command):
    call_id: str


@dataclass(frozen=True, slots=True)
class LeaveConference(Command):
    call_id: str
    agent_id: str


@dataclass(frozen=True, slots=True)
class ResetDailyCounters(Command):
    """Start of a new day: calls and talk time "today" (fewest_calls, least_talk_time) go back to 0, or to
    what the day's log says (a restart mid-day), by agent id."""

    calls: Mapping[str, int] = field(default_factory=dict)
    talk_seconds: Mapping[str, float] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class StartOutboundCall(Command):
    """An agent places a call (click-to-call): they are on a call until ``EndCall``, then wrap up
    (``OUTBOUND_WRAPUP_SECONDS``, or the queue's when ``queue_id`` names one), then return to the state
    they dialled from. The call is not a queue visit: it counts in the agent's figures, not a queue's."""

    agent_id: str
    call_id: str
    queue_id: str | None = None
