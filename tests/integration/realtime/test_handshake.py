"""Who may connect where: a session (or token) is needed, agents stay in their own room."""

from __future__ import annotations

from typing import Any

import pytest

from contact_center.services.desk import Desk

from .conftest import HandshakeRefused


async def test_a_handshake_without_a_session_is_refused(live: Any) -> None:
    with pytest.raises(HandshakeRefused, match="unauthorized"):
        await live.connect("/agent")
    with pytest.raises(HandshakeRefused, match="unauthorized"):
        await live.connect("/agent", {"Cookie": "cc_session=forged"})


async def test_a_foreign_origin_is_refused_even_with_a_session(live: Any, make_user: Any) -> None:
    await make_user("alice")
    cookie = await live.cookie("alice")
    with pytest.raises(HandshakeRefused, match="bad_origin"):
        await live.connect("/agent", {"Cookie": cookie, "Origin": "https://evil.example"})
    same = live.url().replace("http://", "https://")  # the page is https behind a TLS proxy
    recorder = await live.connect("/agent", {"Cookie": cookie, "Origin": same})
    assert (await recorder.call("heartbeat", {}))["ok"] is True


async def test_an_agent_cannot_join_the_supervisor_namespace(live: Any, make_user: Any) -> None:
    await make_user("alice")
    cookie = await live.cookie("alice")
    with pytest.raises(HandshakeRefused, match="forbidden"):
        await live.connect("/supervisor", {"Cookie": cookie})


async def test_a_supervisor_gets_the_board(live: Any, make_user: Any) -> None:
    await make_user("sam", "supervisor")
    alice = await make_user("alice")
    board = await live.connect("/supervisor", {"Cookie": await live.cookie("sam")})
    answer = await board.call("sync")
    assert answer["ok"] is True and answer["board"]["agents"] == []
    live.desk.agent(alice.user_id, "Alice")
    await live.desk.set_state(alice.user_id, "available")
    await live.gateway.notifier.drain()
    await board.sio.sleep(0)
    update = await _until(board, "board.updated")
    assert [(a["name"], a["state"]) for a in update["agents"]] == [("Alice", "available")]
    assert update["seq"] > answer["seq"]


async def test_an_agent_hears_only_their_own_room(live: Any, make_user: Any) -> None:
    alice, bob = await make_user("alice"), await make_user("bob")
    a = await live.connect("/agent", {"Cookie": await live.cookie("alice")})
    b = await live.connect("/agent", {"Cookie": await live.cookie("bob")})
    # No client event names a room: asking to join one is not an event the server knows.
    refused = await a.call("join", {"room": f"agent:{bob.user_id}"})
    assert refused == {"ok": False, "error": "unknown_event", "message": "no such event here: join"}
    assert (await b.call("agent.set_state", {"state": "available"}))["state"] == "available"
    live.desk.offer(bob.user_id, "call-1")
    offered = await _until(b, "call.offered")
    assert offered["call_id"] == "call-1"
    # Alice's own stream went on: her heartbeat says nothing was sent to her at all.
    beat = await a.call("heartbeat", {})
    assert beat["seq"] == 0 and a.named("call.offered") == []
    # And commands act on the caller's own desk only: Alice cannot take Bob's offer.
    taken = await a.call("call.accept", {"call_id": "call-1"})
    assert taken["ok"] is False and taken["error"] == "no_such_offer"
    assert live.desk.agent(alice.user_id).call is None and live.desk.agent(bob.user_id).offer is not None


async def test_bearer_tokens_work_for_integrations(live: Any, agent: Any) -> None:
    recorder = await live.connect("/agent", {"Authorization": f"Bearer {agent.token}"})
    assert (await recorder.call("agent.set_state", {"state": "available"})) == {
        "ok": True,
        "state": "available",
        "reason": None,
        "since": "2026-11-23T15:00:00Z",
    }


async def test_a_wallboard_token_in_the_auth_payload_reads_the_board_and_works_no_desk(
    live: Any, make_user: Any, engine: Any, clock: Any
) -> None:
    """A browser cannot put headers on a websocket: the wallboard sends its token in socket.io's ``auth``."""
    from contact_center.crm.users import create_token
    from contact_center.store.engine import session_factory

    await make_user("sam", "supervisor")
    await make_user("alice")
    async with session_factory(engine).begin() as session:
        wall = await create_token(session, "sam", "lobby TV", clock.now(), read_only=True)
        alice = await create_token(session, "alice", "alice's script", clock.now(), read_only=True)

    board = await live.connect("/supervisor", auth={"token": wall})
    synced = await board.call("sync", {})
    assert synced["ok"] is True and "queues" in synced["board"]

    # The token names who connects, not a cookie that came along: an agent's cookie with the wallboard's
    # token reads the board; a supervisor's cookie with an agent's token does not.
    agent_cookie = await live.cookie("alice")
    assert (await (await live.connect("/supervisor", {"Cookie": agent_cookie}, {"token": wall})).call("sync"))["ok"]
    boss_cookie = await live.cookie("sam")
    with pytest.raises(HandshakeRefused, match="forbidden"):
        await live.connect("/supervisor", {"Cookie": boss_cookie}, {"token": alice})
    with pytest.raises(HandshakeRefused, match="unauthorized"):
        await live.connect("/supervisor", auth={"token": "not-a-token"})

    # A read-only token on the desk's namespace reads (sync) but never acts.
    desk = await live.connect("/agent", auth={"token": alice})
    assert (await desk.call("sync", {}))["ok"] is True
    refused = await desk.call("agent.set_state", {"state": "available"})
    assert (refused["ok"], refused["error"]) == (False, "read_only_token")
    refused = await desk.call("call.accept", {"call_id": "call-1"})
    assert refused["error"] == "read_only_token"


def test_the_fake_desk_is_a_desk(fake_desk: Any) -> None:
    desk: Desk = fake_desk  # checked by mypy; at run time the protocol's methods are all there
    assert all(callable(getattr(desk, name)) for name in Desk.__dict__ if not name.startswith("_"))


async def _until(recorder: Any, event: str) -> dict[str, Any]:
    """The first such event, waiting for it to come over the socket (bounded by a generous cap)."""
    for _ in range(500):
        found = recorder.named(event)
        if found:
            return found[0]  # type: ignore[no-any-return]
        await recorder.sio.sleep(0.01)
    raise AssertionError(f"{event} never came; got {[name for name, _ in recorder.events]}")
