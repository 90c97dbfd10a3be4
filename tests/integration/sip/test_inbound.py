"""Inbound calls through Kamailio: answered, a prompt heard, RFC 4733 digits received."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

from contact_center.telephony import audio, rtp
from contact_center.telephony.events import CallArrived, CallHungUp, DigitReceived, HangupBy, LegKind
from contact_center.telephony.port import Speech
from contact_center.telephony.sip import SipTelephony

WELCOME = Speech("Welcome to the contact center. Please enter your account number.")


async def first_call(tel: SipTelephony) -> CallArrived:
    async for event in tel.events():
        if isinstance(event, CallArrived):
            return event
    raise AssertionError("no call arrived")


async def test_caller_hears_the_prompt_and_its_digits_arrive(
    kamailio: Callable[..., Any],
    telephony: Callable[..., Awaitable[SipTelephony]],
    sipp: Callable[..., Any],
    sniff: Callable[[int], Any],
    ports: Callable[..., int],
) -> None:
    line = ports()
    proxy = kamailio(users={"ivr": "ivr-secret"}, workers=[line])
    tel = await telephony(proxy, port=line)
    reference = await tel.prompts.load(WELCOME)
    media = ports(even=True)
    sniffer = sniff(media)
    seen: list[object] = []

    async def session() -> str:
        arrived = await first_call(tel)
        seen.append(arrived)
        await tel.answer(arrived.call_id)
        assert await tel.play(arrived.call_id, WELCOME, barge_in=False) is None
        digits = await tel.collect_digits(arrived.call_id, max_digits=6, first_timeout=10, inter_digit_timeout=5)
        async for event in tel.events():
            seen.append(event)
            if isinstance(event, CallHungUp):
                break
        return digits

    task = asyncio.create_task(session())
    result = await sipp("uac_prompt_dtmf.xml", proxy, media_port=media)
    digits = await asyncio.wait_for(task, 10)
    assert result.returncode == 0, result.log
    assert digits == "12#"

    arrived = seen[0]
    assert isinstance(arrived, CallArrived)
    assert (arrived.caller, arrived.dialled, arrived.line) == ("+15550001111", "100", "ivr")
    hung_up = seen[-1]
    assert isinstance(hung_up, CallHungUp) and hung_up.by is HangupBy.REMOTE
    assert [e.digit for e in seen if isinstance(e, DigitReceived)] == ["1", "2", "#"]  # also reported as events
    detail = tel.detail(arrived.call_id)
    assert detail.kind is LegKind.INBOUND and detail.digits == "12#"
    assert detail.sip_codes[:2] == (180, 200) and detail.sip_codes[-1] == 200
    assert detail.answered_at is not None and detail.ended_at is not None

    sent = [rtp.parse(p) for _, p in sniffer.packets]
    heard = audio.ulaw_samples(b"".join(p.payload for p in sent if p.payload_type == 0))
    correlation = audio.best_correlation(list(_samples(reference)), heard, window=8000)
    print(f"prompt correlation {correlation:.4f}")
    assert correlation > 0.95


def _samples(pcm: bytes) -> list[int]:
    from array import array

    return list(array("h", pcm))


LONG = Speech(
    "Please listen carefully, as our menu options have changed. For sales, press one. For support, "
    "press two. For billing, press three. To hear these options again, stay on the line."
)


async def test_a_key_press_interrupts_the_prompt(
    kamailio: Callable[..., Any],
    telephony: Callable[..., Awaitable[SipTelephony]],
    sipp: Callable[..., Any],
    sniff: Callable[[int], Any],
    ports: Callable[..., int],
) -> None:
    line = ports()
    proxy = kamailio(users={"ivr": "ivr-secret"}, workers=[line])
    tel = await telephony(proxy, port=line)
    prompt = await tel.prompts.load(LONG)
    assert len(prompt) > 2 * audio.RATE * 6  # longer than the 3 s the caller waits before pressing 1
    media = ports(even=True)
    sniffer = sniff(media)

    async def session() -> tuple[str | None, str]:
        arrived = await first_call(tel)
        await tel.answer(arrived.call_id)
        interrupted_by = await tel.play(arrived.call_id, LONG)  # barge-in
        rest = await tel.collect_digits(arrived.call_id, max_digits=4, first_timeout=5, inter_digit_timeout=5)
        return interrupted_by, rest

    task = asyncio.create_task(session())
    result = await sipp("uac_prompt_dtmf.xml", proxy, media_port=media)
    interrupted_by, rest = await asyncio.wait_for(task, 10)
    assert result.returncode == 0, result.log
    assert (interrupted_by, rest) == ("1", "2#")
    sent = [rtp.parse(p) for _, p in sniffer.packets]
    spoken = [p for p in sent if p.payload_type == 0 and p.payload != audio.ULAW_SILENCE]
    assert 50 < len(spoken) < len(prompt) // 320  # the prompt stopped well before its end
