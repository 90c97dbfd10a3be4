"""Every page links to the others the user may open (by role), and the site has an icon."""

from __future__ import annotations

from typing import Any


async def _logged_in(app_client: Any, make_user: Any, username: str, role: str) -> None:
    await make_user(username, role, "s3cret-password")
    app_client.session.cookie_jar.clear()
    login = await app_client.post("/api/v1/auth/login", json={"username": username, "password": "s3cret-password"})
    assert login.status == 200


async def test_pages_link_to_each_other_by_role(app_client: Any, make_user: Any) -> None:
    await _logged_in(app_client, make_user, "bob", "agent")
    for path in ("/desk", "/crm"):
        html = await (await app_client.get(path)).text()
        assert 'href="/crm"' in html and 'href="/desk"' in html, path
        assert 'href="/board"' not in html and 'href="/simulator"' not in html, path  # not for agents
        assert 'href="/dispatch"' not in html, path
    assert (await app_client.get("/dispatch")).status == 403
    await _logged_in(app_client, make_user, "sue", "supervisor")
    for path in ("/desk", "/crm", "/board", "/simulator", "/dispatch"):
        html = await (await app_client.get(path)).text()
        assert all(f'href="{to}"' in html for to in ("/desk", "/crm", "/board", "/simulator", "/dispatch")), path
        assert 'rel="icon"' in html


async def test_the_site_has_an_icon(app_client: Any) -> None:
    icon = await app_client.get("/favicon.ico")
    assert icon.status == 200 and icon.headers["Content-Type"].startswith("image/svg+xml")
    assert (await icon.text()).startswith("<svg")
