"""`contact-center bench desk-nodes`: offer decided → `call.offered` on a desk socket connected to *another*
node, two nodes sharing PostgreSQL and Redis, against the same figure on one node without Redis.

Both nodes run in this process (two apps, two HTTP servers, each with its own simulated telephony), so
they share one event loop and its CPU: the figures include that. The agent's socket is on node A (the
routing leader); callers arrive on node B, which builds the offer. "Decided" is the moment the leader's
engine hands the ``CallOffered`` event to its listeners; "received" is when the python-socketio client
gets ``call.offered``; one clock (``time.perf_counter``) reads both. Each caller hangs up while the offer
rings, which frees the agent for the next. Figures are printed, never asserted.

The ``Node`` / ``start_node`` / ``Desktop`` helpers are also what the two-node tests drive.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import tempfile
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiohttp
import socketio
from aiohttp import web
from aiohttp.test_utils import TestServer

from contact_center.bench.stats import percentiles
from contact_center.clock import Clock
from contact_center.config import Settings
from contact_center.domain.acd.events import CallOffered
from contact_center.telephony.events import OriginateOutcome
from contact_center.telephony.prompts import PromptLibrary
from contact_center.telephony.simulated import Programmed, SimulatedTelephony

MARIA = "+14155550142"
SERVICE_NUMBER = "5000"
Heard = list[tuple[Any, str, dict[str, Any]]]


@dataclass
class Node:
    """One server: its app, HTTP server, telephony, and everything its call center told desks."""

    name: str
    app: web.Application
    server: TestServer
    port: SimulatedTelephony
    heard: Heard = field(default_factory=list)

    @property
    def base(self) -> str:
        return str(self.server.make_url("")).rstrip("/")

    @property
    def center(self) -> Any:
        from contact_center.web.keys import CALL_CENTER

        return self.app[CALL_CENTER]

    @property
    def gateway(self) -> Any:
        from contact_center.web.keys import GATEWAY

        return self.app[GATEWAY]

    def told(self, event: str) -> list[dict[str, Any]]:
        return [payload for _, name, payload in self.heard if name == event]

    async def press_when_asked(self, call_id: str, digits: str, heard: str, seconds: float = 20.0) -> None:
        def asked() -> bool:
            return any(c == call_id and heard in getattr(p, "text", "") for c, p in self.port.played)

        async with asyncio.timeout(seconds):
            while not asked():  # noqa: ASYNC110 - the server runs on; this only watches what was played
                await asyncio.sleep(0.01)
        self.port.press(call_id, digits)

    async def caller(self, number: str = MARIA) -> str:
        """A caller who asks for an agent (IVR of ivr_flows/main.yaml); returns the call id."""
        call_id = self.port.inject_call(number, SERVICE_NUMBER)
        assert call_id is not None
        await self.press_when_asked(call_id, "0", "To speak with an agent")
        return call_id

    async def stop(self) -> None:
        await self.server.close()


def node_settings(database_url: str, redis_url: str | None, prefix: str, name: str, var: Path) -> Settings:
    return Settings(
        database_url=database_url,
        secret_key="test-secret",
        var_dir=var / name,
        seed_demo=False,
        redis_url=redis_url,
        redis_prefix=prefix,
        node_id=name,
    )


async def start_node(settings: Settings, clock: Clock | None, name: str, var: Path) -> Node:
    from contact_center.app import create_app

    port = SimulatedTelephony(
        PromptLibrary(var / f"prompts-{name}"), speed=0.0, unprogrammed=Programmed(OriginateOutcome.ANSWERED)
    )
    app = create_app(settings, clock=clock, telephony=port)
    server = TestServer(app, host="127.0.0.1", port=0)
    node = Node(name, app, server, port)
    await server.start_server()
    node.center.subscribe(lambda audience, event, payload: node.heard.append((audience, event, payload)))
    return node


class Desktop:
    """A desk's socket.io client on ``/agent`` (or ``/supervisor``): every event kept with when it came."""

    def __init__(self, namespace: str = "/agent") -> None:
        self.namespace = namespace
        self.sio = socketio.AsyncClient(reconnection=False)
        self.events: list[tuple[float, str, dict[str, Any]]] = []

        async def anything(event: str, data: Any = None) -> None:
            self.events.append((time.perf_counter(), event, data))

        self.sio.on("*", anything, namespace=namespace)

    @staticmethod
    async def cookie(base: str, username: str, password: str) -> str:
        async with aiohttp.ClientSession() as http:
            response = await http.post(f"{base}/api/v1/auth/login", json={"username": username, "password": password})
            assert response.status == 200, await response.text()
            return f"cc_session={response.cookies['cc_session'].value}"

    async def connect(self, base: str, cookie: str) -> Desktop:
        await self.sio.connect(
            base, namespaces=[self.namespace], headers={"Cookie": cookie}, transports=["websocket"], wait_timeout=5
        )
        return self

    async def call(self, event: str, data: Any = None) -> Any:
        return await self.sio.call(event, data, namespace=self.namespace, timeout=15)

    def named(self, event: str) -> list[dict[str, Any]]:
        return [data for _, name, data in self.events if name == event]

    async def wait_for(
        self,
        event: str,
        count: int = 1,
        seconds: float = 20.0,
        where: Callable[[dict[str, Any]], bool] = lambda d: True,
    ) -> list[dict[str, Any]]:
        try:
            async with asyncio.timeout(seconds):
                while len(found := [d for d in self.named(event) if where(d)]) < count:  # noqa: ASYNC110
                    await asyncio.sleep(0.005)
        except TimeoutError:
            seen = [(name, data.get("seq"), data.get("state")) for _, name, data in self.events]
            raise TimeoutError(f"{event} not seen {count} times within {seconds:g} s; the desk saw {seen}") from None
        return found

    async def close(self) -> None:
        if self.sio.connected:
            await self.sio.disconnect()


async def until(check: Callable[[], Any], seconds: float = 20.0) -> Any:
    async with asyncio.timeout(seconds):
        while not (result := check()):  # noqa: ASYNC110 - the servers run on; this only watches
            await asyncio.sleep(0.005)
    return result


# -- the benchmark ---------------------------------------------------------------------------------


def register(kinds: Any) -> None:
    parser = kinds.add_parser("desk-nodes", help="offer → call.offered on a socket of another node (2 nodes, Redis)")
    parser.add_argument("--database-url", required=True, help="postgresql+asyncpg://… (a database it may seed)")
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/0")
    parser.add_argument("--offers", type=int, default=200)
    parser.add_argument("--json", action="store_true")
    parser.set_defaults(func=main)


def main(args: argparse.Namespace) -> int:
    result = asyncio.run(run(args.database_url, args.redis_url, args.offers))
    print(json.dumps(result) if args.json else "\n".join(f"{k:>34}: {v}" for k, v in result.items()))
    return 0


async def run(database_url: str, redis_url: str, offers: int) -> dict[str, Any]:
    from sqlalchemy import select, update

    from contact_center.crm.customers import create_customer
    from contact_center.crm.schemas import CustomerCreate
    from contact_center.seed.demo import ensure_reference
    from contact_center.seed.reference import ALWAYS
    from contact_center.store import migrate
    from contact_center.store.engine import engine_for_url, session_factory
    from contact_center.store.tables import Calendar, Customer

    engine = engine_for_url(database_url)
    await migrate.upgrade(engine)
    await ensure_reference(engine, password="demo-password-1")
    async with session_factory(engine).begin() as session:
        # The bench must not depend on the hour it runs at: every calendar open around the clock.
        await session.execute(update(Calendar).values(weekly_hours=ALWAYS, holiday_country=None))
        if not (await session.scalars(select(Customer.id).where(Customer.first_name == "Maria"))).first():
            data = CustomerCreate.model_validate({"first_name": "Maria", "last_name": "Garcia", "phones": [MARIA]})
            await create_customer(session, data, "US")  # a known caller: the offer carries her 360
    await engine.dispose()
    var = Path(tempfile.mkdtemp(prefix="cc-bench-nodes-"))
    single = await _measure(database_url, None, var, offers, f"cc:bench:{uuid.uuid4().hex}")
    shared = await _measure(database_url, redis_url, var, offers, f"cc:bench:{uuid.uuid4().hex}")
    return {
        "offers": offers,
        "one_node_offer_to_socket_ms": single,
        "two_nodes_offer_to_socket_on_other_node_ms": shared,
    }


async def _measure(database_url: str, redis_url: str | None, var: Path, offers: int, prefix: str) -> dict[str, float]:
    import redis.asyncio as aioredis

    from contact_center.domain.acd.agents import agent_key

    a = await start_node(node_settings(database_url, redis_url, prefix, "a", var), None, "a", var)
    b = await start_node(node_settings(database_url, redis_url, prefix, "b", var), None, "b", var) if redis_url else a
    decided: dict[str, float] = {}
    a.center.acd.subscribe(
        lambda events: decided.update({e.call_id: time.perf_counter() for e in events if isinstance(e, CallOffered)})
    )
    desk = await Desktop().connect(a.base, await Desktop.cookie(a.base, "agent", "demo-password-1"))
    samples: list[float] = []
    try:
        await until(lambda: a.center.acd.leading, 10)
        assert (await desk.call("agent.set_state", {"state": "available"}))["ok"]
        key = agent_key(a.center.usernames["agent"])
        for n in range(offers):
            call_id = await b.caller()
            offered = await desk.wait_for("call.offered", n + 1)
            got = next(t for t, name, d in desk.events if name == "call.offered" and d["call_id"] == call_id)
            assert offered[-1]["call_id"] == call_id
            samples.append((got - decided[call_id]) * 1000)
            b.port.far_end_hangup(call_id)
            await until(lambda: _free(a, key))
    finally:
        await desk.close()
        if b is not a:
            await b.stop()
        await a.stop()
        if redis_url:
            client = aioredis.from_url(redis_url)
            async for key in client.scan_iter(match=f"{prefix}:*"):
                await client.delete(key)
            await client.aclose()
    return percentiles(samples)


def _free(node: Node, key: str) -> bool:
    agent = node.center.acd.acd.agents[key]
    return str(agent.state) == "available" and agent.call_id is None
