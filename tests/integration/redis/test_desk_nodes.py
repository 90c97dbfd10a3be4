"""Two nodes (two apps, two HTTP servers, each its own simulated telephony) sharing PostgreSQL and Redis:
an agent whose socket is on node A works a call that node B holds, and sees one coherent desk."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import aiohttp
import pytest
import redis.asyncio as aioredis
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from contact_center.bench.desk_nodes import MARIA, Desktop, Node, node_settings, start_node, until
from contact_center.clock import FixedClock
from contact_center.crm.customers import create_customer
from contact_center.crm.schemas import CustomerCreate
from contact_center.seed.demo import ensure_reference
from contact_center.store.engine import session_factory
from contact_center.store.tables import Activity

from ...conftest import T0, postgres_database
from .conftest import REDIS

pytestmark = [pytest.mark.redis, pytest.mark.postgres]
PASSWORD = "demo-password-1"


@pytest.fixture
def database_url(postgres_template: str) -> Iterator[str]:
    """PostgreSQL only: two nodes share one database (a SQLite file is one process's)."""
    with postgres_database(postgres_template) as url:
        yield url


@pytest.fixture
async def nodes(
    database_url: str, engine: AsyncEngine, cluster_prefix: str, tmp_path: Path
) -> AsyncIterator[tuple[Node, Node]]:
    """Node A (started first: the routing leader) and node B, the demo's reference data, Maria Garcia."""
    await ensure_reference(engine, password=PASSWORD)
    async with session_factory(engine).begin() as session:
        data = CustomerCreate.model_validate({"first_name": "Maria", "last_name": "Garcia", "phones": [MARIA]})
        await create_customer(session, data, "US")
    clock = FixedClock(T0)  # Monday 10:00 in New York: the demo queues are open
    a = await start_node(node_settings(database_url, REDIS, cluster_prefix, "a", tmp_path), clock, "a", tmp_path)
    started: list[Node] = [a]
    try:
        await until(lambda: a.center.acd.leading, 10)
        started.append(
            await start_node(node_settings(database_url, REDIS, cluster_prefix, "b", tmp_path), clock, "b", tmp_path)
        )
        yield a, started[1]
    finally:
        for node in reversed(started):
            await node.stop()


@pytest.fixture
async def desks() -> AsyncIterator[list[Desktop]]:
    opened: list[Desktop] = []
    yield opened
    for desk in opened:
        await desk.close()


async def open_desk(desks: list[Desktop], node: Node, username: str = "agent", namespace: str = "/agent") -> Desktop:
    desk = await Desktop(namespace).connect(node.base, await Desktop.cookie(node.base, username, PASSWORD))
    desks.append(desk)
    return desk


def numbering(desk: Desktop) -> tuple[list[int], set[str]]:
    numbered = [d for _, _, d in desk.events if "seq" in d]
    return [d["seq"] for d in numbered], {d["stream"] for d in numbered}


async def drained(*nodes: Node) -> None:
    for node in nodes:
        await node.gateway.notifier.drain()


async def test_both_nodes_hear_the_cluster_channel_before_any_desk_connects(nodes: tuple[Node, Node]) -> None:
    """socket.io subscribes on a node's first connection; a desk's first event, published in the moment
    after, never came back to it. The nodes now subscribe as they start."""
    a, _ = nodes
    redis = aioredis.from_url(REDIS)
    try:
        [(_, subscribers)] = await redis.pubsub_numsub(a.gateway.sio.manager.channel)
    finally:
        await redis.aclose()
    assert subscribers == 2


async def test_a_desk_on_one_node_works_a_call_held_by_the_other(
    nodes: tuple[Node, Node], desks: list[Desktop], engine: AsyncEngine
) -> None:
    a, b = nodes
    desk = await open_desk(desks, a)
    assert (await desk.call("agent.set_state", {"state": "available"}))["ok"] is True

    call_id = await b.caller()
    offer = (await desk.wait_for("call.offered"))[0]
    assert offer["call_id"] == call_id and offer["screen_pop"]["customer"]["first_name"] == "Maria"
    snapshot = await desk.call("sync", {"since_seq": None})  # node A builds it from what node B wrote
    assert snapshot["mode"] == "snapshot" and snapshot["snapshot"]["offer"]["call_id"] == call_id
    assert snapshot["snapshot"]["offer"]["screen_pop"]["customer"]["last_name"] == "Garcia"
    assert snapshot["snapshot"]["agent"]["state"] == "reserved"

    assert (await desk.call("call.accept", {"call_id": call_id})) == {"ok": True}
    await desk.wait_for("call.connected")
    assert b.center.desks.working() == {a.center.people.usernames["agent"]: call_id} and not a.center.desks.working()
    assert (await desk.call("call.hold", {"call_id": call_id}))["ok"] is True
    await desk.wait_for("call.held")
    assert b.center.calls.conversation(call_id).record.held_since is not None
    assert (await desk.call("call.resume", {"call_id": call_id}))["ok"] is True
    await desk.wait_for("call.resumed")
    assert (await desk.call("call.note", {"call_id": call_id, "text": "asked about the invoice"}))["ok"] is True
    assert (await desk.call("call.hangup", {"call_id": call_id}))["ok"] is True
    ended = (await desk.wait_for("call.ended"))[0]
    assert ended["hung_up_by"] == "agent"
    wrapup = (await desk.wait_for("wrapup.started"))[0]
    assert (await desk.call("wrapup.extend", {"seconds": 60}))["ok"] is True  # the wrap-up is kept on node B
    extended = (await desk.wait_for("wrapup.started", 2))[1]
    assert extended["deadline"] > wrapup["deadline"]
    linked = await desk.call(
        "call.link_customer", {"call_id": call_id, "customer_id": offer["screen_pop"]["customer"]["id"]}
    )
    assert linked["ok"] is True
    saved = await desk.call("wrapup.save", {"call_id": call_id, "disposition": "resolved", "notes": "sorted"})
    assert saved["ok"] is True and saved["activity_id"] > 0
    assert "resolved" in {d["code"] for d in wrapup["dispositions"]}
    await desk.wait_for("wrapup.ended")
    await desk.wait_for("agent.state_changed", 5)
    await drained(a, b)
    await asyncio.sleep(0.2)  # anything a second emitter would send comes now

    async with session_factory(engine)() as session:
        calls = (
            await session.scalars(select(Activity).where(Activity.interaction_id == call_id, Activity.type == "call"))
        ).all()
    assert (
        len(calls) == 1
        and calls[0].disposition == "resolved"
        and calls[0].agent_id == a.center.people.usernames["agent"]
    )
    assert "asked about the invoice" in calls[0].details["notes"]  # the note was kept on node B

    # Every event once, numbered 1, 2, 3… in one stream, whichever node made it.
    seqs, streams = numbering(desk)
    assert seqs == list(range(1, len(seqs) + 1)) and len(streams) == 1
    names = [name for _, name, _ in desk.events]
    for once in (
        "call.offered",
        "call.connected",
        "call.held",
        "call.resumed",
        "call.ended",
        "call.customer_linked",
        "wrapup.ended",
    ):
        assert names.count(once) == 1, (once, names)
    states = [d["state"] for d in desk.named("agent.state_changed")]
    assert states == ["available", "reserved", "on_call", "wrap_up", "available"]
    # One emitter per event: agent states and the board from the routing leader, the call from its node.
    assert not b.told("agent.state_changed") and not b.told("board.updated")
    assert not a.told("call.offered") and not a.told("wrapup.started") and not a.told("call.ended")


async def test_a_desk_that_moves_to_the_other_node_catches_up_by_replay_or_snapshot(
    nodes: tuple[Node, Node], desks: list[Desktop]
) -> None:
    a, b = nodes
    first = await open_desk(desks, a)
    await first.call("agent.set_state", {"state": "available"})
    call_id = await b.caller()
    await first.wait_for("call.offered")
    await first.call("call.accept", {"call_id": call_id})
    await first.wait_for("call.connected")
    await drained(a, b)
    seen, streams = numbering(first)
    await first.close()

    # While no desk listens, the caller hangs up: call.ended, wrap-up, agent state — made on both nodes.
    b.port.far_end_hangup(call_id)
    user_id = a.center.people.usernames["agent"]
    await until(lambda: b.center.desks.wrapup(user_id) is not None)
    await until(lambda: str(a.center.acd.acd.agents[str(user_id)].state) == "wrap_up")
    await drained(a, b)

    again = await open_desk(desks, b)
    replay = await again.call("sync", {"since_seq": seen[-1], "stream": streams.pop()})
    assert replay["mode"] == "replay"
    missed = replay["events"]
    assert [e["data"]["seq"] for e in missed] == list(range(seen[-1] + 1, replay["seq"] + 1))
    assert sorted(e["event"] for e in missed) == ["agent.state_changed", "call.ended", "wrapup.started"]
    assert not again.events  # nothing arrived twice

    # A desk that knows nothing gets the same desk from either node.
    on_b = await again.call("sync", {"since_seq": None})
    on_a = await (await open_desk(desks, a)).call("sync", {"since_seq": None})
    for answer in (on_a, on_b):
        assert answer["mode"] == "snapshot" and answer["seq"] == replay["seq"]
        view = answer["snapshot"]
        assert view["agent"]["state"] == "wrap_up" and view["wrapup"]["call_id"] == call_id
        assert view["offer"] is None and view["call"] is None
    assert on_a["snapshot"] == on_b["snapshot"]

    assert (await again.call("wrapup.save", {"call_id": call_id, "disposition": "resolved"}))["ok"] is True
    await again.wait_for("wrapup.ended")
    await again.wait_for("agent.state_changed")
    await drained(a, b)
    live = numbering(again)[0]  # live again, numbered on from the replay (timeline, wrap-up end, state)
    assert live == list(range(replay["seq"] + 1, replay["seq"] + 1 + len(live))) and len(live) == 3


async def test_a_desk_state_redis_lost_is_written_again_by_the_node_that_holds_the_call(
    nodes: tuple[Node, Node], desks: list[Desktop], cluster_prefix: str, redis_client: aioredis.Redis
) -> None:
    a, b = nodes
    desk = await open_desk(desks, a)
    await desk.call("agent.set_state", {"state": "available"})
    call_id = await b.caller()
    await desk.wait_for("call.offered")
    await desk.call("call.accept", {"call_id": call_id})
    await desk.wait_for("call.connected")
    await drained(a, b)

    # What Redis restarted empty no longer has: the desks' state and which nodes run (no event follows).
    found = redis_client.scan_iter(match=f"{cluster_prefix}*")
    lost = [key async for key in found if ":st:" in key or ":node:" in key]
    assert lost and await redis_client.delete(*lost)
    assert (await desk.call("sync", {"since_seq": None}))["snapshot"]["call"] is None

    async def shown() -> bool:
        view = (await desk.call("sync", {"since_seq": None}))["snapshot"]
        return view["call"] is not None and view["call"]["call_id"] == call_id

    async with asyncio.timeout(15):  # node B notices its mark gone and writes its view again
        while not await shown():  # noqa: ASYNC110 - the nodes run on; this only watches
            await asyncio.sleep(0.2)


async def test_refusals_come_back_as_the_owner_said_them_and_a_silent_owner_is_named(
    nodes: tuple[Node, Node], desks: list[Desktop], redis_client: Any, cluster_prefix: str
) -> None:
    a, b = nodes
    desk = await open_desk(desks, a)
    await desk.call("agent.set_state", {"state": "available"})
    call_id = await b.caller()
    await desk.wait_for("call.offered")
    # Not connected yet: node B refuses the hold, and its words reach the desk on A unchanged.
    refused = await desk.call("call.hold", {"call_id": call_id})
    assert refused == {"ok": False, "error": "no_such_call", "message": f"call {call_id} is not connected to you"}
    bad = await desk.call("wrapup.save", {"call_id": call_id, "disposition": "resolved"})
    assert bad["error"] == "no_such_wrapup"

    await redis_client.set(f"{cluster_prefix}:desk:owner:c-lost", "ghost", px=60_000)
    lost = await desk.call("call.accept", {"call_id": "c-lost"})
    assert lost["ok"] is False and lost["error"] == "owner_unavailable" and "ghost is not running" in lost["message"]
    unknown = await desk.call("call.accept", {"call_id": "c-never"})  # nobody holds it: refused here, as on one node
    assert unknown["error"] == "no_such_offer"


async def test_the_board_is_said_once_and_numbered_across_nodes(
    nodes: tuple[Node, Node], desks: list[Desktop], make_user: Any
) -> None:
    a, b = nodes
    await make_user("sam", "supervisor", password=PASSWORD)
    board_on_b = await open_desk(desks, b, "sam", "/supervisor")
    start = await board_on_b.call("sync")
    desk = await open_desk(desks, b)
    await desk.call("agent.set_state", {"state": "available"})  # forwarded to the leader, A
    await board_on_b.wait_for("board.updated", where=lambda d: d["totals"]["agents_available"] == 1)
    await drained(a, b)
    seqs = [d["seq"] for d in board_on_b.named("board.updated")]
    assert seqs == list(range(start["seq"] + 1, start["seq"] + 1 + len(seqs)))
    assert len(a.told("board.updated")) == len(seqs) and not b.told("board.updated")
    assert (await board_on_b.call("heartbeat"))["seq"] == seqs[-1]
    assert (await desk.call("heartbeat"))["seq"] == numbering(desk)[0][-1]


async def test_when_the_leader_stops_the_other_node_says_the_agent_states_and_the_numbering_goes_on(
    nodes: tuple[Node, Node], desks: list[Desktop]
) -> None:
    a, b = nodes
    desk = await open_desk(desks, b)
    await desk.call("agent.set_state", {"state": "available"})
    await desk.wait_for("agent.state_changed")
    await drained(a, b)
    await a.stop()  # a clean stop hands the routing lease over at once
    await until(lambda: b.center.acd.leading, 10)
    assert (await desk.call("agent.set_state", {"state": "not_ready", "reason": "lunch"}))["ok"] is True
    changed = await desk.wait_for("agent.state_changed", 2)
    await drained(b)
    assert [d["state"] for d in changed] == ["available", "not_ready"]
    assert [d["reason"] for d in b.told("agent.state_changed")] == ["lunch"]  # said by the new leader, once
    seqs, streams = numbering(desk)
    assert seqs == list(range(1, len(seqs) + 1)) and len(streams) == 1
    snapshot = (await desk.call("sync", {"since_seq": None}))["snapshot"]
    assert (snapshot["agent"]["state"], snapshot["agent"]["reason"]) == ("not_ready", "lunch")


async def test_a_warm_transfer_between_desks_on_node_a_of_a_call_on_node_b(
    nodes: tuple[Node, Node], desks: list[Desktop], engine: AsyncEngine, make_user: Any
) -> None:
    a, b = nodes
    bob = (await make_user("bob", "agent", password=PASSWORD, extension="2050", queues="all")).user_id
    first, second = await open_desk(desks, a, "agent"), await open_desk(desks, a, "bob")
    await first.call("agent.set_state", {"state": "available"})
    call_id = await b.caller()
    await first.wait_for("call.offered")
    await first.call("call.accept", {"call_id": call_id})
    await first.wait_for("call.connected")
    await second.call("agent.set_state", {"state": "available"})
    await until(lambda: str(b.center.acd.acd.agents[str(bob)].state) == "available")

    assert (await first.call("call.transfer", {"call_id": call_id, "agent_id": bob, "warm": True}))["ok"] is True
    consult = (await second.wait_for("call.offered"))[0]
    assert consult["kind"] == "consult" and consult["screen_pop"]["consult"]["from_agent"]
    assert (await second.call("call.accept", {"call_id": call_id}))["ok"] is True
    await first.wait_for("consult.connected")
    assert (await first.call("call.transfer_complete", {"call_id": call_id}))["ok"] is True
    await first.wait_for("wrapup.started")
    saved = await first.call("wrapup.save", {"call_id": call_id, "disposition": "resolved", "notes": "handed on"})
    assert saved["ok"] is True  # the first agent's part, kept on node B
    assert (await second.call("call.hangup", {"call_id": call_id}))["ok"] is True
    await second.wait_for("wrapup.started")
    assert (await second.call("wrapup.save", {"call_id": call_id, "disposition": "resolved"}))["ok"] is True
    await drained(a, b)
    async with session_factory(engine)() as session:
        parts = (
            await session.scalars(select(Activity).where(Activity.interaction_id == call_id, Activity.type == "call"))
        ).all()
    assert sorted((p.agent_id, p.outcome) for p in parts) == sorted(
        [(a.center.people.usernames["agent"], "transferred"), (bob, "answered")]
    )
    for desk in (first, second):
        seqs, streams = numbering(desk)
        assert seqs == list(range(1, len(seqs) + 1)) and len(streams) == 1


async def test_an_agent_added_while_the_nodes_run_can_log_in_on_a_follower(
    nodes: tuple[Node, Node], desks: list[Desktop], make_user: Any
) -> None:
    _a, b = nodes
    await make_user("cleo", "agent", password=PASSWORD, extension="2060", queues="all")
    desk = await open_desk(desks, b)
    answer = await desk.call("agent.set_state", {"state": "available"})
    assert answer["ok"] is True and answer["state"] == "available"
    cleo = await open_desk(desks, b, "cleo")
    assert (await cleo.call("agent.set_state", {"state": "available"}))["state"] == "available"


async def test_the_leader_releases_callbacks_that_no_node_has_in_routing(
    nodes: tuple[Node, Node], engine: AsyncEngine
) -> None:
    import datetime as dt

    from contact_center.crm import scheduled_callbacks as scheduled
    from contact_center.store.tables import ScheduledCallback

    a, b = nodes
    async with session_factory(engine).begin() as session:
        row = scheduled.schedule(
            session,
            number=MARIA,
            queue="general",
            due_at=T0,
            customer_id=None,
            agent_id=None,
            interaction_id=None,
            activity_id=None,
        )
        row.status, row.updated_at = "queued", T0 - dt.timedelta(minutes=5)  # claimed by a node that went away
        await session.flush()
        row_id = row.id

    async def status() -> str:
        async with session_factory(engine)() as session:
            found = await session.get(ScheduledCallback, row_id)
            assert found is not None
            return found.status

    await b.center._release_orphans_if_leading()  # a follower leaves it to the leader
    assert await status() == "queued"
    await a.center._release_orphans_if_leading()
    assert await status() == "scheduled"


async def test_a_queue_made_on_one_node_is_routed_on_both_without_a_restart(nodes: tuple[Node, Node]) -> None:
    a, b = nodes  # a leads routing; the change is made on b, the follower
    async with aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True)) as browser:
        login = await browser.post(f"{b.base}/api/v1/auth/login", json={"username": "admin", "password": PASSWORD})
        assert login.status == 200, await login.text()
        csrf = (await login.json())["csrf_token"]
        queue = {"name": "claims", "strategy": "round_robin", "calendar": "support-hours", "wrapup_seconds": 20}
        made = await browser.post(f"{b.base}/api/v1/queues", json=queue, headers={"X-CSRF-Token": csrf})
        assert made.status == 201, await made.text()
    # The first change of a fresh database counts too (the watcher once took "no version yet" for "not read").
    await until(lambda: "claims" in a.center.acd.acd.queues and "claims" in b.center.acd.acd.queues, 15)
    assert b.center.acd.acd.queues["claims"].strategy == "round_robin"


async def test_a_supervisors_actions_on_one_node_reach_an_agent_and_a_caller_on_the_other(
    nodes: tuple[Node, Node], desks: list[Desktop]
) -> None:
    a, b = nodes  # the agent's desk is on node A; the supervisor acts through node B
    desk = await open_desk(desks, a)
    assert (await desk.call("agent.set_state", {"state": "available"}))["ok"] is True
    user_id = a.center.people.usernames["agent"]
    async with aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True)) as browser:
        login = await browser.post(f"{b.base}/api/v1/auth/login", json={"username": "supervisor", "password": PASSWORD})
        csrf = {"X-CSRF-Token": (await login.json())["csrf_token"]}
        body = {"state": "not_ready", "reason": "coaching"}
        made = await browser.post(f"{b.base}/api/v1/agents/{user_id}/state", json=body, headers=csrf)
        assert made.status == 200, await made.text()
        changed = await desk.wait_for("agent.state_changed", where=lambda e: e.get("state") == "not_ready")
        assert changed[-1]["reason"] == "coaching"

        call_id = await a.caller()  # a caller held by node A waits (nobody is ready); node B moves them
        await until(
            lambda: call_id in b.center.acd.acd.calls and str(b.center.acd.acd.calls[call_id].state) == "queued", 10
        )
        queue = b.center.acd.acd.calls[call_id].queue_id
        target = "billing" if queue != "billing" else "general"
        moved = await browser.post(f"{b.base}/api/v1/calls/{call_id}/move", json={"queue": target}, headers=csrf)
        assert moved.status == 200, await moved.text()
        await until(lambda: getattr(a.center.calls.record(call_id), "queue", None) == target, 10)
        board = await (await browser.get(f"{b.base}/api/v1/board")).json()
        assert any(w["call_id"] == call_id and w["queue"] == target for w in board["waiting_calls"])


async def test_logging_out_on_one_node_closes_the_sessions_sockets_on_the_other_at_once(
    nodes: tuple[Node, Node], desks: list[Desktop]
) -> None:
    a, b = nodes
    async with aiohttp.ClientSession() as http:
        login = await http.post(f"{a.base}/api/v1/auth/login", json={"username": "agent", "password": PASSWORD})
        assert login.status == 200
        csrf = (await login.json())["csrf_token"]
        cookie = f"cc_session={login.cookies['cc_session'].value}"
        on_b = await Desktop("/agent").connect(b.base, cookie)  # the same login, its socket on node B
        desks.append(on_b)
        assert (await on_b.call("heartbeat", {}))["ok"] is True
        out = await http.post(f"{a.base}/api/v1/auth/logout", headers={"X-CSRF-Token": csrf, "Cookie": cookie})
        assert out.status in (200, 204)
    # Not at node B's next re-check (a minute): now.
    await until(lambda: on_b.named("session.ended"), 5)
    assert on_b.named("session.ended")[0]["reason"] == "logged_out"
    await until(lambda: not on_b.sio.connected, 5)
