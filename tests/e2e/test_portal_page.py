"""The customer portal in the browser: a customer asks for a sign-in link, follows it from the e-mail (read
from a local SMTP server), sees her equipment and its warranty, opens a case and sees it listed, replies on
it, books a technician's visit and moves it; another customer's case answers 404; when she calls, the agent's
desk shows her new case and the visit; the dispatcher's day shows the visit."""

from __future__ import annotations

import dataclasses
import datetime as dt
import re

import pytest
from playwright.async_api import Browser, expect
from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncEngine

from contact_center.config import Settings
from contact_center.crm.cases import create_case
from contact_center.crm.customers import create_customer
from contact_center.crm.installed_base import EquipmentCreate, add_equipment
from contact_center.crm.schemas import CaseCreate, CustomerCreate
from contact_center.store.engine import session_factory
from contact_center.store.tables import Calendar, Customer, Technician

from ..integration.services.conftest import until
from ..smtp_server import Inbox
from .conftest import MARIA, PASSWORD, Desktop, Live, log_in

WEEKDAYS = {d: [["08:00", "17:00"]] for d in ("mon", "tue", "wed", "thu", "fri")}


@pytest.fixture
def settings(settings: Settings, smtp: tuple[Inbox, int]) -> Settings:
    """The server sends its mail to the local SMTP server."""
    return dataclasses.replace(settings, smtp_url=f"smtp://127.0.0.1:{smtp[1]}")


async def test_a_customer_signs_in_by_email_opens_a_case_and_books_a_visit(
    live: Live, desktop: Desktop, browser: Browser, engine: AsyncEngine, smtp: tuple[Inbox, int]
) -> None:
    async with session_factory(engine).begin() as session:
        await session.execute(update(Customer).where(Customer.id == live.maria).values(emails=["maria@garcia.example"]))
        boiler = EquipmentCreate(
            customer_id=live.maria, model="BLR-24", serial="G-77", installed_on=dt.date(2025, 3, 10)
        )
        await add_equipment(session, boiler, dt.date(2026, 1, 1))
        hours = Calendar(name="field-la", timezone="America/Los_Angeles", weekly_hours=WEEKDAYS, holidays={})
        session.add(hours)
        await session.flush()
        session.add(Technician(name="Jonas Berg", skills=["boiler"], territories=[], calendar_id=hours.id))
        bo = await create_customer(
            session, CustomerCreate.model_validate({"first_name": "Bo", "last_name": "Ek"}), "US"
        )
        theirs = await create_case(session, CaseCreate(subject="Not yours", customer_id=bo.id), dt.datetime.now(dt.UTC))
    page = desktop.page
    await page.goto(f"{live.base}/portal")
    await page.fill("#email", "maria@garcia.example")
    await page.click("#sign-in-form button[type=submit]")
    await expect(page.locator("#sign-in-said")).to_contain_text("on its way")

    inbox = smtp[0]
    (mail,) = await until(lambda: inbox.messages, "the e-mail at the SMTP server")
    assert mail["To"] == "maria@garcia.example"
    body = mail.get_payload(decode=True).decode()
    link = re.search(r"(/portal/auth\?token=\S+)", body)
    assert link is not None
    await page.goto(f"{live.base}{link.group(1)}")
    await expect(page.locator("#hello")).to_have_text("Hello Maria Garcia")
    await expect(page.locator("#cases")).to_contain_text("Broken delivery")  # her case from the CRM
    await expect(page.locator("#equipment")).to_contain_text("G-77")  # her boiler, with its warranty
    await expect(page.locator("#equipment")).to_contain_text("parts")
    await expect(page.locator("#equipment")).to_contain_text("2027-03-09")  # 24 months from installation

    await page.fill("#case-subject", "Parcel never came")
    await page.click("#case-form button[type=submit]")
    await expect(page.locator("#said")).to_contain_text("is open")
    await expect(page.locator("#cases")).to_contain_text("Parcel never came")

    await expect(page.locator("#reply-case option").first).to_contain_text("Parcel never came")  # newest first
    await page.fill("#reply-text", "It was due on Monday")
    await page.click("#reply-form button[type=submit]")
    await expect(page.locator("#said")).to_contain_text("Your reply is on case")

    # A technician's visit about the new case: the first free time, then moved to the next one.
    about = await page.locator("#visit-case option", has_text="Parcel never came").get_attribute("value")
    assert about
    await page.select_option("#visit-case", value=about)
    await page.click("#visit-form button[type=submit]")
    slots = page.locator("#visit-slots button")
    await expect(slots.first).to_be_visible()
    first, second = await slots.nth(0).inner_text(), await slots.nth(1).inner_text()
    await slots.first.click()
    await expect(page.locator("#said")).to_contain_text(f"A technician comes {first}")
    visit = page.locator("#visits tbody tr").first
    await expect(visit).to_contain_text("Jonas Berg")
    await expect(visit).to_contain_text(first)
    await visit.locator("button:has-text('Move')").click()
    await expect(page.locator("#visit-moving")).to_contain_text("Choose a new time")
    await page.locator("#visit-slots button").nth(0).click()  # the old time is its own again: pick another
    await expect(page.locator("#said")).to_contain_text("Your visit is moved to")
    await expect(page.locator("#visits tbody tr")).to_have_count(1)
    assert second  # more than one time was offered

    mine = await page.request.get(f"{live.base}/portal/api/cases")
    assert mine.status == 200
    other = await page.request.get(f"{live.base}/portal/api/cases/{theirs.id}")
    assert other.status == 404  # another customer's case is not there for her

    # She calls: the agent's desk shows the case she opened and the visit she booked.
    desk = await desktop.context.new_page()
    await log_in(desk, live.base, "/desk", "agent", PASSWORD)
    await expect(desk.locator("#conn")).to_have_attribute("data-state", "connected")
    await desk.keyboard.press("r")
    await expect(desk.locator("#agent-state")).to_have_attribute("data-state", "available")
    call_id = live.port.inject_call(MARIA, "5000")
    assert call_id is not None
    await live.press_when_asked(call_id, "0", "To speak with an agent")
    pop = desk.locator("#pop")
    await expect(pop.locator("#pop-name")).to_contain_text("Maria Garcia", timeout=20_000)
    await expect(pop).to_contain_text("Parcel never came")
    await expect(pop.locator("#visits")).to_contain_text("Jonas Berg")
    await expect(pop.locator("#equipment")).to_contain_text("G-77")
    live.port.far_end_hangup(call_id)

    # The dispatcher's day shows the visit with the technician.
    supervisor = await browser.new_context(viewport={"width": 1366, "height": 768})
    board = await supervisor.new_page()
    await log_in(board, live.base, "/dispatch", "supervisor", PASSWORD)
    await board.fill("#day", "2026-11-23")
    await board.dispatch_event("#day", "change")
    row = board.locator("#dispatch tr", has_text="Jonas Berg")
    await expect(row).to_contain_text("Maria Garcia")
    await expect(row).to_contain_text("08:00\u201317:00")  # his working day, in his own time zone
    await supervisor.close()
