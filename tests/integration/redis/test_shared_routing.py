"""Routing shared by two nodes through a real Redis: commands from both, one engine's order everywhere,
errors as in-process, a clear error when no leader answers, and failover to the other node."""

from __future__ import annotations

import asyncio
import contextlib
import json
import multiprocessing
import os
import signal
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest
import redis.asyncio as aioredis
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from contact_center.bench.routing import double_offers, read_events, same_order, shared_node_main
from contact_center.clock import SystemClock
from contact_center.domain.acd.agents import agent_key
from contact_center.domain.acd.commands import AcceptOffer, EnqueueCall, LogIn, RejectOffer
from contact_center.domain.acd.errors import InvalidTransition
from contact_center.domain.acd.events import CallOffered, Event
from contact_center.seed.demo import ensure_reference
from contact_center.services.routing.follower import stop_tasks
from contact_center.services.routing.replica import RoutingUnavailable
from contact_center.services.routing.shared import SharedAcdService
from contact_center.store.engine import session_factory
from contact_center.store.redis_acd import RedisRoutingLog
from contact_center.store.redis_client import redis_client
from contact_center.store.tables import AcdEventRow, User

URL = os.environ.get("CC_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
pytestmark = pytest.mark.redis


@pytest.fixture
async def prefix() -> AsyncIterator[str]:
    client = aioredis.from_url(URL)
    try:
        await client.ping()
    except (OSError, aioredis.RedisError):
        pytest.fail(
            f"no Redis answers at {URL}: start one (redis-server) or point CC_TEST_REDIS_URL at it", pytrace=False
        )
    name = f"cc:test:{uuid.uuid4().hex}"
    yield name
    async for key in client.scan_iter(match=f"{name}:*"):
        await client.delete(key)
    await client.aclose()


_node_clients: list[aioredis.Redis] = []


@pytest.fixture(autouse=True)
async def _close_node_clients() -> AsyncIterator[None]:
    """Each node has its own Redis client, as a server's composition root makes one; closed after the test."""
    yield
    while _node_clients:
        await _node_clients.pop().aclose()


def node(engine: AsyncEngine, prefix: str, name: str, **kw: Any) -> SharedAcdService:
    options: dict[str, Any] = {"lease_seconds": 1.5, "request_timeout": 3.0, "snapshot_seconds": 0.5, **kw}
    client = redis_client(URL)
    _node_clients.append(client)
    return SharedAcdService(engine, SystemClock(), redis_client=client, prefix=prefix, node_id=name, **options)


async def agents(engine: AsyncEngine) -> list[str]:
    async with session_factory(engine)() as session:
        ids = (await session.scalars(select(User.id).where(User.role == "agent").order_by(User.id))).all()
    return [agent_key(i) for i in ids]


async def until(check: Callable[[], Any], what: str, seconds: float = 10.0) -> Any:
    async with asyncio.timeout(seconds):
        while not (result := check()):  # noqa: ASYNC110 - the nodes run on; the test only watches
            await asyncio.sleep(0.02)
    return result


async def test_two_nodes_share_one_engine(engine: AsyncEngine, prefix: str) -> None:
    await ensure_reference(engine, password="demo-password-1")
    a, b = node(engine, prefix, "a"), node(engine, prefix, "b")
    seen_a: list[Event] = []
    seen_b: list[Event] = []
    a.subscribe(seen_a.extend)
    b.subscribe(seen_b.extend)
    await a.start()
    await b.start()
    try:
        assert a.is_leader and not b.is_leader
        assert set(b.acd.queues) == {"general", "billing", "technical", "sales", "retention", "vip"}
        first, second = (await agents(engine))[:2]
        await b.handle(LogIn(first, ready=True))  # forwarded to a
        await a.handle(LogIn(second, ready=True))
        offered = await b.handle(EnqueueCall("c1", "general"))
        assert [type(e).__name__ for e in offered][:1] == ["CallQueued"]
        await a.handle(EnqueueCall("c2", "general"))
        offers = {e.call_id: e.agent_id for e in seen_a if isinstance(e, CallOffered)}
        assert set(offers) == {"c1", "c2"} and set(offers.values()) == {first, second}
        with pytest.raises(InvalidTransition):  # the leader's refusal, raised on the node that asked
            await b.handle(AcceptOffer(offers["c1"], "c2"))
        await b.handle(AcceptOffer(offers["c1"], "c1"))
        await until(lambda: len(seen_b) == len(seen_a), "b to see every event")
        assert seen_b == seen_a  # the same events, in the engine's order, on both nodes
        assert b.acd.agents_by_state() == a.acd.agents_by_state()
        assert {c.id: c.state for c in b.acd.calls.values()} == {c.id: c.state for c in a.acd.calls.values()}
        assert b.report(900).groups["general"].answered == 1  # b's figures come from the same events
        await until_async(lambda: _logged(engine, len(seen_a)), seconds=5)  # the leader alone writes them
    finally:
        await b.stop()
        await a.stop()


async def test_no_leader_is_a_clear_error(engine: AsyncEngine, prefix: str) -> None:
    ghost = RedisRoutingLog.from_url(URL, "ghost", prefix)
    assert await ghost.acquire(60)  # a leader that holds the lease but never answers
    b = node(engine, prefix, "b", request_timeout=0.5)
    await b.start()
    try:
        with pytest.raises(RoutingUnavailable, match=r"within 0\.5s.*ghost"):
            await b.handle(LogIn("1"))
    finally:
        await b.stop()
        await ghost.close()


async def test_the_follower_takes_over_when_the_leader_dies(engine: AsyncEngine, prefix: str) -> None:
    await ensure_reference(engine, password="demo-password-1")
    a, b = node(engine, prefix, "a"), node(engine, prefix, "b")
    await a.start()
    await b.start()
    try:
        first, second = (await agents(engine))[:2]
        await b.handle(LogIn(first, ready=True))
        await b.handle(EnqueueCall("c1", "general"))
        await b.handle(EnqueueCall("c2", "general"))  # waits: one agent, busy
        await until(lambda: b.applied == a.applied, "b to catch up")
        await _die(a)
        started = asyncio.get_running_loop().time()
        await until(lambda: b.is_leader, "b to take the lease", seconds=6)
        took = asyncio.get_running_loop().time() - started
        assert took < 4.0, took
        assert [c.id for c in b.acd.waiting_calls("general")] == ["c2"]  # the state went on, nothing lost
        await b.handle(RejectOffer(first, "c1"))
        await b.handle(LogIn(second, ready=True))
        assert b.acd.agent(second).call_id in {"c1", "c2"}
    finally:
        await b.stop()
        with contextlib.suppress(Exception):
            await a.stop()


async def _die(service: SharedAcdService) -> None:
    """As a crashed process would: every task stops, the lease is not handed back."""
    await stop_tasks(list(service._tasks.values()))
    service._tasks.clear()
    service.is_leader = False
    await service.redis.close()


async def test_two_processes_route_as_one_and_survive_the_leader_being_killed(
    database_url: str, engine: AsyncEngine, prefix: str, tmp_path: Path
) -> None:
    await ensure_reference(engine, password="demo-password-1")
    ids = await agents(engine)
    ctx = multiprocessing.get_context("spawn")
    results, go = ctx.Queue(), ctx.Event()
    paths = {name: str(tmp_path / f"{name}.jsonl") for name in ("node-a", "node-b")}
    procs = {
        name: ctx.Process(
            target=shared_node_main,
            args=(database_url, URL, prefix, name, ids[n::2], "general", 6.0, paths[name], results, go),
        )
        for n, name in enumerate(paths)
    }
    lease = RedisRoutingLog.from_url(URL, "observer", prefix)
    try:
        procs["node-a"].start()
        await until_async(lambda: _is(lease.leader(), "node-a"), seconds=60)
        procs["node-b"].start()
        await until_async(lambda: _lines(paths["node-b"]) > 0, seconds=60)  # b follows and logged its agents in
        await asyncio.sleep(0.5)
        go.set()
        await asyncio.sleep(2.5)  # both nodes send commands, each answers its own agents' offers
        os.kill(procs["node-a"].pid or 0, signal.SIGKILL)
        killed = time.monotonic()
        await until_async(lambda: _is(lease.leader(), "node-b"), seconds=10)
        failover = time.monotonic() - killed
        b = await asyncio.to_thread(results.get, True, 60)
    finally:
        for proc in procs.values():
            if proc.is_alive():
                proc.kill()
            proc.join(timeout=10)
        await lease.close()
    seen_a, seen_b = read_events(paths["node-a"]), read_events(paths["node-b"])
    assert failover < 4.0, failover  # lease of 1.5 s, tried every 0.5 s
    assert b["leader_at_end"] == 1 and b["ok"] > 100, b
    assert same_order(seen_a, seen_b)  # one engine's order on both nodes, up to the crash
    assert double_offers(seen_b) == 0 and double_offers(seen_a) == 0
    offered = [e.call_id for e in seen_a if isinstance(e, CallOffered)]
    assert any(c.startswith("node-a-") for c in offered) and any(c.startswith("node-b-") for c in offered)
    after = seen_b[len(seen_b) - _tail_after(seen_a, seen_b) :]
    assert sum(isinstance(e, CallOffered) for e in after) > 10  # b went on routing alone


def _tail_after(first: list[Event], second: list[Event]) -> int:
    """How many of ``second``'s events come after the last one ``first`` saw."""
    last = first[-1]
    for i in range(len(second) - 1, -1, -1):
        if second[i] == last:
            return len(second) - 1 - i
    return len(second)


async def _is(value: Awaitable[str | None], wanted: str) -> bool:
    return await value == wanted


async def _logged(engine: AsyncEngine, wanted: int) -> bool:
    async with engine.connect() as conn:
        logged = await conn.scalar(select(func.count()).select_from(AcdEventRow))
    assert logged is not None and logged <= wanted
    return logged == wanted


def _lines(path: str) -> int:
    try:
        with open(path) as f:
            return sum(1 for _ in f)
    except FileNotFoundError:
        return 0


async def until_async(check: Callable[[], Any], seconds: float) -> None:
    async with asyncio.timeout(seconds):
        while True:
            result = check()
            if asyncio.iscoroutine(result):
                result = await result
            if result:
                return
            await asyncio.sleep(0.05)


async def test_a_node_that_joins_later_starts_from_the_snapshot(engine: AsyncEngine, prefix: str) -> None:
    await ensure_reference(engine, password="demo-password-1")
    a = node(engine, prefix, "a", snapshot_seconds=0.2)
    await a.start()
    c = None
    try:
        first, second = (await agents(engine))[:2]
        await a.handle(LogIn(first, ready=True))
        await a.handle(EnqueueCall("c1", "general"))
        await a.handle(EnqueueCall("c2", "general"))
        await a.handle(AcceptOffer(first, "c1"))
        await asyncio.sleep(0.5)  # a snapshot is written
        await a.handle(LogIn(second, ready=False))  # and the log goes on after it
        await asyncio.sleep(0.5)  # another snapshot: the log before the first one is trimmed
        await a.handle(EnqueueCall("c3", "general"))
        observer = RedisRoutingLog.from_url(URL, "observer", prefix)
        oldest = (await observer.read("0-0", count=1))[0][1]
        await observer.close()
        assert json.loads(oldest["input"])["kind"] != "genesis"  # trimmed indeed: c cannot replay from the start
        c = node(engine, prefix, "c")
        await c.start()
        assert not c.is_leader and c.applied == a.applied
        assert c.acd.agents_by_state() == a.acd.agents_by_state()
        assert [k.id for k in c.acd.waiting_calls("general")] == [k.id for k in a.acd.waiting_calls("general")]
        assert c.today().groups["general"] == a.today().groups["general"]  # counted once, not twice
        assert c.today().groups["general"].answered == 1
    finally:
        if c is not None:
            await c.stop()
        await a.stop()


async def test_when_redis_loses_everything_the_nodes_keep_their_copies_and_the_log_starts_again(
    engine: AsyncEngine, prefix: str
) -> None:
    await ensure_reference(engine, password="demo-password-1")
    a, b = node(engine, prefix, "a"), node(engine, prefix, "b")
    await a.start()
    await b.start()
    wiper = aioredis.from_url(URL)
    try:
        first = (await agents(engine))[0]
        await b.handle(LogIn(first, ready=True))
        await b.handle(EnqueueCall("c1", "general"))  # offered to the one agent
        await b.handle(EnqueueCall("c2", "general"))  # waits
        await until(lambda: b.applied == a.applied, "b to catch up")
        async for key in wiper.scan_iter(match=f"{prefix}:*"):  # as a Redis restarted without persistence
            await wiper.delete(key)
        # The lease is gone too: a steps down, then a node takes it again, on its copy (not an empty engine).
        await until(lambda: not a.is_leader, "a to notice it lost the lease", seconds=6)
        await until(lambda: a.is_leader or b.is_leader, "a leader again", seconds=6)
        leader, follower = (a, b) if a.is_leader else (b, a)
        assert await leader.redis.get("snapshot")  # written at once: the new log's start
        for copy in (a, b):
            assert [c.id for c in copy.acd.waiting_calls("general")] == ["c2"]
            assert copy.acd.agent(first).call_id == "c1"
        await follower.handle(RejectOffer(first, "c1"))  # routing goes on, through the new log, on both copies
        await until(lambda: follower.applied == leader.applied, "the follower to follow the new log")
        assert follower.acd.agent(first).call_id == leader.acd.agent(first).call_id in {"c1", "c2"}
    finally:
        await wiper.aclose()
        await b.stop()
        await a.stop()
