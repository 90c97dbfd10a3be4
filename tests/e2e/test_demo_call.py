"""The whole path on the embedded default, in a real browser, with the real call center behind the desktop:
a simulated caller → IVR → queue → offer with the CRM's screen-pop → accept → bridged → caller hangs up →
wrap-up with a disposition → the customer's timeline holds the interaction."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from aiohttp.test_utils import TestServer
from playwright.async_api import Browser, expect
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from contact_center.clock import FixedClock
from contact_center.config import Settings
from contact_center.crm.customers import create_customer
from contact_center.crm.schemas import CustomerCreate
from contact_center.crm.users import add_user
from contact_center.seed.demo import ensure_reference
from contact_center.store.engine import session_factory
from contact_center.store.tables import Activity, User
from contact_center.telephony.events import OriginateOutcome
from contact_center.telephony.prompts import PromptLibrary
from contact_center.telephony.simulated import Programmed, SimulatedTelephony

from ..conftest import T0
from .conftest import Desktop, log_in

PASSWORD = "demo-password-1"


@pytest.fixture
async def demo(
    settings: Settings, engine: AsyncEngine, tmp_path: Path
) -> AsyncIterator[tuple[str, SimulatedTelephony]]:
    from contact_center.app import create_app

    await ensure_reference(engine, password=PASSWORD)
    async with session_factory(engine).begin() as session:
        data = CustomerCreate.model_validate(
            {"first_name": "Maria", "last_name": "Garcia", "phones": ["(415) 555-0142"]}
        )
        await create_customer(session, data, "US")
        await add_user(session, "bob", "agent", PASSWORD, extension="2050", queues="all")  # a second desktop
    port = SimulatedTelephony(
        PromptLibrary(tmp_path / "prompts"), speed=0.0, unprogrammed=Programmed(OriginateOutcome.ANSWERED)
    )
    # Monday 10:00 in New York: inside the demo calendars' opening hours whatever the real time is.
    app = create_app(settings, clock=FixedClock(T0), engine=engine, telephony=port)
    server = TestServer(app, host="127.0.0.1", port=0)
    await server.start_server()
    try:
        yield str(server.make_url("")).rstrip("/"), port
    finally:
        await server.close()


async def test_a_simulated_caller_reaches_the_agent_in_the_browser(
    demo: tuple[str, SimulatedTelephony], desktop: Desktop, engine: AsyncEngine
) -> None:
    base, port = demo
    page = desktop.page
    await log_in(page, base, "/desk", "agent", PASSWORD)
    await expect(page.locator("#conn")).to_have_attribute("data-state", "connected")
    await page.keyboard.press("r")
    await expect(page.locator("#agent-state")).to_have_attribute("data-state", "available")

    call_id = port.inject_call("+14155550142", "5000")
    assert call_id is not None
    port.press(call_id, "0")  # a known caller goes straight to the main menu: 0 is an agent
    await expect(page.locator("#offer-name")).to_have_text("Maria Garcia", timeout=20_000)
    await page.click("#btn-accept")
    await expect(page.locator("#incall")).to_be_visible()
    await expect(page.locator("#agent-state")).to_have_attribute("data-state", "on_call")

    port.far_end_hangup(call_id)
    await expect(page.locator("#wrapup")).to_be_visible()
    await page.select_option("#disposition", "resolved")
    await page.fill("#wrapup-notes", "Explained the invoice")
    await page.click("#btn-save-wrapup")
    await expect(page.locator("#agent-state")).to_have_attribute("data-state", "available")

    async with session_factory(engine)() as session:
        rows = (
            await session.scalars(select(Activity).where(Activity.interaction_id == call_id).order_by(Activity.id))
        ).all()
    assert [a.type for a in rows] == ["ivr", "call"]
    call: Any = rows[-1]
    assert call.disposition == "resolved" and call.details["hung_up_by"] == "caller"
    assert "Explained the invoice" in call.details["notes"]
    assert call.customer_id is not None and call.queue == "general"


async def test_a_warm_transfer_between_two_desktops(
    demo: tuple[str, SimulatedTelephony], desktop: Desktop, browser: Browser, engine: AsyncEngine
) -> None:
    base, port = demo
    first = desktop.page
    second = await (await browser.new_context(viewport={"width": 1366, "height": 768})).new_page()
    await log_in(first, base, "/desk", "agent", PASSWORD)
    await log_in(second, base, "/desk", "bob", PASSWORD)
    await expect(first.locator("#conn")).to_have_attribute("data-state", "connected")
    await first.keyboard.press("r")
    await expect(first.locator("#agent-state")).to_have_attribute("data-state", "available")

    call_id = port.inject_call("+14155550142", "5000")
    assert call_id is not None
    port.press(call_id, "0")  # a known caller goes straight to the main menu: 0 is an agent
    await expect(first.locator("#offer-name")).to_have_text("Maria Garcia", timeout=20_000)
    await first.click("#btn-accept")
    await expect(first.locator("#incall")).to_be_visible()
    await first.fill("#note-text", "Needs a supervisor's approval")
    await first.click("#note-form button[type=submit]")
    await expect(first.locator("#notes li")).to_have_text("Needs a supervisor's approval")

    await expect(second.locator("#conn")).to_have_attribute("data-state", "connected")
    await second.keyboard.press("r")
    await expect(second.locator("#agent-state")).to_have_attribute("data-state", "available")
    async with session_factory(engine)() as session:
        bob = (await session.scalars(select(User).where(User.username == "bob"))).one()
    await first.focus("#transfer-target")  # the list of queues and logged-in agents loads
    await first.select_option("#transfer-target", f"agent:{bob.id}")
    await first.check("#transfer-warm")
    await first.click("#btn-transfer")
    await expect(first.locator("#consult-text")).to_have_text("Ringing bob…")
    await expect(first.locator("#held-tag")).to_be_visible()

    await expect(second.locator("#offer-name")).to_have_text("Maria Garcia")
    await expect(second.locator("#offer-detail")).to_contain_text("Consult from Demo agent")
    await expect(second.locator("#offer-detail")).to_contain_text("Needs a supervisor's approval")
    await second.click("#btn-accept")
    await expect(second.locator("#consult")).to_have_attribute("data-state", "target")
    await expect(second.locator("#btn-hold")).to_be_disabled()
    await expect(first.locator("#consult-text")).to_have_text("Talking with bob; the caller is on hold")

    await first.click("#btn-complete-transfer")
    await expect(first.locator("#wrapup")).to_be_visible()
    await expect(second.locator("#consult")).to_be_hidden()
    await expect(second.locator("#btn-hold")).to_be_enabled()
    await expect(second.locator("#call-name")).to_have_text("Maria Garcia")
    await first.select_option("#disposition", "resolved")
    await first.click("#btn-save-wrapup")
    await expect(first.locator("#agent-state")).to_have_attribute("data-state", "available")

    port.far_end_hangup(call_id)
    await expect(second.locator("#wrapup")).to_be_visible()
    await second.select_option("#disposition", "resolved")
    await second.click("#btn-save-wrapup")
    await expect(second.locator("#agent-state")).to_have_attribute("data-state", "available")
    async with session_factory(engine)() as session:
        calls = (
            await session.scalars(
                select(Activity)
                .where(Activity.interaction_id == call_id, Activity.type == "call")
                .order_by(Activity.id)
            )
        ).all()
    assert [(c.agent_id, c.outcome) for c in calls][-1] == (bob.id, "answered")
    assert [c.outcome for c in calls] == ["transferred", "answered"]
