"""The one writer of the interaction log: every call, IVR session and voicemail reaches the timeline here.

One task writes. What is appended while it writes waits for the next batch, and a batch goes in one
transaction, so a burst of calls ending together costs one commit, not one each (and SQLite, which
takes one writer at a time, is never asked by several at once). ``append`` returns once the row is
committed: an acknowledged write is a committed one. A batch the database refuses is written again
entry by entry, so one bad entry fails alone and the rest still land.

An entry may bring more to write in its transaction (``extra``: the follow-ups of a wrap-up, all or
none with the call); such an entry is written on its own. The one change the log allows to a written
row is completing it (``complete_with``): a call logged when its wrap-up ran out gets the disposition
the agent picks afterwards, so a call never loses its disposition.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from contact_center.store.engine import session_factory
from contact_center.store.tables import Activity, Recording

log = logging.getLogger(__name__)
MAX_BATCH = 256
Extra = Callable[[AsyncSession, int], Awaitable[Any]]
# Told of every activity added, in the transaction that adds it: what must go with it or not at all
# (the call.ended webhooks' outbox rows).
Written = Callable[[AsyncSession, list[Activity]], Awaitable[None]]


@dataclass(frozen=True, slots=True)
class NewActivity:
    """An interaction for the timeline: the activity's columns (type, channel, subject, customer_id,
    interaction_id, details, ...) and, when it was recorded, the recording's kind and file."""

    columns: Mapping[str, Any]
    recording: tuple[str, str] | None = None


@dataclass(frozen=True, slots=True)
class Completion:
    """What completing a written activity sets: its disposition, more details, notes appended to its own."""

    activity_id: int
    disposition: str | None
    details: Mapping[str, Any] = field(default_factory=dict)
    notes: tuple[str, ...] = ()


@dataclass(slots=True)
class _Pending:
    entry: NewActivity | Completion
    extra: Extra | None
    done: asyncio.Future[tuple[dict[str, Any], Any]] = field(repr=False)


class ActivityLog:
    def __init__(self, engine: AsyncEngine, *, max_batch: int = MAX_BATCH, on_written: Written | None = None) -> None:
        self._sessions = session_factory(engine)
        self._max_batch = max_batch
        self._on_written = on_written
        self._queue: asyncio.Queue[_Pending] = asyncio.Queue()
        self._writer: asyncio.Task[None] | None = None
        self.batches = 0  # how many transactions carried the entries so far (the benchmark reads it)

    async def append(self, entry: NewActivity) -> dict[str, Any]:
        """Write one activity; returns the committed row (its columns, ``id`` and ``created_at`` included)."""
        row, _ = await self._submit(entry, None)
        return row

    async def append_with(self, entry: NewActivity, extra: Extra) -> tuple[dict[str, Any], Any]:
        """Write one activity and ``extra(session, activity_id)`` in one transaction: both or neither.
        Returns the row and what ``extra`` returned; what ``extra`` raises comes back here."""
        return await self._submit(entry, extra)

    async def complete_with(self, completion: Completion, extra: Extra) -> tuple[dict[str, Any], Any]:
        """Complete a written activity and write ``extra(session, activity_id)``, in one transaction.
        ``LookupError`` when there is no such activity."""
        return await self._submit(completion, extra)

    async def _submit(self, entry: NewActivity | Completion, extra: Extra | None) -> tuple[dict[str, Any], Any]:
        loop = asyncio.get_running_loop()
        if self._writer is None or self._writer.done():
            self._writer = loop.create_task(self._write_forever(), name="activity-log-writer")
        pending = _Pending(entry, extra, loop.create_future())
        self._queue.put_nowait(pending)
        # The writer finishes what it took even if this caller stops waiting (the caller was cancelled).
        return await asyncio.shield(pending.done)

    async def close(self) -> None:
        """Write what was appended, then stop the writer."""
        if self._writer is None:
            return
        await self._queue.join()
        self._writer.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await self._writer
        self._writer = None

    async def _write_forever(self) -> None:
        while True:
            batch = [await self._queue.get()]
            while len(batch) < self._max_batch and not self._queue.empty():
                batch.append(self._queue.get_nowait())
            try:
                await self._write_batch(batch)
            finally:
                for _ in batch:
                    self._queue.task_done()

    async def _write_batch(self, batch: list[_Pending]) -> None:
        plain = [p for p in batch if p.extra is None and isinstance(p.entry, NewActivity)]
        if len(plain) > 1:
            try:
                async with self._sessions.begin() as session:
                    rows = [await _write(session, p.entry) for p in plain]
                    await self._written(session, rows)
                self.batches += 1
            except Exception:
                log.warning("a batch of %d activities was refused; writing them one by one", len(plain))
            else:
                for p, row in zip(plain, rows, strict=True):
                    _settle(p, (_columns(row), None))
                plain = []
        alone = [p for p in batch if p.extra is not None or not isinstance(p.entry, NewActivity)]
        for p in [*plain, *alone]:
            try:
                async with self._sessions.begin() as session:
                    row = await _write(session, p.entry)
                    more = await p.extra(session, row.id) if p.extra is not None else None
                    if isinstance(p.entry, NewActivity):
                        await self._written(session, [row])
                self.batches += 1
            except Exception as exc:
                if not p.done.done():
                    p.done.set_exception(exc)
            else:
                _settle(p, (_columns(row), more))

    async def _written(self, session: AsyncSession, rows: list[Activity]) -> None:
        if self._on_written is not None:
            await self._on_written(session, rows)


async def _write(session: AsyncSession, entry: NewActivity | Completion) -> Activity:
    if isinstance(entry, Completion):
        return await _complete(session, entry)
    return await _add(session, entry)


async def _complete(session: AsyncSession, completion: Completion) -> Activity:
    activity = await session.get(Activity, completion.activity_id)
    if activity is None:
        raise LookupError(f"no activity {completion.activity_id}")
    details = {**(activity.details or {}), **completion.details}
    if completion.notes:
        details["notes"] = [*details.get("notes", []), *completion.notes]
    activity.disposition, activity.details = completion.disposition, details
    await session.flush()
    return activity


async def _add(session: AsyncSession, entry: NewActivity) -> Activity:
    activity = Activity(**entry.columns)
    session.add(activity)
    await session.flush()
    if entry.recording is not None:
        # The recording row beside its activity; the activity names it by id (the path stays on the server).
        kind, path = entry.recording
        recording = Recording(activity_id=activity.id, kind=kind, path=path)
        session.add(recording)
        await session.flush()
        activity.details = {**(activity.details or {}), "recording_id": recording.id}
    return activity


def _columns(activity: Activity) -> dict[str, Any]:
    return {column.key: getattr(activity, column.key) for column in Activity.__table__.columns}


def _settle(pending: _Pending, result: tuple[dict[str, Any], Any]) -> None:
    if not pending.done.done():
        pending.done.set_result(result)
