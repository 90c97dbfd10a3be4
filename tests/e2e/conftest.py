"""Browser tests: a real aiohttp server on a free localhost port (fake desk, SQLite) and headless
Debian Chromium through Playwright. Every server and browser started here is closed here."""

from __future__ import annotations

import re
import shutil
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from aiohttp.test_utils import TestServer
from playwright.async_api import Browser, BrowserContext, Page, WebSocketRoute, async_playwright
from sqlalchemy.ext.asyncio import AsyncEngine

from contact_center.clock import SystemClock
from contact_center.config import Settings
from contact_center.realtime import Gateway
from contact_center.services.fake_desk import FakeDesk

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]  # fmt: skip


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "tests/e2e/" in str(item.path):
            item.add_marker(pytest.mark.browser)


@pytest.fixture
def database_url(sqlite_template: Path, tmp_path: Path) -> Iterator[str]:
    path = tmp_path / "cc.db"
    shutil.copy(sqlite_template, path)
    yield f"sqlite+aiosqlite:///{path}"


@pytest.fixture
def fake_desk() -> FakeDesk:
    return FakeDesk(SystemClock())


@dataclass
class Site:
    base: str
    gateway: Gateway
    desk: FakeDesk


@pytest.fixture
async def site(settings: Settings, engine: AsyncEngine, fake_desk: FakeDesk) -> AsyncIterator[Site]:
    from contact_center.app import GATEWAY, create_app

    app = create_app(settings, clock=SystemClock(), engine=engine, desk=fake_desk)
    gateway = app[GATEWAY]
    server = TestServer(app, host="127.0.0.1", port=0)
    await server.start_server()
    try:
        yield Site(str(server.make_url("")).rstrip("/"), gateway, fake_desk)
    finally:
        await server.close()


@pytest.fixture
def chromium_path() -> str:
    if not Path(CHROMIUM).exists():
        pytest.fail("Debian's chromium is not installed: run scripts/dev test, which installs it")
    return CHROMIUM


@pytest.fixture
async def browser(chromium_path: str) -> AsyncIterator[Browser]:
    async with async_playwright() as pw:
        chromium = await pw.chromium.launch(executable_path=chromium_path, args=CHROMIUM_ARGS, headless=True)
        try:
            yield chromium
        finally:
            await chromium.close()


@dataclass
class Network:
    """The page's websockets pass through here, so a test can cut and restore them."""

    up: bool = True
    routes: list[WebSocketRoute] = field(default_factory=list)

    async def handle(self, ws: WebSocketRoute) -> None:
        if not self.up:
            await ws.close(code=1011, reason="network down")
            return
        ws.connect_to_server()
        self.routes.append(ws)

    async def cut(self) -> None:
        self.up = False
        for ws in self.routes:
            await ws.close(code=1011, reason="network down")
        self.routes.clear()

    def restore(self) -> None:
        self.up = True


@dataclass
class Desktop:
    page: Page
    context: BrowserContext
    network: Network


@pytest.fixture
async def desktop(browser: Browser) -> AsyncIterator[Desktop]:
    context = await browser.new_context(viewport={"width": 1366, "height": 768})
    network = Network()
    page = await context.new_page()
    await page.route_web_socket(re.compile(r".*/socket\.io/.*"), network.handle)
    try:
        yield Desktop(page, context, network)
    finally:
        await context.close()


async def log_in(page: Page, base: str, path: str, username: str, password: str = "correct horse battery") -> None:
    await page.goto(base + path)
    assert page.url.endswith(f"/login?next={path}")
    await page.fill("input[name=username]", username)
    await page.fill("input[name=password]", password)
    await page.click("button[type=submit]")
    await page.wait_for_url(base + path)


def screen_pop(customer_id: int = 41) -> dict[str, Any]:
    """A known caller as the real desk assembles it (customer 360 plus the IVR trail)."""
    customer = {
        "id": customer_id,
        "first_name": "Ada",
        "last_name": "Lovelace",
        "vip": True,
        "segment": "gold",
        "language": "en",
        "timezone": "America/New_York",
        "phones": [{"e164": "+15550100100", "kind": "mobile"}],
        "emails": ["ada@example.com"],
        "account_id": 7,
    }
    return {
        "customer": customer,
        "customer_360": {
            "customer": customer,
            "account": {"id": 7, "name": "Analytical Engines Ltd"},
            "activities": [
                {
                    "id": 900,
                    "type": "email",
                    "direction": "inbound",
                    "subject": "Invoice question",
                    "started_at": "2026-11-20T10:00:00Z",
                    "disposition": None,
                    "outcome": None,
                }
            ],
            "open_cases": [
                {
                    "id": 5,
                    "number": 1005,
                    "subject": "Broken delivery",
                    "status": "open",
                    "priority": "high",
                    "category": "delivery",
                    "sla_due_at": "2030-01-01T12:00:00Z",
                    "escalation_level": 0,
                }
            ],
            "open_opportunities": [
                {"id": 3, "name": "Renewal 2027", "stage": "proposal", "amount_cents": 1250000, "currency": "USD"}
            ],
            "recent_orders": [
                {
                    "id": 8,
                    "number": "SO-1001",
                    "status": "shipped",
                    "total_cents": 4999,
                    "currency": "USD",
                    "placed_at": "2026-11-01T09:00:00Z",
                }
            ],
        },
        "matches": [],
        "ivr": {"path": ["welcome", "main_menu", "billing"], "inputs": {"main_menu": "2"}, "answers": {"account": "7"}},
    }
