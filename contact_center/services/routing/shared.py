"""Routing shared by several nodes through Redis: one leader runs the engine, every node sees every event.

The same public surface as ``AcdService`` (``handle``, ``subscribe``, ``start``/``stop``,
``report``/``today``, ``intervals``/``calls``, ``reconcile``, ``metrics``, ``acd``), for
``CC_REDIS_URL``. The design (docs/routing.md, "Several nodes"):

* **One writer.** The node holding the Redis lease is the leader. It applies each input
  (a command, a timer step, a reconcile pass) to its engine, appends the input with its
  events to the log stream in one fenced script (refused if the lease is not its own), then
  writes the events to ``acd_events`` and hands them to its listeners. So the engine's
  order is the log's order, and a call is never offered to two agents nor an agent two
  calls: only one engine decides, and a node that lost the lease cannot append.
* **Everyone follows.** Every other node reads the log, applies each input to its own copy
  of the engine (``acd``, for the board and the desks' reads) and hands the leader's events
  to its listeners in the same order. ``handle`` on such a node puts the command on the
  requests stream and waits for the log entry that answers it (its events, or its error
  raised as in-process); no answer within ``request_timeout`` is ``RoutingUnavailable``.
* **Failover.** The lease lives ``lease_seconds``; a follower that finds it free takes it,
  reads the rest of the log, writes to the database what the old leader had not, loads
  queues and agents from the CRM (changes only, through the log), and leads: its copy is
  already the engine's state, waiting calls and agent states included. A node that joins
  starts from the latest snapshot (written every ``snapshot_seconds``) plus the log after it.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import json
import logging
import random
import time
import uuid
from collections import Counter

import redis.asyncio as aioredis
from sqlalchemy.ext.asyncio import AsyncEngine

from contact_center.clock import Clock
from contact_center.domain.acd import snapshot
from contact_center.domain.acd.codec import command_to_dict, queue_to_dict
from contact_center.domain.acd.commands import Command
from contact_center.domain.acd.config import QueueConfig
from contact_center.domain.acd.events import Event
from contact_center.domain.acd.reconciler import LiveLegs
from contact_center.services.routing.follower import LogFollower, Reply, stop_if_cancelled, stop_tasks
from contact_center.services.routing.replica import (
    Entry,
    Json,
    RoutingError,
    RoutingUnavailable,
    apply_input,
    entry_fields,
    error_from_dict,
    error_to_dict,
    stream_id,
)
from contact_center.store import acd_events as acd_log
from contact_center.store.engine import session_factory
from contact_center.store.redis_acd import RedisRoutingLog
from contact_center.store.redis_client import where
from contact_center.store.routing_config import load_agents, load_queues

log = logging.getLogger(__name__)


class SharedAcdService(LogFollower):
    def __init__(
        self,
        engine: AsyncEngine,
        clock: Clock,
        *,
        redis_client: aioredis.Redis,
        prefix: str = "cc:acd",
        node_id: str | None = None,
        lease_seconds: float = 3.0,
        request_timeout: float = 5.0,
        snapshot_seconds: float = 10.0,
        legs_ttl_seconds: float = 30.0,
        service_level_formula: str = "answered_plus_late_abandons",
        short_abandon_seconds: float = 5.0,
        zone: dt.tzinfo = dt.UTC,
    ) -> None:
        super().__init__(
            engine,
            clock,
            redis_client=redis_client,
            prefix=prefix,
            node_id=node_id,
            service_level_formula=service_level_formula,
            short_abandon_seconds=short_abandon_seconds,
            zone=zone,
        )
        self.lease_seconds, self.request_timeout = lease_seconds, request_timeout
        self.snapshot_seconds, self.legs_ttl_seconds = snapshot_seconds, legs_ttl_seconds
        self._unpersisted: list[tuple[str, list[Event]]] = []
        self._persist_wanted = asyncio.Event()
        self._snapshot_at = "0-0"
        self._led_since = 0.0  # time.monotonic() when this node last took the lead
        self._previous_snapshot: str | None = None

    # -- life cycle ---------------------------------------------------------------------------
    async def start(self) -> None:
        """Today's figures from the database, the engine from the snapshot and the log, then follow or lead."""
        self.log = RedisRoutingLog(self.redis_client, self.node_id, self.prefix)
        try:
            await self.log.client.ping()
        except Exception as exc:
            at = where(self.redis_client)
            raise RoutingUnavailable(f"shared routing: Redis at {at} does not answer: {exc}") from exc
        history = await acd_log.since(self.engine, self.day_start() - 3600)
        self.metrics.apply_all(history)
        async with self._engine_lock:
            replayed = await self._sync(deliver_after=None)
        # Entries replayed from the log whose events the database already had are not counted twice.
        seen = Counter(e for e in history if replayed and e.at >= replayed[0].at)
        fresh = [e for e in replayed if not _take(seen, e)]
        if fresh:
            self.fold(fresh)
        await self._lease_step()
        self._tasks["lease"] = asyncio.create_task(self._keep_lease(), name=f"acd-lease-{self.node_id}")
        if not self.is_leader:
            self._start_following()

    async def stop(self) -> None:
        await stop_tasks(list(self._tasks.values()))
        self._tasks.clear()
        if self.log is not None:
            with contextlib.suppress(Exception):
                if self.is_leader:
                    await self._persist()
                    await self.log.release()  # a clean stop hands over at once, not after the TTL
        self.is_leader = False

    def configure_queue(self, queue: QueueConfig) -> None:
        raise RoutingError("with shared routing, queues come from the CRM when a node takes the lease")

    async def reload_queues(self) -> list[str]:
        """On the leader, queues and agents that changed in the CRM go into the log (every node applies
        them from there); other nodes leave it to the leader, which watches the same CRM."""
        if not self.is_leader:
            return []
        before = dict(self.acd.queues)
        await self._load_configuration()
        return [name for name, queue in self.acd.queues.items() if before.get(name) is not queue]

    # -- commands -----------------------------------------------------------------------------
    async def handle(self, command: Command) -> list[Event]:
        """Run a command on the leader (this node or another) and return its events."""
        if self.is_leader:
            events, error = await self._lead(
                {"kind": "command", "now": self._input_now(), "command": command_to_dict(command)}
            )
            self._wake.set()
        else:
            events, error = await self._forward(command)
        if error is not None:
            raise error_from_dict(error)
        return events

    async def advance(self) -> list[Event]:
        if not self.is_leader:
            return []  # timers are the leader's
        due = self.acd.next_deadline()
        now = self._input_now()
        if due is None or due > now:
            return []
        events, _ = await self._lead({"kind": "advance", "now": now})
        return events

    async def reconcile(self, legs: LiveLegs, grace_seconds: float) -> list[Event]:
        """Publish this node's legs; the leader reconciles against the legs of every live node."""
        mine = {"calls": sorted(legs.calls), "agents": None if legs.agents is None else dict(legs.agents)}
        await self.redis.publish_legs(json.dumps(mine), self.legs_ttl_seconds)
        if self.is_leader and not await self.redis.get("snapshot"):
            # Redis lost what it held (restarted empty): the other nodes' legs too, until they publish again.
            self._led_since = time.monotonic()
        if not self.is_leader or time.monotonic() - self._led_since < self.legs_ttl_seconds:
            # A new leader waits one legs TTL first: by then every live node has published its legs again (Redis
            # may have lost them) and a dead node's have expired. Sooner, a live caller could be taken for a ghost.
            return []
        calls: set[str] = set()
        agents: dict[str, str] | None = None
        for raw in await self.redis.all_legs():
            node = json.loads(raw)
            calls.update(node["calls"])
            if node["agents"] is not None:
                agents = {**(agents or {}), **node["agents"]}
        events, _ = await self._lead(
            {
                "kind": "reconcile",
                "now": self._input_now(),
                "grace": grace_seconds,
                "calls": sorted(calls),
                "agents": agents,
            }
        )
        return events

    async def _forward(self, command: Command) -> Reply:
        cid = uuid.uuid4().hex
        reply: asyncio.Future[Reply] = asyncio.get_running_loop().create_future()
        self._replies[cid] = reply
        try:
            # The deadline is wall-clock time, shared by the nodes: a leader does not run a request it sees
            # after its sender stopped waiting.
            await self.redis.submit(
                {
                    "cid": cid,
                    "origin": self.node_id,
                    "command": json.dumps(command_to_dict(command)),
                    "deadline": repr(time.time() + self.request_timeout),
                }
            )
            async with asyncio.timeout(self.request_timeout):
                return await reply
        except TimeoutError:
            leader = await self.redis.leader()
            raise RoutingUnavailable(
                f"no routing leader answered {type(command).__name__} within {self.request_timeout:g}s "
                f"(lease holder: {leader or 'none'})"
            ) from None
        finally:
            self._replies.pop(cid, None)

    def _input_now(self) -> float:
        return max(self.now(), self.acd.clock)  # the log's instants never go back, even across a failover

    # -- leading --------------------------------------------------------------------------------
    async def _lead(self, inp: Json, *, cid: str = "", origin: str = "", request: str = "") -> Reply:
        async with self._engine_lock:
            if not self.is_leader:
                raise RoutingUnavailable("this node lost the routing lease; try again")
            if "now" in inp:
                inp["now"] = max(float(inp["now"]), self.acd.clock)
            self.acd, events, error = apply_input(self.acd, inp)
            fields = entry_fields(
                self.applied, inp, events, error, node=self.node_id, cid=cid, origin=origin, request=request
            )
            try:
                entry_id = await self.redis.append(fields)
            except Exception as exc:
                entry_id = None
                log.error("routing log append failed: %s", exc)
            if entry_id is None:  # not in the log: this copy went ahead of it
                self.ahead_since = self.ahead_since or time.monotonic()
                self._step_down_soon("the log refused an append (lease lost or Redis unreachable)")
                raise RoutingUnavailable("routing leadership is moving; try again")
            self.applied = entry_id
            self.last_request = request or self.last_request
            self._after_input(inp)
            self._unpersisted.append((entry_id, events))
            self._persist_wanted.set()
            self._publish(events)
            self._answer(cid, origin, (events, error))
        return events, error

    async def _keep_persisting(self) -> None:
        # In the background and in batches: the log in Redis is what makes an input durable; the database
        # copy (for reports and restarts) follows it in order, and a new leader writes what was left.
        while True:
            stop_if_cancelled()
            await self._persist_wanted.wait()
            self._persist_wanted.clear()
            await self._persist()

    async def _persist(self) -> None:
        """Write the events of the log entries not yet in the database, in order; a failure is retried."""
        while self._unpersisted:
            batch = list(self._unpersisted)
            try:
                await acd_log.append(self.engine, [e for _, events in batch for e in events])
            except Exception:
                stop_if_cancelled()
                log.exception("writing routing events to the database failed; will retry")
                await asyncio.sleep(1.0)
                self._persist_wanted.set()
                return
            del self._unpersisted[: len(batch)]
            with contextlib.suppress(Exception):
                await self.redis.fenced_set("db_written", batch[-1][0])

    async def _take_over(self) -> None:
        await self._stop_task("follow")
        try:
            async with self._engine_lock:
                await self._catch_up(deliver=True)
                if self.applied == "0-0":
                    await self._genesis()
                elif not await self.redis.get("snapshot"):  # Redis came back empty: this copy starts the log again
                    await self._store_snapshot(*self._snapshot())
                written = await self.redis.get("db_written") or "0-0"
                if stream_id(written) < stream_id(self.applied):
                    backlog = [Entry.read(i, f) for i, f in await self._entries_after(written)]
                    self._unpersisted = [(e.id, e.decoded_events()) for e in backlog] + self._unpersisted
                    await self._persist()
                self.is_leader, self._led_since = True, time.monotonic()
                self.ahead_since = None  # what it holds is the log now
        except Exception:
            log.exception("routing: taking the lease over failed; following instead")
            with contextlib.suppress(Exception):
                await self.redis.release()
            self._start_following()
            return
        log.warning("routing: node %s leads (log at %s)", self.node_id, self.applied)
        for name, work in (
            ("serve", self._serve_requests),
            ("timers", self._run_timers),
            ("snapshots", self._keep_snapshots),
            ("persist", self._keep_persisting),
        ):
            self._tasks[name] = asyncio.create_task(work(), name=f"acd-{name}-{self.node_id}")
        await self._load_configuration()

    async def _genesis(self) -> None:
        # A new cluster: every copy starts from an empty engine whose random generator has this seed.
        await self._lead_locked({"kind": "genesis", "seed": random.SystemRandom().randrange(2**31)})

    async def _lead_locked(self, inp: Json) -> None:
        self.acd, events, error = apply_input(self.acd, inp)
        entry_id = await self.redis.append(entry_fields(self.applied, inp, events, error, node=self.node_id))
        if entry_id is None:
            raise RoutingUnavailable("lost the routing lease while starting to lead")
        self.applied = entry_id

    async def _load_configuration(self) -> None:
        """Queues and agents from the CRM into the log, where they differ from the engine's."""
        async with session_factory(self.engine)() as session:
            queues = await load_queues(session)
            agents = await load_agents(session)
        try:
            for queue in queues:
                known = self.acd.queues.get(queue.id)
                if known is None or queue_to_dict(known) != queue_to_dict(queue):
                    await self._lead({"kind": "queue", "queue": queue_to_dict(queue)})
            for command in agents:
                agent = self.acd.agents.get(command.agent_id)
                same = agent is not None and (agent.skills, agent.tiers, agent.team) == (
                    dict(command.skills),
                    dict(command.tiers),
                    command.team,
                )
                if not same:
                    await self._lead({"kind": "command", "now": self._input_now(), "command": command_to_dict(command)})
        except RoutingUnavailable:
            log.warning("routing: lost the lease while loading the configuration")

    async def _serve_requests(self) -> None:
        cursor = self.last_request
        while True:
            stop_if_cancelled()
            try:
                batch = await self.redis.requests(cursor, block_ms=500)
            except Exception:
                stop_if_cancelled()
                log.exception("reading routing requests failed")
                await asyncio.sleep(0.5)
                continue
            for request_id, fields in batch:
                cursor = request_id
                if float(fields.get("deadline", "inf")) < time.time():
                    continue  # its sender has given up: running it now would surprise everyone
                try:
                    command = json.loads(fields["command"])
                    inp: Json = {"kind": "command", "now": self._input_now(), "command": command}
                    if not isinstance(command, dict):
                        raise ValueError("the command is not a JSON object")
                except (KeyError, ValueError) as exc:
                    inp = {"kind": "none", "error": error_to_dict(exc)}
                try:
                    await self._lead(
                        inp, cid=fields.get("cid", ""), origin=fields.get("origin", ""), request=request_id
                    )
                except RoutingUnavailable:
                    return  # stepping down
                self._wake.set()

    async def _keep_snapshots(self) -> None:
        while True:
            await asyncio.sleep(self.snapshot_seconds)
            if self.applied == self._snapshot_at:
                continue
            try:
                async with self._engine_lock:
                    at, text = self._snapshot()
                await self._store_snapshot(at, text)  # Redis round trips outside the lock: decisions go on
            except Exception:
                stop_if_cancelled()
                log.exception("writing the routing snapshot failed")

    def _snapshot(self) -> tuple[str, str]:
        """The engine as it is, with the log entry it includes (the caller holds the engine lock)."""
        at = self.applied
        return at, json.dumps({"log_id": at, "last_request": self.last_request, "engine": snapshot.dump(self.acd)})

    async def _store_snapshot(self, at: str, text: str) -> None:
        if await self.redis.fenced_set("snapshot", text):
            self._snapshot_at = at
            if self._previous_snapshot is not None:
                # Keep the log from the snapshot before: a node reading that one can still catch up.
                await self.redis.trim(self._previous_snapshot, self.last_request)
            self._previous_snapshot = at

    # -- the lease ------------------------------------------------------------------------------
    async def _keep_lease(self) -> None:
        while True:
            await asyncio.sleep(self.lease_seconds / 3)
            await self._lease_step()

    async def _lease_step(self) -> None:
        try:
            if self.is_leader:
                if not await self.redis.renew(self.lease_seconds):
                    await self._step_down("the lease expired before it was renewed")
            elif self.may_lead() and await self.redis.acquire(self.lease_seconds):
                await self._take_over()
        except Exception:
            stop_if_cancelled()
            log.exception("routing lease step failed")

    def may_lead(self) -> bool:
        """Whether this node may take the lease now. A copy holding an input the log refused (Redis lost the log
        while this node led, so nothing could rebuild it) would start the new log with a change nobody was told
        of — a live call another node holds ended, say. It waits three leases for a node whose copy holds only
        logged inputs to lead (and then follows it, rebuilt from its snapshot); alone, it leads after that."""
        return self.ahead_since is None or time.monotonic() - self.ahead_since > 3 * self.lease_seconds

    def _step_down_soon(self, reason: str) -> None:
        if self.is_leader:
            self.is_leader = False
            asyncio.get_running_loop().create_task(self._step_down(reason))

    async def _step_down(self, reason: str) -> None:
        log.warning("routing: node %s stops leading: %s", self.node_id, reason)
        self.is_leader = False
        current = asyncio.current_task()
        self._unpersisted.clear()  # the next leader writes them (from the log, after db_written)
        for name in ("serve", "timers", "snapshots", "persist"):
            task = self._tasks.get(name)
            if task is not None and task is not current:
                await self._stop_task(name)
        with contextlib.suppress(Exception):
            await self.redis.release()  # if it is still ours, another node need not wait for the TTL
        async with self._engine_lock:
            # This copy may hold an input the log refused: start again from the snapshot and the log.
            await self._sync(deliver_after=self.applied)
        self._start_following()


def _take(seen: Counter[Event], event: Event) -> bool:
    if seen[event] > 0:
        seen[event] -= 1
        return True
    return False
