"""Shared record plumbing: loading by id, foreign-key checks, cursor pages."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from sqlalchemy import Select
from sqlalchemy.ext.asyncio import AsyncSession

from contact_center.crm.errors import FieldError, NotFound, ValidationFailed
from contact_center.store.tables import Account, Base, Calendar, Case, Customer, Lead, Opportunity, User

T = TypeVar("T", bound=Base)
MAX_PAGE = 200

# Which table each *_id field of an input refers to.
REFERENCES: dict[str, type[Base]] = {
    "customer_id": Customer,
    "account_id": Account,
    "owner_id": User,
    "agent_id": User,
    "account_manager_id": User,
    "case_id": Case,
    "opportunity_id": Opportunity,
    "lead_id": Lead,
    "calendar_id": Calendar,
}


@dataclass(frozen=True)
class Page:
    items: Sequence[Any]
    next_cursor: str | None


async def get_or_404(session: AsyncSession, table: type[T], record_id: int, *options: Any) -> T:
    row = await session.get(table, record_id, options=list(options))
    if row is None:
        raise NotFound(table.__tablename__.rstrip("s"), record_id)
    return row


async def check_references(session: AsyncSession, values: dict[str, Any]) -> None:
    """Every *_id in the input names a record that exists, or the input is refused field by field."""
    errors = []
    for field, value in values.items():
        table = REFERENCES.get(field)
        if table is None or value is None:
            continue
        if await session.get(table, value) is None:
            errors.append(FieldError(field, f"no {table.__tablename__.rstrip('s')} with id {value}"))
    if errors:
        raise ValidationFailed(errors)


MAX_ID = 2**31 - 1
_DIGITS = re.compile(r"[0-9]{1,10}")


def parse_id(raw: str | None) -> int | None:
    """A record id from text (ASCII digits, within the id range), else None."""
    if raw is None or not _DIGITS.fullmatch(raw):
        return None
    value = int(raw)
    return value if 0 < value <= MAX_ID else None


def like_prefix(text: str) -> str:
    """A LIKE pattern matching text at the start, lower-cased, with % and _ taken literally (escape \\)."""
    escaped = text.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return escaped + "%"


def parse_cursor(raw: str | None) -> int | None:
    if raw in (None, ""):
        return None
    value = parse_id(raw)
    if value is None:
        raise ValidationFailed.one("cursor", "must be the next_cursor value of a previous page")
    return value


def parse_limit(raw: str | None, default: int = 50) -> int:
    if raw is None:
        return default
    if not _DIGITS.fullmatch(raw) or not 1 <= int(raw) <= MAX_PAGE:
        raise ValidationFailed.one("limit", f"must be a whole number from 1 to {MAX_PAGE}")
    return int(raw)


async def page_by_id(
    session: AsyncSession, query: Select[Any], id_column: Any, cursor: int | None, limit: int, newest_first: bool
) -> Page:
    """Keyset pagination on the primary key: stable under inserts, no OFFSET scans."""
    if cursor is not None:
        query = query.where(id_column < cursor if newest_first else id_column > cursor)
    query = query.order_by(id_column.desc() if newest_first else id_column).limit(limit + 1)
    rows = list((await session.scalars(query)).all())
    more = len(rows) > limit
    rows = rows[:limit]
    return Page(rows, str(rows[-1].id) if more and rows else None)
