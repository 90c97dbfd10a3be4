"""Drives the pure IVR interpreter over the telephony port until the flow ends or the caller hangs up."""

from __future__ import annotations

import logging
from pathlib import Path

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
from contact_center.ivr.directory import Directory
from contact_center.ivr.lookups import answer_calendar, answer_lookup
from contact_center.telephony.port import CallEnded, Prompt, PromptFile, Speech, TelephonyPort

log = logging.getLogger(__name__)
VOICES = {"en": "en-us", "es": "es", "de": "de", "fr": "fr"}


def to_prompt(speech: IvrSpeech) -> Prompt:
    if speech.audio:
        return PromptFile(path=Path(speech.audio))
    return Speech(text=speech.text, voice=VOICES.get(speech.language, speech.language or "en"))


async def run_ivr(
    port: TelephonyPort, call_id: str, flows: FlowSet, entry: str, start: Start, directory: Directory, clock: Clock
) -> FlowEnd:
    """The flow's end (queue, callback, voicemail, transfer, hang-up) or ``Abandoned`` if the caller left."""
    state, actions = begin(flows, entry, start)
    while True:
        try:
            event = await _perform(port, call_id, actions, directory, clock)
        except CallEnded:
            _, actions = step(state, CallerHungUp(at=clock.now()))
            return next(a for a in actions if isinstance(a, Abandoned))
        if isinstance(event, FlowEnd):
            return event
        state, actions = step(state, event)


async def _perform(port: TelephonyPort, call_id: str, actions: tuple[Action, ...], directory: Directory,
                   clock: Clock) -> Input | FlowEnd:  # fmt: skip
    """Carry out one step's actions; return the input for the next step (or the FlowEnd)."""
    barged: str | None = None
    for action in actions:
        if isinstance(action, Play):
            if barged is None:
                barged = await port.play(call_id, to_prompt(action.speech))
        elif isinstance(action, CollectDigits):
            digits = barged or ""
            if action.prompt is not None and not digits:
                digits = await port.play(call_id, to_prompt(action.prompt)) or ""
            if not _complete(digits, action):
                digits += await port.collect_digits(
                    call_id,
                    max_digits=max(1, action.max_digits - len(digits)),
                    first_timeout=action.timeout if not digits else action.inter_digit_timeout,
                    inter_digit_timeout=action.inter_digit_timeout,
                    terminators=action.terminator or "",
                )
            now = clock.now()
            return Digits(at=now, digits=digits) if digits else NoInput(at=now)
        elif isinstance(action, LookUp):
            return await answer_lookup(directory, action, clock.now())
        elif isinstance(action, FetchCalendar):
            return await answer_calendar(directory, action, clock.now())
        elif isinstance(action, FlowEnd):
            return action
    raise RuntimeError(f"IVR step gave nothing to wait for: {actions!r}")


def _complete(digits: str, action: CollectDigits) -> bool:
    if not digits:
        return False
    if action.terminator and digits.endswith(action.terminator):
        return True
    return len(digits) >= action.max_digits
