"""Listen, whisper, barge over real SIP: a sipp caller and a sipp agent phone through Kamailio, baresip as the
supervisor's phone. Each party talks its own tone (caller 450 Hz, agent 1000 Hz, supervisor 1650 Hz); what
reaches each phone in each mode, captured on the wire, shows who hears whom."""

from __future__ import annotations

import asyncio
import subprocess
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from contact_center.telephony import audio, rtp
from contact_center.telephony.events import CallArrived, OriginateOutcome
from contact_center.telephony.sip import SipTelephony

CALLER, AGENT, SUPERVISOR = 450.0, 1000.0, 1650.0
PHASE_SECONDS = 2.0
PRESENT, ABSENT = 1e6, 1e5  # Goertzel power per sample: a 6000-amplitude tone gives ~9e6


def _tone_wav(path: Path, freq: float, *, ulaw: bool) -> Path:
    pcm = audio.tone(freq, 30.0, amplitude=6000)
    if not ulaw:
        audio.write_wav(path, pcm)
        return path
    linear = path.with_suffix(".pcm.wav")
    audio.write_wav(linear, pcm)
    subprocess.run(["sox", str(linear), "-e", "u-law", str(path)], check=True)  # what sipp's rtp_stream plays
    return path


def _tones(packets: list[tuple[int, bytes]]) -> dict[float, float]:
    """The power of each party's tone in what reached a phone (the first 300 ms dropped: the mode settles)."""
    payloads = [p.payload for p in (rtp.parse(data) for _, data in packets) if p.payload_type == 0]
    samples = audio.ulaw_samples(b"".join(payloads[15:]))
    assert len(samples) > 8000, "not enough audio captured"
    return {f: audio.tone_power(samples, f) for f in (CALLER, AGENT, SUPERVISOR)}


def _hears(powers: dict[float, float], *present: float) -> bool:
    return all((powers[f] > PRESENT) if f in present else (powers[f] < ABSENT) for f in (CALLER, AGENT, SUPERVISOR))


async def test_a_supervisor_listens_then_whispers_then_barges(
    kamailio: Callable[..., Any],
    telephony: Callable[..., Awaitable[SipTelephony]],
    ports: Callable[..., int],
    agent_phone: Callable[..., Any],
    baresip: Callable[..., Awaitable[Path]],
    sipp: Callable[..., Any],
    sniff: Callable[[int], Any],
    tmp_path: Path,
) -> None:
    _tone_wav(tmp_path / "caller.wav", CALLER, ulaw=True)  # the sipp caller talks tmp_path/caller.wav
    _tone_wav(tmp_path / "agent.wav", AGENT, ulaw=True)
    agent = agent_phone("uas_answer_talk.xml", echo=False)
    line = ports()
    proxy = kamailio(users={"ivr": "ivr-secret", "2901": "super-pw"}, workers=[line], static={"3000": agent.port})
    await baresip(proxy, "2901", "super-pw", _tone_wav(tmp_path / "supervisor.wav", SUPERVISOR, ulaw=False))
    tel = await telephony(proxy, port=line)
    caller_media = ports(even=True)
    to_caller, to_agent = sniff(caller_media), sniff(agent.media)
    heard: dict[str, list[tuple[Any, Any, Any]]] = {}

    async def session() -> None:
        arrived = None
        async for event in tel.events():
            if isinstance(event, CallArrived):
                arrived = event
                break
        assert arrived is not None
        await tel.answer(arrived.call_id)
        rang = await tel.originate("3000", ring_timeout=5)
        assert rang.outcome is OriginateOutcome.ANSWERED and rang.call_id is not None
        await tel.bridge(arrived.call_id, rang.call_id)
        joined = await tel.originate("2901", ring_timeout=10)
        assert joined.outcome is OriginateOutcome.ANSWERED and joined.call_id is not None
        remote = tel.stream_of(joined.call_id).remote  # type: ignore[union-attr]
        assert remote is not None
        to_supervisor = sniff(remote[1])
        sniffers = {"caller": to_caller, "agent": to_agent, "supervisor": to_supervisor}
        for mode in ("listen", "whisper", "barge"):
            await tel.monitor(joined.call_id, rang.call_id, mode)
            marks = {name: len(s.packets) for name, s in sniffers.items()}
            await asyncio.sleep(PHASE_SECONDS)
            for name, sniffer in sniffers.items():
                heard.setdefault(name, []).append(sniffer.packets[marks[name] :])
        await tel.hangup(joined.call_id)
        await asyncio.sleep(0.5)
        await tel.hangup(rang.call_id)
        await tel.hangup(arrived.call_id)

    task = asyncio.create_task(session())
    result = await sipp("uac_talk_until_bye.xml", proxy, media_port=caller_media)
    await asyncio.wait_for(task, 30)
    assert result.returncode == 0, result.log
    assert await agent.finished() == 0

    powers = {name: [_tones(list(phase)) for phase in phases] for name, phases in heard.items()}
    print({name: [{f: f"{p:.2g}" for f, p in phase.items()} for phase in phases] for name, phases in powers.items()})
    listen, whisper, barge = 0, 1, 2
    # The supervisor hears both sides in every mode, never themselves.
    assert all(_hears(p, CALLER, AGENT) for p in powers["supervisor"])
    # The agent hears the customer; the supervisor too when whispering or barging.
    assert _hears(powers["agent"][listen], CALLER)
    assert _hears(powers["agent"][whisper], CALLER, SUPERVISOR)
    assert _hears(powers["agent"][barge], CALLER, SUPERVISOR)
    # The customer hears the agent; the supervisor only when barging.
    assert _hears(powers["caller"][listen], AGENT)
    assert _hears(powers["caller"][whisper], AGENT)
    assert _hears(powers["caller"][barge], AGENT, SUPERVISOR)
