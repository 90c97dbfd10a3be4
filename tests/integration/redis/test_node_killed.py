"""Two servers as separate processes on PostgreSQL and Redis; the routing leader is killed with SIGKILL while
it writes activities, carries a caller of its own, and a call of the other node is being offered to an agent.

What must hold: the surviving node takes the lead; the agent takes the call that was being offered (offered
once, not again) and then the next caller waiting on the surviving node; the dead node's caller leaves the
queues instead of being offered to anyone; every activity the dead node acknowledged is in the database.

And Redis killed and started again empty (no persistence) with a call live on one node and a caller waiting on
the other: neither is dropped, routing starts again from the nodes' copies, and both calls are worked to the end."""

from __future__ import annotations

import asyncio
import contextlib
import signal
import subprocess
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import aiohttp
import pytest
import redis.asyncio as aioredis
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncEngine

from contact_center.bench.desk_nodes import Desktop
from contact_center.seed.demo import ensure_reference
from contact_center.seed.reference import ALWAYS
from contact_center.store.engine import session_factory
from contact_center.store.tables import Activity, Calendar

from ...conftest import postgres_database
from ...servers import free_port, ready, serve, stop, tail
from ...tools import require_tool
from .conftest import REDIS

pytestmark = [pytest.mark.redis, pytest.mark.postgres]
PASSWORD = "demo-password-1"
ASK_FOR_AGENT = "To speak with an agent"  # ivr_flows/main.yaml: "0" then
# A dead node's calls leave routing when its published legs expire (30 s) and the leader's next reconcile
# pass (every 10 s) finds them gone past the grace: a minute and a half at most.
DEAD_CALLS_GONE_SECONDS = 90.0


@pytest.fixture
def database_url(postgres_template: str) -> Iterator[str]:
    with postgres_database(postgres_template) as url:
        yield url


class Server:
    """One node: its process, address and log."""

    def __init__(self, name: str, database_url: str, redis_url: str, prefix: str, tmp_path: Path) -> None:
        self.name, self.log = name, tmp_path / f"{name}.log"
        port = free_port()
        self.base = f"http://127.0.0.1:{port}"
        settings = {
            "CC_DATABASE_URL": database_url,
            "CC_REDIS_URL": redis_url,
            "CC_REDIS_PREFIX": prefix,
            "CC_NODE_ID": name,
            "CC_VAR_DIR": str(tmp_path / name),
            "CC_HTTP_PORT": str(port),
            "CC_SEED_DEMO": "false",
            "CC_SECRET_KEY": "node-killed-test",
        }
        self.proc = serve(settings, self.log)

    async def ready(self) -> None:
        await ready(self.base, self.proc, self.log)


@pytest.fixture
async def servers(database_url: str, engine: AsyncEngine, cluster_prefix: str, tmp_path: Path) -> AsyncIterator[Any]:
    await ensure_reference(engine, password=PASSWORD)
    async with session_factory(engine).begin() as session:  # open at any hour the test runs
        await session.execute(update(Calendar).values(weekly_hours=ALWAYS, holiday_country=None))
    started: list[Server] = []

    def start(name: str, redis_url: str = REDIS) -> Server:
        started.append(Server(name, database_url, redis_url, cluster_prefix, tmp_path))
        return started[-1]

    try:
        yield start
    finally:
        for server in started:
            stop(server.proc)
            print(f"--- the end of node {server.name}'s log ---\n{tail(server.log)}")  # shown when the test fails


async def test_the_leader_killed_mid_offer_loses_no_call_of_the_other_node_and_no_acknowledged_write(
    servers: Any, engine: AsyncEngine, make_user: Any, token_for: Any, cluster_prefix: str
) -> None:
    boss = {"Authorization": f"Bearer {(await token_for(await make_user('boss', 'supervisor'))).token}"}
    leader: Server = servers("a")
    await leader.ready()
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=20)) as http:
        await _until(lambda: _leader_is(http, leader, boss), "node a leads")
        survivor: Server = servers("b")
        await survivor.ready()
        desk = await Desktop().connect(survivor.base, await Desktop.cookie(survivor.base, "agent", PASSWORD))
        try:
            # Three callers wait, oldest first: one on the survivor, one on the leader, one on the survivor.
            offered_first, dead_caller, waiting_next = await asyncio.gather(
                _caller(http, survivor, boss, "+14155550142"),
                _caller(http, leader, boss, "+14155550143"),
                _caller(http, survivor, boss, "+14155550144"),
            )
            for n, (server, call_id) in enumerate(
                ((survivor, offered_first), (leader, dead_caller), (survivor, waiting_next)), start=1
            ):
                await _ask_for_agent(http, server, boss, call_id)
                await _until(lambda n=n: _waiting(http, survivor, boss, n), f"{n} callers waiting")

            acknowledged: list[str] = []
            writers = [asyncio.create_task(_write(http, leader, boss, w, acknowledged)) for w in range(4)]
            await _until(lambda: len(acknowledged) >= 100, "the leader acknowledging writes")
            assert (await desk.call("agent.set_state", {"state": "available"}))["ok"] is True
            offer = (await desk.wait_for("call.offered", seconds=30))[0]
            assert offer["call_id"] == offered_first
            leader.proc.send_signal(signal.SIGKILL)  # mid-offer, mid-write, a caller of its own in the queue
            leader.proc.wait(timeout=10)
            await asyncio.wait_for(asyncio.gather(*writers), 30)

            # The agent answers the offer as it stands: the survivor takes the lead meanwhile.
            assert (await desk.call("call.accept", {"call_id": offered_first})) == {"ok": True}, tail(survivor.log)
            await desk.wait_for("call.connected", seconds=30)
            await _until(lambda: _leader_is(http, survivor, boss), "node b leads")
            # The dead node's caller leaves the queue (its node is gone: so is the call); the other stays.
            await _until(
                lambda: _waiting(http, survivor, boss, 1), "the dead node's caller gone", DEAD_CALLS_GONE_SECONDS
            )

            await _finish(desk, offered_first)
            second = (await desk.wait_for("call.offered", 2, seconds=30))[1]
            assert second["call_id"] == waiting_next
            assert (await desk.call("call.accept", {"call_id": waiting_next})) == {"ok": True}
            await desk.wait_for("call.connected", 2, seconds=30)
            await _finish(desk, waiting_next)
            offered = [d["call_id"] for d in desk.named("call.offered")]
            assert offered == [offered_first, waiting_next] and dead_caller not in offered
        finally:
            await desk.close()

    async with session_factory(engine)() as session:
        notes = set((await session.scalars(select(Activity.subject).where(Activity.type == "note"))).all())
        calls = (await session.execute(select(Activity.interaction_id, Activity.disposition))).all()
    lost = [s for s in acknowledged if s not in notes]
    assert not lost, f"{len(lost)} of {len(acknowledged)} acknowledged activities lost: {lost[:10]}"
    logged = {call_id: disposition for call_id, disposition in calls if call_id in (offered_first, waiting_next)}
    assert logged == {offered_first: "resolved", waiting_next: "resolved"}


async def _caller(http: aiohttp.ClientSession, server: Server, auth: dict[str, str], number: str) -> str:
    """A simulated caller on ``server``, in the IVR until it offers an agent; returns the call id."""
    async with http.post(f"{server.base}/api/v1/simulator/calls", json={"caller": number}, headers=auth) as answer:
        assert answer.status == 201, await answer.text()
        call_id: str = (await answer.json())["call_id"]

    async def asked() -> bool:
        async with http.get(f"{server.base}/api/v1/simulator/calls/{call_id}", headers=auth) as answer:
            return any(ASK_FOR_AGENT in h["text"] for h in (await answer.json())["heard"])

    await _until(asked, f"the IVR asking {number}")
    return call_id


async def _ask_for_agent(http: aiohttp.ClientSession, server: Server, auth: dict[str, str], call_id: str) -> None:
    url = f"{server.base}/api/v1/simulator/calls/{call_id}/digits"
    async with http.post(url, json={"digits": "0"}, headers=auth) as answer:
        assert answer.status == 200, await answer.text()


async def _write(http: aiohttp.ClientSession, server: Server, auth: dict[str, str], writer: int, ok: list[str]) -> None:
    n = 0
    while True:
        subject = f"w{writer}-{n}"
        n += 1
        body = {"type": "note", "channel": "system", "subject": subject}
        try:
            async with http.post(f"{server.base}/api/v1/activities", json=body, headers=auth) as answer:
                if answer.status == 201:
                    ok.append(subject)
        except (aiohttp.ClientError, TimeoutError):
            return  # the node is gone


async def _finish(desk: Desktop, call_id: str) -> None:
    """The agent hangs up and saves the wrap-up."""
    assert (await desk.call("call.hangup", {"call_id": call_id}))["ok"] is True
    await desk.wait_for("wrapup.started", where=lambda d: d.get("call_id") == call_id)
    saved = await desk.call("wrapup.save", {"call_id": call_id, "disposition": "resolved", "notes": ""})
    assert saved["ok"] is True, saved


async def _board(http: aiohttp.ClientSession, server: Server, auth: dict[str, str]) -> dict[str, Any]:
    async with http.get(f"{server.base}/api/v1/board", headers=auth) as answer:
        assert answer.status == 200, await answer.text()
        board: dict[str, Any] = await answer.json()
        return board


async def _waiting(http: aiohttp.ClientSession, server: Server, auth: dict[str, str], count: int) -> bool:
    return len((await _board(http, server, auth))["waiting_calls"]) == count


async def _leader_is(http: aiohttp.ClientSession, server: Server, auth: dict[str, str]) -> bool:
    async with http.get(f"{server.base}/healthz") as answer:
        return bool((await answer.json()).get("routing") == "leader")


async def _until(check: Any, what: str, seconds: float = 30.0) -> None:
    try:
        async with asyncio.timeout(seconds):
            while True:
                found = check()
                if await found if asyncio.iscoroutine(found) else found:
                    return
                await asyncio.sleep(0.1)
    except TimeoutError:
        pytest.fail(f"timed out waiting for {what}")


class PrivateRedis:
    """A Redis of this test's own (it is killed): nothing on disk, as the shared one runs."""

    def __init__(self, tmp_path: Path) -> None:
        self.port, self.log = free_port(), tmp_path / "redis.log"
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.proc: subprocess.Popen[bytes] | None = None

    async def start(self) -> None:
        args = ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"]
        with self.log.open("ab") as out:
            self.proc = subprocess.Popen(args, stdout=out, stderr=subprocess.STDOUT)  # noqa: ASYNC220 - returns at once
        client = aioredis.from_url(self.url)
        try:
            async with asyncio.timeout(10):
                while True:
                    with contextlib.suppress(aioredis.RedisError, OSError):
                        if await client.ping():
                            return
                    await asyncio.sleep(0.05)
        finally:
            await client.aclose()

    def kill(self) -> None:
        if self.proc is not None:
            stop(self.proc)


@pytest.fixture
async def private_redis(tmp_path: Path) -> AsyncIterator[PrivateRedis]:
    require_tool("redis-server")
    redis = PrivateRedis(tmp_path)
    await redis.start()
    try:
        yield redis
    finally:
        redis.kill()


async def test_redis_killed_and_back_empty_drops_no_live_or_waiting_call_and_routing_starts_again(
    servers: Any, private_redis: PrivateRedis, engine: AsyncEngine, make_user: Any, token_for: Any
) -> None:
    boss = {"Authorization": f"Bearer {(await token_for(await make_user('boss', 'supervisor'))).token}"}
    a: Server = servers("a", private_redis.url)
    await a.ready()
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=20)) as http:
        await _until(lambda: _leader_is(http, a, boss), "node a leads")
        b: Server = servers("b", private_redis.url)
        await b.ready()
        desk = await Desktop().connect(b.base, await Desktop.cookie(b.base, "agent", PASSWORD))
        try:
            talking, waiting = await asyncio.gather(
                _caller(http, b, boss, "+14155550142"), _caller(http, a, boss, "+14155550143")
            )
            assert (await desk.call("agent.set_state", {"state": "available"}))["ok"] is True
            await _ask_for_agent(http, b, boss, talking)
            assert (await desk.wait_for("call.offered", seconds=30))[0]["call_id"] == talking
            assert (await desk.call("call.accept", {"call_id": talking})) == {"ok": True}
            await desk.wait_for("call.connected", seconds=30)
            await _ask_for_agent(http, a, boss, waiting)
            await _until(lambda: _waiting(http, b, boss, 1), "a caller waiting")

            private_redis.kill()  # with a call live on node b and one waiting on node a
            await asyncio.sleep(3)
            await private_redis.start()  # back, empty: the nodes must rebuild what routing shared there

            await _until(lambda: _any_leads(http, (a, b)), "a node leading again", 60)
            assert (await _simulated(http, b, boss, talking))["where"] == "with_agent"
            assert (await _simulated(http, a, boss, waiting))["where"] == "queued"
            # Events published while a node's socket.io listener was still reconnecting to Redis are lost on the
            # way; the desktop sees the new numbering at its next heartbeat and takes a snapshot: so does this.
            assert (await desk.call("call.hangup", {"call_id": talking}))["ok"] is True
            await _until(lambda: _desk_has(desk, "wrapup", talking), "the wrap-up on the desk")
            saved = await desk.call("wrapup.save", {"call_id": talking, "disposition": "resolved", "notes": ""})
            assert saved["ok"] is True, saved
            await _until(lambda: _desk_has(desk, "offer", waiting), "the waiting caller offered", 60)
            assert (await desk.call("call.accept", {"call_id": waiting})) == {"ok": True}
            await _until(lambda: _desk_has(desk, "call", waiting), "the waiting caller connected")
            await _finish(desk, waiting)
        finally:
            await desk.close()
    async with session_factory(engine)() as session:
        calls = (await session.execute(select(Activity.interaction_id, Activity.disposition))).all()
    logged = {call_id: disposition for call_id, disposition in calls if call_id in (talking, waiting)}
    assert logged == {talking: "resolved", waiting: "resolved"}


async def _desk_has(desk: Desktop, part: str, call_id: str) -> bool:
    """What the desk's snapshot shows (``offer``, ``call`` or ``wrapup``) is about ``call_id``."""
    shown = (await desk.call("sync", {"since_seq": None}))["snapshot"][part]
    return shown is not None and shown.get("call_id") == call_id


async def _simulated(http: aiohttp.ClientSession, server: Server, auth: dict[str, str], call_id: str) -> dict[str, Any]:
    async with http.get(f"{server.base}/api/v1/simulator/calls/{call_id}", headers=auth) as answer:
        assert answer.status == 200, await answer.text()
        found: dict[str, Any] = await answer.json()
        return found


async def _any_leads(http: aiohttp.ClientSession, servers: tuple[Server, ...]) -> bool:
    for server in servers:
        with contextlib.suppress(aiohttp.ClientError):
            if await _leader_is(http, server, {}):
                return True
    return False
