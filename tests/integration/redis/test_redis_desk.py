"""The shared desk store on a real Redis: one numbering per agent whoever records, replay or an unknown gap,
the socket.io message published in seq order, desk state of live nodes only; and node-to-node requests."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import pytest
import redis.asyncio as aioredis

from contact_center.store.redis_desk import Annotation, RedisDeskStore, StateWrite
from contact_center.store.redis_rpc import NodeUnavailable, RedisRpc

pytestmark = pytest.mark.redis


def store(client: aioredis.Redis, prefix: str, capacity: int = 500) -> RedisDeskStore:
    return RedisDeskStore(client, f"{prefix}:desk", channel=f"{prefix}:socketio", capacity=capacity)


async def test_two_writers_share_one_gap_free_numbering_published_in_order(
    redis_client: aioredis.Redis, cluster_prefix: str
) -> None:
    a, b = store(redis_client, cluster_prefix), store(redis_client, cluster_prefix)
    listener = redis_client.pubsub(ignore_subscribe_messages=True)
    await listener.subscribe(f"{cluster_prefix}:socketio")
    # Two nodes record for agent 7 at the same time.
    results = await asyncio.gather(
        *[
            (a if n % 2 else b).record(7, "timeline.appended", {"n": n}, namespace="/agent", room="agent:7")
            for n in range(40)
        ]
    )
    assert sorted(seq for seq, _ in results) == list(range(1, 41))
    assert len({stream for _, stream in results}) == 1
    published: list[dict[str, Any]] = []
    async with asyncio.timeout(5):
        while len(published) < 40:
            message = await listener.get_message(timeout=1)
            if message is not None:
                published.append(json.loads(message["data"]))
    await listener.aclose()
    # What socket.io's Redis manager handles as an emit from another host, in seq order.
    assert [m["data"][0]["seq"] for m in published] == list(range(1, 41))
    first = published[0]
    assert (first["method"], first["event"], first["room"], first["namespace"]) == (
        "emit",
        "timeline.appended",
        "agent:7",
        "/agent",
    )
    assert first["host_id"] == "cc-desk-stream" and first["callback"] is None and first["binary"] is False
    assert set(first["data"][0]) == {"n", "seq", "stream"}


async def test_replay_what_the_buffer_holds_and_a_snapshot_for_any_other_gap(
    redis_client: aioredis.Redis, cluster_prefix: str
) -> None:
    desk = store(redis_client, cluster_prefix, capacity=3)
    start = await desk.since(5, None, None)
    assert (start.seq, start.events) == (0, None)
    for n in range(5):
        await desk.record(
            5, "call.held", {"call_id": f"c{n}", "matches": [], "pop": {}}, namespace="/agent", room="agent:5"
        )
    position = await desk.since(5, 3, start.stream)
    assert position.stream == start.stream  # the id a first sync handed out is the one events carry
    assert [e["data"]["seq"] for e in position.events or []] == [4, 5]
    assert position.events and position.events[0] == {
        "event": "call.held",
        "data": {"call_id": "c3", "matches": [], "pop": {}, "seq": 4, "stream": start.stream},
    }
    assert (await desk.since(5, 5, start.stream)).events == []
    assert (await desk.since(5, 1, start.stream)).events is None  # seq 2 rolled out of the buffer
    assert (await desk.since(5, 4, "another-stream")).events is None
    assert (await desk.since(5, 9, start.stream)).events is None  # never issued
    assert (await desk.since(5, None, None)).seq == 5


async def test_desk_state_is_written_with_its_event_and_dead_nodes_parts_are_left_out(
    redis_client: aioredis.Redis, cluster_prefix: str
) -> None:
    desk = store(redis_client, cluster_prefix)
    await desk.alive("n1", 30)
    await desk.record(
        3,
        "agent.state_changed",
        {"state": "reserved"},
        namespace="/agent",
        room="agent:3",
        note=Annotation(StateWrite("agent", json.dumps({"state": "reserved"}))),
    )
    await desk.record(
        3,
        "call.offered",
        {"call_id": "c1"},
        namespace="/agent",
        room="agent:3",
        note=Annotation(StateWrite("part:n1", json.dumps({"offer": {"call_id": "c1"}})), owner=("c1", "n1", 30)),
    )
    await desk.record(
        3,
        "call.offered",
        {"call_id": "old"},
        namespace="/agent",
        room="agent:3",
        note=Annotation(StateWrite("part:dead", json.dumps({"offer": {"call_id": "old"}}))),
    )
    state = await desk.state(3)
    assert state.agent == {"state": "reserved"} and state.phone is None
    assert state.parts == [(2, {"offer": {"call_id": "c1"}})]  # node "dead" is not alive
    assert await desk.owner("c1") == "n1" and await desk.owner("old") is None
    await desk.record(
        3,
        "call.offer_withdrawn",
        {"call_id": "c1"},
        namespace="/agent",
        room="agent:3",
        note=Annotation(StateWrite("part:n1", None)),
    )
    assert (await desk.state(3)).parts == []
    await desk.gone("n1")
    assert await desk.live_nodes() == []


async def test_a_node_learns_its_mark_was_lost_and_writes_its_view_again_as_of_the_last_event(
    redis_client: aioredis.Redis, cluster_prefix: str
) -> None:
    desk = store(redis_client, cluster_prefix)
    assert await desk.alive("n1", 30) is False  # first start: nothing was there
    assert await desk.alive("n1", 30) is True
    for n in range(3):
        await desk.record(4, "timeline.appended", {"n": n}, namespace="/agent", room="agent:4")
    await redis_client.delete(desk.key("node", "n1"))  # as after Redis restarted empty
    assert await desk.alive("n1", 30) is False
    await desk.restate(4, StateWrite("part:n1", json.dumps({"call": {"call_id": "c9"}})))
    assert (await desk.state(4)).parts == [(3, {"call": {"call_id": "c9"}})]
    await desk.restate(4, StateWrite("part:n1", None))
    assert (await desk.state(4)).parts == []
    await desk.gone("n1")


async def test_a_request_is_answered_by_the_node_asked_or_fails_clearly(
    redis_client: aioredis.Redis, cluster_prefix: str
) -> None:
    async def answer(method: str, args: dict[str, Any]) -> dict[str, Any]:
        if method == "slow":
            await asyncio.sleep(5)
        if method == "refuse":
            return {"ok": False, "error": "no_such_call", "message": "call x is not yours"}
        return {"ok": True, "result": {"method": method, **args}}

    async def nothing(method: str, args: dict[str, Any]) -> dict[str, Any]:
        return {"ok": True}

    server, client = (
        RedisRpc(redis_client, cluster_prefix, "b", answer),
        RedisRpc(redis_client, cluster_prefix, "a", nothing),
    )
    await server.start()
    await client.start()
    try:
        reply = await client.call("b", "hold", {"call_id": "c9"}, 5)
        assert reply["ok"] is True and reply["result"] == {"method": "hold", "call_id": "c9"}
        refused = await client.call("b", "refuse", {}, 5)
        assert (refused["error"], refused["message"]) == ("no_such_call", "call x is not yours")
        with pytest.raises(NodeUnavailable, match="node ghost is not running"):
            await client.call("ghost", "hold", {}, 5)
        with pytest.raises(NodeUnavailable, match=r"did not answer within 0\.3s"):
            await client.call("b", "slow", {}, 0.3)
    finally:
        await client.stop()
        await server.stop()
