"""What callers hear and what is recorded: hold music with the announcements in between,
and a recording that holds both directions of the call."""

from __future__ import annotations

import asyncio
from array import array
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from contact_center.bench.sip_rig import ulaw_wav
from contact_center.telephony import audio, rtp
from contact_center.telephony.events import CallArrived, CallHungUp
from contact_center.telephony.port import PromptFile, Speech
from contact_center.telephony.sip import SipTelephony

ANNOUNCEMENT = Speech("You are number one in the queue.")


async def next_of(tel: SipTelephony, kind: type) -> Any:
    async for event in tel.events():
        if isinstance(event, kind):
            return event
    raise AssertionError(f"no {kind.__name__}")


def frame_index(pcm: bytes) -> dict[bytes, int]:
    """Each audible 20 ms frame of ``pcm`` as it goes on the wire (mu-law) -> its position
    (silent frames look alike whatever they belong to)."""
    return {
        audio.ulaw_encode(frame): i
        for i, frame in enumerate(audio.frames(pcm))
        if max(abs(s) for s in array("h", frame)) > 300
    }


async def test_callers_on_hold_hear_music_then_the_announcement_then_the_music_again(
    kamailio: Callable[..., Any],
    telephony: Callable[..., Awaitable[SipTelephony]],
    sipp: Callable[..., Any],
    sniff: Callable[[int], Any],
    ports: Callable[..., int],
) -> None:
    line = ports()
    proxy = kamailio(users={"ivr": "ivr-secret"}, workers=[line])
    tel = await telephony(proxy, port=line)
    music, spoken = await tel.prompts.hold_music(None), await tel.prompts.load(ANNOUNCEMENT)  # made before the call
    media = ports(even=True)
    to_caller = sniff(media)

    async def session() -> None:
        arrived = await next_of(tel, CallArrived)
        await tel.answer(arrived.call_id)
        await tel.start_hold(arrived.call_id, announce=lambda: ANNOUNCEMENT, every=1.5)  # the built-in music
        await next_of(tel, CallHungUp)

    task = asyncio.create_task(session())
    result = await sipp("uac_talk.xml", proxy, media_port=media)  # on the line for 5 s
    await asyncio.wait_for(task, 10)
    assert result.returncode == 0, result.log

    payloads = [rtp.parse(p).payload for _, p in to_caller.packets]
    music_at, spoken_at = frame_index(music), frame_index(spoken)
    heard = [
        ("music", music_at[p]) if p in music_at else ("announcement", spoken_at[p]) if p in spoken_at else ("other", 0)
        for p in payloads
    ]
    runs: list[tuple[str, list[int]]] = []
    for kind, index in heard:
        if kind == "other":
            continue
        if runs and runs[-1][0] == kind:
            runs[-1][1].append(index)
        else:
            runs.append((kind, [index]))
    assert [kind for kind, _ in runs][:3] == ["music", "announcement", "music"], [(k, len(i)) for k, i in runs]
    first_music, announcement, second_music = (indices for _, indices in runs[:3])
    assert 60 <= len(first_music) <= 90  # about 1.5 s of it
    assert announcement == sorted(spoken_at.values())  # the whole announcement, in order
    assert abs(second_music[0] - (first_music[-1] + 1)) <= 3  # the music carries on where it stopped

    # and what the caller's phone decodes is that music (correlation over half a second)
    start = heard.index(("music", first_music[10]))
    decoded = audio.ulaw_samples(b"".join(payloads[start : start + 25]))
    reference = list(array("h", music))[first_music[10] * 160 :][: len(decoded)]
    assert audio.pearson(decoded, reference) > 0.99


async def test_a_recording_holds_both_directions(
    kamailio: Callable[..., Any],
    telephony: Callable[..., Awaitable[SipTelephony]],
    sipp: Callable[..., Any],
    ports: Callable[..., int],
    tmp_path: Path,
) -> None:
    """The caller sends a 1000 Hz tone, we send 450 Hz: both are in the mixed WAV."""
    line = ports()
    proxy = kamailio(users={"ivr": "ivr-secret"}, workers=[line])
    tel = await telephony(proxy, port=line)
    (tmp_path / "caller.wav").write_bytes(ulaw_wav(audio.tone(1000, 8.0, 6000)))  # what sipp streams
    ours = tmp_path / "ours.wav"
    audio.write_wav(ours, audio.tone(450, 3.0, 6000))
    recording = tmp_path / "recordings" / "call.wav"

    async def session() -> None:
        arrived = await next_of(tel, CallArrived)
        await tel.answer(arrived.call_id)
        await tel.start_recording(arrived.call_id, recording)
        await tel.play(arrived.call_id, PromptFile(ours), barge_in=False)
        await tel.stop_recording(arrived.call_id)
        assert tel.detail(arrived.call_id).recording == recording

    task = asyncio.create_task(session())
    result = await sipp("uac_talk.xml", proxy)
    await asyncio.wait_for(task, 10)
    assert result.returncode == 0, result.log
    samples = list(array("h", audio.read_wav(recording)))
    assert len(samples) >= int(2.8 * audio.RATE)
    middle = samples[audio.RATE : 2 * audio.RATE]  # a second when both were talking
    control = audio.tone_power(middle, 2500)
    assert audio.tone_power(middle, 450) > 100 * control, "our side is missing from the recording"
    assert audio.tone_power(middle, 1000) > 100 * control, "the caller's side is missing from the recording"
