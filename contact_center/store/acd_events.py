"""Routing events to and from rows of the ``acd_events`` log (metrics are rebuilt from it after a restart)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncEngine

from contact_center.domain.acd.codec import event_from_row, fields_of
from contact_center.domain.acd.events import Event
from contact_center.store.tables import AcdEventRow


def to_row(event: Event) -> dict[str, Any]:
    data = fields_of(event)
    return {
        "at": dt.datetime.fromtimestamp(event.at, dt.UTC),
        "at_seconds": event.at,
        "kind": type(event).__name__,
        "call_id": data.get("call_id"),
        "agent_id": data.get("agent_id"),
        "data": data,
    }


def from_row(kind: str, data: dict[str, Any]) -> Event:
    return event_from_row(kind, data)


async def append(engine: AsyncEngine, events: Iterable[Event]) -> None:
    rows = [to_row(e) for e in events]
    if rows:
        async with engine.begin() as conn:
            await conn.execute(insert(AcdEventRow), rows)


async def touching(engine: AsyncEngine, start_seconds: float, end_seconds: float) -> list[Event]:
    """Every event, in order, of the calls that have at least one event in [start, end): the whole story of
    each visit counted there, even one queued the day before (agent state changes are not included)."""
    touched = (
        select(AcdEventRow.call_id)
        .where(AcdEventRow.at_seconds >= start_seconds, AcdEventRow.at_seconds < end_seconds)
        .where(AcdEventRow.call_id.is_not(None))
        .distinct()
    )
    query = select(AcdEventRow.kind, AcdEventRow.data).where(AcdEventRow.call_id.in_(touched)).order_by(AcdEventRow.id)
    async with engine.connect() as conn:
        return [from_row(kind, data) for kind, data in (await conn.execute(query)).all()]


async def since(engine: AsyncEngine, start_seconds: float) -> list[Event]:
    query = (
        select(AcdEventRow.kind, AcdEventRow.data)
        .where(AcdEventRow.at_seconds >= start_seconds)
        .order_by(AcdEventRow.id)
    )
    async with engine.connect() as conn:
        return [from_row(kind, data) for kind, data in (await conn.execute(query)).all()]
