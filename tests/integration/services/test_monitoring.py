"""Supervisors on live calls through the real call center on the simulated adapter: listen (the agent is not
told), whisper and barge (the agent's desk is), mode changes, the supervisor hanging up, the call ending under
them, and refusals (no call, their own call, a phone that does not answer)."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from contact_center.services.desk import DeskError
from contact_center.store.engine import session_factory
from contact_center.store.tables import User
from contact_center.telephony.events import OriginateOutcome

from .conftest import said, until


def _board(heard: list[tuple[Any, str, dict[str, Any]]]) -> list[dict[str, Any]]:
    return [p for a, e, p in heard if e == "call.monitor" and a == ("supervisors", None)]


async def _talking(center: Any, engine: AsyncEngine) -> tuple[Any, Any, list[Any], User, User, str]:
    desk, port, heard = center
    async with session_factory(engine)() as session:
        users = {u.username: u for u in (await session.scalars(select(User))).all()}
    agent, supervisor = users["agent"], users["supervisor"]
    port.program(agent.extension, OriginateOutcome.ANSWERED)
    await desk.set_state(agent.id, "available")
    call_id = port.inject_call("+14155550142", "5000")
    port.press(call_id, "0")  # a known caller goes straight to the main menu: 0 is an agent
    await until(lambda: said(heard, agent.id, "call.offered"), "the offer")
    await desk.accept(agent.id, call_id)
    await until(lambda: said(heard, agent.id, "call.connected"), "the agent connected")
    return desk, port, heard, agent, supervisor, call_id


async def test_a_supervisor_listens_then_whispers_then_barges_then_hangs_up(
    center: Any, engine: AsyncEngine, clock: Any
) -> None:
    desk, port, heard, agent, supervisor, call_id = await _talking(center, engine)
    port.program(supervisor.extension, OriginateOutcome.ANSWERED)
    customer_leg, agent_leg = port.bridges[-1]

    ringing = await desk.monitor(supervisor.id, call_id, "listen")
    assert (ringing["state"], ringing["mode"], ringing["agent_id"]) == ("ringing", "listen", agent.id)
    on = await until(lambda: [b for b in _board(heard) if b["state"] == "connected"], "the supervisor on the call")
    assert on[0]["supervisor_id"] == supervisor.id
    (listener,) = port.monitors
    assert port.monitors[listener] == (agent_leg, "listen")
    assert said(heard, agent.id, "call.coaching") == []  # listening is silent
    assert (await desk.snapshot(agent.id))["call"]["coaching"] is None

    assert (await desk.monitor(supervisor.id, call_id, "whisper"))["state"] == "connected"
    assert port.monitors[listener] == (agent_leg, "whisper")
    coached = said(heard, agent.id, "call.coaching")
    assert [(c["mode"], c["supervisor_id"]) for c in coached] == [("whisper", supervisor.id)]
    assert (await desk.snapshot(agent.id))["call"]["coaching"]["mode"] == "whisper"

    await desk.monitor(supervisor.id, call_id, "barge")
    assert port.monitors[listener] == (agent_leg, "barge")
    assert [c["mode"] for c in said(heard, agent.id, "call.coaching")] == ["whisper", "barge"]
    board = await desk.board()
    assert [(m["supervisor_id"], m["mode"]) for m in board["monitors"]] == [(supervisor.id, "barge")]

    port.far_end_hangup(listener)  # the supervisor puts the phone down
    await until(lambda: [b for b in _board(heard) if b["state"] == "ended"], "the supervisor gone")
    assert [c["mode"] for c in said(heard, agent.id, "call.coaching")] == ["whisper", "barge", None]
    assert port.monitors == {}
    assert port.leg(customer_leg) and port.leg(agent_leg)  # the call goes on
    with pytest.raises(DeskError) as gone:
        await desk.stop_monitor(supervisor.id, call_id)
    assert gone.value.code == "not_monitoring"
    await desk.hangup(agent.id, call_id)


async def test_the_supervisor_is_hung_up_when_the_call_ends_and_refusals_say_why(
    center: Any, engine: AsyncEngine, clock: Any
) -> None:
    desk, port, heard, agent, supervisor, call_id = await _talking(center, engine)
    with pytest.raises(DeskError) as own:
        await desk.monitor(agent.id, call_id, "listen")
    assert own.value.code == "own_call"
    with pytest.raises(DeskError) as bad:
        await desk.monitor(supervisor.id, call_id, "shout")
    assert bad.value.code == "bad_mode"
    with pytest.raises(DeskError) as nothing:
        await desk.monitor(supervisor.id, "no-such-call", "listen")
    assert nothing.value.code == "not_connected"

    port.program(supervisor.extension, OriginateOutcome.NO_ANSWER)
    await desk.monitor(supervisor.id, call_id, "listen")
    ended = await until(lambda: [b for b in _board(heard) if b["state"] == "ended"], "the ring given up")
    assert "did not answer" in ended[0]["reason"]

    port.program(supervisor.extension, OriginateOutcome.ANSWERED)
    await desk.monitor(supervisor.id, call_id, "whisper")
    await until(lambda: port.monitors, "the supervisor on the call")
    (listener,) = port.monitors
    port.far_end_hangup(call_id)  # the customer hangs up: the supervisor's phone is hung up too
    await until(lambda: len([b for b in _board(heard) if b["state"] == "ended"]) == 2, "the supervisor let go")
    with pytest.raises(Exception):  # noqa: B017 - the leg has ended (CallEnded)
        port.leg(listener)
    assert [c["mode"] for c in said(heard, agent.id, "call.coaching")] == ["whisper", None]
