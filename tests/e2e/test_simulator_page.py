"""The caller simulator page: call as a number, read (and fetch the speech of) what the IVR says, press keys,
reach an agent, hang up."""

from __future__ import annotations

from playwright.async_api import expect

from .conftest import PASSWORD, Desktop, Live, log_in


async def test_a_caller_on_the_simulator_reaches_an_agent(live: Live, desktop: Desktop) -> None:
    page, center = desktop.page, live.center
    bob = live.users["bob"]
    await log_in(page, live.base, "/simulator", "admin", PASSWORD)
    await page.uncheck("#speak")  # headless: no speakers
    await page.fill("#caller", "(415) 555-0142")
    await page.click("#call")
    await expect(page.locator("#heard")).to_contain_text("Welcome back to Acme, Maria.", timeout=20_000)
    await expect(page.locator("#heard")).to_contain_text("To speak with an agent, press 0")
    await expect(page.locator("#status")).to_have_attribute("data-where", "ivr")

    audio = await page.evaluate("""async () => {
        const t = await api.get(location.pathname.replace('/simulator', '') + '/api/v1/simulator/calls/sim-1');
        const res = await fetch(t.heard[0].audio);
        return [res.status, res.headers.get('content-type'), (await res.arrayBuffer()).byteLength];
    }""")
    assert audio[0] == 200 and audio[1] == "audio/wav" and audio[2] > 8000  # espeak-ng rendered it

    await page.click("#keypad button[data-key='0']")
    await expect(page.locator("#heard li.pressed")).to_have_text("You pressed 0")
    await expect(page.locator("#status")).to_have_attribute("data-where", "queued", timeout=20_000)
    await expect(page.locator("#heard li.hold").first).to_have_text("♪ hold music")
    order = await page.evaluate("[...document.querySelectorAll('#heard li')].map((li) => li.className)")
    assert order.count("pressed") == 1 and order.index("pressed") < order.index("said hold")  # the key, then the answer
    await center.set_state(bob, "available")
    call_id = (center.desks.offer(bob) or {}).get("call_id")
    while call_id is None:
        await page.wait_for_timeout(50)
        call_id = (center.desks.offer(bob) or {}).get("call_id")
    await center.accept(bob, call_id)
    await expect(page.locator("#status")).to_have_text("Talking to bob.")
    await page.click("#hangup")
    await expect(page.locator("#status")).to_have_text("Call ended.")
    await expect(page.locator("#call")).to_be_enabled()
