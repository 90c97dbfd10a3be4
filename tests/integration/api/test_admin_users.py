"""Users administered over HTTP (admin): made with their team, skills, queues and password; refused by
field and reason; changed; switched off (logged out everywhere at once, history kept); passwords reset."""

from __future__ import annotations

from typing import Any

import aiohttp
import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from contact_center.seed.demo import ensure_reference
from contact_center.web.keys import CALL_CENTER


@pytest.fixture
async def reference(engine: AsyncEngine) -> None:
    await ensure_reference(engine, password="demo-password-1")


NEW_AGENT: dict[str, Any] = {
    "username": "nadia",
    "display_name": "Nadia Haddad",
    "role": "agent",
    "extension": "2077",
    "team": None,
    "skills": {"english": 5, "billing": 3},
    "queues": {"general": 1, "billing": 2},
    "password": "a long enough secret",
}


async def _login(client: Any, username: str, password: str) -> tuple[aiohttp.ClientSession, int]:
    """A browser of its own (its own cookies): the session and the login's status."""
    browser = aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True))
    answer = await browser.post(
        client.make_url("/api/v1/auth/login"), json={"username": username, "password": password}
    )
    return browser, answer.status


async def _me(client: Any, browser: aiohttp.ClientSession) -> int:
    return (await browser.get(client.make_url("/api/v1/auth/me"))).status


async def test_an_admin_makes_an_agent_who_logs_in_and_is_routed(
    reference: None, app_client: Any, admin: Any, make_user: Any, token_for: Any
) -> None:
    boss = await token_for(await make_user("sue", "supervisor"))
    assert (await app_client.post("/api/v1/users", json=NEW_AGENT, headers=boss.headers())).status == 403
    made = await app_client.post("/api/v1/users", json=NEW_AGENT, headers=admin.headers())
    assert made.status == 201, await made.text()
    body = await made.json()
    assert "password" not in body and body["queues"] == {"billing": 2, "general": 1}
    assert (await app_client.post("/api/v1/users", json=NEW_AGENT, headers=admin.headers())).status == 409

    listed = (await (await app_client.get("/api/v1/users", headers=boss.headers())).json())["items"]
    nadia = next(u for u in listed if u["username"] == "nadia")
    assert nadia["skills"] == {"billing": 3, "english": 5} and nadia["extension"] == "2077" and nadia["active"]
    assert all("password" not in u and "password_hash" not in u for u in listed)

    browser, status = await _login(app_client, "nadia", "a long enough secret")
    async with browser:
        assert status == 200 and await _me(app_client, browser) == 200

    # Routing knows her at once: she is an agent of the queues she was given, ready when she says so.
    center = app_client.server.app[CALL_CENTER]
    user_id = center.people.usernames["nadia"]
    state = await center.set_state(user_id, "available")
    assert state["state"] == "available"
    agent = center.acd.acd.agents[str(user_id)]
    assert set(agent.tiers) == {"general", "billing"} and agent.skills == {"english": 5, "billing": 3}


async def test_bad_users_are_refused_by_field_and_reason(reference: None, app_client: Any, admin: Any) -> None:
    cases: list[tuple[dict[str, Any], int, str]] = [
        ({"role": "boss"}, 422, "role"),
        ({"extension": "12ab"}, 422, "extension"),
        ({"team": "nowhere"}, 422, "team"),
        ({"skills": {"klingon": 3}}, 422, "skills"),
        ({"skills": {"english": 11}}, 422, "skills.english"),
        ({"queues": {"nowhere": 1}}, 422, "queues"),
        ({"password": "short"}, 422, "password"),
        ({"username": "has space"}, 422, "username"),
        ({"shoe_size": 44}, 422, "shoe_size"),
    ]
    for change, status, field in cases:
        answer = await app_client.post("/api/v1/users", json={**NEW_AGENT, **change}, headers=admin.headers())
        assert answer.status == status, (change, await answer.text())
        assert [e["field"] for e in (await answer.json())["errors"]] == [field], change
    taken = await app_client.post(
        "/api/v1/users", json={**NEW_AGENT, "username": "other", "extension": "2001"}, headers=admin.headers()
    )
    assert taken.status == 409 and "2001" in (await taken.json())["message"]  # a demo agent's phone
    assert (await app_client.get("/api/v1/users/nadia", headers=admin.headers())).status == 404


async def test_switching_a_user_off_logs_them_out_everywhere_and_keeps_them_listed(
    reference: None, app_client: Any, admin: Any
) -> None:
    assert (await app_client.post("/api/v1/users", json=NEW_AGENT, headers=admin.headers())).status == 201
    changed = await app_client.patch("/api/v1/users/nadia", json={"queues": {"general": 3}}, headers=admin.headers())
    assert changed.status == 200 and (await changed.json())["queues"] == {"general": 3}

    browser, status = await _login(app_client, "nadia", "a long enough secret")
    async with browser:
        assert status == 200 and await _me(app_client, browser) == 200
        assert (await app_client.delete("/api/v1/users/nadia", headers=admin.headers())).status == 204
        assert await _me(app_client, browser) == 401
    _, again = await _login(app_client, "nadia", "a long enough secret")
    await _.close()
    assert again == 401
    shown = await (await app_client.get("/api/v1/users/nadia", headers=admin.headers())).json()
    assert shown["active"] is False  # still there, with her history
    trail = (await (await app_client.get("/api/v1/audit", headers=admin.headers())).json())["items"]
    assert [e["action"] for e in trail][:3] == ["user.deactivate", "user.change", "user.password"]
    assert all("password" not in str(e["after"]) or e["action"] != "user.password" for e in trail)


async def test_an_admin_resets_a_password_and_the_old_sessions_end(
    reference: None, app_client: Any, admin: Any
) -> None:
    assert (await app_client.post("/api/v1/users", json=NEW_AGENT, headers=admin.headers())).status == 201
    browser, _ = await _login(app_client, "nadia", "a long enough secret")
    async with browser:
        short = await app_client.post(
            "/api/v1/users/nadia/password", json={"password": "short"}, headers=admin.headers()
        )
        assert short.status == 422 and (await short.json())["errors"][0]["field"] == "password"
        reset = await app_client.post(
            "/api/v1/users/nadia/password", json={"password": "a brand new secret"}, headers=admin.headers()
        )
        assert reset.status == 204
        assert await _me(app_client, browser) == 401
    old, old_status = await _login(app_client, "nadia", "a long enough secret")
    new, new_status = await _login(app_client, "nadia", "a brand new secret")
    await old.close()
    await new.close()
    assert (old_status, new_status) == (401, 200)
    missing = await app_client.post(
        "/api/v1/users/nobody/password", json={"password": "x" * 12}, headers=admin.headers()
    )
    assert missing.status == 404


async def test_an_admin_cannot_lock_themselves_out_but_another_admin_can_switch_them_off(
    reference: None, app_client: Any, admin: Any, make_user: Any, token_for: Any
) -> None:
    for change, field in (({"active": False}, "active"), ({"role": "supervisor"}, "role")):
        refused = await app_client.patch("/api/v1/users/root", json=change, headers=admin.headers())
        assert refused.status == 422, await refused.text()
        assert [e["field"] for e in (await refused.json())["errors"]] == [field]
    refused = await app_client.delete("/api/v1/users/root", headers=admin.headers())
    assert refused.status == 422 and (await refused.json())["errors"][0]["field"] == "active"
    assert (await app_client.get("/api/v1/users", headers=admin.headers())).status == 200  # still an admin
    other = await token_for(await make_user("second", "admin"))
    assert (await app_client.delete("/api/v1/users/root", headers=other.headers())).status == 204
    assert (await app_client.get("/api/v1/users", headers=admin.headers())).status == 401
