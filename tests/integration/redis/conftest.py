"""A real Redis for these tests, and a key prefix of their own that is cleaned up after each one
(other test runs may share the server)."""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator

import pytest
import redis.asyncio as aioredis

REDIS = os.environ.get("CC_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")


@pytest.fixture
async def redis_client() -> AsyncIterator[aioredis.Redis]:
    client = aioredis.from_url(REDIS, decode_responses=True)
    try:
        await client.ping()
    except (OSError, aioredis.RedisError):
        pytest.fail(
            f"no Redis answers at {REDIS}: start one (redis-server) or point CC_TEST_REDIS_URL at it", pytrace=False
        )
    yield client
    await client.aclose()


@pytest.fixture
async def cluster_prefix(redis_client: aioredis.Redis) -> AsyncIterator[str]:
    """``cc:test:{hex}``: every key and channel of one test's cluster starts with it."""
    name = f"cc:test:{uuid.uuid4().hex}"
    yield name
    async for key in redis_client.scan_iter(match=f"{name}:*"):
        await redis_client.delete(key)
