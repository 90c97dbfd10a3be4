"""SQL that says the same on SQLite and PostgreSQL where their functions differ: seconds since the epoch of an
instant, the month of a date, the length of a JSON array and its elements. Each takes the session it will run
in."""

from __future__ import annotations

import sqlite3
from typing import Any

from sqlalchemy import BigInteger, ColumnElement, FromClause, cast, func
from sqlalchemy.ext.asyncio import AsyncSession


def _postgres(session: AsyncSession) -> bool:
    return session.get_bind().dialect.name == "postgresql"


def epoch_seconds(session: AsyncSession, column: Any) -> ColumnElement[int]:
    """Whole seconds since 1970 of a stored instant."""
    if _postgres(session):
        return cast(func.floor(func.extract("epoch", column)), BigInteger)
    # unixepoch() (SQLite 3.38+) reads the stored text about twice as fast as strftime('%s').
    seconds = func.unixepoch(column) if sqlite3.sqlite_version_info >= (3, 38) else func.strftime("%s", column)
    return cast(seconds, BigInteger)


def month_text(session: AsyncSession, column: Any) -> ColumnElement[str]:
    """YYYY-MM of a stored date."""
    if _postgres(session):
        return func.to_char(column, "YYYY-MM")
    return func.strftime("%Y-%m", column)


def json_array_length(session: AsyncSession, column: Any) -> ColumnElement[int]:
    if _postgres(session):
        return func.jsonb_array_length(column)
    return func.json_array_length(column)


def json_array_elements(session: AsyncSession, column: Any) -> FromClause:
    """Each element of a JSON array column as a row (column ``value``), to join beside the row that holds it."""
    if _postgres(session):
        return func.jsonb_array_elements(column).table_valued("value").lateral()
    return func.json_each(column).table_valued("value")


def json_text(session: AsyncSession, element: Any, key: str) -> ColumnElement[str]:
    """The text under ``key`` of a JSON object (an element of ``json_array_elements``)."""
    if _postgres(session):
        return element.op("->>")(key)  # type: ignore[no-any-return]
    return func.json_extract(element, f"$.{key}")
