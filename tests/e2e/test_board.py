"""The supervisor board follows agents and queues live; agents cannot open it."""

from __future__ import annotations

from typing import Any

from playwright.async_api import expect

from .conftest import Desktop, Site, log_in


async def test_the_board_is_live_and_for_supervisors_only(site: Site, desktop: Desktop, make_user: Any) -> None:
    await make_user("sam", "supervisor")
    alice = await make_user("alice")
    desk, page = site.desk, desktop.page
    desk.agent(alice.user_id, "Alice Agent")
    await log_in(page, site.base, "/board", "sam")
    await expect(page.locator("#conn")).to_have_attribute("data-state", "connected")

    await desk.set_state(alice.user_id, "available")
    row = page.locator("#agents tr[data-agent]")
    await expect(row).to_have_attribute("data-state", "available")
    await expect(row).to_contain_text("Alice Agent")
    desk.set_queues([{"name": "billing", "waiting": 3, "longest_wait_seconds": 95, "service_level": 0.8,
                      "asa_seconds": 21, "aht_seconds": 250, "abandoned": 2}])  # fmt: skip
    queue = page.locator("#queues tr[data-queue=billing]")
    await expect(queue).to_contain_text("1:35")
    await expect(queue).to_contain_text("80%")
    await expect(page.locator("#totals")).to_contain_text("3 waiting · 1 ready")
    desk.offer(alice.user_id, "call-1")
    await expect(row).to_have_attribute("data-state", "reserved")
    await expect(row).to_contain_text("call-1")

    # An agent gets a refusal page, and the socket would refuse them anyway (tests/integration/realtime).
    await page.evaluate("fetch('/api/v1/auth/logout', {method: 'POST', headers: {'X-CSRF-Token': api.csrf()}})")
    await log_in(page, site.base, "/board", "alice")
    await expect(page.locator("main.board .error")).to_contain_text("for supervisors")
