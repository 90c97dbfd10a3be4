"""The async engine and session factory: the one way into the database."""

from __future__ import annotations

import asyncio
import logging
import threading
import time
import weakref
from pathlib import Path
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine
from sqlalchemy.util import greenlet_spawn

from contact_center.config import Settings

log = logging.getLogger(__name__)
# Each SQLite connection's worker thread (aiosqlite), per engine: see ``dispose``.
_WORKERS: weakref.WeakKeyDictionary[Any, list[threading.Thread]] = weakref.WeakKeyDictionary()
WORKERS_END_SECONDS = 2.0  # a statement that waits on a lock longer (busy_timeout is 5 s) is not waited for


def create_engine(settings: Settings, **kwargs: Any) -> AsyncEngine:
    return engine_for_url(settings.database_url, **kwargs)


def engine_for_url(url: str, **kwargs: Any) -> AsyncEngine:
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_async_engine(url, **kwargs)
        event.listen(engine.sync_engine, "connect", _sqlite_pragmas)
        _remember_workers(engine)
        return engine
    kwargs.setdefault("pool_size", 10)
    kwargs.setdefault("max_overflow", 20)
    kwargs.setdefault("pool_pre_ping", True)
    return create_async_engine(url, **kwargs)


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # WAL lets the board read while calls write; foreign keys are off by default in SQLite;
    # synchronous=NORMAL in WAL mode still survives a process crash (only power loss can lose
    # the last transactions), which is the durability an acknowledged activity needs here.
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA busy_timeout=5000")
    cursor.execute("PRAGMA mmap_size=268435456")  # reads of a large CRM map pages instead of copying them
    cursor.close()


def _remember_workers(engine: AsyncEngine) -> None:
    workers = _WORKERS[engine.sync_engine] = []

    def connected(dbapi_connection: Any, _record: Any) -> None:
        worker = getattr(getattr(dbapi_connection, "_connection", None), "_thread", None)  # aiosqlite's
        if isinstance(worker, threading.Thread):
            workers[:] = [w for w in workers if w.is_alive()]
            workers.append(worker)

    event.listen(engine.sync_engine, "connect", connected)


async def dispose(engine: AsyncEngine) -> None:
    """Close the engine's connections, and on SQLite wait until each connection's worker thread has ended.

    A task cancelled in the middle of a statement (the server stopping while a background pass writes) leaves
    its connection's thread finishing that statement, which may wait on a lock for up to busy_timeout; it then
    hands the result back to the event loop. Stopping the loop before that would lose the hand-back (aiosqlite
    raises "Event loop is closed" in the thread)."""
    retired = engine.sync_engine.pool  # dispose() puts a fresh pool in its place
    await engine.dispose()
    # The connections there were when the engine was let go: one opened afterwards (whoever still uses the
    # engine gets a fresh pool) is not this call's to wait for.
    workers = list(_WORKERS.get(engine.sync_engine, []))
    deadline = time.monotonic() + WORKERS_END_SECONDS
    while any(w.is_alive() for w in workers):
        if time.monotonic() > deadline:
            log.warning(
                "%d SQLite connection(s) still busy after %g s", sum(w.is_alive() for w in workers), WORKERS_END_SECONDS
            )
            return
        # A connection that was checked out as the engine was let go (its task being cancelled) is checked in
        # afterwards, to the retired pool, which nobody would close again: its thread would wait forever.
        await greenlet_spawn(retired.dispose)
        await asyncio.sleep(0.01)


def session_factory(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, expire_on_commit=False)
