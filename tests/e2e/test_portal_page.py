"""The customer portal in the browser: a customer asks for a sign-in link, follows it from the e-mail (the
outbox, with no SMTP server configured), sees her equipment and its warranty, opens a case and sees it listed,
replies on it; the staff CRM sees it too."""

from __future__ import annotations

import datetime as dt
import email
import re
from pathlib import Path

from playwright.async_api import expect
from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncEngine

from contact_center.config import Settings
from contact_center.crm.installed_base import EquipmentCreate, add_equipment
from contact_center.store.engine import session_factory
from contact_center.store.tables import Customer

from ..integration.services.conftest import until
from .conftest import Desktop, Live


async def test_a_customer_signs_in_by_email_and_opens_a_case(
    live: Live, desktop: Desktop, engine: AsyncEngine, settings: Settings
) -> None:
    async with session_factory(engine).begin() as session:
        await session.execute(update(Customer).where(Customer.id == live.maria).values(emails=["maria@garcia.example"]))
        boiler = EquipmentCreate(
            customer_id=live.maria, model="BLR-24", serial="G-77", installed_on=dt.date(2025, 3, 10)
        )
        await add_equipment(session, boiler, dt.date(2026, 1, 1))
    page = desktop.page
    await page.goto(f"{live.base}/portal")
    await page.fill("#email", "maria@garcia.example")
    await page.click("#sign-in-form button[type=submit]")
    await expect(page.locator("#sign-in-said")).to_contain_text("on its way")

    outbox = Path(settings.var_dir) / "outbox"
    mails = await until(lambda: sorted(outbox.glob("*.eml")) if outbox.is_dir() else [], "the e-mail in the outbox")
    body = email.message_from_bytes(mails[-1].read_bytes()).get_payload(decode=True).decode()  # type: ignore[union-attr]
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
