"""Stopping the server while a background pass writes: the connection's SQLite thread still finishes its
statement (it may wait on a lock), and the engine is not let go before it has."""

from __future__ import annotations

import asyncio
import contextlib
import sqlite3
import threading
import time
from pathlib import Path

from contact_center.store.engine import _WORKERS, WORKERS_END_SECONDS, dispose, engine_for_url


async def test_disposing_waits_for_the_statement_a_cancelled_task_left_running(tmp_path: Path) -> None:
    path = tmp_path / "cc.db"
    engine = engine_for_url(f"sqlite+aiosqlite:///{path}")
    async with engine.begin() as conn:
        await conn.exec_driver_sql("CREATE TABLE t (n INTEGER)")
    holder = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")  # another process holds the write lock a moment

    async def write() -> None:
        async with engine.begin() as conn:
            await conn.exec_driver_sql("INSERT INTO t VALUES (1)")

    task = asyncio.create_task(write())
    await asyncio.sleep(0.3)  # the INSERT waits on the lock in its connection's thread
    task.cancel()
    await asyncio.sleep(0.05)
    task.cancel()  # and its clean-up too (the server stopping cancels what is left)
    with contextlib.suppress(asyncio.CancelledError):
        await task
    threading.Timer(0.5, holder.execute, ("ROLLBACK",)).start()
    await dispose(engine)
    assert _WORKERS[engine.sync_engine] and not [w for w in _WORKERS[engine.sync_engine] if w.is_alive()]
    holder.close()


async def test_a_connection_returned_after_the_engine_was_let_go_is_closed_and_one_opened_after_is_not_waited_for(
    tmp_path: Path,
) -> None:
    engine = engine_for_url(f"sqlite+aiosqlite:///{tmp_path / 'cc.db'}")
    late = await engine.connect()  # a pass still running as the server stops
    await late.exec_driver_sql("SELECT 1")
    started = time.monotonic()
    letting_go = asyncio.create_task(dispose(engine))
    await asyncio.sleep(0.2)
    await late.close()  # checked in to the pool the engine no longer has
    async with engine.connect() as after:  # whoever still uses the engine gets a fresh pool...
        await after.exec_driver_sql("SELECT 1")
        await letting_go  # ...and is not waited for
    assert time.monotonic() - started < WORKERS_END_SECONDS
    earlier = _WORKERS[engine.sync_engine][0]
    assert not earlier.is_alive()  # the late one's thread ended: its connection was closed
    await dispose(engine)
