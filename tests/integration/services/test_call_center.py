"""A whole inbound call through the real services on the simulated telephony adapter:
IVR → queue → offer with screen-pop → accept → agent's phone bridged → caller hangs up → wrap-up → timeline."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from contact_center.services.desk import DeskError
from contact_center.store.engine import session_factory
from contact_center.store.tables import Activity, Case, User
from contact_center.telephony.events import OriginateOutcome

from .conftest import until


async def test_a_known_caller_reaches_an_agent_and_the_interaction_lands_on_the_timeline(
    center: Any, engine: AsyncEngine, clock: Any
) -> None:
    desk, port, heard = center
    async with session_factory(engine)() as session:
        agent = (await session.scalars(select(User).where(User.username == "agent"))).one()
    port.program(agent.extension, OriginateOutcome.ANSWERED)
    state = await desk.set_state(agent.id, "available")
    assert state["state"] == "available"

    call_id = port.inject_call("+14155550142", "5000")
    port.press(call_id, "0")  # a known caller goes straight to the main menu: 0 is an agent
    offered = await until(lambda: [p for a, e, p in heard if e == "call.offered"], "an offer")
    offer = offered[0]
    assert offer["call_id"] == call_id
    assert offer["screen_pop"]["customer"]["first_name"] == "Maria"
    assert "main_menu" in offer["screen_pop"]["ivr"]["path"] and offer["screen_pop"]["ivr"]["inputs"]
    assert (await desk.snapshot(agent.id))["offer"]["call_id"] == call_id

    clock.advance(12)
    await desk.accept(agent.id, call_id)
    await until(lambda: [p for a, e, p in heard if e == "call.connected"], "the agent's phone bridged")
    assert port.bridges and port.bridges[-1][0] == call_id
    with pytest.raises(DeskError):
        await desk.accept(agent.id, call_id)  # no double accept

    clock.advance(95)
    port.far_end_hangup(call_id)
    ended = await until(lambda: [p for a, e, p in heard if e == "call.ended"], "the call to end")
    assert ended[0]["hung_up_by"] == "caller"
    wrapup = (await until(lambda: [p for a, e, p in heard if e == "wrapup.started"], "wrap-up"))[0]
    assert "resolved" in {d["code"] for d in wrapup["dispositions"]}

    clock.advance(20)
    with pytest.raises(DeskError):
        await desk.save_wrapup(agent.id, call_id, "no-such-code", "", [])
    saved = await desk.save_wrapup(
        agent.id, call_id, "resolved", "Explained the bill", [{"type": "case", "subject": "Send corrected invoice"}]
    )
    assert saved["created"][0]["type"] == "case"

    async with session_factory(engine)() as session:
        timeline = (
            await session.scalars(select(Activity).where(Activity.interaction_id == call_id).order_by(Activity.id))
        ).all()
        case = (await session.scalars(select(Case))).one()
    kinds = [a.type for a in timeline]
    assert kinds == ["ivr", "call"]
    call = timeline[-1]
    assert call.customer_id == timeline[0].customer_id == case.customer_id
    assert call.disposition == "resolved" and call.agent_id == agent.id and call.queue == "general"
    assert call.details["wait_seconds"] == 12 and call.details["talk_seconds"] == 95
    assert call.details["wrap_seconds"] == 20 and call.details["hung_up_by"] == "caller"
    assert call.details["ivr"]["inputs"]
    inbound, agent_leg = call.details["legs"]
    assert (inbound["kind"], agent_leg["kind"]) == ("inbound", "agent")
    assert (
        inbound["hung_up_by"] == "remote" and 200 in agent_leg["sip_codes"] and agent_leg["dialled"] == agent.extension
    )
    assert (await desk.snapshot(agent.id))["agent"]["state"] == "available"


async def test_a_caller_who_hangs_up_in_the_queue_is_logged_as_abandoned(center: Any, engine: AsyncEngine) -> None:
    _desk, port, heard = center
    call_id = port.inject_call("+14155550199", "5000")
    port.press(call_id, "10")  # an unknown caller: English, then 0 for an agent
    await until(
        lambda: any(e == "board.updated" and any(q["waiting"] for q in p["queues"]) for _, e, p in heard),
        "the caller to wait",
    )
    port.far_end_hangup(call_id)

    async def logged() -> list[Activity]:
        async with session_factory(engine)() as session:
            return list((await session.scalars(select(Activity).where(Activity.type == "call"))).all())

    async with asyncio.timeout(10):
        while not (calls := await logged()):  # noqa: ASYNC110 - polling the database the service writes to
            await asyncio.sleep(0.05)
    assert calls[0].outcome == "abandoned" and calls[0].customer_id is None
    assert calls[0].details["hung_up_by"] == "caller"


async def test_an_agent_stuck_on_a_call_that_has_no_leg_is_healed_with_an_audit_entry(
    center: Any, engine: AsyncEngine
) -> None:
    from contact_center.domain.acd.agents import agent_key
    from contact_center.domain.acd.commands import AcceptOffer, EnqueueCall
    from contact_center.domain.acd.events import StateRepaired
    from contact_center.store.tables import AcdEventRow

    desk, _port, _heard = center
    async with session_factory(engine)() as session:
        agent = (await session.scalars(select(User).where(User.username == "agent"))).one()
    await desk.set_state(agent.id, "available")
    # Routing believes the agent talks on "ghost", a call telephony never had (a crash, a lost BYE).
    await desk.acd.handle(EnqueueCall("ghost", "general"))
    await desk.acd.handle(AcceptOffer(agent_key(agent.id), "ghost"))
    assert (await desk.snapshot(agent.id))["agent"]["state"] == "on_call"
    desk.clock.advance(60)
    repairs = [e for e in await desk.acd.reconcile(desk.live_legs(), grace_seconds=30) if isinstance(e, StateRepaired)]
    assert repairs and (await desk.snapshot(agent.id))["agent"]["state"] != "on_call"
    async with engine.connect() as conn:
        kinds = (await conn.execute(select(AcdEventRow.kind))).scalars().all()
    assert "StateRepaired" in kinds


async def test_the_board_counts_a_caller_in_the_ivr_as_they_arrive_and_leave(center: Any) -> None:
    _desk, port, heard = center

    def in_ivr() -> list[int]:
        return [p["totals"]["in_ivr"] for _, e, p in heard if e == "board.updated"]

    call_id = port.inject_call("+14155550199", "5000")
    await until(lambda: 1 in in_ivr(), "the board to count the caller in the IVR")
    port.far_end_hangup(call_id)  # before choosing anything
    await until(lambda: in_ivr()[-1] == 0, "the board to count them gone")
