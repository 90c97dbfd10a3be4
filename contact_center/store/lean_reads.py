"""The call path's reads on SQLite without SQLAlchemy's connection pool or aiosqlite's thread hop.

A caller's look-up is one indexed query of about 10 µs in SQLite itself; through the async engine
it cost 0.7 to 1.2 ms (checking a connection out of the pool, a hop to aiosqlite's thread and back, result
building). Here each prebuilt statement is compiled once, runs on one read-only ``sqlite3`` connection
on the event loop's own thread, and its rows are decoded with the same result processors SQLAlchemy
would apply, so the output is identical to ``crm.views.ConnectionRows``'s.

Reading on the loop is deliberate: an indexed read of pages that are mapped in memory (mmap) takes
microseconds, less than handing it to a thread. WAL lets this connection read while the engine writes;
each statement sees what was committed before it started.
"""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import Select
from sqlalchemy.dialects import sqlite as sqlite_dialect
from sqlalchemy.sql import sqltypes
from sqlalchemy.types import TypeEngine

from contact_center.store.types import UtcDateTime, json_value

_DIALECT = sqlite_dialect.dialect(paramstyle="qmark")
# Map the whole file (SQLite caps it at its build's limit, 2 GiB in Debian's; mapping takes address space, not
# memory): each page past the mapping costs a read() into the connection's own cache. Measured with `bench crm`
# at 1M customers (3.5 GB): look-up p99 0.106 ms mapped 256 MB deep, 0.031 ms mapped 2 GiB deep.
MMAP_BYTES = 1 << 40


@dataclass(frozen=True)
class _Prepared:
    sql: str
    order: tuple[str, ...]  # the bound parameters' names, in the order of the ?s
    defaults: dict[str, Any]  # values fixed in the statement (limits, IN lists)
    keys: tuple[str, ...]
    converters: tuple[tuple[str, Callable[[Any], Any]], ...]  # only the columns whose values need decoding


def _then_json(process: Callable[[Any], Any]) -> Callable[[Any], Any]:
    def convert(value: Any) -> Any:
        return json_value(process(value))

    return convert


# The JSON decoder's C scanner without ``json.loads``'s wrapper (type checks, two whitespace regexes): a third of
# the cost for the small documents a customer row holds (e-mails, address, tags).
_JSON_DECODER = json.JSONDecoder()


def _json(stored: str) -> Any:
    """A JSON column's text, as written by the engine's serializer, to its value."""
    try:
        value, end = _JSON_DECODER.raw_decode(stored)
    except ValueError:  # leading blanks or not JSON: json.loads says what is wrong
        return json.loads(stored)
    return value if end == len(stored) else json.loads(stored)


def _instant(stored: str) -> str:
    """A ``UtcDateTime`` as stored on SQLite (naive UTC text) straight to its JSON form."""
    at = dt.datetime.fromisoformat(stored)
    if at.tzinfo is not None:
        at = at.astimezone(dt.UTC).replace(tzinfo=None)
    return at.isoformat() + "Z"


def _decoder(column_type: TypeEngine[Any]) -> Callable[[Any], Any] | None:
    """What turns a stored value of this type into its JSON form (None: it is already). The common types are
    decoded directly, in C where the standard library can, because they are most of a caller's look-up; any
    other goes through SQLAlchemy's own result processor."""
    if isinstance(column_type, UtcDateTime):
        return _instant
    impl = column_type.dialect_impl(_DIALECT)
    if isinstance(impl, sqltypes.JSON):
        return _json
    if isinstance(impl, sqltypes.Boolean):
        return bool
    if isinstance(impl, sqltypes.Date):  # stored as ISO text, which is what JSON shows
        return None
    process = impl.result_processor(_DIALECT, None)
    return None if process is None else _then_json(process)


class SqliteRows:
    """``crm.views.RowSource`` on a read-only ``sqlite3`` connection to the database file at ``path``."""

    def __init__(self, path: Path, statements: Iterable[Select[Any]] = ()) -> None:
        self.path = path
        self._db: sqlite3.Connection | None = None
        self._prepared: dict[Select[Any], _Prepared] = {}  # keyed by the statement itself, kept alive
        for statement in statements:
            self._prepare(statement)

    def _connection(self) -> sqlite3.Connection:
        if self._db is None:
            db = sqlite3.connect(f"{self.path.resolve().as_uri()}?mode=ro", uri=True, check_same_thread=False)
            db.execute(f"PRAGMA mmap_size={MMAP_BYTES}")
            db.execute("PRAGMA query_only=ON")
            self._db = db
        return self._db

    def _prepare(self, statement: Select[Any]) -> _Prepared:
        compiled = statement.compile(dialect=_DIALECT)
        # IN lists and limits expand into plain ?s once; the names left open are filled in per call.
        open_names = {name: None for name, bind in compiled.binds.items() if bind.required}
        expanded = compiled.construct_expanded_state(open_names)
        columns = statement.selected_columns
        converters = []
        for column in columns:
            decode = _decoder(column.type)
            if decode is not None:
                converters.append((str(column.key), decode))
        prepared = _Prepared(
            expanded.statement,
            tuple(expanded.positiontup or ()),
            dict(expanded.parameters),
            tuple(str(c.key) for c in columns),
            tuple(converters),
        )
        self._prepared[statement] = prepared
        return prepared

    async def rows(self, statement: Select[Any], params: Mapping[str, Any]) -> list[dict[str, Any]]:
        prepared = self._prepared.get(statement) or self._prepare(statement)
        defaults = prepared.defaults
        values = tuple(params[name] if name in params else defaults[name] for name in prepared.order)
        cursor = self._connection().execute(prepared.sql, values)
        keys, converters = prepared.keys, prepared.converters
        out = []
        for row in cursor.fetchall():
            found = dict(zip(keys, row, strict=True))
            for key, convert in converters:
                value = found[key]
                if value is not None:
                    found[key] = convert(value)
            out.append(found)
        return out

    def close(self) -> None:
        if self._db is not None:
            self._db.close()
            self._db = None
