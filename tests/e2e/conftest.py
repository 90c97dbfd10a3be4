"""Browser tests: the real server on a free localhost port (the call center on simulated telephony, SQLite)
and headless Debian Chromium through Playwright. Every server and browser started here is closed here."""

from __future__ import annotations

import asyncio
import re
import shutil
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from aiohttp.test_utils import TestServer
from playwright.async_api import Browser, BrowserContext, Page, WebSocketRoute, async_playwright
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from contact_center.clock import FixedClock
from contact_center.config import Settings
from contact_center.crm.cases import create_case
from contact_center.crm.customers import create_customer
from contact_center.crm.schemas import CaseCreate, CustomerCreate
from contact_center.crm.users import add_user
from contact_center.realtime import Gateway
from contact_center.seed.demo import ensure_reference
from contact_center.services.board.alerts import BoardAlerts
from contact_center.services.calls.center import CallCenter
from contact_center.services.dialer.runner import DialerRunner
from contact_center.store.engine import session_factory
from contact_center.store.tables import Account, Opportunity, Order, User
from contact_center.telephony.events import OriginateOutcome
from contact_center.telephony.prompts import PromptLibrary
from contact_center.telephony.simulated import Programmed, SimulatedTelephony

from ..conftest import T0

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "tests/e2e/" in str(item.path):
            item.add_marker(pytest.mark.browser)


@pytest.fixture
def database_url(sqlite_template: Path, tmp_path: Path) -> Iterator[str]:
    path = tmp_path / "cc.db"
    shutil.copy(sqlite_template, path)
    yield f"sqlite+aiosqlite:///{path}"


@dataclass
class Site:
    """The real server on an empty CRM (no demo data): for pages that list what a test puts in."""

    base: str


@pytest.fixture
async def site(settings: Settings, engine: AsyncEngine, tmp_path: Path) -> AsyncIterator[Site]:
    from contact_center.app import create_app

    port = SimulatedTelephony(
        PromptLibrary(tmp_path / "prompts"), speed=0.0, unprogrammed=Programmed(OriginateOutcome.ANSWERED)
    )
    server = TestServer(create_app(settings, engine=engine, telephony=port), host="127.0.0.1", port=0)
    await server.start_server()
    try:
        yield Site(str(server.make_url("")).rstrip("/"))
    finally:
        await server.close()


PASSWORD = "demo-password-1"
MARIA = "+14155550142"


@dataclass
class Live:
    """The real server on the embedded default: the call center on simulated telephony, demo reference data
    (queues, dispositions, agents `agent` and `ava`), a second agent `bob`, and Maria Garcia with an account,
    an open case, an opportunity and an order."""

    base: str
    port: SimulatedTelephony
    center: CallCenter
    gateway: Gateway
    users: dict[str, int]
    maria: int
    alerts: BoardAlerts
    dialer: DialerRunner

    async def press_when_asked(self, call_id: str | None, digits: str, heard: str, seconds: float = 20.0) -> None:
        """Press keys once the caller has heard a prompt containing ``heard`` (as a person would; keys
        pressed before the call is answered never reach the IVR)."""
        assert call_id is not None

        def asked() -> bool:
            return any(c == call_id and heard in getattr(p, "text", "") for c, p in self.port.played)

        async with asyncio.timeout(seconds):
            while not asked():  # noqa: ASYNC110 - the server runs on; the test only watches what was played
                await asyncio.sleep(0.02)
        self.port.press(call_id, digits)


@pytest.fixture
async def live(settings: Settings, engine: AsyncEngine, tmp_path: Path) -> AsyncIterator[Live]:
    from contact_center.app import create_app
    from contact_center.web.keys import ALERTS, CALL_CENTER, DIALER, GATEWAY

    await ensure_reference(engine, password=PASSWORD)
    async with session_factory(engine).begin() as session:
        account = Account(name="Garcia Imports", segment="gold", timezone="America/Los_Angeles")
        session.add(account)
        await session.flush()
        data = CustomerCreate.model_validate(
            {
                "first_name": "Maria",
                "last_name": "Garcia",
                "phones": [MARIA],
                "vip": True,
                "segment": "gold",
                "timezone": "America/Los_Angeles",
                "account_id": account.id,
            }
        )
        maria = await create_customer(session, data, "US")
        await create_case(
            session,
            CaseCreate(subject="Broken delivery", customer_id=maria.id, category="shipping", sla_target_minutes=240),
            T0,
        )
        session.add(Opportunity(name="Renewal 2027", customer_id=maria.id, stage="proposal", amount_cents=1_250_000))
        session.add(Order(number="SO-1001", customer_id=maria.id, status="shipped", total_cents=4999, placed_at=T0))
        await add_user(
            session, "bob", "agent", PASSWORD, extension="2050", queues="all", skills={"english": 5, "sales": 4}
        )
        users = {u.username: u.id for u in (await session.scalars(select(User))).all()}
    port = SimulatedTelephony(
        PromptLibrary(tmp_path / "prompts"), speed=0.0, unprogrammed=Programmed(OriginateOutcome.ANSWERED)
    )
    # Monday 10:00 in New York: inside the demo calendars' opening hours whatever the real time is.
    app = create_app(settings, clock=FixedClock(T0), engine=engine, telephony=port)
    server = TestServer(app, host="127.0.0.1", port=0)
    await server.start_server()
    await app[DIALER].stop()  # tests make the dialer's passes themselves (a background pass would race them)
    try:
        base = str(server.make_url("")).rstrip("/")
        yield Live(base, port, app[CALL_CENTER], app[GATEWAY], users, maria.id, app[ALERTS], app[DIALER])
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
