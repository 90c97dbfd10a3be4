"""The simulator: run a flow with scripted key presses against a directory and keep a transcript.

``--digits`` syntax: items separated by commas answer successive prompts, so
``"1,4521#"`` presses 1 at the first menu and types 4521# at the next prompt. An
empty item or ``T`` is a no-input timeout (``"1,,T"``: 1, then two timeouts); ``H``
hangs up. When the items run out the caller stays silent, so prompts time out
until the flow ends (retries, then fallbacks).

Keys are taken as a live call takes them: a prompt takes what it asks for (one key
at a menu; at a collect up to its length and the terminator) and the rest stay
buffered for the next prompts, which are then skipped (type-ahead), so ``"12"`` at
the main menu presses 1 there and 2 at the next menu.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Any

from contact_center.domain.ivr import actions as a
from contact_center.domain.ivr.interpreter import begin, step
from contact_center.domain.ivr.model import FlowSet
from contact_center.domain.ivr.template import Value
from contact_center.flows.directory import Directory
from contact_center.flows.lookups import answer_calendar, answer_lookup

TIMEOUT = "T"
HANGUP = "H"
_ITEM = re.compile(r"^[0-9*#]*$")


class DigitsError(ValueError):
    """A ``--digits`` string that cannot be read."""


def parse_digits(text: str) -> list[str]:
    """``"1,4521#,,T"`` → ``["1", "4521#", "T", "T"]``; timeouts become ``T``, hang-ups ``H``."""
    if not text.strip():
        return []
    items: list[str] = []
    for raw in text.split(","):
        item = raw.strip().upper()
        if item in ("", TIMEOUT):
            items.append(TIMEOUT)
        elif item == HANGUP:
            items.append(HANGUP)
        elif _ITEM.match(item):
            items.append(item)
        else:
            raise DigitsError(f"{raw!r} is not keys (0-9, *, #), T for a timeout or H to hang up")
    return items


@dataclass
class Transcript:
    flow: str
    version: str
    lines: list[str] = field(default_factory=list)
    prompts: list[str] = field(default_factory=list)
    inputs: list[dict[str, str]] = field(default_factory=list)
    variables: dict[str, Value] = field(default_factory=dict)
    end: a.FlowEnd | None = None

    @property
    def result(self) -> dict[str, Any]:
        return self.end.to_result() if self.end is not None else {"action": "none"}

    def to_dict(self) -> dict[str, Any]:
        return {
            "flow": self.flow,
            "version": self.version,
            "prompts": self.prompts,
            "inputs": self.inputs,
            "variables": self.variables,
            "result": self.result,
            "trail": self.end.trail.to_dict() if self.end is not None else None,
        }

    def speak(self, speech: a.Speech) -> None:
        text = speech.text or f"[audio {speech.audio}]"
        self.prompts.append(text)
        self.lines.append(f"  IVR ({speech.language}): {text}")

    def skip(self, speech: a.Speech) -> None:
        """A prompt a key pressed ahead cut off: a live call would not play it."""
        self.lines.append(f"  IVR ({speech.language}): {speech.text or speech.audio} [skipped: key already pressed]")

    def answer(self, node: str, item: str, *, typed_ahead: bool = False) -> None:
        self.inputs.append({"node": node, "input": _label(item)})
        self.lines.append(f"  caller: {_label(item)}{' (pressed earlier)' if typed_ahead else ''}")


async def simulate(
    flows: FlowSet, entry: str, directory: Directory, *, caller: str, digits: list[str], at: dt.datetime
) -> Transcript:
    """Run ``entry`` to its end; the clock stands still at ``at`` (hours are decided by it)."""
    transcript = Transcript(entry, flows[entry].version)
    pending = list(digits)
    buffered = ""  # keys pressed but not taken yet
    state, actions = begin(flows, entry, a.Start(at=at, caller=caller))
    transcript.lines.append(f"call from {caller or 'a withheld number'} at {at.isoformat()}")
    while True:
        event: a.Input | None = None
        for action in actions:
            if isinstance(action, a.Play):
                (transcript.skip if buffered else transcript.speak)(action.speech)
            elif isinstance(action, a.CollectDigits):
                typed_ahead = bool(buffered)
                if action.prompt is not None:
                    (transcript.skip if typed_ahead else transcript.speak)(action.prompt)
                if not buffered:
                    item = pending.pop(0) if pending else TIMEOUT
                    if item in (HANGUP, TIMEOUT):
                        transcript.answer(action.node, item)
                        event = a.CallerHungUp(at=at) if item == HANGUP else a.NoInput(at=at)
                        break
                    buffered = item
                taken, buffered = take_keys(buffered, action)
                transcript.answer(action.node, taken, typed_ahead=typed_ahead)
                event = a.Digits(at=at, digits=taken)
            elif isinstance(action, a.LookUp):
                event = await answer_lookup(directory, action, at)
                found = "found" if isinstance(event, a.LookupResult) and event.found else "not found"
                transcript.lines.append(f"  look-up {action.kind} by {action.by} {action.key!r}: {found}")
            elif isinstance(action, a.FetchCalendar):
                event = await answer_calendar(directory, action, at)
                status = event.calendar.status(at) if event.calendar is not None else "unknown calendar"
                transcript.lines.append(f"  hours {action.name!r}: {status}")
            elif isinstance(action, a.FlowEnd):
                if isinstance(action, a.RecordVoicemail) and action.prompt is not None:
                    transcript.speak(action.prompt)
                transcript.end = action
                transcript.variables = dict(state.variables)
                transcript.lines.append(f"result: {action.to_result()}")
                return transcript
        if event is None:  # cannot happen with a valid flow: every step ends waiting or finished
            raise RuntimeError(f"flow {entry!r} stopped at {state.node!r} without asking for anything")
        state, actions = step(state, event)


def take_keys(keys: str, action: a.CollectDigits) -> tuple[str, str]:
    """What a prompt takes from the keys pressed (as the call session collects them) and what stays buffered.

    A menu takes one key; a collect takes up to its maximum length and a terminator right after it.
    """
    limit = action.max_digits + (1 if action.terminator else 0)
    taken = ""
    for key in keys:
        if len(taken) >= limit:
            break
        taken += key
        if key == action.terminator:
            break
    return taken, keys[len(taken) :]


def _label(item: str) -> str:
    return {TIMEOUT: "(timeout)", HANGUP: "(hangs up)"}.get(item, item)
