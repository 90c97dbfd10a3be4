"""The one writer of the interaction log, on SQLite and PostgreSQL: a burst goes in few transactions,
what it acknowledges is committed, a bad entry fails alone, and an entry with more to write is all or none."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from contact_center.store.activity_log import ActivityLog, Completion, NewActivity
from contact_center.store.engine import session_factory
from contact_center.store.tables import Activity, Recording


def _call(n: int, **more: Any) -> NewActivity:
    return NewActivity({"type": "call", "subject": f"call {n}", "interaction_id": f"c-{n}", **more})


async def _count(engine: AsyncEngine, **where: Any) -> int:
    async with session_factory(engine)() as session:
        query = select(func.count()).select_from(Activity).filter_by(**where)
        return int(await session.scalar(query) or 0)


async def test_a_burst_is_written_in_few_transactions_and_every_ack_is_committed(engine: AsyncEngine) -> None:
    log = ActivityLog(engine)
    try:
        rows = await asyncio.gather(*(log.append(_call(n)) for n in range(200)))
        assert len({row["id"] for row in rows}) == 200
        assert [row["interaction_id"] for row in rows] == [f"c-{n}" for n in range(200)]
        assert all(row["created_at"] is not None for row in rows)
        assert log.batches < 20  # 200 appended at once: a handful of commits, not 200
        assert await _count(engine, type="call") == 200  # seen from another connection: committed
        single = await log.append(_call(999))
        assert await _count(engine, interaction_id="c-999") == 1 and single["id"] > max(r["id"] for r in rows)
    finally:
        await log.close()


async def test_an_entry_the_database_refuses_fails_alone(engine: AsyncEngine) -> None:
    log = ActivityLog(engine)
    try:
        entries = [_call(1), NewActivity({"type": None, "interaction_id": "bad"}), _call(2)]
        results = await asyncio.gather(*(log.append(e) for e in entries), return_exceptions=True)
        assert isinstance(results[1], Exception)
        assert [r["interaction_id"] for r in (results[0], results[2]) if isinstance(r, dict)] == ["c-1", "c-2"]
        assert await _count(engine, interaction_id="bad") == 0
        assert await _count(engine, type="call") == 2
    finally:
        await log.close()


async def test_an_entry_with_more_to_write_is_all_or_none(engine: AsyncEngine) -> None:
    log = ActivityLog(engine)

    async def note_too(session: AsyncSession, activity_id: int) -> int:
        session.add(Activity(type="note", subject=f"about {activity_id}", interaction_id="c-1"))
        return activity_id

    async def refuse(session: AsyncSession, activity_id: int) -> None:
        raise ValueError("follow_ups.0.title: required")

    try:
        row, returned = await log.append_with(_call(1), note_too)
        assert returned == row["id"]
        assert await _count(engine, interaction_id="c-1") == 2
        with pytest.raises(ValueError, match=r"follow_ups\.0\.title"):
            await log.append_with(_call(2), refuse)
        assert await _count(engine, interaction_id="c-2") == 0  # the call went with its refused follow-up
        assert (await log.append(_call(3)))["interaction_id"] == "c-3"  # and the writer goes on
    finally:
        await log.close()


async def test_a_recording_is_kept_beside_its_activity_and_named_by_id(engine: AsyncEngine) -> None:
    log = ActivityLog(engine)
    try:
        row = await log.append(
            NewActivity({"type": "voicemail", "details": {"mailbox": "sales"}}, ("voicemail", "x.wav"))
        )
        async with session_factory(engine)() as session:
            recording = (await session.scalars(select(Recording).where(Recording.activity_id == row["id"]))).one()
            stored = await session.get(Activity, row["id"])
        assert recording.kind == "voicemail" and recording.path == "x.wav"
        assert stored is not None and stored.details == {"mailbox": "sales", "recording_id": recording.id}
        assert row["details"]["recording_id"] == recording.id
    finally:
        await log.close()


async def test_closing_writes_what_was_appended_first(engine: AsyncEngine) -> None:
    log = ActivityLog(engine)
    pending = [asyncio.ensure_future(log.append(_call(n))) for n in range(20)]
    await asyncio.sleep(0)
    await log.close()
    assert all(p.done() and not p.exception() for p in pending)
    assert await _count(engine, type="call") == 20


async def test_a_written_activity_is_completed_with_what_goes_with_it_or_not_at_all(engine: AsyncEngine) -> None:
    log = ActivityLog(engine)

    async def nothing(session: AsyncSession, activity_id: int) -> None:
        return None

    async def refuse(session: AsyncSession, activity_id: int) -> None:
        raise ValueError("follow_ups.0: refused")

    try:
        row = await log.append(_call(1, details={"notes": ["first"], "disposition_pending": True}))
        with pytest.raises(ValueError, match="refused"):
            await log.complete_with(
                Completion(row["id"], "resolved", {"disposition_pending": False}, ("later",)), refuse
            )
        async with session_factory(engine)() as session:
            untouched = await session.get(Activity, row["id"])
        assert untouched is not None and untouched.disposition is None and untouched.details["notes"] == ["first"]
        done, _ = await log.complete_with(
            Completion(row["id"], "resolved", {"disposition_pending": False}, ("later",)), nothing
        )
        assert done["disposition"] == "resolved" and done["details"]["notes"] == ["first", "later"]
        assert done["details"]["disposition_pending"] is False
        with pytest.raises(LookupError):
            await log.complete_with(Completion(row["id"] + 1000, "resolved"), nothing)
    finally:
        await log.close()
