"""Transfers through the real call center on the simulated telephony adapter: warm (consult, then
complete or cancel; declined; caller leaves mid-consult) and blind, each agent's part on the timeline."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from contact_center.services.desk import DeskError
from contact_center.store.engine import session_factory
from contact_center.store.tables import Activity, User
from contact_center.telephony.events import OriginateOutcome

from .conftest import said, until


async def _users(engine: AsyncEngine) -> tuple[User, User]:
    async with session_factory(engine)() as session:
        rows = (await session.scalars(select(User).where(User.username.in_(("agent", "ava"))))).all()
    by_name = {u.username: u for u in rows}
    return by_name["agent"], by_name["ava"]


async def _talking(center: Any, engine: AsyncEngine) -> tuple[Any, Any, list[Any], User, User, str]:
    """Maria's call connected to `agent`, with `ava` ready for a transfer."""
    desk, port, heard = center
    first, second = await _users(engine)
    port.program(first.extension, OriginateOutcome.ANSWERED)
    port.program(second.extension, OriginateOutcome.ANSWERED)
    await desk.set_state(first.id, "available")
    call_id = port.inject_call("+14155550142", "5000")
    port.press(call_id, "0")  # a known caller goes straight to the main menu: 0 is an agent
    await until(lambda: said(heard, first.id, "call.offered"), "the offer")
    await desk.accept(first.id, call_id)
    await until(lambda: said(heard, first.id, "call.connected"), "the first agent connected")
    await desk.set_state(second.id, "available")  # ready only now: the call was offered to the first agent
    await desk.add_note(first.id, call_id, "Wants a refund for order 104521")
    return desk, port, heard, first, second, call_id


async def _calls(engine: AsyncEngine, call_id: str) -> list[Activity]:
    async with session_factory(engine)() as session:
        query = (
            select(Activity).where(Activity.interaction_id == call_id, Activity.type == "call").order_by(Activity.id)
        )
        return list((await session.scalars(query)).all())


async def test_a_warm_transfer_consults_then_hands_the_customer_over(
    center: Any, engine: AsyncEngine, clock: Any
) -> None:
    desk, port, heard, first, second, call_id = await _talking(center, engine)
    agent_leg = port.bridges[-1][1]

    with pytest.raises(DeskError) as refused:
        await desk.transfer(first.id, call_id, queue="sales", warm=True)
    assert refused.value.code == "warm_needs_agent"

    clock.advance(30)
    await desk.transfer(first.id, call_id, agent_id=second.id, warm=True)
    assert said(heard, first.id, "consult.started")[0]["state"] == "ringing"
    assert (await desk.snapshot(first.id))["call"]["held"] is True  # the customer hears music meanwhile
    offer = (await until(lambda: said(heard, second.id, "call.offered"), "the consult offer"))[0]
    assert offer["kind"] == "consult"
    assert offer["screen_pop"]["customer"]["first_name"] == "Maria"
    assert offer["screen_pop"]["consult"] == {
        "from_agent_id": first.id,
        "from_agent": first.display_name or first.username,
        "notes": ["Wants a refund for order 104521"],
    }
    with pytest.raises(DeskError) as early:
        await desk.complete_transfer(first.id, call_id)
    assert early.value.code == "consult_not_connected"

    await desk.accept(second.id, call_id)
    connected = (await until(lambda: said(heard, first.id, "consult.connected"), "the agents talking"))[0]
    assert connected["agent_id"] == second.id
    consult_leg = port.bridges[-1][1]
    assert port.bridges[-1] == (agent_leg, consult_leg)  # the two agents' phones, the customer still on hold
    assert said(heard, second.id, "call.connected")[0]["consult"]["role"] == "target"
    target_view = (await desk.snapshot(second.id))["call"]
    assert target_view["consult"] == {
        "role": "target",
        "agent_id": first.id,
        "agent_name": first.display_name or first.username,
        "state": "connected",
    }
    with pytest.raises(DeskError) as not_yours:
        await desk.hold(second.id, call_id)
    assert not_yours.value.code == "consulting"

    clock.advance(15)
    await desk.complete_transfer(first.id, call_id)
    assert port.bridges[-1] == (call_id, consult_leg)
    assert port.detail(agent_leg).ended_at is not None  # the first agent's phone is hung up
    assert said(heard, first.id, "call.ended")[-1]["hung_up_by"] == "transfer"
    assert said(heard, second.id, "consult.ended")[-1]["outcome"] == "transferred"
    assert (await desk.snapshot(second.id))["call"]["consult"] is None
    await until(lambda: said(heard, first.id, "wrapup.started"), "the first agent's wrap-up")
    first_part = await desk.save_wrapup(first.id, call_id, "resolved", "Handed to billing", [])

    await desk.add_note(second.id, call_id, "Refund approved")
    clock.advance(60)
    port.far_end_hangup(call_id)
    await until(lambda: said(heard, second.id, "wrapup.started"), "the second agent's wrap-up")
    last_part = await desk.save_wrapup(second.id, call_id, "resolved", "", [])

    calls = await _calls(engine, call_id)
    assert [c.id for c in calls] == [first_part["activity_id"], last_part["activity_id"]]
    handed, finished = calls
    assert (handed.agent_id, handed.outcome, handed.details["end_reason"]) == (
        first.id,
        "transferred",
        f"warm transfer to agent {second.id}",
    )
    assert handed.details["hold_seconds"] == 15 and handed.details["talk_seconds"] == 30
    assert "Wants a refund for order 104521" in handed.details["notes"]
    assert (finished.agent_id, finished.outcome, finished.details["hung_up_by"]) == (second.id, "answered", "caller")
    assert finished.details["talk_seconds"] == 60 and finished.details["hold_seconds"] == 0
    assert {"Wants a refund for order 104521", "Refund approved"} <= set(finished.details["notes"])
    assert len(finished.details["legs"]) == 3  # caller, first agent, second agent
    assert (await desk.snapshot(first.id))["agent"]["state"] == "available"
    assert (await desk.snapshot(second.id))["agent"]["state"] == "available"


async def test_a_cancelled_consult_puts_the_agent_back_with_the_customer(center: Any, engine: AsyncEngine) -> None:
    desk, port, heard, first, second, call_id = await _talking(center, engine)
    agent_leg = port.bridges[-1][1]
    await desk.transfer(first.id, call_id, agent_id=second.id, warm=True)
    await until(lambda: said(heard, second.id, "call.offered"), "the consult offer")
    await desk.accept(second.id, call_id)
    await until(lambda: said(heard, first.id, "consult.connected"), "the agents talking")
    consult_leg = port.bridges[-1][1]

    await desk.cancel_consult(first.id, call_id)
    assert port.bridges[-1] == (call_id, agent_leg)
    assert port.detail(consult_leg).ended_at is not None
    assert said(heard, first.id, "consult.ended")[-1]["outcome"] == "canceled"
    assert said(heard, second.id, "call.ended")[-1]["reason"] == "consult ended (canceled)"
    mine = (await desk.snapshot(first.id))["call"]
    assert mine["held"] is False and mine["consult"] is None
    assert (await desk.snapshot(second.id))["agent"]["state"] == "available"
    assert (await desk.snapshot(second.id))["call"] is None


async def test_a_declined_consult_leaves_the_customer_on_hold_with_the_first_agent(
    center: Any, engine: AsyncEngine
) -> None:
    desk, _port, heard, first, second, call_id = await _talking(center, engine)
    await desk.transfer(first.id, call_id, agent_id=second.id, warm=True)
    await until(lambda: said(heard, second.id, "call.offered"), "the consult offer")
    await desk.reject(second.id, call_id)
    ended = (await until(lambda: said(heard, first.id, "consult.ended"), "the consult to end"))[0]
    assert ended["outcome"] == "declined"
    assert said(heard, second.id, "call.offer_withdrawn")[-1]["reason"] == "consult_declined"
    mine = (await desk.snapshot(first.id))["call"]
    assert mine["held"] is True and mine["consult"] is None
    await desk.resume(first.id, call_id)
    await desk.transfer(first.id, call_id, agent_id=second.id, warm=True)  # a second try is allowed


async def test_the_caller_hanging_up_mid_consult_ends_everyone_cleanly(center: Any, engine: AsyncEngine) -> None:
    desk, port, heard, first, second, call_id = await _talking(center, engine)
    await desk.transfer(first.id, call_id, agent_id=second.id, warm=True)
    await until(lambda: said(heard, second.id, "call.offered"), "the consult offer")
    await desk.accept(second.id, call_id)
    await until(lambda: said(heard, first.id, "consult.connected"), "the agents talking")
    consult_leg = port.bridges[-1][1]

    port.far_end_hangup(call_id)
    await until(lambda: said(heard, first.id, "wrapup.started"), "the first agent's wrap-up")
    assert port.detail(consult_leg).ended_at is not None
    assert said(heard, second.id, "call.ended")[-1]["reason"] == "consult ended (caller_hung_up)"
    await until(lambda: desk.acd.acd.agents[str(second.id)].state == "available", "the consulted agent freed")
    await desk.save_wrapup(first.id, call_id, "resolved", "", [])
    calls = await _calls(engine, call_id)
    assert [(c.agent_id, c.outcome) for c in calls] == [(first.id, "answered")]


async def test_a_blind_transfer_logs_the_first_agents_part_and_the_call_goes_on(
    center: Any, engine: AsyncEngine
) -> None:
    desk, port, heard, first, second, call_id = await _talking(center, engine)
    await desk.transfer(first.id, call_id, agent_id=second.id)
    assert said(heard, first.id, "call.ended")[-1]["hung_up_by"] == "transfer"
    offer = (await until(lambda: said(heard, second.id, "call.offered"), "the transferred call"))[0]
    assert offer["kind"] == "transfer"
    await until(lambda: said(heard, first.id, "wrapup.started"), "the first agent's wrap-up")
    await desk.save_wrapup(first.id, call_id, "resolved", "", [])
    assert desk.calls.conversation(call_id) is not None  # the first agent's wrap-up does not end the customer's call
    await desk.accept(second.id, call_id)
    await until(lambda: said(heard, second.id, "call.connected"), "the second agent connected")
    port.far_end_hangup(call_id)
    await until(lambda: said(heard, second.id, "wrapup.started"), "the second agent's wrap-up")
    await desk.save_wrapup(second.id, call_id, "resolved", "", [])
    calls = await _calls(engine, call_id)
    assert [(c.agent_id, c.outcome) for c in calls] == [(first.id, "transferred"), (second.id, "answered")]
    assert "Wants a refund for order 104521" in calls[1].details["notes"]
