"""Callers who hang up at any moment: at once, in the IVR, in the queue, while an agent's phone rings,
talking, on hold. Every call ends cleanly and is accounted for on the timeline, once."""

from __future__ import annotations

import asyncio
import logging
import random
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from contact_center.store.engine import session_factory
from contact_center.store.tables import Activity, User
from contact_center.telephony.events import OriginateOutcome

from .conftest import said, until, until_async

CALLS = 300


async def _agents(engine: AsyncEngine) -> list[User]:
    async with session_factory(engine)() as session:
        rows = (
            await session.scalars(
                select(User).where(User.extension.is_not(None), User.role == "agent").order_by(User.id)
            )
        ).all()
    return list(rows)[:3]


async def test_every_call_hung_up_at_a_random_moment_is_accounted_for(
    center: Any, engine: AsyncEngine, caplog: pytest.LogCaptureFixture
) -> None:
    desk, port, heard = center
    rng = random.Random(7)
    port.speed = 0.002  # prompts take a little time, so hang-ups land inside them too
    agents = await _agents(engine)
    for agent in agents:
        port.program(agent.extension, OriginateOutcome.ANSWERED, delay=0.05)  # the phone rings a while
        await desk.set_state(agent.id, "available")

    async def agents_take_calls() -> None:
        """Agents accept what they are offered, put some calls on hold, and wrap up what ends."""
        done: set[tuple[int, str]] = set()
        connected: list[str] = []
        while True:
            for audience, event, payload in list(heard):
                key = (audience[1] if isinstance(audience, tuple) else 0, f"{event}:{payload.get('call_id')}")
                if key in done or not isinstance(audience, tuple) or audience[0] != "agent":
                    continue
                done.add(key)
                user_id, call_id = audience[1], payload.get("call_id")
                try:
                    if event == "call.offered":
                        await desk.accept(user_id, call_id)
                    elif event == "call.connected":
                        connected.append(call_id)
                        if len(connected) % 2:  # every other call goes on hold
                            await desk.hold(user_id, call_id)
                    elif event == "wrapup.started":
                        await desk.save_wrapup(user_id, call_id, "resolved", "", [])
                except Exception:  # the caller may have gone meanwhile: the desk refuses, that is fine
                    continue
            await asyncio.sleep(0.005)

    worker = asyncio.create_task(agents_take_calls())
    try:  # the agents keep working to the end: a wrap-up that started last still needs saving
        await _place_calls_and_check(desk, port, heard, engine, rng, caplog)
    finally:
        worker.cancel()


async def _place_calls_and_check(
    desk: Any, port: Any, heard: Any, engine: AsyncEngine, rng: random.Random, caplog: pytest.LogCaptureFixture
) -> None:
    placed: list[str] = []
    with caplog.at_level(logging.WARNING):
        for n in range(CALLS):
            caller = rng.choice(["+14155550142", f"+1212555{n:04d}"])
            call_id = port.inject_call(caller, "5000")
            assert call_id is not None
            placed.append(call_id)
            keys = rng.choice(["", "1", "10", "0", "2", "1#", "10"])
            if keys:
                port.press(call_id, keys)
            delay = rng.choice([0.0, 0.001, rng.uniform(0, 0.05), rng.uniform(0.05, 0.5), rng.uniform(0.5, 3)])
            asyncio.get_running_loop().call_later(delay, port.far_end_hangup, call_id)
            await asyncio.sleep(rng.uniform(0, 0.004))

        async def logged() -> dict[str | None, int] | None:
            async with session_factory(engine)() as session:
                rows = (await session.execute(select(Activity.interaction_id).where(Activity.type == "call"))).all()
            counts: dict[str | None, int] = {}
            for (call_id,) in rows:
                counts[call_id] = counts.get(call_id, 0) + 1
            return counts if set(placed) <= set(counts) else None

        counts = await until_async(logged, "every call on the timeline", 60)
    missing = [c for c in placed if c not in counts]
    assert missing == []
    assert {c: n for c, n in counts.items() if c in placed and n != 1} == {}, "one call activity per call"
    problems = [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR]
    assert problems == [], problems[:5]
    try:
        await until(lambda: not desk.calls.conversations(), "every session to be over", 10)
    except TimeoutError:
        left = {
            call_id: (
                session.record.agent_user_id,
                session.record.logged,
                session.finished.is_set(),
                [(e, p.get("reason")) for _, e, p in heard if p.get("call_id") == call_id],
            )
            for session in desk.calls.conversations()
            for call_id in [session.call_id]
        }
        raise AssertionError(f"calls still held by the call center: {left}") from None


async def _one_call_activity(engine: AsyncEngine, call_id: str) -> Activity:
    async def logged() -> list[Activity]:
        async with session_factory(engine)() as session:
            query = select(Activity).where(Activity.interaction_id == call_id, Activity.type == "call")
            return list((await session.scalars(query)).all())

    found: list[Activity] = await until_async(logged, f"{call_id} on the timeline")
    assert len(found) == 1, found
    return found[0]


@pytest.mark.parametrize("stage", ["ringing", "talking", "on_hold"])
async def test_a_caller_who_hangs_up_at_each_stage_with_an_agent_is_wrapped_up_once(
    center: Any, engine: AsyncEngine, stage: str
) -> None:
    """The stages the random test reaches only by chance, each on purpose."""
    desk, port, heard = center
    [agent, *_] = await _agents(engine)
    port.program(agent.extension, OriginateOutcome.ANSWERED, delay=0.5 if stage == "ringing" else 0.0)
    await desk.set_state(agent.id, "available")
    call_id = port.inject_call("+14155550142", "5000")
    assert call_id is not None
    port.press(call_id, "0")  # a known caller goes straight to the main menu: 0 is an agent
    await until(lambda: said(heard, agent.id, "call.offered"), "the offer")
    await desk.accept(agent.id, call_id)
    if stage != "ringing":
        await until(lambda: said(heard, agent.id, "call.connected"), "the agent connected")
    if stage == "on_hold":
        await desk.hold(agent.id, call_id)
    port.far_end_hangup(call_id)
    await until(lambda: said(heard, agent.id, "wrapup.started"), "wrap-up")
    await desk.save_wrapup(agent.id, call_id, "resolved", "", [])
    activity = await _one_call_activity(engine, call_id)
    assert activity.disposition == "resolved" and activity.agent_id == agent.id
    await until(
        lambda: desk.calls.conversation(call_id) is None and desk.desks.wrapup(agent.id) is None, "the call to be over"
    )
