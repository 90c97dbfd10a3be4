"""The whole call over real SIP (issue 6): a sipp caller dials the service number through Kamailio, the server's
IVR answers, DTMF picks a queue, the offer reaches an agent logged into Chromium with the seeded customer's
screen-pop, the agent accepts, the server rings the agent's phone (sipp, auto-answer) and bridges, the caller
hangs up, the agent saves a disposition, and the customer's timeline holds the interaction."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path
from typing import Any

from aiohttp.test_utils import TestServer
from playwright.async_api import async_playwright, expect
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncEngine

from contact_center.clock import SystemClock
from contact_center.config import Settings
from contact_center.crm.customers import create_customer
from contact_center.crm.schemas import CustomerCreate
from contact_center.seed.demo import ensure_reference
from contact_center.seed.reference import ALWAYS
from contact_center.store.engine import session_factory
from contact_center.store.tables import Activity, Calendar
from contact_center.telephony.prompts import PromptLibrary
from contact_center.telephony.sip import SipLine, SipTelephony

from ...e2e.conftest import CHROMIUM, CHROMIUM_ARGS, log_in
from .conftest import rtp_range

PASSWORD = "demo-password-1"


async def test_a_real_sip_call_through_ivr_queue_desktop_and_wrap_up(
    kamailio: Callable[..., Any],
    agent_phone: Callable[[str], Any],
    sipp: Callable[..., Any],
    ports: Callable[..., int],
    settings: Settings,
    engine: AsyncEngine,
    tmp_path: Path,
) -> None:
    await ensure_reference(engine, password=PASSWORD)
    async with session_factory(engine).begin() as session:
        # Open around the clock, so the test does not depend on the time of day it runs at.
        await session.execute(update(Calendar).values(weekly_hours=ALWAYS, holiday_country=None))
        data = CustomerCreate.model_validate(
            {"first_name": "Maria", "last_name": "Garcia", "phones": ["(415) 555-0142"]}
        )
        await create_customer(session, data, "US")
    line = ports()
    phone = agent_phone("uas_answer.xml")
    proxy = kamailio(users={"ivr": "ivr-secret"}, workers=[line], static={"2001": phone.port}, service="100")
    telephony = SipTelephony(PromptLibrary(tmp_path / "prompts"), rtp_ports=rtp_range(), max_calls=10)
    telephony.open_line(SipLine(proxy.address, "ivr", "ivr-secret", "127.0.0.1", line))

    from contact_center.app import create_app
    from contact_center.web.keys import CALL_CENTER

    app = create_app(settings, clock=SystemClock(), engine=engine, telephony=telephony)
    app[CALL_CENTER].phone_check_seconds = None  # sipp, the agent's phone here, takes one dialog: no OPTIONS
    server = TestServer(app, host="127.0.0.1", port=0)
    await server.start_server()
    base = str(server.make_url("")).rstrip("/")
    try:
        async with async_playwright() as pw:
            browser = await pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
            try:
                page = await (await browser.new_context(viewport={"width": 1366, "height": 768})).new_page()
                await log_in(page, base, "/desk", "agent", PASSWORD)
                await expect(page.locator("#conn")).to_have_attribute("data-state", "connected")
                await page.keyboard.press("r")
                await expect(page.locator("#agent-state")).to_have_attribute("data-state", "available")

                caller = asyncio.create_task(sipp("uac_ivr_to_agent.xml", proxy, service="100", give_up=60))
                await expect(page.locator("#offer-name")).to_have_text("Maria Garcia", timeout=30_000)
                await page.click("#btn-accept")
                await expect(page.locator("#agent-state")).to_have_attribute("data-state", "on_call")
                result = await caller
                assert result.returncode == 0, result.log[-3000:]
                await expect(page.locator("#wrapup")).to_be_visible(timeout=15_000)
                await page.select_option("#disposition", "resolved")
                await page.click("#btn-save-wrapup")
                await expect(page.locator("#agent-state")).to_have_attribute("data-state", "available")
            finally:
                await browser.close()
        assert await phone.finished() == 0  # the agent's phone was answered and hung up by us
    finally:
        await server.close()

    async with session_factory(engine)() as session:
        rows = (
            await session.scalars(select(Activity).where(Activity.type.in_(("ivr", "call"))).order_by(Activity.id))
        ).all()
    assert [a.type for a in rows] == ["ivr", "call"]
    ivr, call = rows
    assert ivr.interaction_id == call.interaction_id and ivr.customer_id == call.customer_id is not None
    assert call.disposition == "resolved" and call.queue == "general" and call.details["hung_up_by"] == "caller"
    assert call.details["ivr"]["inputs"][0]["value"] == "0"  # a known caller goes straight to the main menu
    assert call.details["wait_seconds"] >= 0 and call.details["talk_seconds"] > 1
    inbound, agent_leg = call.details["legs"]
    assert inbound["kind"] == "inbound" and agent_leg["dialled"] == "2001" and 200 in agent_leg["sip_codes"]
