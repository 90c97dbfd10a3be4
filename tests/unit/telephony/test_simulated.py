"""The simulated adapter, which also exercises the loop-side logic both adapters share."""

import asyncio
from pathlib import Path

import pytest

from contact_center.telephony import audio
from contact_center.telephony.events import (
    BridgeEnded,
    CallArrived,
    CallHungUp,
    HangupBy,
    LegKind,
    LineStatus,
    OriginateOutcome,
    TelephonyEvent,
)
from contact_center.telephony.port import CallEnded, Prompt, PromptFile, Speech, TelephonyPort
from contact_center.telephony.prompts import PromptLibrary
from contact_center.telephony.simulated import SimulatedTelephony


@pytest.fixture
def prompt(tmp_path: Path) -> PromptFile:
    path = tmp_path / "half-second.wav"
    audio.write_wav(path, audio.tone(400, 0.5))
    return PromptFile(path)


@pytest.fixture
def sim(tmp_path: Path) -> SimulatedTelephony:
    return SimulatedTelephony(PromptLibrary(tmp_path / "cache"), speed=1.0, max_calls=2, reserve=0)


def drain(sim: SimulatedTelephony) -> list[TelephonyEvent]:
    out = []
    while not sim._events.empty():
        out.append(sim._events.get_nowait())
    return out  # type: ignore[return-value]


def test_it_satisfies_the_port(sim: SimulatedTelephony) -> None:
    assert isinstance(sim, TelephonyPort)
    assert sim.line_status() == {"ivr": LineStatus.REGISTERED}


async def test_arrival_answer_and_detail(sim: SimulatedTelephony) -> None:
    call = sim.inject_call("+15550001", "100")
    assert call is not None
    await sim.answer(call)
    [arrived] = drain(sim)
    assert isinstance(arrived, CallArrived)
    assert (arrived.caller, arrived.dialled, arrived.line) == ("+15550001", "100", "ivr")
    detail = sim.detail(call)
    assert detail.kind is LegKind.INBOUND
    assert detail.answered_at is not None and detail.sip_codes == (200,)


async def test_events_iterator_yields_in_order_and_ends_on_stop(sim: SimulatedTelephony) -> None:
    call = sim.inject_call("1", "2")
    assert call is not None
    sim.press(call, "5")
    await sim.stop()
    seen = [type(e).__name__ async for e in sim.events()]
    assert seen == ["CallArrived", "DigitReceived", "CallHungUp"]


async def test_digit_interrupts_a_prompt(sim: SimulatedTelephony, prompt: PromptFile) -> None:
    call = sim.inject_call("1", "2")
    assert call is not None
    await sim.answer(call)
    playing = asyncio.create_task(sim.play(call, prompt))
    await asyncio.sleep(0.05)
    sim.press(call, "7")
    assert await playing == "7"
    assert await sim.collect_digits(call, max_digits=1, first_timeout=0.01) == ""  # the 7 was consumed


async def test_without_barge_in_digits_wait_for_collection(sim: SimulatedTelephony, prompt: PromptFile) -> None:
    call = sim.inject_call("1", "2")
    assert call is not None
    playing = asyncio.create_task(sim.play(call, prompt, barge_in=False))
    await asyncio.sleep(0.05)
    sim.press(call, "12")
    assert await playing is None
    assert await sim.collect_digits(call, max_digits=4, first_timeout=0.01, inter_digit_timeout=0.01) == "12"
    assert sim.detail(call).digits == "12"


async def test_type_ahead_skips_the_prompt(sim: SimulatedTelephony, prompt: PromptFile) -> None:
    call = sim.inject_call("1", "2")
    assert call is not None
    sim.press(call, "9")
    assert await sim.play(call, prompt) == "9"


async def test_collect_stops_at_terminator_max_or_timeout(sim: SimulatedTelephony) -> None:
    call = sim.inject_call("1", "2")
    assert call is not None
    sim.press(call, "12#34")
    assert await sim.collect_digits(call, max_digits=10, first_timeout=0.01) == "12#"
    assert await sim.collect_digits(call, max_digits=1, first_timeout=0.01) == "3"
    assert await sim.collect_digits(call, max_digits=5, first_timeout=0.01, inter_digit_timeout=0.01) == "4"
    assert await sim.collect_digits(call, max_digits=5, first_timeout=0.01) == ""


async def test_hang_up_during_prompt_or_collection_raises_call_ended(
    sim: SimulatedTelephony, prompt: PromptFile
) -> None:
    call = sim.inject_call("1", "2")
    assert call is not None
    playing = asyncio.create_task(sim.play(call, prompt))
    collecting = asyncio.create_task(sim.collect_digits(call, first_timeout=30))
    await asyncio.sleep(0.05)
    sim.far_end_hangup(call)
    for task in (playing, collecting):
        with pytest.raises(CallEnded):
            await task
    with pytest.raises(CallEnded):
        await sim.answer(call)
    hung = [e for e in drain(sim) if isinstance(e, CallHungUp)]
    assert [(e.call_id, e.by) for e in hung] == [(call, HangupBy.REMOTE)]
    assert sim.capacity.active == 0


async def test_hold_loops_music_and_announces_periodically(sim: SimulatedTelephony, prompt: PromptFile) -> None:
    sim.speed = 0.01
    call = sim.inject_call("1", "2")
    assert call is not None
    announced: list[int] = []
    three = asyncio.Event()

    def announce() -> Prompt | None:
        announced.append(len(announced) + 1)
        if len(announced) == 3:
            three.set()
        return prompt if len(announced) % 2 else None

    await sim.start_hold(call, prompt, announce=announce, every=0.01)
    await three.wait()
    await sim.stop_hold(call)
    count = len(announced)
    await asyncio.sleep(0.05)
    assert len(announced) == count  # stopped
    detail = sim.detail(call)
    assert detail.hold_started_at is not None and detail.hold_seconds > 0


async def test_hang_up_while_on_hold_ends_the_hold(sim: SimulatedTelephony, prompt: PromptFile) -> None:
    call = sim.inject_call("1", "2")
    assert call is not None
    await sim.start_hold(call, prompt, every=60)
    sim.far_end_hangup(call)
    await asyncio.sleep(0)
    assert sim.legs.get(call).hold_task is None or sim.legs.get(call).hold_task.cancelled()  # type: ignore[union-attr]
    assert sim.detail(call).hung_up_by is HangupBy.REMOTE


async def test_over_capacity_calls_are_rejected_with_503(sim: SimulatedTelephony) -> None:
    assert sim.inject_call("1", "x") and sim.inject_call("2", "x")
    assert sim.inject_call("3", "x") is None
    assert sim.rejected == [("3", 503)]


@pytest.mark.parametrize(
    ("outcome", "code", "has_leg"),
    [
        (OriginateOutcome.ANSWERED, 200, True),
        (OriginateOutcome.BUSY, 486, False),
        (OriginateOutcome.FAILED, 404, False),
    ],
)
async def test_originate_outcomes(sim: SimulatedTelephony, outcome: OriginateOutcome, code: int, has_leg: bool) -> None:
    sim.program("2001", outcome)
    result = await sim.originate("2001", ring_timeout=1)
    assert (result.outcome, result.sip_code, result.call_id is not None) == (outcome, code, has_leg)
    assert result.detail.kind is LegKind.AGENT and result.detail.dialled == "2001"


async def test_ring_timeout_gives_no_answer(sim: SimulatedTelephony) -> None:
    sim.program("2002", OriginateOutcome.ANSWERED, delay=5)
    result = await sim.originate("2002", ring_timeout=0.01)
    assert result.outcome is OriginateOutcome.NO_ANSWER
    assert result.detail.hung_up_by is HangupBy.LOCAL


async def test_bridge_records_connection_and_ends_when_a_leg_hangs_up(sim: SimulatedTelephony, tmp_path: Path) -> None:
    caller = sim.inject_call("1", "2")
    assert caller is not None
    sim.program("2001", OriginateOutcome.ANSWERED)
    agent = (await sim.originate("2001")).call_id
    assert agent is not None
    await sim.start_recording(caller, tmp_path / "rec.wav")
    await sim.bridge(caller, agent)
    sim.far_end_hangup(agent)
    assert await sim.stop_recording(caller) == tmp_path / "rec.wav"
    assert (tmp_path / "rec.wav").exists()
    ended = [e for e in drain(sim) if isinstance(e, BridgeEnded)]
    assert [(e.a, e.b, e.ended_by) for e in ended] == [(caller, agent, agent)]
    assert sim.detail(caller).bridged_with == agent and sim.detail(caller).connected_at is not None
    assert sim.detail(caller).recording == tmp_path / "rec.wav"
    assert not sim.legs.get(caller).is_ended  # the caller stays up for the session to decide


def test_old_ended_legs_are_forgotten_but_live_ones_never(tmp_path: Path) -> None:
    sim = SimulatedTelephony(PromptLibrary(tmp_path), max_calls=100)
    sim.legs.keep_ended = 3
    live = sim.inject_call("live", "1")
    ended = []
    for n in range(10):
        call = sim.inject_call(str(n), "1")
        assert call is not None
        sim.far_end_hangup(call)
        ended.append(call)
    assert live is not None and not sim.legs.get(live).is_ended
    assert sim.detail(ended[-1]).ended_at is not None
    with pytest.raises(CallEnded):
        sim.detail(ended[0])
    assert len(sim.legs) <= 2 * 3 + 1


async def test_hold_plays_the_configured_music_with_the_announcements_in_between(tmp_path: Path) -> None:
    music = tmp_path / "music.wav"
    audio.write_wav(music, audio.tone(300, 1.0))
    sim = SimulatedTelephony(PromptLibrary(tmp_path / "cache"), hold_music=music)
    call = sim.inject_call("1", "2")
    assert call is not None
    announcements = iter([Speech("You are number two."), Speech("You are number one.")])
    await sim.start_hold(call, announce=lambda: next(announcements, None), every=0.05)
    await asyncio.sleep(0.3)
    await sim.stop_hold(call)
    played = [prompt for leg, prompt in sim.on_hold if leg == call]
    assert played[:5] == [
        PromptFile(music),
        Speech("You are number two."),
        PromptFile(music),
        Speech("You are number one."),
        PromptFile(music),
    ]


async def test_without_hold_music_the_generated_tune_is_made_once_into_the_cache(tmp_path: Path) -> None:
    prompts = PromptLibrary(tmp_path / "cache")
    sim = SimulatedTelephony(prompts, hold_music=tmp_path / "missing.wav")  # a broken setting: the tune plays
    call = sim.inject_call("1", "2")
    assert call is not None
    await sim.start_hold(call)
    await asyncio.sleep(0)
    assert sim.on_hold == [(call, PromptFile(prompts.default_music_path))]
    assert prompts.failures == 1 and prompts.default_music_path.exists()
    assert await prompts.hold_music(None) == audio.read_wav(prompts.default_music_path)
    await sim.hangup(call)


async def test_phone_status_from_programmed_phones(sim: SimulatedTelephony) -> None:
    sim.program("2001", OriginateOutcome.ANSWERED)
    sim.program("2002", OriginateOutcome.FAILED)
    sim.set_phone("2003", False)
    sim.program("2003", OriginateOutcome.ANSWERED)
    assert [await sim.phone_status(e) for e in ("2001", "2002", "2003", "2999")] == [True, False, False, False]
    sim.set_phone("2003", None)
    assert await sim.phone_status("2003") is True


async def test_agent_legs_keep_their_reserve_and_failed_dials_say_why(tmp_path: Path) -> None:
    sim = SimulatedTelephony(PromptLibrary(tmp_path), max_calls=4)  # reserve 2: two callers at most
    assert [sim.inject_call(str(n), "100") is not None for n in range(3)] == [True, True, False]
    sim.program("2001", OriginateOutcome.ANSWERED)
    sim.program("2002", OriginateOutcome.BUSY)
    assert (await sim.originate("2001")).outcome is OriginateOutcome.ANSWERED
    busy = await sim.originate("2002")
    assert (busy.outcome, busy.sip_code, busy.reason, busy.detail.final_code) == (
        OriginateOutcome.BUSY,
        486,
        "Busy Here",
        486,
    )
    assert any(isinstance(e, CallHungUp) and e.call_id == busy.leg_id for e in drain(sim))  # as over SIP
    assert (await sim.originate("2001")).outcome is OriginateOutcome.ANSWERED  # the busy leg was given back
    full = await sim.originate("2001")
    assert (full.outcome, full.sip_code, full.reason) == (OriginateOutcome.FAILED, 503, "over capacity")
