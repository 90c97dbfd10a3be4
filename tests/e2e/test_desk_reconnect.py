"""The desktop cannot go stale: after its socket dies mid-call it ends in the server's state, with every
missed event applied once (replay), or a fresh snapshot when the gap is too long to replay."""

from __future__ import annotations

from typing import Any

from playwright.async_api import Page, expect

from .conftest import Desktop, Site, log_in, screen_pop


async def applied(page: Page) -> list[int]:
    return await page.evaluate("window.deskDebug.applied.slice()")  # type: ignore[no-any-return]


async def test_the_page_converges_after_the_socket_dies_mid_call(site: Site, desktop: Desktop, make_user: Any) -> None:
    alice = await make_user("alice")
    desk, page, conn = site.desk, desktop.page, desktop.page.locator("#conn")
    stream = site.gateway.notifier.streams.get(alice.user_id)
    await log_in(page, site.base, "/desk", "alice")
    await expect(conn).to_have_attribute("data-state", "connected")
    await page.click("#btn-ready")
    await expect(page.locator("#agent-state")).to_have_attribute("data-state", "available")
    desk.offer(alice.user_id, "call-7", screen_pop())
    await expect(page.locator("#offer-name")).to_have_text("Ada Lovelace")
    await page.keyboard.press("a")
    await expect(page.locator("#incall")).to_be_visible()

    # The network dies mid-call; meanwhile the customer's timeline moves and the caller hangs up.
    await desktop.network.cut()
    await expect(conn).not_to_have_attribute("data-state", "connected")
    desk.append_timeline(alice.user_id, {"type": "payment", "subject": "Payment received"})
    desk.end_call(alice.user_id, "call-7")
    await site.gateway.notifier.drain()

    desktop.network.restore()
    await expect(conn).to_have_attribute("data-state", "connected")
    await expect(page.locator("#wrapup")).to_be_visible()
    await expect(page.locator("#incall")).to_be_hidden()
    await expect(page.locator("#agent-state")).to_have_attribute("data-state", "wrap_up")
    await expect(page.locator("#ended-reason")).to_have_attribute("data-reason", "caller hung up")
    await expect(page.locator("#timeline li").first).to_contain_text("Payment received")
    # Every event exactly once and in order, caught up by replay (the only snapshot is the first load).
    assert await applied(page) == list(range(1, stream.seq + 1))
    assert await page.evaluate("window.deskDebug.snapshots") == [0]
    assert await page.locator("#timeline li", has_text="Payment received").count() == 1

    # A gap longer than the replay buffer: the page takes a snapshot and still ends in the server's state.
    await desktop.network.cut()
    await expect(conn).not_to_have_attribute("data-state", "connected")
    for n in range(site.gateway.notifier.streams.capacity + 1):
        desk.set_phone(alice.user_id, registered=n % 2 == 1)
    await desk.extend_wrapup(alice.user_id, 120)
    await site.gateway.notifier.drain()
    desktop.network.restore()
    await expect(conn).to_have_attribute("data-state", "connected")
    await expect(page.locator("#phone")).to_have_attribute("data-registered", "false")
    snapshots = await page.evaluate("window.deskDebug.snapshots")
    assert len(snapshots) == 2 and snapshots[-1] == stream.seq
    state = await page.evaluate("window.deskDebug.state")
    server = await desk.snapshot(alice.user_id)
    assert state["agent"] == server["agent"] and state["wrapup"] == server["wrapup"]
    assert state["call"] is None and state["offer"] is None
