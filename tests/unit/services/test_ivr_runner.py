"""The IVR session over a fake phone: barge-in, terminators, inter-digit timeouts, silence, hang-ups, audio."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from contact_center.clock import FixedClock
from contact_center.domain.ivr import Abandoned, Enqueue, FlowEnd, HangUp, Start
from contact_center.domain.ivr.actions import Speech as IvrSpeech
from contact_center.domain.ivr.model import FlowSet
from contact_center.flows.memory_directory import InMemoryDirectory
from contact_center.flows.schema import parse_flow
from contact_center.services.calls.ivr_runner import run_ivr, to_prompt
from contact_center.telephony.port import CallEnded, Prompt, PromptFile, Speech

AT = dt.datetime(2026, 3, 9, 15, 0, tzinfo=dt.UTC)
FLOW = """
start: hello
nodes:
  hello:
    say: Hello.
    next: notice
  notice:
    say: Calls may be recorded.
    next: menu
  menu:
    menu: For orders press 1. For an agent press 0.
    options: {1: ask, 0: agent}
    retries: 1
    timeout: 7
    no_input: I did not hear you.
    fallback: bye
  ask:
    collect: Your order number and pound.
    into: order_number
    min_length: 4
    max_length: 6
    timeout: 6
    inter_digit_timeout: 2
    retries: 0
    next: thanks
    fallback: bye
  thanks:
    say: Thank you.
    next: next_menu
  next_menu:
    menu: For an agent press 0.
    options: {0: agent}
    retries: 0
    fallback: bye
  agent:
    queue: general
    data: {order_number: "{order_number}"}
  bye:
    hangup: Goodbye.
"""


@dataclass
class FakePhone:
    """A caller on a virtual clock: each key comes ``delay`` seconds after the previous event.

    Every prompt lasts ``prompt_seconds``; a key due while it plays cuts it off (barge-in).
    """

    keys: list[tuple[float, str]] = field(default_factory=list)
    prompt_seconds: float = 2.0
    hang_up_at_prompt: int | None = None
    played: list[Prompt] = field(default_factory=list)
    collects: list[dict[str, Any]] = field(default_factory=list)

    async def play(self, call_id: str, prompt: Prompt, *, barge_in: bool = True) -> str | None:
        if self.hang_up_at_prompt is not None and len(self.played) == self.hang_up_at_prompt:
            raise CallEnded(call_id)
        self.played.append(prompt)
        if self.keys and self.keys[0][0] <= self.prompt_seconds:
            return self.keys.pop(0)[1]
        self._wait(self.prompt_seconds)
        return None

    async def collect_digits(
        self,
        call_id: str,
        *,
        max_digits: int = 1,
        first_timeout: float = 5.0,
        inter_digit_timeout: float = 3.0,
        terminators: str = "#",
    ) -> str:
        self.collects.append(
            {
                "max_digits": max_digits,
                "first_timeout": first_timeout,
                "inter_digit_timeout": inter_digit_timeout,
                "terminators": terminators,
            }
        )
        got = ""
        while len(got) < max_digits:
            wait = first_timeout if not got else inter_digit_timeout
            if not self.keys or self.keys[0][0] > wait:
                self._wait(wait)
                break
            got += self.keys.pop(0)[1]
            if got[-1] in terminators:
                break
        return got

    def _wait(self, seconds: float) -> None:
        if self.keys:
            delay, key = self.keys[0]
            self.keys[0] = (max(0.0, delay - seconds), key)

    @property
    def texts(self) -> list[str]:
        return [p.text if isinstance(p, Speech) else str(p.path) for p in self.played]


async def call(phone: FakePhone, flow: str = FLOW) -> FlowEnd:
    parsed, problems = parse_flow(flow, "test.yaml")
    assert parsed is not None, problems
    return await run_ivr(
        phone,
        "call-1",
        FlowSet.of(parsed),
        "test",
        Start(at=AT, caller="+12125550101"),
        InMemoryDirectory(),
        FixedClock(AT),
    )


async def test_a_key_during_a_prompt_cuts_it_off_and_skips_the_prompts_before_the_question() -> None:
    phone = FakePhone(keys=[(0.5, "0")])
    end = await call(phone)
    assert phone.texts == ["Hello."]  # "Calls may be recorded" and the menu prompt are skipped
    assert phone.collects == []  # the key pressed ahead answered the menu
    assert isinstance(end, Enqueue) and end.queue == "general"


async def test_an_entry_ends_at_the_terminator_with_room_for_it_after_a_full_entry() -> None:
    phone = FakePhone(keys=[(5, "1"), (8, "1"), (1, "2"), (1, "3"), (1, "4"), (1, "5"), (1, "6"), (1, "#"), (3, "0")])
    end = await call(phone)
    assert phone.collects == [{"max_digits": 7, "first_timeout": 6, "inter_digit_timeout": 2, "terminators": "#"}]
    assert isinstance(end, Enqueue) and end.data == {"order_number": "123456"}  # the # did not leak into next_menu
    assert "For an agent press 0." in phone.texts


async def test_a_pause_longer_than_the_inter_digit_timeout_ends_the_entry() -> None:
    # 4 5 2 1, then a 5 s pause (the gap allowed is 2 s): the entry is 4521 and the late 0 answers the next menu.
    phone = FakePhone(keys=[(5, "1"), (3, "4"), (1, "5"), (1, "2"), (1, "1"), (5, "0")])
    end = await call(phone)
    assert isinstance(end, Enqueue) and end.data == {"order_number": "4521"}
    assert phone.texts[-2:] == ["Thank you.", "For an agent press 0."]


async def test_silence_is_no_input_then_the_fallback() -> None:
    phone = FakePhone()
    end = await call(phone)
    assert [c["first_timeout"] for c in phone.collects] == [7, 7]
    assert phone.texts[-3:] == ["I did not hear you.", "For orders press 1. For an agent press 0.", "Goodbye."]
    assert isinstance(end, HangUp) and end.trail.inputs[0].kind == "timeout"


async def test_a_key_that_cuts_off_a_prompt_before_a_lookup_is_kept_for_the_next_question() -> None:
    flow = """
start: hello
nodes:
  hello:
    say: Hello.
    next: who
  who:
    lookup: customer
    found: menu
    not_found: menu
  menu:
    menu: Press 0.
    options: {0: agent}
    retries: 0
    fallback: bye
  agent:
    queue: general
  bye:
    hangup: true
"""
    phone = FakePhone(keys=[(1, "0")])
    end = await call(phone, flow)
    assert phone.texts == ["Hello."] and phone.collects == []
    assert isinstance(end, Enqueue)


async def test_a_caller_who_hangs_up_during_a_prompt_is_abandoned() -> None:
    end = await call(FakePhone(hang_up_at_prompt=2))
    assert isinstance(end, Abandoned) and end.trail.path == ("hello", "notice", "menu")


def test_audio_plays_the_file_and_a_missing_file_speaks_its_caption(tmp_path: Path) -> None:
    wav = tmp_path / "welcome.wav"
    wav.write_bytes(b"RIFF")
    assert to_prompt(IvrSpeech("Welcome.", str(wav), "en")) == PromptFile(path=wav)
    assert to_prompt(IvrSpeech("Welcome.", str(tmp_path / "gone.wav"), "es")) == Speech(text="Welcome.", voice="es")
    assert to_prompt(IvrSpeech("", str(tmp_path / "gone.wav"), "en")) == PromptFile(path=tmp_path / "gone.wav")
    assert to_prompt(IvrSpeech("Hi.", None, "en")) == Speech(text="Hi.", voice="en-us")
