"""Events a telephony adapter emits onto the asyncio loop (past tense, frozen).

The call-session service consumes them from ``TelephonyPort.events()``. Times are
``time.time()`` epoch seconds taken by the adapter when it saw the SIP message.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class HangupBy(StrEnum):
    """Who ended a leg."""

    REMOTE = "remote"  # the far end: caller, agent or dialled party (BYE, CANCEL)
    LOCAL = "local"  # our side asked for it (hangup, reject, ring timeout)
    SYSTEM = "system"  # shutdown or an internal failure


class LegKind(StrEnum):
    """What a leg is for; it lands on the call activity."""

    INBOUND = "inbound"
    AGENT = "agent"
    OUTBOUND = "outbound"
    SUPERVISOR = "supervisor"  # a supervisor's phone listening in on, whispering into or barging a call


class LineStatus(StrEnum):
    """Where a SIP line's registration stands (``LineStatusChanged``, ``SipTelephony.line_status``)."""

    REGISTERING = "registering"
    REGISTERED = "registered"
    RETRYING = "retrying"  # a refresh failed: calls may not reach this line; retried with backoff
    STOPPED = "stopped"


class OriginateOutcome(StrEnum):
    ANSWERED = "answered"
    BUSY = "busy"
    NO_ANSWER = "no_answer"
    FAILED = "failed"


@dataclass(frozen=True)
class CallArrived:
    """An INVITE reached one of our lines; the leg rings until answered or rejected."""

    call_id: str
    caller: str  # the From user part (a phone number for a carrier, an extension otherwise)
    dialled: str  # the To user part: which service number was called
    line: str  # the SIP user of the line that received it
    at: float


@dataclass(frozen=True)
class DigitReceived:
    """One RFC 4733 telephone-event (0-9, *, #, A-D)."""

    call_id: str
    digit: str
    at: float


@dataclass(frozen=True)
class CallHungUp:
    """The leg ended. ``sip_code`` is the final code that ended it (487 for CANCEL, 200 for BYE...)."""

    call_id: str
    by: HangupBy
    at: float
    sip_code: int | None = None
    reason: str = ""


@dataclass(frozen=True)
class BridgeEnded:
    """A bridge between two legs stopped because ``ended_by`` (one of the legs) hung up or was unbridged."""

    a: str
    b: str
    ended_by: str
    at: float


@dataclass(frozen=True)
class LineStatusChanged:
    """A line's registration changed (lost, retried, back). For logs and health checks;
    calls in progress carry on whatever it says."""

    line: str  # the line's SIP user
    status: LineStatus
    at: float
    reason: str = ""  # e.g. "no answer from registrar", "403 Forbidden"


TelephonyEvent = CallArrived | DigitReceived | CallHungUp | BridgeEnded | LineStatusChanged
