"""The one way a Redis client is made: the composition root makes it, hands it to whoever needs it,
and closes it when the server stops (nobody else opens or closes one)."""

from __future__ import annotations

import redis.asyncio as aioredis


def redis_client(url: str) -> aioredis.Redis:
    """Text in and out (every key and value we keep is text); connections are made when first used."""
    return aioredis.from_url(url, decode_responses=True)


def where(client: aioredis.Redis) -> str:
    """Where a client points, for error messages (never its password)."""
    kwargs = client.connection_pool.connection_kwargs
    if "path" in kwargs:
        return f"unix:{kwargs['path']}"
    return f"{kwargs.get('host', '?')}:{kwargs.get('port', '?')}/{kwargs.get('db', 0)}"
