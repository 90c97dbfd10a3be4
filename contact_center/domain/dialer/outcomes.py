"""Where a dialing record stands after an attempt and after the agent's disposition (pure).

An attempt that reached nobody is tried again after the campaign's retry delay until its attempts
are used; one that reached the customer is done unless the agent's disposition says otherwise:
do not call (the number goes on the do-not-call list), wrong number (failed), a callback or a
follow-up (tried again later), no answer (as if nobody had answered).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

# What telephony said of the customer's phone; "agent_unreachable": our agent's phone did not answer,
# so the customer was never dialled and the attempt does not count.
ATTEMPT_RESULTS = ("answered", "busy", "no_answer", "failed", "answering_machine", "agent_unreachable")
# The outcomes a campaign may give its own retry delay, and which results and dispositions each stands for.
RETRY_OUTCOMES = ("busy", "no_answer", "answering_machine", "failed", "callback_requested")
_OUTCOME_OF = {
    "callback_scheduled": "callback_requested",
    "follow_up": "callback_requested",
    "voicemail_left": "answering_machine",
}
DNC_CODES = frozenset({"do_not_call", "dnc"})
FAILED_CODES = frozenset({"wrong_number", "invalid_number"})
RETRY_CODES = frozenset({"callback_scheduled", "callback_requested", "follow_up", "no_answer", "voicemail_left"})


@dataclass(frozen=True, slots=True)
class Standing:
    status: str  # one of store.tables.dialing.RECORD_STATUSES
    next_at: dt.datetime | None = None
    do_not_call: bool = False  # put the number on the do-not-call list


def after_attempt(
    result: str, *, attempts: int, max_attempts: int, retry_after: dt.timedelta, now: dt.datetime
) -> Standing:
    """``attempts`` counts this one."""
    if result == "answered":
        return Standing("done")
    if result == "agent_unreachable":
        return Standing("retry", now)
    return _again(attempts, max_attempts, retry_after, now)


def after_disposition(
    code: str, category: str | None, *, attempts: int, max_attempts: int, retry_after: dt.timedelta, now: dt.datetime
) -> Standing:
    if code in DNC_CODES or category == "dnc":
        return Standing("dnc", do_not_call=True)
    if code in FAILED_CODES:
        return Standing("failed")
    if code in RETRY_CODES:
        return _again(attempts, max_attempts, retry_after, now)
    return Standing("done")


def retry_outcome(result_or_code: str) -> str | None:
    """Which of the campaign's retry rules an attempt's result or disposition falls under (None: the default)."""
    outcome = _OUTCOME_OF.get(result_or_code, result_or_code)
    return outcome if outcome in RETRY_OUTCOMES else None


def retry_delay(outcome: str, default_minutes: int, by_outcome: dict[str, int]) -> dt.timedelta:
    """The campaign's delay before trying a record again after ``outcome`` (its own rule, else the default)."""
    rule = retry_outcome(outcome)
    return dt.timedelta(minutes=by_outcome.get(rule, default_minutes) if rule else default_minutes)


def _again(attempts: int, max_attempts: int, retry_after: dt.timedelta, now: dt.datetime) -> Standing:
    if attempts >= max_attempts:
        return Standing("done")  # attempts used: the record's last result says how it ended
    return Standing("retry", now + retry_after)
