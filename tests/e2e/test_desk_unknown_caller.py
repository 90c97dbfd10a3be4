"""An unknown caller: create the customer from the call, reject, then call them back and hang up."""

from __future__ import annotations

from typing import Any

from playwright.async_api import expect

from .conftest import Desktop, Site, log_in

NUMBER = "+14155552671"


async def test_unknown_caller_create_reject_and_call_back(site: Site, desktop: Desktop, make_user: Any) -> None:
    alice = await make_user("alice")
    desk, page = site.desk, desktop.page
    await log_in(page, site.base, "/desk", "alice")
    await expect(page.locator("#conn")).to_have_attribute("data-state", "connected")
    await page.click("#btn-ready")
    await expect(page.locator("#agent-state")).to_have_attribute("data-state", "available")

    desk.offer(alice.user_id, "call-2", None, caller_number=NUMBER)
    await expect(page.locator("#pop-name")).to_have_text(f"Unknown caller {NUMBER}")
    await expect(page.locator("#offer-name")).to_have_text(f"Unknown caller {NUMBER}")
    await page.fill("#new-first", "Grace")
    await page.fill("#new-last", "Hopper")
    await page.click("#create-form button[type=submit]")
    await expect(page.locator("#pop-name")).to_contain_text("Grace Hopper")
    found = await page.evaluate(f"api.get('/api/v1/customers?phone={NUMBER.replace('+', '%2B')}')")
    assert [(c["first_name"], c["last_name"]) for c in found["items"]] == [("Grace", "Hopper")]

    await page.keyboard.press("x")
    await expect(page.locator("#ended-reason")).to_have_attribute("data-reason", "you rejected the call")
    await expect(page.locator("#agent-state")).to_have_attribute("data-state", "not_ready")
    assert desk.agent(alice.user_id).offer is None

    await page.click(f"#pop button.dial:has-text('{NUMBER}')")  # click-to-call from the customer record
    await expect(page.locator("#incall")).to_be_visible()
    assert desk.commands[-1] == ("dial", alice.user_id, {"number": NUMBER, "customer_id": found["items"][0]["id"]})
    await page.keyboard.press("h")
    await expect(page.locator("#wrapup")).to_be_visible()
    await expect(page.locator("#ended-reason")).to_have_attribute("data-reason", "you hung up")
    before = desk.agent(alice.user_id).wrapup["deadline"]
    await page.keyboard.press("e")
    await page.wait_for_function("(before) => window.deskDebug.state.wrapup.deadline !== before", arg=before)
    await expect(page.locator("#wrapup-timer")).to_contain_text("left")
    assert desk.commands[-1] == ("extend_wrapup", alice.user_id, {"seconds": 30})
