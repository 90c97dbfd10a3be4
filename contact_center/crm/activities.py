"""The timeline: append and read. There is no update and no delete."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from contact_center.crm.errors import ValidationFailed
from contact_center.crm.records import Page, check_references, page_by_id, parse_id
from contact_center.crm.schemas import ActivityCreate
from contact_center.store.tables import Activity

SYSTEM_TYPES = frozenset({"escalation", "case_change", "opportunity_change", "lead_change"})
FILTERS = ("customer_id", "account_id", "agent_id", "case_id", "opportunity_id", "lead_id")


async def append_activity(session: AsyncSession, data: ActivityCreate, now: dt.datetime) -> Activity:
    values = data.model_dump()
    await check_references(session, values)
    if values["started_at"] is None:
        values["started_at"] = now
    if values["ended_at"] is not None and values["ended_at"] < values["started_at"]:
        raise ValidationFailed.one("ended_at", "is before started_at")
    activity = Activity(**values, created_at=now)
    session.add(activity)
    await session.flush()
    return activity


async def list_activities(session: AsyncSession, filters: Mapping[str, str], cursor: int | None, limit: int) -> Page:
    query = select(Activity)
    for name in FILTERS:
        raw = filters.get(name)
        if raw is None:
            continue
        value = parse_id(raw)
        if value is None:
            raise ValidationFailed.one(name, "must be a record id (a whole number)")
        query = query.where(getattr(Activity, name) == value)
    if "interaction_id" in filters:
        query = query.where(Activity.interaction_id == filters["interaction_id"])
    if "type" in filters:
        query = query.where(Activity.type == filters["type"])
    return await page_by_id(session, query, Activity.id, cursor, limit, newest_first=True)
