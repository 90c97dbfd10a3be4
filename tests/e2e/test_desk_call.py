"""An agent's whole call in the browser, against the real call center: ready, offer with the CRM's screen-pop,
accept, hold, notes, the timeline moving live, transfer, wrap-up with a disposition and follow-ups."""

from __future__ import annotations

from playwright.async_api import expect
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from contact_center.clock import FixedClock
from contact_center.store.engine import session_factory
from contact_center.store.tables import Activity, Case

from ..integration.services.conftest import until
from .conftest import MARIA, PASSWORD, Desktop, Live, log_in


async def test_a_call_from_offer_to_wrap_up(live: Live, desktop: Desktop, engine: AsyncEngine) -> None:
    page, port = desktop.page, live.port
    agent_id = live.users["agent"]
    await log_in(page, live.base, "/desk", "agent", PASSWORD)
    await expect(page.locator("#conn")).to_have_attribute("data-state", "connected")
    await expect(page.locator("#agent-state")).to_have_attribute("data-state", "offline")
    await page.keyboard.press("r")
    await expect(page.locator("#agent-state")).to_have_attribute("data-state", "available")

    call_id = port.inject_call(MARIA, "5000")
    assert call_id is not None
    await live.press_when_asked(call_id, "0", "To speak with an agent")  # a known caller hears the main menu at once
    await expect(page.locator("#offer-name")).to_have_text("Maria Garcia", timeout=20_000)
    await expect(page.locator("#offer-detail")).to_contain_text(f"{MARIA} → 5000 · queue vip")
    pop = page.locator("#pop")
    await expect(pop.locator("#pop-name")).to_contain_text("Maria Garcia")
    await expect(pop.locator(".tag.vip")).to_have_text("VIP")
    await expect(pop.locator("#ivr")).to_contain_text("Main menu")  # the flow's labels, not its node ids
    await expect(pop.locator("#ivr .inputs")).to_contain_text("Main menu 0")
    await expect(pop.locator("#ivr .path")).to_contain_text("Main menu → VIP queue")
    await expect(pop).to_contain_text("Garcia Imports")
    await expect(pop).to_contain_text("Broken delivery")
    await expect(pop.locator(".sla")).to_contain_text("due in")
    await expect(pop).to_contain_text("Renewal 2027")
    await expect(pop).to_contain_text("SO-1001")
    await expect(page.locator("#local-time")).to_contain_text("local")
    await expect(page.locator("#kb-suggest")).to_contain_text("shipping")
    # Readable at 1366x768: the page itself never scrolls, each panel scrolls inside.
    fits = await page.evaluate(
        "[document.documentElement.scrollWidth <= innerWidth, document.documentElement.scrollHeight <= innerHeight]"
    )
    assert fits == [True, True]

    await page.click("#btn-accept")
    await expect(page.locator("#incall")).to_be_visible()
    await expect(page.locator("#call-name")).to_have_text("Maria Garcia")
    assert str(live.center.acd.acd.agents[str(agent_id)].state) == "on_call"

    await page.keyboard.press("Shift+H")
    await expect(page.locator("#held-tag")).to_be_visible()
    assert live.center.acd.acd.calls[call_id].held_since is not None
    await page.keyboard.press("Shift+H")
    await expect(page.locator("#held-tag")).to_be_hidden()
    assert live.center.acd.acd.calls[call_id].held_since is None

    await page.fill("#note-text", "Wants the invoice resent")
    await page.click("#note-form button[type=submit]")
    await expect(page.locator("#notes li")).to_have_text("Wants the invoice resent")
    # Someone else writes to Maria's timeline while she is on the line: it shows up on the desktop.
    async with session_factory(engine).begin() as session:
        session.add(
            Activity(
                type="email",
                channel="email",
                direction="outbound",
                subject="Invoice resent by billing",
                customer_id=live.maria,
                started_at=live.center.clock.now(),
                created_at=live.center.clock.now(),
            )
        )
    await expect(page.locator("#timeline li").first).to_contain_text("Invoice resent by billing", timeout=10_000)

    await page.focus("#transfer-target")
    await page.select_option("#transfer-target", "queue:sales")
    await page.check("#transfer-warm")
    await page.click("#btn-transfer")
    await expect(page.locator("#toast")).to_contain_text("a warm transfer goes to an agent")
    await page.uncheck("#transfer-warm")
    await live.center.set_state(live.users["bob"], "available")  # someone in sales to take it
    await page.click("#btn-transfer")  # blind, to the sales queue
    await expect(page.locator("#wrapup")).to_be_visible()
    await expect(page.locator("#agent-state")).to_have_attribute("data-state", "wrap_up")
    await expect(page.locator("#ended-reason")).to_have_attribute("data-reason", "transferred")
    assert live.center.acd.acd.calls[call_id].queue_id == "sales"
    offer = await until(lambda: live.center.desks.offer(live.users["bob"]), "the transferred call offered to bob")
    assert offer["screen_pop"]["transfer"]["notes"][0] == "Wants the invoice resent"

    await page.click("#btn-save-wrapup")
    await expect(page.locator("#toast")).to_have_text("Choose a disposition first")
    await expect(page.locator("#wrapup-notes")).to_have_value("Wants the invoice resent")
    await page.select_option("#disposition", "resolved")
    await page.click("#pop button:has-text('Update')")  # the open case, updated from the wrap-up
    await page.select_option("#follow-ups select[aria-label='case status']", "pending_customer")
    await page.click("[data-follow=callback]")
    await page.click("#btn-save-wrapup")
    await expect(page.locator("#agent-state")).to_have_attribute("data-state", "available")
    await expect(page.locator("#wrapup")).to_be_hidden()

    async with session_factory(engine)() as session:
        rows = (
            await session.scalars(select(Activity).where(Activity.interaction_id == call_id).order_by(Activity.id))
        ).all()
        case = (await session.scalars(select(Case).where(Case.customer_id == live.maria))).one()
    part = next(a for a in rows if a.type == "call")
    assert part.outcome == "transferred" and part.disposition == "resolved" and part.agent_id == agent_id
    assert "Wants the invoice resent" in part.details["notes"]
    assert case.status == "pending_customer"
    callback = next(a for a in rows if a.type == "callback")
    assert callback.customer_id == live.maria and callback.outcome == "scheduled" and callback.details["queue"] == "vip"


async def test_a_wrap_up_that_runs_out_keeps_the_form_and_saves_the_disposition_later(
    live: Live, desktop: Desktop, engine: AsyncEngine
) -> None:
    page, port, center = desktop.page, live.port, live.center
    await log_in(page, live.base, "/desk", "agent", PASSWORD)
    await expect(page.locator("#conn")).to_have_attribute("data-state", "connected")
    await page.keyboard.press("r")
    await expect(page.locator("#agent-state")).to_have_attribute("data-state", "available")
    call_id = port.inject_call(MARIA, "5000")
    assert call_id is not None
    await live.press_when_asked(call_id, "0", "To speak with an agent")
    await page.click("#btn-accept", timeout=20_000)
    await expect(page.locator("#incall")).to_be_visible()
    port.far_end_hangup(call_id)
    await expect(page.locator("#wrapup")).to_be_visible()
    await page.fill("#wrapup-notes", "Typed before I was called away")

    clock = center.clock
    assert isinstance(clock, FixedClock)
    clock.advance(3600)  # the wrap-up time runs out while the agent is away from the desk
    await center.acd.advance()
    await expect(page.locator("#wrapup-timer")).to_contain_text("disposition pending")
    await expect(page.locator("#agent-state")).to_have_attribute("data-state", "available")
    await expect(page.locator("#wrapup-notes")).to_have_value("Typed before I was called away")

    await page.select_option("#disposition", "resolved")
    await page.click("#btn-save-wrapup")
    await expect(page.locator("#wrapup")).to_be_hidden()
    async with session_factory(engine)() as session:
        rows = (
            await session.scalars(select(Activity).where(Activity.interaction_id == call_id, Activity.type == "call"))
        ).all()
    assert len(rows) == 1 and rows[0].disposition == "resolved"
    assert "Typed before I was called away" in rows[0].details["notes"]
