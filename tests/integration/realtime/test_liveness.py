"""The server's side of liveness: silent sockets are dropped, ended sessions close their sockets."""

from __future__ import annotations

import asyncio
from typing import Any

from .test_handshake import _until


async def _gone(recorder: Any) -> None:
    for _ in range(500):
        if not recorder.sio.connected:
            return
        await recorder.sio.sleep(0.01)
    raise AssertionError("the socket is still connected")


async def test_a_logged_out_session_closes_its_socket(live: Any, make_user: Any) -> None:
    await make_user("alice")
    other = await live.connect("/agent", {"Cookie": await live.cookie("alice")})  # another login of hers
    live.http.session.cookie_jar.clear()  # a second browser: the next login does not replace that one
    login = await live.http.post("/api/v1/auth/login", json={"username": "alice", "password": "correct horse battery"})
    body = await login.json()
    recorder = await live.connect("/agent", {"Cookie": f"cc_session={login.cookies['cc_session'].value}"})
    live.gateway.timing.recheck_after = 0
    await live.gateway.sweep()
    assert recorder.sio.connected  # still a good session: nothing happens
    live.gateway.timing.recheck_after = 3600  # logging out closes it at once, not the next recheck
    out = await live.http.post("/api/v1/auth/logout", headers={"X-CSRF-Token": body["csrf_token"]})
    assert out.status == 204
    assert (await _until(recorder, "session.ended")) == {"reason": "logged_out"}
    await _gone(recorder)
    assert [c.principal.username for c in live.gateway.clients.values()] == ["alice"]
    assert other.sio.connected  # logging out ends that session, not her other one


async def test_a_silent_socket_is_dropped(live: Any, make_user: Any) -> None:
    await make_user("sam", "supervisor")
    recorder = await live.connect("/supervisor", {"Cookie": await live.cookie("sam")})
    await live.gateway.sweep()
    assert recorder.sio.connected
    live.gateway.timing.stale_after = 0
    await live.gateway.sweep()
    await _gone(recorder)


async def test_an_agent_whose_last_desktop_is_gone_past_the_grace_is_made_not_ready(live: Any, make_user: Any) -> None:
    login = await make_user("alice")
    live.gateway.timing.disconnect_grace = 0.3
    cookie = await live.cookie("alice")
    first = await live.connect("/agent", {"Cookie": cookie})
    second = await live.connect("/agent", {"Cookie": cookie})  # a second tab
    await live.desk.set_state(login.user_id, "available")

    def told() -> list[Any]:
        return [c for c in live.desk.commands if c[0] == "desktop_gone"]

    await first.sio.disconnect()
    await asyncio.sleep(0.5)
    assert told() == []  # the other tab is still open
    await second.sio.disconnect()
    await asyncio.sleep(0.1)
    back = await live.connect("/agent", {"Cookie": cookie})  # a reload, back within the grace
    await asyncio.sleep(0.5)
    assert told() == [] and live.desk.agent(login.user_id).state == "available"

    await back.sio.disconnect()  # the browser is closed
    for _ in range(200):
        if told():
            break
        await asyncio.sleep(0.01)
    assert len(told()) == 1
    agent = live.desk.agent(login.user_id)
    assert (agent.state, agent.reason) == ("not_ready", "disconnected")
