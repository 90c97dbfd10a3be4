"""Drives the pure IVR interpreter over the telephony port until the flow ends or the caller hangs up.

Keys behave as callers expect: a key pressed during a prompt cuts it off (barge-in)
and answers the next question, even when a look-up comes between (it is kept, not
lost), and the prompts still to come before that question are skipped. A collect
leaves room for its terminator, so "four digits then #" never leaks the # into the
next menu.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Protocol

from contact_center.clock import Clock
from contact_center.domain.ivr import (
    Abandoned,
    Action,
    CallerHungUp,
    CollectDigits,
    Digits,
    FetchCalendar,
    FlowEnd,
    Input,
    LookUp,
    NoInput,
    Play,
    Start,
    begin,
    step,
)
from contact_center.domain.ivr.actions import Speech as IvrSpeech
from contact_center.domain.ivr.model import FlowSet
from contact_center.flows.directory import Directory
from contact_center.flows.lookups import answer_calendar, answer_lookup
from contact_center.telephony.port import CallEnded, Prompt, PromptFile, Speech

log = logging.getLogger(__name__)
VOICES = {"en": "en-us", "es": "es", "de": "de", "fr": "fr"}


class PromptPort(Protocol):
    """The part of ``TelephonyPort`` an IVR session uses (see ``contact_center.telephony.port``)."""

    async def play(self, call_id: str, prompt: Prompt, *, barge_in: bool = True) -> str | None: ...

    async def collect_digits(
        self,
        call_id: str,
        *,
        max_digits: int = 1,
        first_timeout: float = 5.0,
        inter_digit_timeout: float = 3.0,
        terminators: str = "#",
    ) -> str: ...


def to_prompt(speech: IvrSpeech) -> Prompt:
    """The port's prompt for rendered IVR speech; an audio file that is missing is spoken from its caption."""
    voice = VOICES.get(speech.language, speech.language or "en")
    if speech.audio:
        path = Path(speech.audio)
        # The port would play its generic "not available" text instead; the caption says what was meant.
        if not speech.text or path.is_file():
            return PromptFile(path=path)
        log.warning("IVR audio file %s not found; speaking its caption instead", path)
    return Speech(text=speech.text, voice=voice)


async def run_ivr(
    port: PromptPort, call_id: str, flows: FlowSet, entry: str, start: Start, directory: Directory, clock: Clock
) -> FlowEnd:
    """The flow's end (queue, callback, voicemail, transfer, hang-up) or ``Abandoned`` if the caller left."""
    state, actions = begin(flows, entry, start)
    ahead = ""  # a key that cut a prompt off and has not answered a question yet
    while True:
        try:
            event, ahead = await _perform(port, call_id, actions, directory, clock, ahead)
        except CallEnded:
            _, actions = step(state, CallerHungUp(at=clock.now()))
            return next(a for a in actions if isinstance(a, Abandoned))
        if isinstance(event, FlowEnd):
            return event
        state, actions = step(state, event)


async def _perform(
    port: PromptPort, call_id: str, actions: tuple[Action, ...], directory: Directory, clock: Clock, ahead: str
) -> tuple[Input | FlowEnd, str]:
    """Carry out one step's actions; return the input for the next step (or the FlowEnd) and keys still ahead."""
    for action in actions:
        if isinstance(action, Play):
            if not ahead:
                ahead = await port.play(call_id, to_prompt(action.speech)) or ""
        elif isinstance(action, CollectDigits):
            return await _collect(port, call_id, action, clock, ahead), ""
        elif isinstance(action, LookUp):
            return await answer_lookup(directory, action, clock.now()), ahead
        elif isinstance(action, FetchCalendar):
            return await answer_calendar(directory, action, clock.now()), ahead
        elif isinstance(action, FlowEnd):
            return action, ahead
    raise RuntimeError(f"IVR step gave nothing to wait for: {actions!r}")


async def _collect(port: PromptPort, call_id: str, action: CollectDigits, clock: Clock, digits: str) -> Input:
    if action.prompt is not None and not digits:
        digits = await port.play(call_id, to_prompt(action.prompt)) or ""
    limit = action.max_digits + (1 if action.terminator else 0)  # room for the terminator after a full entry
    if not _complete(digits, action, limit):
        digits += await port.collect_digits(
            call_id,
            max_digits=max(1, limit - len(digits)),
            first_timeout=action.timeout if not digits else action.inter_digit_timeout,
            inter_digit_timeout=action.inter_digit_timeout,
            terminators=action.terminator or "",
        )
    now = clock.now()
    return Digits(at=now, digits=digits) if digits else NoInput(at=now)


def _complete(digits: str, action: CollectDigits, limit: int) -> bool:
    if not digits:
        return False
    if action.terminator and digits.endswith(action.terminator):
        return True
    return len(digits) >= limit
