"""Inputs the driver feeds to the interpreter and actions the interpreter asks of it.

Every step returns zero or more ``Play`` actions followed by at most one action
that waits: ``CollectDigits`` (answer ``Digits`` or ``NoInput``), ``LookUp``
(answer ``LookupResult`` or ``LookupFailed``), ``FetchCalendar`` (answer
``CalendarResult``), or a ``FlowEnd`` subclass, after which the session is over.
``CallerHungUp`` is accepted at any time. Every input carries the instant ``at``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from contact_center.domain.calendar import Calendar
from contact_center.domain.ivr.template import Value
from contact_center.domain.ivr.trail import IvrTrail

# ---- inputs -------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True, kw_only=True)
class Start:
    at: dt.datetime
    caller: str
    dialed: str = ""
    variables: Mapping[str, Value] = field(default_factory=dict)


@dataclass(frozen=True, slots=True, kw_only=True)
class Digits:
    """What the caller typed for one prompt (a trailing terminator key may be included)."""

    at: dt.datetime
    digits: str


@dataclass(frozen=True, slots=True, kw_only=True)
class NoInput:
    at: dt.datetime


@dataclass(frozen=True, slots=True, kw_only=True)
class LookupResult:
    at: dt.datetime
    found: bool
    values: Mapping[str, Value] = field(default_factory=dict)


@dataclass(frozen=True, slots=True, kw_only=True)
class LookupFailed:
    at: dt.datetime
    reason: str


@dataclass(frozen=True, slots=True, kw_only=True)
class CalendarResult:
    at: dt.datetime
    calendar: Calendar | None


@dataclass(frozen=True, slots=True, kw_only=True)
class CallerHungUp:
    at: dt.datetime


Input = Start | Digits | NoInput | LookupResult | LookupFailed | CalendarResult | CallerHungUp

# ---- actions ------------------------------------------------------------------------------


# The actions a step makes afresh (rendered speech, look-ups) are named tuples: a frozen
# dataclass's __init__ costs several times more, and the interpreter is measured per step.
class Speech(NamedTuple):
    """Rendered prompt: text to speak (TTS) and/or an audio file, in a language."""

    text: str
    audio: str | None
    language: str


class Play(NamedTuple):
    speech: Speech


@dataclass(frozen=True, slots=True, kw_only=True)
class CollectDigits:
    """Play ``prompt`` (interruptible by a key press) and collect digits; timeouts in seconds."""

    node: str
    prompt: Speech | None
    min_digits: int
    max_digits: int
    terminator: str | None
    timeout: float
    inter_digit_timeout: float


class LookUp(NamedTuple):
    """Ask the CRM: ``kind`` by ``by`` with ``key`` (e.g. order by number 104521)."""

    node: str
    kind: str
    by: str
    key: str


class FetchCalendar(NamedTuple):
    node: str
    name: str


@dataclass(frozen=True, slots=True, kw_only=True)
class FlowEnd:
    trail: IvrTrail
    action = "end"

    def to_result(self) -> dict[str, Any]:
        return {"action": self.action}


@dataclass(frozen=True, slots=True, kw_only=True)
class Enqueue(FlowEnd):
    queue: str
    priority: int
    skills: tuple[str, ...]
    agent: str | None = None
    data: Mapping[str, Value] = field(default_factory=dict)
    action = "queue"

    def to_result(self) -> dict[str, Any]:
        return {
            "action": self.action,
            "queue": self.queue,
            "priority": self.priority,
            "skills": list(self.skills),
            "agent": self.agent,
            "data": dict(self.data),
        }


@dataclass(frozen=True, slots=True, kw_only=True)
class RequestCallback(FlowEnd):
    queue: str
    number: str
    priority: int
    skills: tuple[str, ...]
    action = "callback"

    def to_result(self) -> dict[str, Any]:
        return {
            "action": self.action,
            "queue": self.queue,
            "number": self.number,
            "priority": self.priority,
            "skills": list(self.skills),
        }


@dataclass(frozen=True, slots=True, kw_only=True)
class RecordVoicemail(FlowEnd):
    mailbox: str
    prompt: Speech | None
    max_seconds: int
    action = "voicemail"

    def to_result(self) -> dict[str, Any]:
        return {"action": self.action, "mailbox": self.mailbox, "max_seconds": self.max_seconds}


@dataclass(frozen=True, slots=True, kw_only=True)
class TransferCall(FlowEnd):
    number: str
    action = "transfer"

    def to_result(self) -> dict[str, Any]:
        return {"action": self.action, "number": self.number}


@dataclass(frozen=True, slots=True, kw_only=True)
class HangUp(FlowEnd):
    """The flow hangs up: ``reason`` is ``flow`` (a hangup node) or a safety stop (``loop``, ``too_many_inputs``)."""

    reason: str
    action = "hangup"

    def to_result(self) -> dict[str, Any]:
        return {"action": self.action, "reason": self.reason}


@dataclass(frozen=True, slots=True, kw_only=True)
class Abandoned(FlowEnd):
    """The caller hung up during the IVR; nothing for the driver to do but record the trail."""

    action = "abandoned"


Action = Play | CollectDigits | LookUp | FetchCalendar | FlowEnd
