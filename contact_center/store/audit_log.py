"""The audit trail: every administrative change and supervisor action, with who, when, before and after."""

from __future__ import annotations

import datetime as dt
from typing import Any

from pydantic import BaseModel
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from contact_center.store.tables import AuditEntry


def _plain(record: BaseModel | dict[str, Any] | None) -> dict[str, Any] | None:
    if record is None or isinstance(record, dict):
        return record
    return record.model_dump(mode="json")


def record_change(
    session: AsyncSession,
    actor: str,
    action: str,
    target: str,
    before: BaseModel | dict[str, Any] | None,
    after: BaseModel | dict[str, Any] | None,
    now: dt.datetime,
) -> None:
    """Add the entry to the caller's transaction: it is kept exactly when the change is."""
    session.add(
        AuditEntry(at=now, actor=actor, action=action, target=target, before=_plain(before), after=_plain(after))
    )


async def newest(session: AsyncSession, *, before_id: int | None, limit: int) -> list[AuditEntry]:
    query = select(AuditEntry).order_by(AuditEntry.id.desc()).limit(limit)
    if before_id is not None:
        query = query.where(AuditEntry.id < before_id)
    return list((await session.scalars(query)).all())
