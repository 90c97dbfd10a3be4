"""Login, sessions, tokens, roles, CSRF and the login throttle, over HTTP."""

from __future__ import annotations

import asyncio
import time
from dataclasses import replace
from typing import Any

from contact_center.web.api_admin import api as admin_api
from contact_center.web.api_caller_simulator import api as simulator_api
from contact_center.web.api_crm import api as crm_api
from contact_center.web.api_recordings import api as recordings_api
from contact_center.web.api_routing import api as routing_api
from contact_center.web.auth import api as auth_api
from contact_center.web.keys import THROTTLE


async def login(client: Any, username: str, password: str) -> Any:
    return await client.post("/api/v1/auth/login", json={"username": username, "password": password})


async def test_every_api_route_but_login_needs_credentials(app_client: Any) -> None:
    for spec in [
        *auth_api.specs,
        *crm_api.specs,
        *routing_api.specs,
        *simulator_api.specs,
        *recordings_api.specs,
        *admin_api.specs,
    ]:
        path = (
            spec.path.replace("{id}", "1")
            .replace("{group}", "queues")
            .replace("{call_id}", "sim-1")
            .replace("{name}", "general")
        )
        resp = await app_client.request(spec.method, path, json={})
        expected = 401 if spec.path != "/api/v1/auth/login" else 422
        assert resp.status == expected, (spec.method, path, resp.status)


async def test_login_sets_httponly_samesite_cookie_and_logout_ends_it(app_client: Any, make_user: Any) -> None:
    await make_user("bob", "agent", "s3cret-password")
    resp = await login(app_client, "bob", "s3cret-password")
    assert resp.status == 200
    body = await resp.json()
    assert body["role"] == "agent" and body["csrf_token"]
    cookie = resp.cookies["cc_session"]
    assert cookie["httponly"] and cookie["samesite"] == "Strict"
    assert (await app_client.get("/api/v1/customers")).status == 200
    assert (await app_client.post("/api/v1/auth/logout", headers={"X-CSRF-Token": body["csrf_token"]})).status == 204
    # The server forgot the session: replaying the old cookie does not work either.
    app_client.session.cookie_jar.clear()
    app_client.session.cookie_jar.update_cookies({"cc_session": cookie.value})
    assert (await app_client.get("/api/v1/customers")).status == 401


async def test_session_is_rotated_at_login(app_client: Any, make_user: Any) -> None:
    await make_user("bob", "agent", "s3cret-password")
    first = (await login(app_client, "bob", "s3cret-password")).cookies["cc_session"].value
    second = (await login(app_client, "bob", "s3cret-password")).cookies["cc_session"].value
    assert first != second
    app_client.session.cookie_jar.clear()
    app_client.session.cookie_jar.update_cookies({"cc_session": first})
    assert (await app_client.get("/api/v1/customers")).status == 401


async def test_wrong_password_and_unknown_user_look_the_same(app_client: Any, make_user: Any) -> None:
    await make_user("bob", "agent", "s3cret-password")
    a = await login(app_client, "bob", "wrong-password")
    b = await login(app_client, "nobody", "wrong-password")
    assert a.status == b.status == 401
    assert await a.json() == await b.json()


async def test_cookie_writes_need_the_csrf_header(app_client: Any, make_user: Any) -> None:
    await make_user("bob", "agent", "s3cret-password")
    csrf = (await (await login(app_client, "bob", "s3cret-password")).json())["csrf_token"]
    body = {"first_name": "A", "last_name": "B"}
    resp = await app_client.post("/api/v1/customers", json=body)
    assert resp.status == 403 and (await resp.json())["error"] == "csrf_failed"
    resp = await app_client.post("/api/v1/customers", json=body, headers={"X-CSRF-Token": "forged"})
    assert resp.status == 403
    resp = await app_client.post("/api/v1/customers", json=body, headers={"X-CSRF-Token": csrf})
    assert resp.status == 201


async def test_bearer_tokens_need_no_csrf_and_bad_tokens_are_401(app_client: Any, agent: Any) -> None:
    resp = await app_client.post(
        "/api/v1/customers", json={"first_name": "A", "last_name": "B"}, headers=agent.headers()
    )
    assert resp.status == 201
    resp = await app_client.get("/api/v1/customers", headers={"Authorization": "Bearer cc_not-a-token"})
    assert resp.status == 401


async def test_roles_are_checked(app_client: Any, agent: Any, make_user: Any, token_for: Any) -> None:
    article = {"title": "How to", "body": "Do it."}
    assert (await app_client.post("/api/v1/kb/articles", json=article, headers=agent.headers())).status == 403
    order = {"number": "1", "items": []}
    assert (await app_client.post("/api/v1/orders", json=order, headers=agent.headers())).status == 403
    supervisor = await token_for(await make_user("sue", "supervisor"))
    assert (await app_client.post("/api/v1/kb/articles", json=article, headers=supervisor.headers())).status == 201
    assert (await app_client.post("/api/v1/orders", json=order, headers=supervisor.headers())).status == 201


async def test_failed_logins_are_throttled_per_account_and_address(app_client: Any, make_user: Any) -> None:
    await make_user("bob", "agent", "s3cret-password")
    for _ in range(5):
        assert (await login(app_client, "bob", "guess")).status == 401
    resp = await login(app_client, "bob", "s3cret-password")
    assert resp.status == 429
    assert int(resp.headers["Retry-After"]) >= 1
    # Another account from the same address is not locked by bob's guesses.
    await make_user("carol", "agent", "another-password")
    assert (await login(app_client, "carol", "another-password")).status == 200


async def test_unknown_api_path_is_404_not_403(app_client: Any, agent: Any) -> None:
    assert (await app_client.get("/api/v1/nothing-here", headers=agent.headers())).status == 404


async def test_openapi_and_health_are_public(app_client: Any) -> None:
    doc = await (await app_client.get("/api/openapi.json")).json()
    assert doc["openapi"].startswith("3.")
    assert "post" in doc["paths"]["/api/v1/customers"]
    assert "CustomerCreate" in doc["components"]["schemas"]
    health = await app_client.get("/healthz")
    assert health.status == 200 and (await health.json())["status"] == "ok"
    assert (await health.json())["routing"] == "alone"  # one process: no Redis


async def test_unknown_users_cost_a_password_hash_too(app_client: Any, make_user: Any, monkeypatch: Any) -> None:
    """Timing must not reveal which usernames exist: every attempt verifies a hash."""
    import contact_center.web.auth as auth_module
    from contact_center.security import verify_password as real

    calls: list[object] = []

    def counting(stored: str | None, password: str) -> bool:
        calls.append(stored)
        return real(stored, password)

    monkeypatch.setattr(auth_module, "verify_password", counting)
    await make_user("bob", "agent", "s3cret-password")
    await login(app_client, "nobody", "x")
    await login(app_client, "bob", "x")
    assert len(calls) == 2 and calls[0] is None and calls[1] is not None


async def test_a_stranger_on_the_shared_address_cannot_lock_out_an_agent_who_logged_in_before(
    app_client: Any, make_user: Any
) -> None:
    await make_user("bob", "agent", "s3cret-password")
    assert (await login(app_client, "bob", "s3cret-password")).status == 200  # this browser is now known for bob
    device = app_client.session.cookie_jar.filter_cookies(app_client.make_url("/api/v1/auth/login"))["cc_device"]
    app_client.session.cookie_jar.clear()
    throttle = app_client.app[THROTTLE]
    for i in range(throttle.address_limit):  # a stranger behind the same proxy sprays guesses
        throttle.failed(f"user{i}", "127.0.0.1", time.monotonic())
    assert (await login(app_client, "carol", "whatever")).status == 429
    app_client.session.cookie_jar.update_cookies({"cc_device": device.value})
    assert (await login(app_client, "bob", "s3cret-password")).status == 200


async def test_a_burst_of_simultaneous_guesses_is_held_to_the_limit(app_client: Any, make_user: Any) -> None:
    await make_user("bob", "agent", "s3cret-password")
    results = await asyncio.gather(*(login(app_client, "bob", f"guess{i}") for i in range(12)))
    statuses = sorted(r.status for r in results)
    assert statuses.count(401) == 5 and statuses.count(429) == 7


async def test_login_must_be_json(app_client: Any, make_user: Any) -> None:
    await make_user("bob", "agent", "s3cret-password")
    resp = await app_client.post("/api/v1/auth/login", data={"username": "bob", "password": "s3cret-password"})
    assert resp.status == 415


async def test_login_page_never_redirects_off_site(app_client: Any) -> None:
    for target in ("https://evil.example/", "//evil.example", "/\\evil.example"):
        page = await (await app_client.get("/login", params={"next": target})).text()
        assert 'data-next="/"' in page, target
    page = await (await app_client.get("/login", params={"next": "/crm?x=1"})).text()
    assert 'data-next="/crm?x=1"' in page


async def login_from(client: Any, username: str, password: str, forwarded_for: str) -> Any:
    return await client.post(
        "/api/v1/auth/login",
        json={"username": username, "password": password},
        headers={"X-Forwarded-For": forwarded_for},
    )


async def test_spoofed_forwarded_for_from_an_untrusted_peer_is_ignored(app_client: Any, make_user: Any) -> None:
    await make_user("bob", "agent", "s3cret-password")
    for i in range(5):  # a new made-up address each time does not buy more guesses
        assert (await login_from(app_client, "bob", "guess", f"198.51.100.{i}")).status == 401
    assert (await login_from(app_client, "bob", "guess", "198.51.100.99")).status == 429
    throttle = app_client.app[THROTTLE]
    assert set(throttle._addresses) == {"127.0.0.1"}


async def test_behind_a_trusted_proxy_the_throttle_keys_on_the_forwarded_client(
    aiohttp_client: Any, settings: Any, engine: Any, clock: Any, make_user: Any
) -> None:
    from contact_center.app import create_app

    app = create_app(replace(settings, trusted_proxies=("127.0.0.0/8",)), clock=clock, engine=engine)
    client = await aiohttp_client(app)
    await make_user("bob", "agent", "s3cret-password")
    for _ in range(5):  # the guesser's own entry on the left is its own invention; the proxy's is on the right
        assert (await login_from(client, "bob", "guess", "6.6.6.6, 198.51.100.7")).status == 401
    assert (await login_from(client, "bob", "s3cret-password", "7.7.7.7, 198.51.100.7")).status == 429
    # Everyone else behind the same proxy logs in as usual.
    assert (await login_from(client, "bob", "s3cret-password", "203.0.113.8")).status == 200
    assert set(app[THROTTLE]._addresses) == {"198.51.100.7", "203.0.113.8"}
