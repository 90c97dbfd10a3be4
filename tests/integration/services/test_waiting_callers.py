"""Callers waiting in a queue, through the real call center on the simulated adapter: callbacks that keep
their place and are placed when their turn comes, exits to voicemail, callback offers by escalation,
supervisor alerts, and what hold announcements say."""

from __future__ import annotations

import wave
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any, cast

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from contact_center.crm.customers import create_customer
from contact_center.crm.schemas import CustomerCreate
from contact_center.domain.acd.config import QueueConfig
from contact_center.seed.demo import ensure_reference
from contact_center.services.calls.center import CallCenter
from contact_center.services.calls.session import CallSession
from contact_center.store.engine import session_factory
from contact_center.store.tables import Activity, User
from contact_center.telephony.events import OriginateOutcome
from contact_center.telephony.port import Speech

from .conftest import running_center, until, until_async

MARIA = "+14155550142"
FLOW = """\
start: menu
nodes:
  menu:
    menu: "To wait for an agent, press 1. To be called back, press 2. For Ava, press 3."
    options: {1: wait, 2: call_me, 3: to_ava}
    fallback: wait
  wait:
    queue: general
  to_ava:
    queue: general
    agent: ava
  call_me:
    callback: general
    number: "{caller}"
    say: "Thank you. We will call you back. Goodbye."
"""


@pytest.fixture
async def center(engine: AsyncEngine, clock: Any, tmp_path: Path) -> AsyncIterator[Any]:
    await ensure_reference(engine, password="demo-password-1")
    async with session_factory(engine).begin() as session:
        data = CustomerCreate.model_validate({"first_name": "Maria", "last_name": "Garcia", "phones": [MARIA]})
        await create_customer(session, data, "US")
    flows = tmp_path / "flows"
    flows.mkdir()
    (flows / "main.yaml").write_text(FLOW)
    async with running_center(engine, clock, tmp_path, flows) as running:
        yield running


async def agent_user(engine: AsyncEngine, username: str = "agent") -> User:
    async with session_factory(engine)() as session:
        return (await session.scalars(select(User).where(User.username == username))).one()


async def activities(engine: AsyncEngine, interaction_id: str) -> list[Activity]:
    async with session_factory(engine)() as session:
        query = select(Activity).where(Activity.interaction_id == interaction_id).order_by(Activity.id)
        return list((await session.scalars(query)).all())


def events(heard: list[tuple[Any, str, dict[str, Any]]], name: str) -> list[dict[str, Any]]:
    return [payload for _, event, payload in heard if event == name]


def reconfigure(center: CallCenter, queue: str, **changes: Any) -> None:
    """Change one queue's routing settings (as an admin editing the queue would)."""
    mapping: dict[str, Any] = {"wrapup_seconds": 30, **changes}
    center.acd.acd.configure_queue(QueueConfig.from_mapping(queue, mapping))


async def test_a_callback_keeps_its_place_and_is_placed_to_the_customer_when_its_turn_comes(
    center: Any, engine: AsyncEngine, clock: Any
) -> None:
    desk, port, heard = center
    agent = await agent_user(engine)
    call_id = port.inject_call(MARIA, "5000")
    port.press(call_id, "2")
    await until(lambda: desk.calls.callback(call_id) is not None, "the callback to wait in routing")
    assert port.legs.get(call_id).is_ended  # the caller left the line
    assert desk.views.board()["totals"]["callbacks_waiting"] == 1

    clock.advance(300)
    port.program(agent.extension, OriginateOutcome.ANSWERED)
    port.program(MARIA, OriginateOutcome.ANSWERED)
    await desk.set_state(agent.id, "available")
    offer = (await until(lambda: events(heard, "call.offered"), "the callback offer"))[0]
    assert offer["kind"] == "callback" and offer["call_id"] == call_id
    assert offer["screen_pop"]["customer"]["first_name"] == "Maria"
    assert offer["screen_pop"]["callback"]["number"] == MARIA
    assert offer["waited_seconds"] >= 300

    await desk.accept(agent.id, call_id)
    await until(lambda: events(heard, "call.connected"), "the customer to answer")
    customer_leg, agent_leg = port.bridges[-1]
    assert port.detail(customer_leg).dialled == MARIA and port.detail(agent_leg).dialled == agent.extension
    snapshot = await desk.snapshot(agent.id)
    assert snapshot["call"]["direction"] == "outbound" and snapshot["agent"]["state"] == "on_call"

    clock.advance(60)
    await desk.hold(agent.id, call_id)  # call control works on a call we placed, as on one we answered
    clock.advance(10)
    await desk.resume(agent.id, call_id)
    port.far_end_hangup(customer_leg)
    ended = (await until(lambda: events(heard, "call.ended"), "the call to end"))[0]
    assert ended["hung_up_by"] == "caller"
    await until(lambda: events(heard, "wrapup.started"), "wrap-up")
    await desk.save_wrapup(agent.id, call_id, "resolved", "Called back about the order", [])

    kinds = [(a.type, a.direction, a.outcome) for a in await activities(engine, call_id)]
    assert kinds[0][0] == "ivr" and kinds[1] == ("call", "inbound", "callback_requested")
    assert kinds[2] == ("call", "outbound", "answered")
    call = (await activities(engine, call_id))[-1]
    assert call.details["hold_seconds"] == 10 and call.details["talk_seconds"] == 60
    assert [a["outcome"] for a in call.details["sip"]["customer_attempts"]] == ["answered"]


async def test_a_callback_the_customer_does_not_answer_ends_in_wrap_up_with_the_attempt_logged(
    center: Any, engine: AsyncEngine
) -> None:
    desk, port, heard = center
    agent = await agent_user(engine)
    call_id = port.inject_call(MARIA, "5000")
    port.press(call_id, "2")
    await until(lambda: desk.calls.callback(call_id) is not None, "the callback to wait")
    port.program(agent.extension, OriginateOutcome.ANSWERED)
    port.program(MARIA, OriginateOutcome.BUSY)
    await desk.set_state(agent.id, "available")
    await until(lambda: events(heard, "call.offered"), "the offer")
    await desk.accept(agent.id, call_id)
    ended = (await until(lambda: events(heard, "call.ended"), "the attempt to fail"))[0]
    assert ended["reason"] == "callback_busy"
    await until(lambda: events(heard, "wrapup.started"), "wrap-up")
    await desk.save_wrapup(agent.id, call_id, "no_answer", "Busy; try again tomorrow", [])
    call = (await activities(engine, call_id))[-1]
    assert call.direction == "outbound" and call.details["sip"]["customer_attempts"][0]["outcome"] == "busy"


async def test_a_caller_past_the_maximum_wait_leaves_a_voicemail_for_the_queue(
    center: Any, engine: AsyncEngine, clock: Any
) -> None:
    desk, port, _heard = center
    reconfigure(desk, "general", max_wait_seconds=60, exit_action={"kind": "voicemail"})
    call_id = port.inject_call(MARIA, "5000")
    port.press(call_id, "1")
    await until(lambda: desk.acd.acd.waiting_calls("general"), "the caller to wait")
    clock.advance(61)
    await desk.acd.advance()
    await until(lambda: port.detail(call_id).recording is not None, "the message to be recorded")
    port.far_end_hangup(call_id)

    async def logged() -> list[Activity]:
        return [a for a in await activities(engine, call_id) if a.type in ("voicemail", "call")]

    rows = await until_async(logged, "the voicemail on the timeline")
    by_type = {a.type: a for a in rows}
    assert by_type["voicemail"].details["mailbox"] == "general"
    assert by_type["voicemail"].customer_id is not None and by_type["voicemail"].details["recording_id"]
    assert by_type["call"].outcome == "max_wait"
    assert [e["event"] for e in by_type["call"].details["escalations"]] == ["CallExited"]


async def test_an_escalation_offers_the_caller_a_callback_and_pressing_1_takes_it(
    center: Any, engine: AsyncEngine, clock: Any
) -> None:
    desk, port, heard = center
    reconfigure(
        desk,
        "general",
        escalation=[
            {"after_seconds": 30, "action": "offer_callback"},
            {"after_seconds": 40, "action": "alert", "message": "long wait"},
        ],
    )
    call_id = port.inject_call(MARIA, "5000")
    port.press(call_id, "1")
    await until(lambda: desk.acd.acd.waiting_calls("general"), "the caller to wait")
    session = desk.calls.conversation(call_id)
    assert isinstance(session, CallSession)

    clock.advance(41)
    await desk.acd.advance()
    alert = (await until(lambda: events(heard, "board.alert"), "the supervisors' alert"))[0]
    assert alert["call_id"] == call_id and alert["message"] == "long wait"
    await until(lambda: session.callback_offered, "the callback offer")
    said = cast("Speech | None", session._announcement())
    assert said is not None and "press 1" in said.text

    port.press(call_id, "1")
    await until(lambda: desk.calls.callback(call_id) is not None, "the callback to take its place")
    assert port.legs.get(call_id).is_ended
    callback = desk.calls.callback(call_id)
    assert callback is not None
    trail = [e["event"] for e in callback.escalations]
    assert "CallbackOffered" in trail and "SupervisorAlerted" in trail


async def test_hold_announcements_give_the_place_in_line_and_an_estimate_once_there_is_one(
    center: Any, engine: AsyncEngine
) -> None:
    desk, port, _heard = center
    first = port.inject_call(MARIA, "5000")
    second = port.inject_call("+14155550199", "5000")
    port.press(first, "1")
    await until(lambda: len(desk.acd.acd.waiting_calls("general")) == 1, "the first caller to wait")
    port.press(second, "1")
    await until(lambda: len(desk.acd.acd.waiting_calls("general")) == 2, "both callers to wait")
    session = desk.calls.conversation(second)
    assert isinstance(session, CallSession)
    said = cast("Speech | None", session._announcement())
    assert said is not None and said.text == "You are number 2 in line."  # nobody staffs it: no estimate

    agent = await agent_user(engine)
    await desk.set_state(agent.id, "not_ready", "break")  # logged in: the queue is staffed
    desk._aht["general"] = (float("inf"), 240.0)  # as if the last hour's calls took 4 minutes each
    wait = desk.estimate_wait(second)
    assert wait is not None and (wait.position, wait.minutes) == (2, None)  # not ready agents don't serve
    await desk.set_state(agent.id, "available")  # the first caller is offered to them at once
    assert desk.estimate_wait(first) is None
    wait = desk.estimate_wait(second)
    assert wait is not None and (wait.position, wait.minutes) == (1, 4)
    said = cast("Speech | None", session._announcement())
    assert said is not None and said.text == "You are number 1 in line. Your expected wait is about 4 minutes."


async def test_a_flow_that_names_an_agent_keeps_the_call_for_them(center: Any, engine: AsyncEngine) -> None:
    desk, port, heard = center
    agent, ava = await agent_user(engine), await agent_user(engine, "ava")
    await desk.set_state(agent.id, "available")  # idle longest: they would get the call otherwise
    await desk.set_state(ava.id, "not_ready", "lunch")
    call_id = port.inject_call(MARIA, "5000")
    port.press(call_id, "3")
    await until(lambda: desk.acd.acd.waiting_calls("general"), "the caller to wait for Ava")
    assert not [p for a, e, p in heard if e == "call.offered"]  # kept for Ava, not offered to the free agent
    await desk.set_state(ava.id, "available")
    offer = (await until(lambda: [p for a, e, p in heard if e == "call.offered"], "the offer"))[0]
    assert offer["call_id"] == call_id and (desk.desks.offer(ava.id) or {}).get("call_id") == call_id


async def test_a_queue_greets_its_callers_plays_its_own_music_and_may_keep_the_place_in_line_to_itself(
    center: Any, tmp_path: Path
) -> None:
    desk, port, _heard = center
    music = tmp_path / "hold-music" / "jingle.wav"  # the call center's var dir is tmp_path
    music.parent.mkdir(parents=True)
    with wave.open(str(music), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(8000)
        out.writeframes(b"\x00\x01" * 8000)
    reconfigure(
        desk,
        "general",
        announcement="All our agents are busy. Thank you for waiting.",
        hold_music="jingle.wav",
        announce_position=False,
        announce_every_seconds=15,
    )
    call_id = port.inject_call(MARIA, "5000")
    port.press(call_id, "1")
    await until(lambda: desk.acd.acd.waiting_calls("general"), "the caller to wait")
    said = [p.text for c, p in port.played if c == call_id and isinstance(p, Speech)]
    assert said[-1] == "All our agents are busy. Thank you for waiting."
    await until(lambda: [p for c, p in port.on_hold if c == call_id], "hold music")
    assert next(getattr(p, "path", None) for c, p in port.on_hold if c == call_id) == music
    session = desk.calls.conversation(call_id)
    assert isinstance(session, CallSession) and session._announcement() is None  # no place in line said
    port.far_end_hangup(call_id)
