"""The board's alerts as stored: open ones by key, the newest for the list, acknowledgement."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from contact_center.clock import utc_iso
from contact_center.domain.metrics.alerts import Condition
from contact_center.store.tables import BoardAlert


async def open_keys(session: AsyncSession) -> set[str]:
    return set((await session.scalars(select(BoardAlert.key).where(BoardAlert.cleared_at.is_(None)))).all())


async def raise_alerts(
    session: AsyncSession, raised: Iterable[Condition], now: dt.datetime, details: dict[str, Any] | None = None
) -> list[BoardAlert]:
    rows = [
        BoardAlert(
            key=c.key,
            kind=c.kind,
            queue=c.queue,
            agent_id=c.agent_id,
            call_id=c.call_id,
            message=c.message[:500],
            value=c.value,
            raised_at=now,
            details=dict(details or {}),
        )
        for c in raised
    ]
    session.add_all(rows)
    await session.flush()
    return rows


async def clear(session: AsyncSession, keys: Iterable[str], now: dt.datetime) -> list[BoardAlert]:
    keys = list(keys)
    if not keys:
        return []
    rows = list(
        await session.scalars(select(BoardAlert).where(BoardAlert.cleared_at.is_(None), BoardAlert.key.in_(keys)))
    )
    for row in rows:
        row.cleared_at = now
    await session.flush()
    return rows


async def acknowledge(
    session: AsyncSession, alert_id: int, actor: str, now: dt.datetime
) -> tuple[BoardAlert | None, bool]:
    """The alert, and whether this acknowledged it (a second acknowledgement keeps the first).
    A rule's alert is closed by it: nothing else would."""
    row = await session.get(BoardAlert, alert_id, with_for_update=True)
    if row is None or row.acknowledged_at is not None:
        return row, False
    row.acknowledged_by, row.acknowledged_at = actor, now
    if row.kind == "rule" and row.cleared_at is None:
        row.cleared_at = now
    await session.flush()
    return row, True


async def listing(session: AsyncSession, *, open_only: bool, since: dt.datetime, limit: int) -> list[BoardAlert]:
    """Newest first: the open ones (and those nobody acknowledged yet) or everything raised since ``since``."""
    query = select(BoardAlert).order_by(BoardAlert.id.desc()).limit(limit)
    if open_only:
        query = query.where((BoardAlert.cleared_at.is_(None)) | (BoardAlert.acknowledged_at.is_(None)))
    query = query.where(BoardAlert.raised_at >= since)
    return list((await session.scalars(query)).all())


def as_json(row: BoardAlert) -> dict[str, Any]:
    return {
        "id": row.id,
        "key": row.key,
        "kind": row.kind,
        "queue": row.queue,
        "agent_id": row.agent_id,
        "call_id": row.call_id,
        "message": row.message,
        "value": row.value,
        "at": utc_iso(row.raised_at),
        "cleared_at": utc_iso(row.cleared_at) if row.cleared_at else None,
        "acknowledged_by": row.acknowledged_by,
        "acknowledged_at": utc_iso(row.acknowledged_at) if row.acknowledged_at else None,
        "wait_seconds": row.details.get("wait_seconds"),
    }
