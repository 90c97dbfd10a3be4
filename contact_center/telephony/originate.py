"""How a SIP final response maps to an originate outcome (pure)."""

from __future__ import annotations

import secrets
from collections.abc import Callable

from contact_center.telephony.detail import new_leg
from contact_center.telephony.events import HangupBy, LegKind, OriginateOutcome
from contact_center.telephony.port import OriginateResult

BUSY_CODES = frozenset({486, 600, 603})
NO_ANSWER_CODES = frozenset({408, 480, 487})


def outcome_for(code: int) -> OriginateOutcome:
    """200 answered; 486/600/603 busy; 408/480/487 (ring timeout, CANCEL) no answer;
    anything else (404 unknown or unregistered, 503, 5xx) failed."""
    if 200 <= code < 300:
        return OriginateOutcome.ANSWERED
    if code in BUSY_CODES:
        return OriginateOutcome.BUSY
    if code in NO_ANSWER_CODES:
        return OriginateOutcome.NO_ANSWER
    return OriginateOutcome.FAILED


def refused(
    number: str, kind: LegKind, line: str, code: int, reason: str, clock: Callable[[], float]
) -> OriginateResult:
    """The result for a dial that never left this process (over capacity, no RTP port)."""
    leg = new_leg(f"local-{secrets.token_hex(8)}", kind, line, number, clock)
    leg.ended(HangupBy.SYSTEM, code, reason)
    return OriginateResult(outcome_for(code), None, code, leg.snapshot(), reason)
