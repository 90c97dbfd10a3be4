"""An agent's whole call in the browser: ready, offer with screen-pop, accept, hold, notes, transfer, wrap-up."""

from __future__ import annotations

from typing import Any

from playwright.async_api import expect

from .conftest import Desktop, Site, log_in, screen_pop


async def test_a_call_from_offer_to_wrap_up(site: Site, desktop: Desktop, make_user: Any) -> None:
    alice = await make_user("alice")
    desk, page = site.desk, desktop.page
    await log_in(page, site.base, "/desk", "alice")
    await expect(page.locator("#conn")).to_have_attribute("data-state", "connected")
    await expect(page.locator("#agent-state")).to_have_attribute("data-state", "offline")

    await page.keyboard.press("r")
    await expect(page.locator("#agent-state")).to_have_attribute("data-state", "available")
    assert desk.agent(alice.user_id).state == "available"

    desk.offer(alice.user_id, "call-1", screen_pop(), queue="billing", caller_number="+15550100100", waited_seconds=42)
    await expect(page.locator("#offer-name")).to_have_text("Ada Lovelace")
    await expect(page.locator("#offer-detail")).to_contain_text("queue billing · waited 0:42")
    pop = page.locator("#pop")
    await expect(pop.locator("#pop-name")).to_contain_text("Ada Lovelace")
    await expect(pop.locator(".tag.vip")).to_have_text("VIP")
    await expect(pop.locator("#ivr")).to_contain_text("welcome → main_menu → billing")
    await expect(pop).to_contain_text("Broken delivery")
    await expect(pop).to_contain_text("Renewal 2027")
    await expect(pop).to_contain_text("SO-1001")
    await expect(pop).to_contain_text("Analytical Engines Ltd")
    await expect(page.locator("#kb-suggest")).to_contain_text("delivery")

    await page.click("#btn-accept")
    await expect(page.locator("#incall")).to_be_visible()
    await expect(page.locator("#call-name")).to_have_text("Ada Lovelace")
    assert desk.agent(alice.user_id).state == "on_call"

    await page.keyboard.press("Shift+H")
    await expect(page.locator("#held-tag")).to_be_visible()
    assert desk.agent(alice.user_id).call["held"] is True
    await page.keyboard.press("Shift+H")
    await expect(page.locator("#held-tag")).to_be_hidden()
    assert desk.agent(alice.user_id).call["held"] is False

    await page.fill("#note-text", "Wants the invoice resent")
    await page.click("#note-form button[type=submit]")
    await expect(page.locator("#timeline li").first).to_contain_text("Wants the invoice resent")
    desk.append_timeline(alice.user_id, {"type": "email", "subject": "Invoice resent by billing"})
    await expect(page.locator("#timeline li").first).to_contain_text("Invoice resent by billing")

    await page.fill("#transfer-target", "sales")
    await page.check("#transfer-warm")
    await page.click("#btn-transfer")
    await expect(page.locator("#toast")).to_have_text("a warm transfer goes to an agent")
    await page.select_option("#transfer-kind", "agent")
    await page.fill("#transfer-target", "7")
    await page.click("#btn-transfer")
    await expect(page.locator("#consult")).to_be_visible()
    await expect(page.locator("#consult-text")).to_have_text("Talking with agent 7; the caller is on hold")
    await expect(page.locator("#held-tag")).to_be_visible()
    await page.click("#btn-complete-transfer")
    await expect(page.locator("#wrapup")).to_be_visible()
    await expect(page.locator("#agent-state")).to_have_attribute("data-state", "wrap_up")
    assert ("transfer", alice.user_id, {"call_id": "call-1", "queue": None, "agent_id": 7, "warm": True}) in desk.commands
    assert ("complete_transfer", alice.user_id, {"call_id": "call-1"}) in desk.commands

    await page.click("#btn-save-wrapup")
    await expect(page.locator("#toast")).to_have_text("Choose a disposition first")
    assert desk.wrapups == []
    await expect(page.locator("#wrapup-notes")).to_have_value("Wants the invoice resent")
    await page.select_option("#disposition", "resolved")
    await page.click("[data-follow=case]")
    await page.click("[data-follow=callback]")
    await page.click("#btn-save-wrapup")
    await expect(page.locator("#agent-state")).to_have_attribute("data-state", "available")
    await expect(page.locator("#wrapup")).to_be_hidden()
    saved = desk.wrapups[-1]
    assert saved["disposition"] == "resolved" and saved["notes"] == "Wants the invoice resent"
    assert [(f["type"], f["customer_id"]) for f in saved["follow_ups"]] == [("case", 41), ("callback", 41)]
    assert saved["follow_ups"][1]["at"].endswith("Z")
    await expect(page.locator("#ended-reason")).to_have_attribute("data-reason", "transferred")
