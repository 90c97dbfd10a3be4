"""A progressive campaign over real SIP: the dialer rings each free agent's phone (sipp through Kamailio),
then the record's number (sipp customers: one answers, one is busy); the agent in Chromium gets the answered
call with the record and the script, saves a disposition, and each record ends where it should."""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import Any

from aiohttp.test_utils import TestServer
from playwright.async_api import async_playwright, expect
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncEngine

from contact_center.clock import FixedClock
from contact_center.config import Settings
from contact_center.crm.users import add_user
from contact_center.seed.demo import ensure_reference
from contact_center.seed.reference import ALWAYS
from contact_center.store.engine import session_factory
from contact_center.store.tables import Calendar, Campaign, DialingAttempt, DialingRecord
from contact_center.telephony.prompts import PromptLibrary
from contact_center.telephony.sip import SipLine, SipTelephony

from ...e2e.conftest import CHROMIUM, CHROMIUM_ARGS, log_in
from .conftest import rtp_range

PASSWORD = "demo-password-1"
ANSWERS, BUSY = "+12125550101", "+12125550102"  # New York numbers: 10:00 there on the test's clock
T0 = dt.datetime(2026, 11, 23, 15, 0, tzinfo=dt.UTC)


async def test_a_campaign_dials_real_phones_and_each_record_ends_where_it_should(
    kamailio: Callable[..., Any],
    agent_phone: Callable[[str], Any],
    ports: Callable[..., int],
    settings: Settings,
    engine: AsyncEngine,
    tmp_path: Path,
) -> None:
    await ensure_reference(engine, password=PASSWORD)
    async with session_factory(engine).begin() as session:
        await session.execute(update(Calendar).values(weekly_hours=ALWAYS, holiday_country=None))
        await add_user(session, "bob", "agent", PASSWORD, extension="2050", queues="all", skills={"sales": 5})
        campaign = (await session.scalars(select(Campaign).where(Campaign.name == "Spring renewals"))).one()
        campaign.status, campaign.script, campaign.retry_minutes = "running", "Good morning, about your renewal…", 30
        for first, number in (("Rita", ANSWERS), ("Sam", BUSY)):
            session.add(DialingRecord(campaign_id=campaign.id, number=number, first_name=first, last_name="Lee"))
    phones = {ext: agent_phone("uas_answer.xml") for ext in ("2001", "2050")}
    customer, busy = agent_phone("uas_answer_then_bye.xml"), agent_phone("uas_busy.xml")
    line = ports()
    static = {**{ext: p.port for ext, p in phones.items()}, ANSWERS: customer.port, BUSY: busy.port}
    proxy = kamailio(users={"ivr": "ivr-secret"}, workers=[line], static=static, service="100")
    telephony = SipTelephony(PromptLibrary(tmp_path / "prompts"), rtp_ports=rtp_range(), max_calls=10)
    telephony.open_line(SipLine(proxy.address, "ivr", "ivr-secret", "127.0.0.1", line))

    from contact_center.app import create_app
    from contact_center.web.keys import CALL_CENTER, DIALER

    app = create_app(settings, clock=FixedClock(T0), engine=engine, telephony=telephony)
    center = app[CALL_CENTER]
    center.phone_check_seconds = None  # sipp phones take one dialog each: no OPTIONS
    server = TestServer(app, host="127.0.0.1", port=0)
    await server.start_server()
    await app[DIALER].stop()  # the test makes each pass itself
    base = str(server.make_url("")).rstrip("/")
    try:
        async with async_playwright() as pw:
            browser = await pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
            try:
                page = await (await browser.new_context(viewport={"width": 1366, "height": 768})).new_page()
                await log_in(page, base, "/desk", "agent", PASSWORD)
                await expect(page.locator("#conn")).to_have_attribute("data-state", "connected")
                bob = center.people.usernames["bob"]
                await center.set_state(bob, "available")
                await page.keyboard.press("r")
                await expect(page.locator("#agent-state")).to_have_attribute("data-state", "available")

                placed = await app[DIALER].tick()  # one record for each of the two ready agents
                assert len(placed) == 2 and all(p["call_id"] for p in placed)
                records = await _records(engine)
                number_of = {records[n].id: n for n in (ANSWERS, BUSY)}
                agent_id = center.people.usernames["agent"]
                mine = next(p for p in placed if p["agent"] == agent_id)
                theirs = next(p for p in placed if p["agent"] == bob)
                # Busy: the agent is in wrap-up at once; answered: after Rita's 3 s and her hang-up.
                await expect(page.locator("#wrapup")).to_be_visible(timeout=30_000)
                await expect(page.locator("#pop #campaign")).to_contain_text("Spring renewals")
                await expect(page.locator("#pop #campaign-script")).to_contain_text("about your renewal")
                answered_here = number_of[mine["record_id"]] == ANSWERS
                await page.select_option("#disposition", "sale" if answered_here else "no_answer")
                await page.click("#btn-save-wrapup")
                await expect(page.locator("#agent-state")).to_have_attribute("data-state", "available")
            finally:
                await browser.close()
        async with asyncio.timeout(30):
            while center.desks.wrapup(bob) is None:  # noqa: ASYNC110 - the server's own tasks end bob's call
                await asyncio.sleep(0.1)
        await center.save_wrapup(bob, theirs["call_id"], "no_answer" if answered_here else "sale", "", [])
        assert await customer.finished() == 0 and await busy.finished() == 0
        for phone in phones.values():
            assert await phone.finished() == 0
    finally:
        await server.close()

    records = await _records(engine)
    assert (records[ANSWERS].status, records[ANSWERS].attempts) == ("done", 1)
    assert (records[BUSY].status, records[BUSY].attempts) == ("retry", 1)
    assert records[BUSY].next_at == T0 + dt.timedelta(minutes=30)
    async with session_factory(engine)() as session:
        attempts = {a.record_id: a for a in (await session.scalars(select(DialingAttempt))).all()}
    assert (attempts[records[ANSWERS].id].result, attempts[records[ANSWERS].id].disposition) == ("answered", "sale")
    assert attempts[records[BUSY].id].result == "busy"
    assert attempts[records[BUSY].id].agent_id == (agent_id if answered_here is False else bob)


async def _records(engine: AsyncEngine) -> dict[str, DialingRecord]:
    async with session_factory(engine)() as session:
        return {r.number: r for r in (await session.scalars(select(DialingRecord))).all()}
