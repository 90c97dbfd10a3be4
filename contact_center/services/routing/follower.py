"""A node's copy of the shared routing engine, kept in step with the leader's log (see acd_shared.py).

``LogFollower`` holds what every node has, leader or not: the engine copy (``acd``), the
position in the log (``applied``), the replies awaited by this node's forwarded commands,
and the ways to move the copy forward: following the log as it grows, catching up at once,
and rebuilding from the snapshot when the copy has a gap or differs from the leader's.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import logging
import random
import uuid
from collections.abc import Sequence
from typing import Any

import redis.asyncio as aioredis
from sqlalchemy.ext.asyncio import AsyncEngine

from contact_center.clock import Clock
from contact_center.domain.acd import snapshot
from contact_center.domain.acd.commands import ConfigureAgent
from contact_center.domain.acd.events import Event
from contact_center.domain.acd.router import Acd
from contact_center.services.routing.replica import Entry, Json, RoutingUnavailable, apply_input, stream_id
from contact_center.services.routing.service import AcdService
from contact_center.store.redis_acd import RedisRoutingLog

log = logging.getLogger(__name__)
Reply = tuple[list[Event], Json | None]


class LogFollower(AcdService):
    shared = True

    @property
    def leading(self) -> bool:
        # True exactly while this node appends to the log: a follower (or a node taking over, which
        # replays the old leader's entries first) hands on events another node already told.
        return self.is_leader

    def __init__(
        self,
        engine: AsyncEngine,
        clock: Clock,
        *,
        redis_client: aioredis.Redis,
        prefix: str,
        node_id: str | None,
        service_level_formula: str,
        short_abandon_seconds: float,
        zone: dt.tzinfo = dt.UTC,
    ) -> None:
        super().__init__(
            engine,
            clock,
            service_level_formula=service_level_formula,
            short_abandon_seconds=short_abandon_seconds,
            zone=zone,
        )
        self.node_id = node_id or uuid.uuid4().hex[:12]
        self.redis_client, self.prefix = redis_client, prefix  # made and closed by the composition root
        self.log: RedisRoutingLog | None = None
        self.is_leader = False
        self.applied = "0-0"  # the last log entry applied to self.acd
        self.last_request = "0-0"  # the last request the log answered
        # Since when this copy holds an input the log refused (it led, and an append failed): not to be trusted
        # as the new log's start while a copy that holds only logged inputs may take the lead (``may_lead``).
        self.ahead_since: float | None = None
        self._engine_lock = asyncio.Lock()
        self._replies: dict[str, asyncio.Future[Reply]] = {}
        self._tasks: dict[str, asyncio.Task[None]] = {}

    @property
    def redis(self) -> RedisRoutingLog:
        if self.log is None:
            raise RoutingUnavailable("shared routing is not started")
        return self.log

    async def _stop_task(self, name: str) -> None:
        task = self._tasks.pop(name, None)
        if task is not None and task is not asyncio.current_task():
            await stop_tasks([task])

    # -- following ----------------------------------------------------------------------------
    def _start_following(self) -> None:
        if "follow" not in self._tasks:
            self._tasks["follow"] = asyncio.create_task(self._follow(), name=f"acd-follow-{self.node_id}")

    async def _follow(self) -> None:
        while not self.is_leader:
            stop_if_cancelled()
            try:
                batch = await self.redis.read(self.applied, block_ms=1000)
                if batch:
                    async with self._engine_lock:
                        if not self.is_leader and not self._apply_batch(batch, deliver=True, strict=True):
                            await self._sync(deliver_after=self.applied)
            except Exception:
                stop_if_cancelled()
                log.exception("following the routing log failed")
                await asyncio.sleep(1.0)

    async def _catch_up(self, *, deliver: bool) -> None:
        while batch := await self._entries_after(self.applied):
            if not self._apply_batch(batch, deliver=deliver, strict=True):
                await self._sync(deliver_after=self.applied if deliver else None)
                return

    async def _entries_after(self, after: str) -> list[tuple[str, dict[str, str]]]:
        return await self.redis.read(after, count=1000)

    def _apply_batch(self, batch: Sequence[tuple[str, dict[str, str]]], *, deliver: bool, strict: bool) -> bool:
        """Apply entries in order; False when this copy cannot go on: a gap, or (``strict``) it diverged."""
        for entry_id, fields in batch:
            entry = Entry.read(entry_id, fields)
            if entry.prev != self.applied:
                log.error("routing log: entry %s follows %s, this node is at %s", entry.id, entry.prev, self.applied)
                return False
            self.acd, events, error = apply_input(self.acd, entry.input)
            leaders = entry.decoded_events()
            self.applied = entry.id
            self.last_request = entry.request or self.last_request
            self._after_input(entry.input)
            if deliver:
                self._publish(leaders)
            self._answer(entry.cid, entry.origin, (leaders, entry.error))
            if events != leaders or error != entry.error:
                log.error("routing copy on %s differs from the leader's at %s", self.node_id, entry.id)
                if strict:
                    return False  # rebuilt from the snapshot by the caller
        return True

    async def _sync(self, *, deliver_after: str | None) -> list[Event]:
        """Rebuild the copy from the snapshot and the log; hand out the events after ``deliver_after``."""
        replayed: list[Event] = []
        for _attempt in range(5):
            raw = await self.redis.get("snapshot")
            if not raw and self.applied != "0-0" and not await self._log_from_genesis():
                # Redis lost what it held (restarted empty): nothing there can rebuild this copy, which is the
                # newest routing state there is. Kept; the node that leads next writes it as the new snapshot.
                log.warning("routing: Redis has lost the log and its snapshot; this node keeps its copy")
                return []
            data: dict[str, Any] = json.loads(raw) if raw else {}
            self.ahead_since = None  # rebuilt from what the log holds
            self.acd = snapshot.restore(data["engine"]) if data else Acd(rng=random.Random(0))
            self.applied = data.get("log_id", "0-0")
            self.last_request = data.get("last_request", "0-0")
            for queue in self.acd.queues.values():
                self.note_queue(queue)
            for agent in self.acd.agents.values():
                self.note_agent(ConfigureAgent(agent.id, team=agent.team))
            replayed = []
            complete = True
            while complete and (batch := await self._entries_after(self.applied)):
                for entry_id, fields in batch:
                    new = deliver_after is not None and stream_id(entry_id) > stream_id(deliver_after)
                    if not self._apply_batch([(entry_id, fields)], deliver=new, strict=False):
                        complete = False  # a gap: the log was trimmed under us, a newer snapshot exists
                        break
                    if deliver_after is None:
                        replayed.extend(Entry.read(entry_id, fields).decoded_events())
            if complete:
                return replayed
        raise RoutingUnavailable("the routing log keeps moving past this node's snapshot; giving up")

    async def _log_from_genesis(self) -> bool:
        """Whether the log in Redis starts at the cluster's first entry (no snapshot is needed to replay it)."""
        first = await self._entries_after("0-0")
        return bool(first) and Entry.read(*first[0]).prev == "0-0"

    def _after_input(self, inp: Json) -> None:
        if inp.get("kind") == "queue":
            queue = self.acd.queues.get(str(inp["queue"]["id"]))
            if queue is not None:
                self.note_queue(queue)
        elif inp.get("kind") == "command" and inp["command"].get("kind") == "ConfigureAgent":
            data = inp["command"]["data"]
            self.note_agent(ConfigureAgent(data["agent_id"], team=data.get("team")))

    def _answer(self, cid: str, origin: str, reply: Reply) -> None:
        if origin == self.node_id and cid:
            waiting = self._replies.get(cid)
            if waiting is not None and not waiting.done():
                waiting.set_result(reply)


def stop_if_cancelled() -> None:
    """Re-raise a cancellation that a library turned into another error (redis and database drivers can,
    under asyncio.timeout on 3.11), so that a loop that logs errors and goes on still stops when told."""
    task = asyncio.current_task()
    if task is not None and task.cancelling():
        raise asyncio.CancelledError


async def stop_tasks(tasks: list[asyncio.Task[None]], wait_seconds: float = 5.0) -> None:
    for task in tasks:
        task.cancel()
    if tasks:
        _, stuck = await asyncio.wait(tasks, timeout=wait_seconds)
        for task in stuck:
            log.error("routing task %s did not stop within %gs", task.get_name(), wait_seconds)
