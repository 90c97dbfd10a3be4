"""A node killed with SIGKILL while it writes loses nothing it acknowledged: the server on PostgreSQL takes
activities from eight writers at once, is killed mid-stream, and every activity it answered 201 for is in
the database; started again on the same database, it serves at once."""

from __future__ import annotations

import asyncio
import signal
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from contact_center.store.engine import session_factory
from contact_center.store.tables import Activity

from ...conftest import postgres_database
from ...servers import free_port, ready, serve, stop, tail

pytestmark = pytest.mark.postgres
WRITERS = 8


@pytest.fixture
def database_url(postgres_template: str) -> Iterator[str]:
    """PostgreSQL: the production database, whose commits are what "acknowledged" must mean."""
    with postgres_database(postgres_template) as url:
        yield url


async def test_a_node_killed_mid_write_keeps_every_activity_it_acknowledged(
    database_url: str, engine: AsyncEngine, make_user: Any, token_for: Any, tmp_path: Path
) -> None:
    token = (await token_for(await make_user("writer", "agent"))).token
    port, log = free_port(), tmp_path / "serve.log"
    base = f"http://127.0.0.1:{port}"
    proc = serve(_settings(database_url, port, tmp_path), log)
    acknowledged: list[str] = []
    try:
        await ready(base, proc, log)

        async def write(writer: int, http: aiohttp.ClientSession) -> None:
            n = 0
            while True:
                subject = f"w{writer}-{n}"
                n += 1
                try:
                    async with http.post(
                        f"{base}/api/v1/activities",
                        json={"type": "note", "channel": "system", "subject": subject},
                        headers={"Authorization": f"Bearer {token}"},
                    ) as answer:
                        if answer.status == 201:
                            acknowledged.append(subject)
                except aiohttp.ClientError:
                    return  # the node is gone

        async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=10)) as http:
            writers = [asyncio.create_task(write(w, http)) for w in range(WRITERS)]
            while len(acknowledged) < 300:
                if proc.poll() is not None:
                    pytest.fail(f"the server stopped by itself:\n{tail(log)}")
                await asyncio.sleep(0.02)
            proc.send_signal(signal.SIGKILL)  # mid-stream: requests in flight, a batch perhaps half written
            proc.wait(timeout=10)
            await asyncio.wait_for(asyncio.gather(*writers), 30)
    finally:
        stop(proc)

    async with session_factory(engine)() as session:
        stored = set((await session.scalars(select(Activity.subject).where(Activity.type == "note"))).all())
    lost = [s for s in acknowledged if s not in stored]
    assert not lost, f"{len(lost)} of {len(acknowledged)} acknowledged activities lost: {lost[:10]}"
    print(f"{len(acknowledged)} acknowledged, {len(stored)} stored (the rest were in flight)")

    again = serve(_settings(database_url, port, tmp_path), log)  # the same database, at once
    try:
        await ready(base, again, log)
        async with (
            aiohttp.ClientSession() as http,
            http.post(
                f"{base}/api/v1/activities",
                json={"type": "note", "channel": "system", "subject": "after"},
                headers={"Authorization": f"Bearer {token}"},
            ) as answer,
        ):
            assert answer.status == 201
    finally:
        again.terminate()
        again.wait(timeout=30)


def _settings(database_url: str, port: int, tmp_path: Path) -> dict[str, str]:
    return {
        "CC_DATABASE_URL": database_url,
        "CC_VAR_DIR": str(tmp_path / "var"),
        "CC_HTTP_PORT": str(port),
        "CC_SEED_DEMO": "false",
        "CC_SECRET_KEY": "kill-nine-test",
    }
