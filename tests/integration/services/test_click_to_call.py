"""Click-to-call through the real call center: the agent's phone, then the customer's, bridged; worked like
an inbound call (hold, notes, hang-up, wrap-up); busy customers and dead phones end cleanly."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from contact_center.services.desk import DeskError
from contact_center.store.engine import session_factory
from contact_center.store.tables import Activity, Customer, User
from contact_center.telephony.events import OriginateOutcome

from .conftest import said, until

MARIA = "+14155550142"


async def _setup(center: Any, engine: AsyncEngine) -> tuple[Any, Any, list[Any], User, int]:
    desk, port, heard = center
    async with session_factory(engine)() as session:
        agent = (await session.scalars(select(User).where(User.username == "agent"))).one()
        maria = (await session.scalars(select(Customer).where(Customer.first_name == "Maria"))).one()
    port.program(agent.extension, OriginateOutcome.ANSWERED)
    await desk.set_state(agent.id, "not_ready", "admin")
    return desk, port, heard, agent, maria.id


async def _calls(engine: AsyncEngine, call_id: str) -> list[Activity]:
    async with session_factory(engine)() as session:
        return list((await session.scalars(select(Activity).where(Activity.interaction_id == call_id))).all())


async def test_a_call_from_the_customer_record_is_worked_like_any_other(
    center: Any, engine: AsyncEngine, clock: Any
) -> None:
    desk, port, heard, agent, maria = await _setup(center, engine)
    port.program(MARIA, OriginateOutcome.ANSWERED)
    with pytest.raises(DeskError):
        await desk.dial(agent.id, "not a number", maria)
    call_id = (await desk.dial(agent.id, "(415) 555-0142", maria))["call_id"]
    assert (await desk.snapshot(agent.id))["agent"]["state"] == "on_call"
    await until(lambda: said(heard, agent.id, "call.connected"), "the customer answered")
    assert said(heard, agent.id, "call.dialling")[0]["number"] == MARIA
    snapshot = await desk.snapshot(agent.id)
    assert snapshot["call"]["direction"] == "outbound" and snapshot["call"]["screen_pop"]["customer"]["id"] == maria
    with pytest.raises(DeskError):
        await desk.dial(agent.id, MARIA, maria)  # one call at a time

    clock.advance(30)
    await desk.hold(agent.id, call_id)
    clock.advance(5)
    await desk.resume(agent.id, call_id)
    await desk.add_note(agent.id, call_id, "Confirmed the delivery address")
    clock.advance(25)
    await desk.hangup(agent.id, call_id)
    ended = said(heard, agent.id, "call.ended")[-1]
    assert ended["hung_up_by"] == "agent"
    await until(lambda: said(heard, agent.id, "wrapup.started"), "wrap-up")
    await desk.save_wrapup(agent.id, call_id, "resolved", "", [])
    [call] = await _calls(engine, call_id)
    assert (call.direction, call.outcome, call.customer_id, call.agent_id) == ("outbound", "answered", maria, agent.id)
    assert call.details["talk_seconds"] == 55 and call.details["hold_seconds"] == 5
    assert "Confirmed the delivery address" in call.details["notes"]
    assert [leg["kind"] for leg in call.details["legs"]] == ["outbound", "agent"]
    after = (await desk.snapshot(agent.id))["agent"]  # the wrap-up saved: back on the break they dialled from
    assert (after["state"], after["reason"]) == ("not_ready", "admin")


async def test_a_busy_customer_ends_in_wrap_up_and_a_dead_phone_in_nothing(center: Any, engine: AsyncEngine) -> None:
    desk, port, heard, agent, maria = await _setup(center, engine)
    port.program(MARIA, OriginateOutcome.BUSY)
    call_id = (await desk.dial(agent.id, MARIA, maria))["call_id"]
    await until(lambda: said(heard, agent.id, "wrapup.started"), "wrap-up after a busy line")
    assert said(heard, agent.id, "call.ended")[-1]["call_id"] == call_id
    await desk.save_wrapup(agent.id, call_id, "no_answer", "", [])
    [call] = await _calls(engine, call_id)
    assert call.outcome == "busy" and call.details["sip"]["customer_attempts"][0]["code"] == 486

    port.program(agent.extension, OriginateOutcome.FAILED)
    second = (await desk.dial(agent.id, MARIA, maria))["call_id"]
    ended = await until(
        lambda: [e for e in said(heard, agent.id, "call.ended") if e["call_id"] == second], "the failure"
    )
    assert ended[0]["hung_up_by"] == "failure"
    await until(lambda: desk.acd.acd.agents[str(agent.id)].state == "not_ready", "the agent back on their break")
    [attempt] = await _calls(engine, second)
    assert attempt.outcome == "agent_phone_failed"
