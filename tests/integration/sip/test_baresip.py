"""Smoke test with a strict, real softphone: baresip registers as agent 2001 with digest auth,
auto-answers our call, and talks; our ACK and BYE must satisfy it (pyVoIP 1.6.8's did not:
baresip retransmitted its 200 OK and logged the BYE's 200 as unhandled)."""

from __future__ import annotations

import asyncio
from array import array
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any, cast

import pytest

from contact_center.telephony import audio
from contact_center.telephony.events import CallArrived, HangupBy, OriginateOutcome
from contact_center.telephony.sip import SipTelephony

from ...tools import require_tool


@pytest.fixture(autouse=True)
def _baresip_installed() -> None:
    require_tool("baresip")


async def test_baresip_agent_registers_answers_talks_and_accepts_our_ack_and_bye(
    kamailio: Callable[..., Any],
    telephony: Callable[..., Awaitable[SipTelephony]],
    ports: Callable[..., int],
    baresip: Callable[..., Awaitable[Path]],
    sipp: Callable[..., Any],
    caller_pcm: bytes,
    tmp_path: Path,
) -> None:
    line = ports()
    proxy = kamailio(users={"ivr": "ivr-secret", "2001": "agent-pw", "2002": "other-pw"}, workers=[line])
    voice = tmp_path / "agent-voice.wav"
    audio.write_wav(voice, caller_pcm * 12)  # long enough that baresip never reaches the end of it
    log = await baresip(proxy, "2001", "agent-pw", voice)
    tel = await telephony(proxy, port=line)
    # the desk's phone status: baresip is registered and answers OPTIONS; 2002 has an account
    # but no phone registered now; 5555 is nobody
    assert [await tel.phone_status(ext) for ext in ("2001", "2002", "5555")] == [True, False, False]
    assert await tel.phone_status("2001") is True and tel.phones.probes_sent == 3  # cached
    outcome: dict[str, Any] = {}

    async def session() -> None:
        async for event in tel.events():
            if isinstance(event, CallArrived):
                break
        event = cast(CallArrived, event)
        await tel.answer(event.call_id)
        result = await tel.originate("2001", ring_timeout=10)
        outcome["result"] = result
        assert result.outcome is OriginateOutcome.ANSWERED and result.call_id is not None
        agent = result.call_id
        tap = tel.stream_of(agent).tap = []  # type: ignore[union-attr]
        await tel.bridge(event.call_id, agent)
        await asyncio.sleep(4.5)  # past baresip's 200 OK retransmits at 0.5, 1.5 and 3.5 s, if it had any
        await tel.hangup(agent)
        await tel.hangup(event.call_id)
        outcome["agent"], outcome["tap"] = agent, tap

    task = asyncio.create_task(session())
    result = await sipp("uac_talk_until_bye.xml", proxy)
    await asyncio.wait_for(task, 20)
    assert result.returncode == 0, result.log
    detail = tel.detail(outcome["agent"])
    assert detail.sip_codes.count(200) == 1, detail.sip_codes  # our ACK matched: no 200 OK retransmits
    assert detail.hung_up_by is HangupBy.LOCAL
    await asyncio.sleep(0.5)
    trace = log.read_text(errors="replace")
    assert "unhandled response" not in trace and "unhandeled response" not in trace
    assert "BYE" in trace and "SIP/2.0 200 OK" in trace
    heard = audio.ulaw_samples(b"".join(outcome["tap"]))
    start = audio.onset(heard, threshold=1500) + 400
    probe = heard[start : start + 2400]
    assert len(probe) == 2400
    assert audio.locate(probe, list(array("h", caller_pcm)) * 2)[1] > 0.9  # baresip's voice reached us
