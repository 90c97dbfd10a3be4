"""The SLA escalation pass reaches every due case, however many already-escalated cases wait for their next level."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from contact_center.crm.cases import BATCH, create_case, escalate_breached, update_case
from contact_center.crm.schemas import CaseCreate, CaseUpdate
from contact_center.store.engine import session_factory
from contact_center.store.tables import Activity, Case


async def open_cases(engine: AsyncEngine, n: int, at: dt.datetime, minutes: int) -> list[int]:
    async with session_factory(engine).begin() as session:
        return [
            (await create_case(session, CaseCreate(subject=f"case {i}", sla_target_minutes=minutes), at)).id
            for i in range(n)
        ]


async def escalate(engine: AsyncEngine, now: dt.datetime) -> set[int]:
    async with session_factory(engine).begin() as session:
        return {c.id for c in await escalate_breached(session, now)}


async def levels(engine: AsyncEngine, ids: list[int]) -> set[int]:
    async with session_factory(engine)() as session:
        return set((await session.scalars(select(Case.escalation_level).where(Case.id.in_(ids)))).all())


async def test_new_breaches_escalate_while_more_than_a_batch_of_cases_wait_at_level_one(
    engine: AsyncEngine, clock: Any
) -> None:
    t0 = clock.now()
    waiting = await open_cases(engine, BATCH + 100, t0, minutes=600)  # next level 300 minutes after breach
    assert await escalate(engine, t0 + dt.timedelta(minutes=601)) == set(waiting)  # more than a batch in one pass
    assert await levels(engine, waiting) == {1}
    fresh = await open_cases(engine, 5, t0 + dt.timedelta(minutes=601), minutes=60)
    # The 600 breached earlier are still at level 1 and not due again; the five new breaches are raised.
    assert await escalate(engine, t0 + dt.timedelta(minutes=662)) == set(fresh)
    assert await levels(engine, fresh) == {1}
    assert await escalate(engine, t0 + dt.timedelta(minutes=663)) == set()
    assert await escalate(engine, t0 + dt.timedelta(minutes=901)) == set(waiting) | set(fresh)
    assert await levels(engine, waiting) == {2} and await levels(engine, fresh) == {3}
    async with session_factory(engine)() as session:
        count = await session.scalar(select(func.count()).select_from(Activity).where(Activity.type == "escalation"))
    assert count == 2 * len(waiting) + 2 * len(fresh)


async def test_a_paused_case_is_not_due_and_resumes_where_it_left_off(engine: AsyncEngine, clock: Any) -> None:
    t0 = clock.now()
    [case_id] = await open_cases(engine, 1, t0, minutes=60)
    case: Case | None
    async with session_factory(engine).begin() as session:
        case = await update_case(
            session, case_id, CaseUpdate(status="pending_customer"), None, t0 + dt.timedelta(minutes=30)
        )
        assert case.sla_escalate_at is None
    assert await escalate(engine, t0 + dt.timedelta(hours=5)) == set()
    async with session_factory(engine).begin() as session:
        case = await update_case(session, case_id, CaseUpdate(status="open"), None, t0 + dt.timedelta(hours=5))
        assert case.sla_escalate_at == t0 + dt.timedelta(hours=5, minutes=30)
    assert await escalate(engine, t0 + dt.timedelta(hours=5, minutes=31)) == {case_id}
    async with session_factory(engine)() as session:
        case = await session.get(Case, case_id)
        assert case is not None and case.sla_escalate_at == t0 + dt.timedelta(hours=6)  # level 2 after half the target


async def test_cases_at_the_top_level_are_never_read_again(engine: AsyncEngine, clock: Any) -> None:
    t0 = clock.now()
    [case_id] = await open_cases(engine, 1, t0, minutes=60)
    assert await escalate(engine, t0 + dt.timedelta(hours=10)) == {case_id}
    assert await levels(engine, [case_id]) == {3}
    async with session_factory(engine)() as session:
        case = await session.get(Case, case_id)
        assert case is not None and case.sla_escalate_at is None
