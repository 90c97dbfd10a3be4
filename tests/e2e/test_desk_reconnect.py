"""The desktop cannot go stale: after its socket dies mid-call it ends in the server's state, with every
missed event applied once (replay), or a fresh snapshot when the gap is too long to replay."""

from __future__ import annotations

from playwright.async_api import Page, expect
from sqlalchemy.ext.asyncio import AsyncEngine

from contact_center.store.engine import session_factory
from contact_center.store.tables import Activity

from ..integration.services.conftest import until
from .conftest import MARIA, PASSWORD, Desktop, Live, log_in


async def applied(page: Page) -> list[int]:
    return await page.evaluate("window.deskDebug.applied.slice()")  # type: ignore[no-any-return]


async def test_the_page_converges_after_the_socket_dies_mid_call(
    live: Live, desktop: Desktop, engine: AsyncEngine
) -> None:
    page, conn, port, center = desktop.page, desktop.page.locator("#conn"), live.port, live.center
    agent_id = live.users["agent"]
    stream = live.gateway.notifier.streams.get(agent_id)
    await log_in(page, live.base, "/desk", "agent", PASSWORD)
    await expect(conn).to_have_attribute("data-state", "connected")
    await page.click("#btn-ready")
    await expect(page.locator("#agent-state")).to_have_attribute("data-state", "available")
    call_id = port.inject_call(MARIA, "5000")
    assert call_id is not None
    await live.press_when_asked(call_id, "0", "To speak with an agent")
    await expect(page.locator("#offer-name")).to_have_text("Maria Garcia", timeout=20_000)
    await page.keyboard.press("a")
    await expect(page.locator("#incall")).to_be_visible()

    # The network dies mid-call; meanwhile the customer's timeline moves and the caller hangs up.
    await desktop.network.cut()
    await expect(conn).not_to_have_attribute("data-state", "connected")
    async with session_factory(engine).begin() as session:
        session.add(
            Activity(
                type="note",
                channel="system",
                subject="Payment received",
                customer_id=live.maria,
                started_at=center.clock.now(),
                created_at=center.clock.now(),
            )
        )
    await center._push_timelines()
    port.far_end_hangup(call_id)
    await until(lambda: center.desks.wrapup(agent_id) is not None, "wrap-up to start on the server")
    await live.gateway.notifier.drain()

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
    for n in range(live.gateway.notifier.streams.capacity + 1):
        center.announce(("agent", agent_id), "phone.status", {"extension": "2001", "registered": n % 2 == 1})
    await center.extend_wrapup(agent_id, 120)
    await live.gateway.notifier.drain()
    desktop.network.restore()
    await expect(conn).to_have_attribute("data-state", "connected")
    snapshots = await page.evaluate("window.deskDebug.snapshots")
    assert len(snapshots) == 2 and snapshots[-1] == stream.seq
    state = await page.evaluate("window.deskDebug.state")
    server = await center.snapshot(agent_id)
    assert state["agent"] == server["agent"] and state["wrapup"] == server["wrapup"]
    assert state["call"] is None and state["offer"] is None
