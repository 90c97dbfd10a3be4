"""Create, update and list for records without special rules (leads, opportunities, orders, accounts)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, TypeVar

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from contact_center.crm.errors import Conflict, FieldError, ValidationFailed
from contact_center.crm.records import MAX_ID, Page, check_references, page_by_id, parse_id
from contact_center.store.tables import Base

T = TypeVar("T", bound=Base)


async def create_record(session: AsyncSession, table: type[T], values: dict[str, Any]) -> T:
    await check_references(session, values)
    row = table(**values)
    session.add(row)
    await _flush(session)
    return row


async def apply_update(session: AsyncSession, row: T, values: dict[str, Any]) -> T:
    """Set the given fields; null for a required column is refused by name, not by the database."""
    columns = type(row).__table__.c
    refused = [FieldError(k, "may not be null") for k, v in values.items() if v is None and not columns[k].nullable]
    if refused:
        raise ValidationFailed(refused)
    await check_references(session, values)
    for key, value in values.items():
        setattr(row, key, value)
    await _flush(session)
    await session.refresh(row)
    return row


async def list_records(
    session: AsyncSession,
    table: type[T],
    filters: Mapping[str, str],
    filterable: Mapping[str, type],
    cursor: int | None,
    limit: int,
    conditions: Sequence[Any] = (),
) -> Page:
    """Equality filters on the named columns (``?status=open&owner_id=3``) and ``conditions``, newest first."""
    query = select(table).where(*conditions)
    for name, raw in filters.items():
        kind = filterable.get(name)
        if kind is None:
            continue
        value: Any = raw
        if kind is int:
            # A record's id is 1 or more; a count (an escalation level) may be 0.
            value = parse_id(raw) if name.endswith("_id") or raw != "0" else 0
            if value is None:
                low = 1 if name.endswith("_id") else 0
                raise ValidationFailed.one(name, f"must be a whole number from {low} to {MAX_ID}")
        elif kind is bool:
            value = raw.lower() in ("1", "true", "yes")
        query = query.where(getattr(table, name) == value)
    return await page_by_id(session, query, table.id, cursor, limit, newest_first=True)  # type: ignore[attr-defined,unused-ignore]


async def _flush(session: AsyncSession) -> None:
    try:
        await session.flush()
    except IntegrityError as exc:
        raise Conflict(_conflict_reason(exc)) from None


def _conflict_reason(exc: IntegrityError) -> str:
    text = str(exc.orig).lower()
    if "unique" in text or "duplicate" in text:
        return "a record with this unique value already exists"
    return "the change conflicts with existing records"
