"""An unknown caller in the browser: find nobody, create the customer from the call, and the call joins their
timeline; rejecting an offer."""

from __future__ import annotations

from playwright.async_api import expect
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from contact_center.store.engine import session_factory
from contact_center.store.tables import Activity

from .conftest import PASSWORD, Desktop, Live, log_in

NUMBER = "+14155552671"


async def test_an_unknown_caller_is_created_from_the_call_and_the_call_lands_on_their_timeline(
    live: Live, desktop: Desktop, engine: AsyncEngine
) -> None:
    page, port = desktop.page, live.port
    await log_in(page, live.base, "/desk", "agent", PASSWORD)
    await expect(page.locator("#conn")).to_have_attribute("data-state", "connected")
    await page.click("#btn-ready")
    await expect(page.locator("#agent-state")).to_have_attribute("data-state", "available")

    call_id = port.inject_call(NUMBER, "5000")
    assert call_id is not None
    await live.press_when_asked(call_id, "1", "For English, press 1")
    await live.press_when_asked(call_id, "0", "To speak with an agent")
    await expect(page.locator("#offer-name")).to_have_text(f"Unknown caller {NUMBER}", timeout=20_000)
    await expect(page.locator("#pop-name")).to_have_text(f"Unknown caller {NUMBER}")
    await page.click("#link-form button[type=submit]")  # look the number up: nobody
    await expect(page.locator("#link-results")).to_contain_text("No customer found")
    await page.fill("#new-first", "Grace")
    await page.fill("#new-last", "Hopper")
    await page.click("#create-form button[type=submit]")
    await expect(page.locator("#pop-name")).to_contain_text("Grace Hopper")
    found = await page.evaluate(f"api.get('/api/v1/customers?phone={NUMBER.replace('+', '%2B')}')")
    assert [(c["first_name"], c["last_name"]) for c in found["items"]] == [("Grace", "Hopper")]
    grace = found["items"][0]["id"]

    await page.keyboard.press("a")
    await expect(page.locator("#incall")).to_be_visible()
    await expect(page.locator("#call-name")).to_have_text("Grace Hopper")
    port.far_end_hangup(call_id)
    await expect(page.locator("#wrapup")).to_be_visible()
    await page.select_option("#disposition", "resolved")
    await page.click("#btn-save-wrapup")
    await expect(page.locator("#wrapup")).to_be_hidden()
    async with session_factory(engine)() as session:
        call = (
            await session.scalars(select(Activity).where(Activity.interaction_id == call_id, Activity.type == "call"))
        ).one()
    assert call.customer_id == grace

    # Calling her back from her record: the agent's phone, then hers; the desk shows the call; hang up.
    await page.click(f"#pop button.dial:has-text('{NUMBER}')")
    await expect(page.locator("#incall")).to_be_visible()
    await expect(page.locator("#call-title")).to_have_text("Outbound call", timeout=10_000)
    await expect(page.locator("#call-name")).to_have_text("Grace Hopper")
    await page.keyboard.press("h")
    await expect(page.locator("#wrapup")).to_be_visible()
    await expect(page.locator("#ended-reason")).to_have_attribute("data-reason", "you hung up")
    before = await page.evaluate("window.deskDebug.state.wrapup.deadline")
    await page.keyboard.press("e")
    await page.wait_for_function("(before) => window.deskDebug.state.wrapup.deadline !== before", arg=before)
    await page.select_option("#disposition", "resolved")
    await page.click("#btn-save-wrapup")
    await expect(page.locator("#wrapup")).to_be_hidden()
    async with session_factory(engine)() as session:
        placed = (
            await session.scalars(select(Activity).where(Activity.type == "call", Activity.direction == "outbound"))
        ).one()
    assert (placed.customer_id, placed.outcome) == (grace, "answered")


async def test_a_rejected_offer_goes_to_the_next_agent(live: Live, desktop: Desktop) -> None:
    page, port = desktop.page, live.port
    await log_in(page, live.base, "/desk", "agent", PASSWORD)
    await expect(page.locator("#conn")).to_have_attribute("data-state", "connected")
    await page.click("#btn-ready")
    call_id = port.inject_call(NUMBER, "5000")
    await live.press_when_asked(call_id, "1", "For English, press 1")
    await live.press_when_asked(call_id, "0", "To speak with an agent")
    await expect(page.locator("#offer")).to_be_visible(timeout=20_000)
    await live.center.set_state(live.users["bob"], "available")
    await page.keyboard.press("x")
    await expect(page.locator("#ended-reason")).to_have_attribute("data-reason", "you rejected the call")
    await expect(page.locator("#offer")).to_be_hidden()
    assert (live.center.desks.offer(live.users["bob"]) or {}).get("call_id") == call_id
