"""A progressive campaign's call on the agent's desktop: the record and the script pop when the dialer
places the call, and the agent's disposition decides where the record stands (here: do not call)."""

from __future__ import annotations

from playwright.async_api import expect
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from contact_center.store.engine import session_factory
from contact_center.store.tables import Campaign, DialingRecord, DncNumber

from .conftest import PASSWORD, Desktop, Live, log_in

NUMBER = "+12125550101"  # New York: 10:00 there when the test's clock says so


async def test_the_dialer_places_a_call_the_agent_sees_the_record_and_script_and_the_disposition_counts(
    live: Live, desktop: Desktop, engine: AsyncEngine
) -> None:
    async with session_factory(engine).begin() as session:
        campaign = (await session.scalars(select(Campaign).where(Campaign.name == "Spring renewals"))).one()
        campaign.status, campaign.script = "running", "Hello {first name}, I am calling about your renewal."
        session.add(
            DialingRecord(
                campaign_id=campaign.id, number=NUMBER, first_name="Rita", last_name="Lee", data={"plan": "gold"}
            )
        )
    page = desktop.page
    await log_in(page, live.base, "/desk", "agent", PASSWORD)
    await expect(page.locator("#conn")).to_have_attribute("data-state", "connected")
    await page.keyboard.press("r")
    await expect(page.locator("#agent-state")).to_have_attribute("data-state", "available")

    (placed,) = await live.dialer.tick()
    await expect(page.locator("#incall")).to_be_visible(timeout=20_000)
    pop = page.locator("#pop")
    await expect(pop.locator("#pop-name")).to_have_text("Rita Lee")
    await expect(pop.locator("#campaign")).to_contain_text("Spring renewals")
    await expect(pop.locator("#campaign")).to_contain_text("gold")
    await expect(pop.locator("#campaign-script")).to_have_text("Hello {first name}, I am calling about your renewal.")

    await live.center.hangup(live.users["agent"], placed["call_id"])
    await expect(page.locator("#wrapup")).to_be_visible()
    await page.select_option("#disposition", "do_not_call")
    await page.click("#btn-save-wrapup")
    await expect(page.locator("#wrapup")).to_be_hidden()
    async with session_factory(engine)() as session:
        record = (await session.scalars(select(DialingRecord).where(DialingRecord.number == NUMBER))).one()
        assert record.status == "dnc" and await session.get(DncNumber, NUMBER) is not None
