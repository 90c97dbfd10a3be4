"""Exit 0 when the PostgreSQL or Redis server at URL answers (used by scripts/dev before the tests)."""

from __future__ import annotations

import asyncio
import sys


async def ping(kind: str, url: str) -> None:
    if kind == "postgres":
        import asyncpg
        from sqlalchemy.engine import make_url

        dsn = make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
        conn = await asyncpg.connect(dsn, timeout=3)
        await conn.close()
    else:
        import redis.asyncio as redis

        client = redis.from_url(url, socket_connect_timeout=3)
        try:
            await client.ping()
        finally:
            await client.aclose()


if __name__ == "__main__":
    try:
        asyncio.run(ping(sys.argv[1], sys.argv[2]))
    except Exception:
        sys.exit(1)
