"""Shared routing state in a real Redis: atomic reservation, and zero double offers under
two OS processes assigning concurrently."""

from __future__ import annotations

import asyncio
import os
import uuid
from collections.abc import AsyncIterator

import pytest
import redis.asyncio as aioredis

from contact_center.bench.routing import run_redis_workers
from contact_center.store.redis_acd import RedisAcdStore

URL = os.environ.get("CC_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
pytestmark = pytest.mark.redis


async def _reachable() -> bool:
    client = aioredis.from_url(URL)
    try:
        return bool(await client.ping())
    except (OSError, aioredis.RedisError):
        return False
    finally:
        await client.aclose()


@pytest.fixture
async def store() -> AsyncIterator[RedisAcdStore]:
    if not await _reachable():
        # Shared routing is a requirement, not an option: a missing Redis is a failure to see, not a skip.
        pytest.fail(
            f"no Redis answers at {URL}: start one (redis-server) or point CC_TEST_REDIS_URL at it", pytrace=False
        )
    s = RedisAcdStore.from_url(URL, f"cc:test:{uuid.uuid4().hex}", audit=True)
    try:
        yield s
    finally:
        await s.delete_all()
        await s.close()


async def test_assign_next_takes_oldest_highest_priority_call_and_longest_idle_agent(store: RedisAcdStore) -> None:
    await store.enqueue("old", "q", 0, 100.0)
    await store.enqueue("vip", "q", 5, 200.0)
    await store.enqueue("other", "r", 0, 50.0)
    await store.agent_ready("recent", ["q"], 20.0)
    await store.agent_ready("idle", ["q"], 10.0)
    assert await store.assign_next(["q", "r"]) == ("vip", "idle")  # r has nobody free
    assert await store.assign_next(["q", "r"]) == ("old", "recent")
    assert await store.assign_next(["q", "r"]) is None
    assert await store.waiting("r") == ["other"]


async def test_reservation_is_compare_and_set(store: RedisAcdStore) -> None:
    await store.enqueue("c1", "q", 0, 1.0)
    assert not await store.enqueue("c1", "q", 0, 1.0)  # no duplicates
    await store.agent_ready("a", ["q"], 1.0)
    await store.agent_ready("b", ["q"], 1.0)
    assert await store.reserve("c1", "a")
    assert not await store.reserve("c1", "b")  # the call is no longer waiting
    await store.enqueue("c2", "q", 0, 2.0)
    assert not await store.reserve("c2", "a")  # the agent already holds an offer
    assert not await store.agent_ready("a", ["q"], 3.0)  # and cannot be made available over it
    assert await store.reject("a", "c1", 4.0)
    assert await store.waiting("q") == ["c1", "c2"]  # back at its place
    assert await store.reserve("c1", "b")
    assert await store.accept("b", "c1")
    assert await store.finish("b", 5.0)
    assert (await store.agent_state("b"))["state"] == "available"


async def test_lease_has_one_holder(store: RedisAcdStore) -> None:
    assert await store.acquire_lease("node-1", 5)
    assert not await store.acquire_lease("node-2", 5)
    assert await store.renew_lease("node-1", 5)
    assert not await store.renew_lease("node-2", 5)


def _replay(audit: list[str]) -> tuple[int, int]:
    """Replay the atomic audit log: count offers made while the call or the agent already had one."""
    holding: dict[str, str] = {}
    accepted: set[str] = set()
    violations = offers = 0
    for entry in audit:
        kind, first, second = entry.split()
        if kind == "offer":
            offers += 1
            call, agent = first, second
            if agent in holding or call in holding.values() or call in accepted:
                violations += 1
            holding[agent] = call
        elif kind == "accept":
            accepted.add(first)
        else:  # release agent call
            holding.pop(first, None)
    return offers, violations


async def test_two_processes_never_double_offer(store: RedisAcdStore) -> None:
    # Both processes share 10 queues and 50 agents, so they race for the same heads all the time.
    results = await asyncio.to_thread(run_redis_workers, URL, store.prefix, 2, 3.0, 10, 50)
    audit = await store.audit_log()
    offers, violations = _replay(audit)
    assigned = sum(r["assigned"] for r in results)
    assert all(r["assigned"] > 50 for r in results), results  # both really competed
    assert offers == assigned
    assert violations == 0


def test_replay_itself_catches_double_offers() -> None:
    assert _replay(["offer c1 a", "offer c1 b"]) == (2, 1)  # one call, two agents
    assert _replay(["offer c1 a", "offer c2 a"]) == (2, 1)  # one agent, two offers
    assert _replay(["offer c1 a", "release a c1", "offer c1 b", "accept c1 b"]) == (2, 0)
