"""The /crm page: only for people logged in, under the strict CSP, offering the support calendar first."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncEngine

from contact_center.store.engine import session_factory
from contact_center.store.tables import Calendar


async def test_the_crm_page_needs_a_login_and_offers_the_support_calendar_first(
    app_client: Any, make_user: Any, engine: AsyncEngine
) -> None:
    resp = await app_client.get("/crm", allow_redirects=False)
    assert resp.status == 302 and resp.headers["Location"] == "/login?next=/crm"
    async with session_factory(engine).begin() as session:
        session.add_all(
            Calendar(name=name, timezone="UTC", weekly_hours={}, holidays={}, exceptions={})
            for name in ("24x7", "sales-hours", "support-hours")
        )
    await make_user("bob", "agent", "s3cret-password")
    login = await app_client.post("/api/v1/auth/login", json={"username": "bob", "password": "s3cret-password"})
    assert login.status == 200
    page = await app_client.get("/crm")
    assert page.status == 200
    assert page.headers["Content-Security-Policy"].startswith("default-src 'self'")
    html = await page.text()
    assert 'data-calendars="support-hours,24x7,sales-hours"' in html
    assert 'src="/static/crm.js"' in html and "<script>" not in html  # no inline script under the CSP
