"""Callbacks promised for a time: scheduled at wrap-up, kept in the database, placed through routing when
due and inside the customer's calling hours, retried when nobody answers, done when someone does."""

from __future__ import annotations

import asyncio
import datetime as dt
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from contact_center.crm import scheduled_callbacks as scheduled
from contact_center.store.engine import session_factory
from contact_center.store.tables import Customer, ScheduledCallback, User
from contact_center.telephony.events import OriginateOutcome

from ...conftest import T0
from .conftest import said, until

MARIA = "+14155550142"  # a San Francisco number: Los Angeles time, 7:00 when the tests' clock says 10:00 New York


async def _agent(engine: AsyncEngine) -> User:
    async with session_factory(engine)() as session:
        return (await session.scalars(select(User).where(User.username == "agent"))).one()


async def _callbacks(engine: AsyncEngine) -> list[ScheduledCallback]:
    async with session_factory(engine)() as session:
        return list((await session.scalars(select(ScheduledCallback).order_by(ScheduledCallback.id))).all())


async def _settled(engine: AsyncEngine) -> ScheduledCallback:
    """The one callback once its attempt is written (the desk hears the call end just before)."""
    async with asyncio.timeout(10):
        while (rows := await _callbacks(engine))[0].status == "queued":  # noqa: ASYNC110 - polls the database
            await asyncio.sleep(0.01)
    [row] = rows
    return row


async def test_a_callback_promised_at_wrap_up_is_kept_for_its_time(center: Any, engine: AsyncEngine) -> None:
    desk, port, heard = center
    agent = await _agent(engine)
    port.program(agent.extension, OriginateOutcome.ANSWERED)
    await desk.set_state(agent.id, "available")
    call_id = port.inject_call(MARIA, "5000")
    port.press(call_id, "0")  # a known caller goes straight to the main menu: 0 is an agent
    await until(lambda: said(heard, agent.id, "call.offered"), "the offer")
    await desk.accept(agent.id, call_id)
    await until(lambda: said(heard, agent.id, "call.connected"), "connected")
    port.far_end_hangup(call_id)
    await until(lambda: said(heard, agent.id, "wrapup.started"), "wrap-up")
    at = (T0 + dt.timedelta(days=1)).isoformat()
    saved = await desk.save_wrapup(
        agent.id, call_id, "resolved", "", [{"type": "callback", "subject": "Call back", "at": at}]
    )
    [row] = await _callbacks(engine)
    assert saved["created"][0]["callback_id"] == row.id
    assert (row.number, row.queue, row.status, row.interaction_id) == (MARIA, "general", "scheduled", call_id)
    assert row.due_at == T0 + dt.timedelta(days=1) and row.customer_id is not None


async def _promise(engine: AsyncEngine, due: dt.datetime) -> int:
    async with session_factory(engine).begin() as session:
        maria = (await session.scalars(select(Customer).where(Customer.first_name == "Maria"))).one()
        row = scheduled.schedule(
            session,
            number=MARIA,
            queue="general",
            due_at=due,
            customer_id=maria.id,
            agent_id=None,
            interaction_id=None,
            activity_id=None,
        )
        await session.flush()
        return row.id


async def test_a_due_callback_waits_for_the_customers_morning_then_is_placed_and_retried(
    center: Any, engine: AsyncEngine, clock: Any
) -> None:
    desk, port, heard = center
    agent = await _agent(engine)
    promised = await _promise(engine, T0 - dt.timedelta(minutes=5))
    await desk.outbound.place_due_callbacks()  # 7:00 in San Francisco: too early to call
    [row] = await _callbacks(engine)
    assert row.status == "scheduled" and row.due_at == dt.datetime(2026, 11, 23, 16, 0, tzinfo=dt.UTC)  # 8:00 there
    assert not desk.calls.callbacks()

    clock.advance(3600)
    await desk.outbound.place_due_callbacks()
    call_id = f"cb{promised}-1"
    assert desk.calls.callback(call_id) is not None and (await _callbacks(engine))[0].status == "queued"
    port.program(agent.extension, OriginateOutcome.ANSWERED)
    port.program(MARIA, OriginateOutcome.NO_ANSWER)
    await desk.set_state(agent.id, "available")
    offer = (await until(lambda: said(heard, agent.id, "call.offered"), "the callback offer"))[0]
    assert offer["kind"] == "callback" and offer["screen_pop"]["customer"]["first_name"] == "Maria"
    await desk.accept(agent.id, call_id)
    await until(lambda: said(heard, agent.id, "call.ended"), "the attempt")
    row = await _settled(engine)
    assert (row.status, row.attempts, row.last_result) == ("scheduled", 1, "no_answer")
    assert row.due_at == clock.now() + scheduled.RETRY_AFTER


async def test_an_answered_callback_is_done(center: Any, engine: AsyncEngine, clock: Any) -> None:
    desk, port, heard = center
    agent = await _agent(engine)
    clock.advance(3 * 3600)  # 10:00 in San Francisco
    promised = await _promise(engine, clock.now())
    port.program(agent.extension, OriginateOutcome.ANSWERED)
    port.program(MARIA, OriginateOutcome.ANSWERED)
    await desk.set_state(agent.id, "available")
    await desk.outbound.place_due_callbacks()
    await until(lambda: said(heard, agent.id, "call.offered"), "the callback offer")
    await desk.accept(agent.id, f"cb{promised}-1")
    await until(lambda: said(heard, agent.id, "call.connected"), "Maria answered")
    row = await _settled(engine)
    assert (row.status, row.attempts) == ("done", 1)


async def test_callbacks_left_queued_by_a_stopped_server_are_due_again(engine: AsyncEngine, center: Any) -> None:
    promised = await _promise(engine, T0)
    async with session_factory(engine).begin() as session:
        row = await session.get(ScheduledCallback, promised)
        assert row is not None
        row.status = "queued"
    assert await scheduled.release_orphans(engine) == 1
    assert (await _callbacks(engine))[0].status == "scheduled"


async def test_with_several_nodes_only_callbacks_no_node_has_are_released(engine: AsyncEngine, center: Any) -> None:
    ids = [await _promise(engine, T0) for _ in range(3)]
    long_ago, just_now = T0 - dt.timedelta(minutes=10), T0 - dt.timedelta(seconds=5)
    async with session_factory(engine).begin() as session:
        for row_id, claimed in zip(ids, (long_ago, long_ago, just_now), strict=True):
            row = await session.get(ScheduledCallback, row_id)
            assert row is not None
            row.status, row.updated_at = "queued", claimed
    # The first waits in the shared routing; the third was claimed a moment ago (its enqueue may be under way).
    in_routing = {f"cb{ids[0]}-1"}
    released = await scheduled.release_orphans(
        engine, claimed_before=T0 - dt.timedelta(minutes=1), keep=lambda call_id: call_id in in_routing
    )
    assert released == 1
    assert [row.status for row in await _callbacks(engine)] == ["queued", "scheduled", "queued"]
