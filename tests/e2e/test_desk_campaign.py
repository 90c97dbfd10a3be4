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


async def test_a_preview_campaign_shows_the_record_and_the_agent_skips_one_and_calls_the_next(
    live: Live, desktop: Desktop, engine: AsyncEngine
) -> None:
    async with session_factory(engine).begin() as session:
        campaign = (await session.scalars(select(Campaign).where(Campaign.name == "Win-back"))).one()
        campaign.status, campaign.script, campaign.retry_minutes = "running", "We miss you, {first name}.", 60
        for n, (first, number) in enumerate((("Rita", NUMBER), ("Sam", "+12125550102"))):
            session.add(
                DialingRecord(
                    campaign_id=campaign.id, number=number, first_name=first, last_name="Lee", data={"order": n}
                )
            )
    page = desktop.page
    await log_in(page, live.base, "/desk", "agent", PASSWORD)
    await expect(page.locator("#conn")).to_have_attribute("data-state", "connected")
    await page.keyboard.press("r")
    await expect(page.locator("#agent-state")).to_have_attribute("data-state", "available")

    assert await live.dialer.tick() == []  # a preview places nothing by itself: the record goes on the desk
    card = page.locator("#preview")
    await expect(card).to_be_visible()
    await expect(card.locator("#preview-name")).to_have_text("Rita Lee")
    await expect(card.locator("#preview-script")).to_have_text("We miss you, {first name}.")
    await expect(card.locator("#preview-countdown")).to_contain_text("calls in")
    await page.click("#btn-preview-skip")
    await expect(card).to_be_hidden()
    async with session_factory(engine)() as session:
        rita = (await session.scalars(select(DialingRecord).where(DialingRecord.number == NUMBER))).one()
        assert (rita.status, rita.attempts) == ("retry", 0)  # skipped: not dialled, back of the list

    await live.dialer.tick()
    await expect(card.locator("#preview-name")).to_have_text("Sam Lee")
    await page.click("#btn-preview-call")
    await expect(page.locator("#incall")).to_be_visible(timeout=20_000)
    await expect(page.locator("#pop #campaign")).to_contain_text("Win-back")
    call_id = live.center.desks.active(live.users["agent"])
    assert call_id is not None
    await live.center.hangup(live.users["agent"], call_id)
    await expect(page.locator("#wrapup")).to_be_visible()
