"""The supervisor board follows the real call center live: agents by name and state, queues with callers
waiting, offers, alerts; agents cannot open it."""

from __future__ import annotations

from playwright.async_api import Browser, expect
from sqlalchemy.ext.asyncio import AsyncEngine

from ..conftest import T0
from ..integration.services.conftest import until
from .conftest import MARIA, PASSWORD, Desktop, Live, log_in


async def test_the_board_is_live_and_for_supervisors_only(live: Live, desktop: Desktop) -> None:
    page, center, port = desktop.page, live.center, live.port
    await log_in(page, live.base, "/board", "supervisor", PASSWORD)
    await expect(page.locator("#conn")).to_have_attribute("data-state", "connected")

    call_id = port.inject_call(MARIA, "5000")
    assert call_id is not None
    await live.press_when_asked(call_id, "0", "To speak with an agent")  # Maria is a VIP: the vip queue
    queue = page.locator("#queues tr[data-queue=vip]")
    await expect(queue.locator("td").nth(1)).to_have_text("1", timeout=20_000)
    await expect(page.locator("#totals")).to_contain_text("1 waiting · 0 ready")
    waiting = page.locator(f"#waiting tr[data-call='{call_id}']")  # who waits, where, and what they did
    await expect(waiting).to_contain_text("Maria Garcia")
    await expect(waiting).to_contain_text("vip")
    await expect(waiting).to_contain_text("Main menu")

    bob = live.users["bob"]
    await center.set_state(bob, "available")  # the waiting call is offered to bob at once
    row = page.locator(f"#agents tr[data-agent='{bob}']")
    await expect(row).to_have_attribute("data-state", "reserved")
    await expect(row).to_contain_text("bob")
    await expect(row).to_contain_text("2050")
    await expect(row).to_contain_text("Maria Garcia")  # the call shows who is on it
    await center.accept(bob, call_id)
    await expect(row).to_have_attribute("data-state", "on_call")
    await expect(queue.locator("td").nth(1)).to_have_text("0")
    await expect(waiting).to_have_count(0)

    center.announce(
        ("supervisors", None),
        "board.alert",
        {
            "call_id": "c-9",
            "queue": "vip",
            "message": "VIP caller waiting",
            "wait_seconds": 31.0,
            "at": "2026-11-23T15:00:31Z",
        },
    )
    await expect(page.locator("#alerts li").first).to_contain_text("VIP caller waiting")

    # An agent gets a refusal page, and the socket would refuse them anyway (tests/integration/realtime).
    await page.evaluate("fetch('/api/v1/auth/logout', {method: 'POST', headers: {'X-CSRF-Token': api.csrf()}})")
    await log_in(page, live.base, "/board", "bob", PASSWORD)
    await expect(page.locator("main.board .error")).to_contain_text("for supervisors")


async def test_a_supervisor_closes_a_line_now_from_the_board_and_opens_it_again(live: Live, desktop: Desktop) -> None:
    page = desktop.page
    await log_in(page, live.base, "/board", "supervisor", PASSWORD)
    row = page.locator("#calendars tr[data-calendar='support-hours']")
    await expect(row).to_be_visible(timeout=10_000)

    await row.locator("input.until").fill("23:59")
    await row.locator("button.close-now").click()  # no reason given: refused, saying so
    await expect(page.locator("#hours-error")).to_contain_text("reason")

    await row.locator("input.reason").fill("storm outage")
    await row.locator("button.close-now").click()
    await expect(row).to_have_attribute("data-status", "closed")
    await expect(row.locator(".why")).to_contain_text("storm outage")
    await expect(row.locator(".why")).to_contain_text("supervisor")

    await row.locator("button.clear").click()
    await expect(row.locator(".why")).not_to_contain_text("storm outage")
    await expect(row.locator("button.clear")).to_have_count(0)


async def test_an_alert_is_pushed_acknowledged_by_name_and_still_acknowledged_after_a_reload(
    live: Live, desktop: Desktop
) -> None:
    page, port = desktop.page, live.port
    await log_in(page, live.base, "/board", "supervisor", PASSWORD)
    await expect(page.locator("#conn")).to_have_attribute("data-state", "connected")

    call_id = port.inject_call(MARIA, "5000")
    await live.press_when_asked(call_id, "0", "To speak with an agent")
    await expect(page.locator("#queues tr[data-queue=vip] td").nth(1)).to_have_text("1", timeout=20_000)
    await live.alerts.check()  # nobody is logged in to take the VIP caller
    alert = page.locator("#alerts li[data-kind=no_agents]")
    await expect(alert).to_contain_text("no agent of the queue is logged in")
    await expect(alert).to_contain_text("vip")

    await alert.locator("button.ack").click()
    await expect(alert.locator(".acked")).to_contain_text("acknowledged by supervisor")
    await page.reload()
    await expect(page.locator("#conn")).to_have_attribute("data-state", "connected")
    alert = page.locator("#alerts li[data-kind=no_agents]")
    await expect(alert.locator(".acked")).to_contain_text("acknowledged by supervisor")
    await expect(alert.locator("button.ack")).to_have_count(0)

    assert call_id is not None
    port.far_end_hangup(call_id)


async def test_a_supervisor_acts_from_the_board_on_an_agent_and_on_a_waiting_call(
    live: Live, desktop: Desktop, browser: Browser
) -> None:
    bob = live.users["bob"]
    agent_context = await browser.new_context(viewport={"width": 1366, "height": 768})
    try:
        desk = await agent_context.new_page()
        await log_in(desk, live.base, "/desk", "bob", PASSWORD)
        await expect(desk.locator("#conn")).to_have_attribute("data-state", "connected")
        await live.center.set_state(bob, "available")
        await expect(desk.locator("#agent-state")).to_have_attribute("data-state", "available")

        page = desktop.page
        await log_in(page, live.base, "/board", "supervisor", PASSWORD)
        row = page.locator(f"#agents tr[data-agent='{bob}']")
        await expect(row).to_have_attribute("data-state", "available")
        await row.locator("button.act").click()
        await page.fill("#agent-reason", "coaching")
        await page.click("#btn-not-ready")
        await expect(row).to_have_attribute("data-state", "not_ready")
        await expect(row).to_contain_text("coaching")
        await expect(desk.locator("#agent-state")).to_have_attribute("data-state", "not_ready")  # the agent sees it

        # bob's queues and skills, changed from the board: routing has them at once.
        await row.locator("button.act").click()
        await page.fill("#agent-queues", "general:1, vip:2")
        await page.fill("#agent-skills", "english:6")
        await page.click("#btn-agent-routing")
        await expect(page.locator("#agent-actions")).to_be_hidden()
        routed = live.center.acd.acd.agents[str(bob)]
        assert dict(routed.tiers) == {"general": 1, "vip": 2} and dict(routed.skills) == {"english": 6}
        await page.select_option("#filter-state", "available")  # the grid filters: nobody ready now
        await expect(row).to_have_count(0)
        await page.select_option("#filter-state", "not_ready")
        await expect(row).to_be_visible()
        await page.select_option("#filter-state", "")

        # A VIP caller waits (bob is not ready): the supervisor moves them to general and raises their priority.
        call_id = live.port.inject_call(MARIA, "5000")
        await live.press_when_asked(call_id, "0", "To speak with an agent")
        waiting = page.locator(f"#waiting tr[data-call='{call_id}']")
        await expect(waiting).to_have_attribute("data-queue", "vip", timeout=20_000)
        await waiting.locator("button.act").click()
        await page.select_option("#move-queue", "general")
        await page.click("#btn-move")
        await expect(waiting).to_have_attribute("data-queue", "general")
        await waiting.locator("button.act").click()
        await page.fill("#priority", "9")
        await page.click("#btn-priority")
        await expect(waiting.locator("td").nth(1)).to_have_text("9")
        assert call_id is not None
        live.port.far_end_hangup(call_id)
    finally:
        await agent_context.close()


async def test_queue_tiles_follow_a_call_and_show_the_service_level_against_the_target(
    live: Live, desktop: Desktop
) -> None:
    page = desktop.page
    await log_in(page, live.base, "/board", "supervisor", PASSWORD)
    vip, everything = page.locator(".tile[data-queue=vip]"), page.locator(".tile[data-queue='*']")
    await expect(vip.locator(".big")).to_contain_text("0 waiting")
    await expect(vip.locator(".sl-today")).to_contain_text("/ 80%")  # today's (none yet) against the target
    await expect(vip.locator(".formula")).to_contain_text("answered within T")

    call_id = live.port.inject_call(MARIA, "5000")
    await live.press_when_asked(call_id, "0", "To speak with an agent")
    await expect(vip.locator(".big")).to_contain_text("1 waiting")  # pushed with board.updated, not polled
    await expect(everything.locator(".big")).to_contain_text("1 waiting")
    await expect(vip).to_have_class("tile warn")  # callers waiting and nobody of the queue logged in
    assert call_id is not None
    live.port.far_end_hangup(call_id)
    await expect(vip.locator(".big")).to_contain_text("0 waiting")


async def test_the_day_by_quarter_hour_is_charted_and_a_report_is_shown_and_downloaded(
    live: Live, desktop: Desktop
) -> None:
    page = desktop.page
    call_id = live.port.inject_call(MARIA, "5000")
    await live.press_when_asked(call_id, "0", "To speak with an agent")
    assert call_id is not None
    await until(lambda: live.center.acd.acd.waiting_calls("vip"), "the caller to wait in vip")
    live.port.far_end_hangup(call_id)  # an abandoned VIP call, in today's figures and the log
    await log_in(page, live.base, "/board", "supervisor", PASSWORD)
    await expect(page.locator("#intraday-chart .uplot canvas")).to_have_count(1)
    await expect(page.locator("#intraday-chart .u-legend")).to_contain_text("Service level %")
    await expect(page.locator("#intraday-queue option[value=vip]")).to_have_count(1)

    await page.fill("#report-from", "2026-11-23")  # the test clock's day
    await page.fill("#report-to", "2026-11-23")
    await page.click("#report-form button[type=submit]")
    await expect(page.locator("#report tr[data-name=vip]")).to_be_visible()
    href = await page.locator("#report-csv").get_attribute("href")
    assert href == "/api/v1/reports/queues?from=2026-11-23&to=2026-11-23&format=csv"
    csv = await page.evaluate("async (url) => (await fetch(url)).text()", href)
    assert csv.splitlines()[0].startswith("queue,offered,answered,abandoned,service_level,asa_seconds,aht_seconds")
    assert any(line.startswith("vip,1,0,") for line in csv.splitlines())


async def test_the_wallboard_shows_the_tiles_with_a_read_only_token_and_no_controls(
    live: Live, desktop: Desktop, engine: AsyncEngine
) -> None:
    from contact_center.crm.users import create_token
    from contact_center.store.engine import session_factory

    async with session_factory(engine).begin() as session:
        token = await create_token(session, "supervisor", "lobby TV", T0, read_only=True)
    page = desktop.page
    polled: list[str] = []
    page.on("request", lambda request: polled.append(request.url) if "/api/v1/board" in request.url else None)
    await page.goto(f"{live.base}/wallboard#token={token}")
    vip = page.locator(".tile[data-queue=vip]")
    await expect(vip.locator(".big")).to_contain_text("0 waiting")
    call_id = live.port.inject_call(MARIA, "5000")
    await live.press_when_asked(call_id, "0", "To speak with an agent")
    await expect(vip.locator(".big")).to_contain_text("1 waiting")
    assert await page.locator("button, input, select").count() == 0  # nothing to press on a TV
    assert polled == []  # the tiles move with the supervisors' socket, not by asking the server again and again
    await page.goto(f"{live.base}/wallboard?screen=2#token=not-a-token")  # a new page, not just a new fragment
    await expect(page.locator("#wall-state")).to_contain_text("not valid")
    assert call_id is not None
    live.port.far_end_hangup(call_id)


async def test_a_supervisor_whispers_then_barges_from_the_board_and_the_agent_sees_it(
    live: Live, desktop: Desktop, browser: Browser
) -> None:
    bob = live.users["bob"]
    agent_context = await browser.new_context(viewport={"width": 1366, "height": 768})
    try:
        desk = await agent_context.new_page()
        await log_in(desk, live.base, "/desk", "bob", PASSWORD)
        await expect(desk.locator("#conn")).to_have_attribute("data-state", "connected")
        await live.center.set_state(bob, "available")
        call_id = live.port.inject_call(MARIA, "5000")
        assert call_id is not None
        await live.press_when_asked(call_id, "0", "To speak with an agent")
        await until(lambda: live.center.desks.offer(bob), "the offer to bob")
        await live.center.accept(bob, call_id)
        await expect(desk.locator("#incall")).to_be_visible()

        page = desktop.page
        await log_in(page, live.base, "/board", "supervisor", PASSWORD)
        row = page.locator(f"#agents tr[data-agent='{bob}']")
        await expect(row).to_have_attribute("data-state", "on_call")
        await row.locator("button.act").click()
        await expect(page.locator("#monitor-controls")).to_be_visible()
        await page.click("#monitor-controls button[data-mode=listen]")  # the supervisor's phone answers
        await expect(row.locator(".monitor")).to_contain_text("supervisor listens")
        await expect(desk.locator("#coaching-tag")).to_be_hidden()  # listening is silent

        await page.click("#monitor-controls button[data-mode=whisper]")
        await expect(desk.locator("#coaching-tag")).to_contain_text("coaching you")
        await page.click("#monitor-controls button[data-mode=barge]")
        await expect(desk.locator("#coaching-tag")).to_contain_text("joined the call")
        await expect(row.locator(".monitor")).to_contain_text("barges")
        await desk.reload()  # the desk's snapshot still says so
        await expect(desk.locator("#coaching-tag")).to_contain_text("joined the call")

        await page.click("#btn-monitor-leave")
        await expect(desk.locator("#coaching-tag")).to_be_hidden()
        await expect(row.locator(".monitor")).to_have_count(0)
        await expect(page.locator("#monitor-state")).to_contain_text("left the call")
        live.port.far_end_hangup(call_id)
    finally:
        await agent_context.close()
