"""The server's side of liveness: silent sockets are dropped, ended sessions close their sockets."""

from __future__ import annotations

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
