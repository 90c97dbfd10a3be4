"""Caller bridged to an agent's phone (sipp UAS with -rtp_echo, a static extension):
audio flows both ways through the relay; either side hanging up ends the bridge."""

from __future__ import annotations

import asyncio
from array import array
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest

from contact_center.telephony import audio, rtp
from contact_center.telephony.events import BridgeEnded, CallArrived, CallHungUp, HangupBy, LegKind, OriginateOutcome
from contact_center.telephony.sip import SipTelephony


async def next_of(tel: SipTelephony, kind: type) -> Any:
    async for event in tel.events():
        if isinstance(event, kind):
            return event
    raise AssertionError(f"no {kind.__name__}")


def heard(payloads: list[bytes]) -> list[int]:
    return audio.ulaw_samples(b"".join(payloads))


def matches_caller(samples: list[int], caller_pcm: bytes) -> float:
    """How well a stretch of ``samples`` matches the caller's (looping) voice."""
    start = audio.onset(samples, threshold=1500) + 800
    probe = samples[start : start + 2400]
    assert len(probe) == 2400, "not enough audio captured"
    reference = list(array("h", caller_pcm)) * 2
    return audio.locate(probe, reference)[1]


@pytest.fixture
async def setup(
    kamailio: Callable[..., Any],
    telephony: Callable[..., Awaitable[SipTelephony]],
    ports: Callable[..., int],
    agent_phone: Callable[[str], Any],
    request: pytest.FixtureRequest,
) -> tuple[Any, SipTelephony, Any]:
    line = ports()
    agent = agent_phone(request.param)
    proxy = kamailio(users={"ivr": "ivr-secret"}, workers=[line], static={"3000": agent.port})
    return proxy, await telephony(proxy, port=line), agent


@pytest.mark.parametrize("setup", ["uas_answer.xml"], indirect=True)
async def test_caller_and_agent_hear_each_other_until_the_caller_hangs_up(
    setup: tuple[Any, SipTelephony, Any],
    sipp: Callable[..., Any],
    sniff: Callable[[int], Any],
    ports: Callable[..., int],
    caller_pcm: bytes,
    tmp_path: Path,
) -> None:
    proxy, tel, phone = setup
    caller_media = ports(even=True)
    to_caller = sniff(caller_media)
    taps: dict[str, list[bytes]] = {}
    events: list[object] = []

    async def session() -> tuple[str, str]:
        arrived = await next_of(tel, CallArrived)
        await tel.answer(arrived.call_id)
        result = await tel.originate("3000", ring_timeout=5)
        assert result.outcome is OriginateOutcome.ANSWERED and result.call_id is not None
        agent = result.call_id
        taps[agent] = tel.stream_of(agent).tap = []  # type: ignore[union-attr]
        await tel.start_recording(arrived.call_id, tmp_path / "call.wav")
        await tel.bridge(arrived.call_id, agent)
        async for event in tel.events():
            events.append(event)
            if isinstance(event, BridgeEnded):
                await tel.hangup(agent)  # the session's decision: the caller left, so end the agent leg
            if isinstance(event, CallHungUp) and event.call_id == agent:
                break
        await tel.stop_recording(arrived.call_id)
        return arrived.call_id, agent

    task = asyncio.create_task(session())
    result = await sipp("uac_talk.xml", proxy, media_port=caller_media)
    caller, agent = await asyncio.wait_for(task, 15)
    assert result.returncode == 0, result.log
    assert await phone.finished() == 0  # the agent's phone saw a complete call: INVITE, ACK, BYE

    # caller -> agent: the agent's phone echoes what reached it, and that is the caller's voice
    to_agent = matches_caller(heard(taps[agent]), caller_pcm)
    # agent -> caller: what we sent the caller after bridging is the agent side (the echo)
    sent = [rtp.parse(p) for _, p in to_caller.packets]
    back = matches_caller(heard([p.payload for p in sent if p.payload_type == 0]), caller_pcm)
    print(f"caller->agent correlation {to_agent:.3f}, agent->caller {back:.3f}")
    assert to_agent > 0.9 and back > 0.9

    ended = [e for e in events if isinstance(e, BridgeEnded)]
    assert [(e.ended_by, {e.a, e.b}) for e in ended] == [(caller, {caller, agent})]
    hangups = {e.call_id: e.by for e in events if isinstance(e, CallHungUp)}
    assert hangups == {caller: HangupBy.REMOTE, agent: HangupBy.LOCAL}

    caller_detail, agent_detail = tel.detail(caller), tel.detail(agent)
    assert caller_detail.bridged_with == agent and caller_detail.connected_at is not None
    assert agent_detail.kind is LegKind.AGENT and agent_detail.dialled == "3000"
    assert 180 in agent_detail.sip_codes and 200 in agent_detail.sip_codes
    assert caller_detail.recording == tmp_path / "call.wav"
    recorded = list(array("h", audio.read_wav(tmp_path / "call.wav")))
    assert len(recorded) > 2 * audio.RATE and max(abs(s) for s in recorded) > 2000


@pytest.mark.parametrize("setup", ["uas_answer_then_bye.xml"], indirect=True)
async def test_agent_hangs_up_first(setup: tuple[Any, SipTelephony, Any], sipp: Callable[..., Any]) -> None:
    proxy, tel, phone = setup
    events: list[object] = []

    async def session() -> tuple[str, str]:
        arrived = await next_of(tel, CallArrived)
        await tel.answer(arrived.call_id)
        result = await tel.originate("3000", ring_timeout=5)
        assert result.call_id is not None
        await tel.bridge(arrived.call_id, result.call_id)
        async for event in tel.events():
            events.append(event)
            if isinstance(event, BridgeEnded):
                await tel.hangup(arrived.call_id)  # e.g. after a goodbye prompt
            if isinstance(event, CallHungUp) and event.call_id == arrived.call_id:
                break
        return arrived.call_id, result.call_id

    task = asyncio.create_task(session())
    result = await sipp("uac_talk_until_bye.xml", proxy)
    caller, agent = await asyncio.wait_for(task, 15)
    assert result.returncode == 0, result.log  # the caller got our BYE and answered it
    assert await phone.finished() == 0  # the agent's BYE got its 200 through the proxy
    assert [(e.ended_by) for e in events if isinstance(e, BridgeEnded)] == [agent]
    hangups = {e.call_id: e.by for e in events if isinstance(e, CallHungUp)}
    assert hangups == {agent: HangupBy.REMOTE, caller: HangupBy.LOCAL}
    assert tel.detail(agent).hung_up_by is HangupBy.REMOTE
    assert tel.pool.in_use == frozenset() and tel.capacity.active == 0
