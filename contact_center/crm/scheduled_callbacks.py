"""Callbacks promised for a time, kept in the database so a restart loses none of them.

When one falls due it is *claimed* (``scheduled`` → ``queued``, atomically, so two nodes never place
it twice) and handed to routing as a callback; the attempt's result settles it: answered is ``done``,
anything else tries again later until ``max_attempts``, then ``failed``. A due time outside the
customer's calling hours or the queue's opening hours moves to the first moment both allow.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from typing import Any

import phonenumbers
from phonenumbers.timezone import time_zones_for_number as phone_time_zones
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from contact_center.clock import utc_iso
from contact_center.crm.calendars import to_domain
from contact_center.domain.calling_window import customer_zone, next_call_time
from contact_center.store.engine import session_factory
from contact_center.store.tables import Calendar, Customer, Queue, ScheduledCallback, User

log = logging.getLogger(__name__)
RETRY_AFTER = dt.timedelta(minutes=15)
CLAIM_BATCH = 20


def schedule(
    session: AsyncSession,
    *,
    number: str,
    queue: str,
    due_at: dt.datetime,
    customer_id: int | None,
    agent_id: int | None,
    interaction_id: str | None,
    activity_id: int | None,
    attempts: int = 0,
) -> ScheduledCallback:
    row = ScheduledCallback(
        number=number,
        queue=queue,
        due_at=due_at,
        customer_id=customer_id,
        agent_id=agent_id,
        interaction_id=interaction_id,
        activity_id=activity_id,
        attempts=attempts,
        status="scheduled",
    )
    session.add(row)
    return row


async def claim_due(engine: AsyncEngine, now: dt.datetime, fallback_zone: dt.tzinfo) -> list[ScheduledCallback]:
    """The callbacks to place now, marked ``queued``; due ones outside the calling window move to its start."""
    claimed: list[ScheduledCallback] = []
    async with session_factory(engine).begin() as session:
        due = (
            await session.execute(
                select(ScheduledCallback, Customer.timezone, Queue.calendar_id)
                .outerjoin(Customer, Customer.id == ScheduledCallback.customer_id)
                .outerjoin(Queue, Queue.name == ScheduledCallback.queue)
                .where(ScheduledCallback.status == "scheduled", ScheduledCallback.due_at <= now)
                .order_by(ScheduledCallback.due_at, ScheduledCallback.id)
                .limit(CLAIM_BATCH)
            )
        ).all()
        for row, timezone, calendar_id in due:
            calendar = await session.get(Calendar, calendar_id) if calendar_id is not None else None
            zone = customer_zone(timezone, zone_of_number(row.number) or fallback_zone)
            when = next_call_time(now, zone, to_domain(calendar, now) if calendar is not None else None)
            if when is None:
                row.status, row.last_result = "failed", "no_calling_window"
            elif when > now:
                row.due_at = when  # later today or another day: not now
            else:
                # Claimed only if still scheduled: another node that got there first wins.
                taken = await session.execute(
                    update(ScheduledCallback)
                    .where(ScheduledCallback.id == row.id, ScheduledCallback.status == "scheduled")
                    .values(status="queued", updated_at=now)
                    .returning(ScheduledCallback.id)
                )
                if taken.scalar_one_or_none() is not None:
                    row.status = "queued"
                    claimed.append(row)
        await session.flush()  # the moved due times and failures, before the rows leave the session
        session.expunge_all()
    return claimed


def zone_of_number(e164: str) -> dt.tzinfo | None:
    """The time zone a number's area lies in, when the numbering plan says just one (not for mobiles, say)."""
    try:
        zones = phone_time_zones(phonenumbers.parse(e164))
    except phonenumbers.NumberParseException:
        return None
    return customer_zone(zones[0], dt.UTC) if len(zones) == 1 and zones[0] != "Etc/Unknown" else None


async def settle(engine: AsyncEngine, callback_id: int, result: str, now: dt.datetime) -> str:
    """Record an attempt's result; returns the callback's new status."""
    async with session_factory(engine).begin() as session:
        row = await session.get(ScheduledCallback, callback_id)
        if row is None:
            return "gone"
        row.attempts += 1
        row.last_result = result
        if result == "answered":
            row.status = "done"
        elif result == "canceled":
            row.status = "canceled"
        elif row.attempts >= row.max_attempts:
            row.status = "failed"
        else:
            row.status, row.due_at = "scheduled", now + RETRY_AFTER
        return row.status


async def release_orphans(
    engine: AsyncEngine, *, claimed_before: dt.datetime | None = None, keep: Callable[[str], bool] | None = None
) -> int:
    """At start-up: callbacks left ``queued`` by a stopped server are no longer in routing; due them again.

    With several nodes, others may hold queued callbacks: only those claimed before ``claimed_before``
    whose routing call (``cb{id}-{attempt}``) ``keep`` does not know are released."""
    query = update(ScheduledCallback).where(ScheduledCallback.status == "queued")
    async with session_factory(engine).begin() as session:
        if claimed_before is not None or keep is not None:
            rows = (
                await session.execute(
                    select(ScheduledCallback.id, ScheduledCallback.attempts, ScheduledCallback.updated_at).where(
                        ScheduledCallback.status == "queued"
                    )
                )
            ).all()
            ids = [
                row_id
                for row_id, attempts, claimed in rows
                if (claimed_before is None or claimed is None or claimed < claimed_before)
                and (keep is None or not keep(f"cb{row_id}-{attempts + 1}"))
            ]
            if not ids:
                return 0
            query = query.where(ScheduledCallback.id.in_(ids))
            if claimed_before is not None:  # claimed again meanwhile: not an orphan
                query = query.where(ScheduledCallback.updated_at < claimed_before)
        result = await session.execute(query.values(status="scheduled"))
    count = int(getattr(result, "rowcount", 0) or 0)
    if count:
        log.info("%d callback(s) left queued by the last run are due again", count)
    return count


async def unknown_people(session: AsyncSession, customer_id: int | None, agent_id: int | None) -> list[str]:
    """Which of the customer and the agent a callback names do not exist ("customer_id", "agent_id")."""
    missing = []
    if customer_id is not None and await session.get(Customer, customer_id) is None:
        missing.append("customer_id")
    if agent_id is not None and await session.get(User, agent_id) is None:
        missing.append("agent_id")
    return missing


def as_json(row: ScheduledCallback) -> dict[str, Any]:
    return {
        "id": row.id,
        "number": row.number,
        "queue": row.queue,
        "due_at": utc_iso(row.due_at),
        "status": row.status,
        "attempts": row.attempts,
        "max_attempts": row.max_attempts,
        "customer_id": row.customer_id,
        "agent_id": row.agent_id,
        "interaction_id": row.interaction_id,
        "last_result": row.last_result,
    }


async def pending(session: AsyncSession, limit: int = 500) -> list[ScheduledCallback]:
    """Callbacks still to place (scheduled, or waiting in routing for an agent), soonest first."""
    query = (
        select(ScheduledCallback)
        .where(ScheduledCallback.status.in_(("scheduled", "queued")))
        .order_by(ScheduledCallback.due_at, ScheduledCallback.id)
        .limit(limit)
    )
    return list((await session.scalars(query)).all())


async def cancel(session: AsyncSession, callback_id: int) -> tuple[ScheduledCallback | None, bool]:
    """The callback, and whether this canceled it (only a ``scheduled`` one is: one already waiting in
    routing is canceled there, which settles the row; one already placed or over is left as it is)."""
    row = await session.get(ScheduledCallback, callback_id, with_for_update=True)
    if row is None or row.status != "scheduled":
        return row, False
    row.status, row.last_result = "canceled", "canceled"
    return row, True
