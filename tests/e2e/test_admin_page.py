"""The administration page in Chromium: an admin makes a calendar, a queue on it and an agent in it, and a
call placed on the simulated line reaches that agent; a supervisor may look but not change."""

from __future__ import annotations

import json
import re

from playwright.async_api import Page, expect

from ..integration.services.conftest import until
from .conftest import MARIA, PASSWORD, Desktop, Live, log_in

ALWAYS = {day: [["00:00", "24:00"]] for day in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")}


async def _new(page: Page, kind: str, fields: dict[str, str]) -> None:
    await page.click(f"nav.tabs button[data-kind={kind}]")
    await page.click("#new-record")
    for name, value in fields.items():
        await page.fill(f"#record-form [data-field={name}]", value)
    await page.click("#save-record")
    await expect(page.locator("#form-error")).to_be_hidden()
    key = fields.get("name") or fields.get("username") or fields.get("code")
    await expect(page.locator(f"#records tr[data-key='{key}']")).to_be_visible()


async def test_an_admin_sets_up_a_queue_and_an_agent_who_then_takes_a_call(live: Live, desktop: Desktop) -> None:
    page, center, port = desktop.page, live.center, live.port
    await log_in(page, live.base, "/admin", "admin", PASSWORD)
    await expect(page.locator("#records tbody tr").first).to_be_visible()  # the queues of the organisation

    await _new(page, "calendars", {"name": "always", "weekly_hours": json.dumps(ALWAYS)})
    await _new(page, "queues", {"name": "claims", "display_name": "Claims", "calendar": "always"})
    await page.click("#records tr[data-key=claims]")
    await expect(page.locator("#record-form [data-field=calendar]")).to_have_value("always")
    await _new(
        page,
        "users",
        {
            "username": "nina",
            "display_name": "Nina Okafor",
            "extension": "2077",
            "skills": json.dumps({"english": 5}),
            "queues": json.dumps({"claims": 1, "vip": 1, "general": 1}),
            "password": "nina-secret-1",
        },
    )
    # A bad record is refused, saying which field and why, and nothing is made.
    await page.click("nav.tabs button[data-kind=skills]")
    await page.click("#new-record")
    await page.fill("#record-form [data-field=name]", "no spaces")
    await page.click("#save-record")
    await expect(page.locator("#form-error")).to_contain_text("name")

    nina = await until(lambda: center.people.usernames.get("nina"), "routing to know nina")
    agent = center.acd.acd.agents[str(nina)]
    assert agent.tiers == {"claims": 1, "vip": 1, "general": 1}
    await center.set_state(nina, "available")
    call_id = port.inject_call(MARIA, "5000")
    await live.press_when_asked(call_id, "0", "To speak with an agent")
    offer = await until(lambda: center.desks.offer(nina), "the call offered to nina")
    assert offer["call_id"] == call_id

    await page.click("nav.tabs button[data-kind=audit]")
    await expect(page.locator("#records tr[data-action='user.create']")).to_be_visible()
    await expect(page.locator("#records tr[data-action='queue.create']")).to_be_visible()


async def test_a_supervisor_reads_the_configuration_but_cannot_change_it(live: Live, desktop: Desktop) -> None:
    page = desktop.page
    await log_in(page, live.base, "/admin", "supervisor", PASSWORD)
    await expect(page.locator("#records tbody tr").first).to_be_visible()
    await expect(page.locator("#new-record")).to_be_hidden()
    await page.locator("#records tbody tr").first.click()
    await expect(page.locator("#editor")).to_be_visible()
    await expect(page.locator("#save-record")).to_be_hidden()


async def test_an_admin_opens_a_flow_and_a_broken_edit_is_refused_line_by_line(live: Live, desktop: Desktop) -> None:
    page = desktop.page
    await log_in(page, live.base, "/admin", "admin", PASSWORD)
    await page.click("nav.tabs button[data-kind=flows]")
    await page.click("#records tr[data-key=main]")
    text = page.locator("#flow-text")
    await expect(text).to_have_value(re.compile("main_menu"))
    original = await text.input_value()
    await expect(page.locator("#flow-loaded")).to_contain_text("loaded")
    await text.fill(original.replace("next: main_menu", "next: no_such_node", 1))
    await page.click("#save-flow")
    await expect(page.locator("#flow-errors li").first).to_contain_text("main.yaml:")
    await expect(page.locator("#flow-errors")).to_contain_text("no_such_node")
    served = await page.evaluate("api.get('/api/v1/flows/main')")
    assert served["text"] == original  # refused: nothing was written


async def test_a_supervisor_writes_and_retires_a_knowledge_base_article(live: Live, desktop: Desktop) -> None:
    page = desktop.page
    await log_in(page, live.base, "/admin", "supervisor", PASSWORD)
    await page.click("nav.tabs button[data-kind=kb]")
    await page.click("#new-record")
    await page.fill("#record-form [data-field=title]", "Resetting a router")
    await page.fill("#record-form [data-field=body]", "Hold the reset button for ten seconds.")
    await page.click("#save-record")
    await expect(page.locator("#form-error")).to_be_hidden()
    row = page.locator("#records tr", has_text="Resetting a router")
    await expect(row).to_be_visible()
    found = await page.evaluate("api.get('/api/v1/kb/search?q=resetting')")
    assert "Resetting a router" in [a["title"] for a in found["items"]]
    await page.click("#remove-record")  # Retire: kept, no longer listed or found
    await expect(row).to_have_count(0)
    found = await page.evaluate("api.get('/api/v1/kb/search?q=resetting')")
    assert "Resetting a router" not in [a["title"] for a in found["items"]]
