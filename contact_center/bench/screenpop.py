"""`contact-center bench screenpop`: offer decided → screen-pop rendered in a real browser, on a large database.

Runs the real server (call center, IVR, routing, realtime gateway) on the SQLite file made by
`contact-center bench crm`, with the simulated telephony adapter, and a bench agent logged into headless
Debian Chromium. Each simulated caller is a random existing customer who presses 0 for an agent; the time
from the routing engine's offer to the customer's name appearing on the page is measured with one clock
(the machine's wall clock, read by the server and by the page). Also reports caller number → customer
identified (the lookup the call session makes). Figures are printed, never asserted.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import secrets
import socket
import tempfile
import time
from pathlib import Path
from typing import Any

from aiohttp import web
from sqlalchemy import func, select, update

from contact_center.bench.crm_bulk import e164_for
from contact_center.bench.loop_lag import LoopLag
from contact_center.bench.stats import percentiles
from contact_center.config import Settings
from contact_center.crm.users import add_user
from contact_center.domain.acd.events import CallOffered
from contact_center.seed.reference import ALWAYS, QUEUES
from contact_center.store import migrate
from contact_center.store.engine import engine_for_url, session_factory
from contact_center.store.tables import Calendar, Customer, Queue, User
from contact_center.telephony.events import OriginateOutcome
from contact_center.telephony.prompts import PromptLibrary
from contact_center.telephony.simulated import Programmed, SimulatedTelephony

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
EXTENSION = "2999"
WARM_UP = 100  # look-ups not counted while the operating system's cache fills


def register(kinds: Any) -> None:
    parser = kinds.add_parser("screenpop", help="offer → screen-pop rendered in Chromium, on the bench crm database")
    parser.add_argument("--database", type=Path, default=Path("var/bench/crm-1000000.db"))
    parser.add_argument("--calls", type=int, default=100)
    parser.add_argument("--json", action="store_true")
    parser.set_defaults(func=main)


def main(args: argparse.Namespace) -> int:
    if not args.database.exists():
        raise SystemExit(f"{args.database}: no such file; make it with `contact-center bench crm --customers 1000000`")
    result = asyncio.run(run(args.database, args.calls))
    print(json.dumps(result) if args.json else "\n".join(f"{k:>28}: {v}" for k, v in result.items()))
    return 0


async def _bench_agent(url: str) -> tuple[str, str, int]:
    engine = engine_for_url(url)
    await migrate.upgrade(engine)
    password = secrets.token_urlsafe(12)
    username = f"bench{secrets.token_hex(3)}"
    async with session_factory(engine).begin() as session:
        old = (await session.scalars(select(User).where(User.extension == EXTENSION))).first()
        if old is not None:
            old.extension = None
        await session.flush()
        await add_user(session, username, "agent", password, extension=EXTENSION, queues="all", skills={"english": 9})
        # The bench must not depend on the hour it runs at: every calendar open around the clock.
        await session.execute(update(Calendar).values(weekly_hours=ALWAYS, holiday_country=None))
        for name, *_rest, rules in QUEUES:  # databases seeded before the routing schema settled
            await session.execute(update(Queue).where(Queue.name == name).values(escalation=rules))
        customers = await session.scalar(select(func.max(Customer.id))) or 1
    await engine.dispose()
    return username, password, customers


async def run(database: Path, calls: int) -> dict[str, Any]:
    from playwright.async_api import async_playwright

    from contact_center.app import create_app
    from contact_center.web.keys import CALL_CENTER

    url = f"sqlite+aiosqlite:///{database}"
    username, password, customers = await _bench_agent(url)
    var = Path(tempfile.mkdtemp(prefix="cc-bench-"))
    port = SimulatedTelephony(
        PromptLibrary(var / "prompts"), speed=0.0, unprogrammed=Programmed(OriginateOutcome.ANSWERED)
    )
    app = create_app(Settings(database_url=url, var_dir=var, seed_demo=False, secret_key="bench"), telephony=port)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        http_port = s.getsockname()[1]
    await web.TCPSite(runner, "127.0.0.1", http_port).start()
    base = f"http://127.0.0.1:{http_port}"
    center = app[CALL_CENTER]
    port.program(EXTENSION, OriginateOutcome.ANSWERED)
    offered_at: dict[str, float] = {}
    center.acd.subscribe(
        lambda events: offered_at.update({e.call_id: time.time() * 1000 for e in events if isinstance(e, CallOffered)})
    )
    pops: list[float] = []
    identify: list[float] = []
    identify_alone: list[float] = []
    real_identify = center._identify

    async def timed_identify(record: Any) -> None:  # the call session's own lookup, timed where it happens
        t0 = time.perf_counter()
        await real_identify(record)
        identify.append((time.perf_counter() - t0) * 1000)

    center._identify = timed_identify  # type: ignore[method-assign]
    rng = random.Random(5)
    try:
        async with async_playwright() as pw:
            browser = await pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
            page = await (await browser.new_context(viewport={"width": 1366, "height": 768})).new_page()
            await page.goto(base + "/login?next=/desk")
            await page.fill("input[name=username]", username)
            await page.fill("input[name=password]", password)
            await page.click("button[type=submit]")
            await page.wait_for_url(base + "/desk")
            await page.wait_for_selector("#conn[data-state=connected]")
            await page.evaluate("""() => { window.__pops = [];
                new MutationObserver(() => { const t = document.getElementById('offer-name').textContent;
                  if (t) window.__pops.push([t, Date.now()]); })
                .observe(document.getElementById('offer-name'), {childList: true, characterData: true, subtree: true}); }""")
            user_id = next(uid for uid, ext in center.people.extensions.items() if ext == EXTENSION)
            await center.set_state(user_id, "available")
            lag_with_browser = LoopLag()
            await lag_with_browser.__aenter__()
            for _ in range(calls):
                customer_id = rng.randrange(1, customers + 1)
                if customer_id % 25 == 0:  # VIPs of the bulk data have an account manager the IVR routes to instead
                    customer_id += 1
                number = e164_for(customer_id)
                seen = len(await page.evaluate("window.__pops"))
                call_id = port.inject_call(number, "100")
                assert call_id is not None
                port.press(call_id, "0")
                # The page stamps the render itself (MutationObserver); polling here only notices it.
                async with asyncio.timeout(30):
                    while len(rendered_pops := await page.evaluate("window.__pops")) <= seen:  # noqa: ASYNC110
                        await asyncio.sleep(0.01)
                rendered = rendered_pops[-1][1]
                pops.append(rendered - offered_at[call_id])
                await center.accept(user_id, call_id)
                session = center.calls.conversation(call_id)
                assert session is not None
                await _until(lambda: session.record.connected_at is not None)  # noqa: B023 - awaited here
                port.far_end_hangup(call_id)
                await _until(lambda: center.desks.wrapup(user_id) is not None)
                await center.save_wrapup(user_id, call_id, "resolved", "", [])
                await _until(lambda: str(center.acd.acd.agents[str(user_id)].state) == "available")
            await lag_with_browser.__aexit__(None, None, None)
            await browser.close()
            with_browser = list(identify)
            # The same lookup with no browser on these two cores (in production it runs on the agent's PC):
            # callers the agent does not take, each hanging up once the IVR has them.
            identify.clear()
            await center.set_state(user_id, "not_ready", "bench")
            lag_alone = LoopLag()
            await lag_alone.__aenter__()
            for n in range(WARM_UP + calls):
                number = e164_for(rng.randrange(1, customers + 1))
                call_id = port.inject_call(number, "100")
                assert call_id is not None
                await _until(lambda: len(identify) > 0 and port.played and port.played[-1][0] == call_id)  # noqa: B023
                port.far_end_hangup(call_id)
                await _until(lambda: center.calls.conversation(call_id) is None)  # noqa: B023
                await asyncio.sleep(0.02)
                taken = identify.pop()
                if n >= WARM_UP:  # the first look-ups read a cold index from disk, once per start
                    identify_alone.append(taken)
            await lag_alone.__aexit__(None, None, None)
    finally:
        await runner.cleanup()
    return {
        "database": str(database),
        "customers": customers,
        "calls": calls,
        "offer_to_screen_pop_rendered_ms": percentiles(pops),
        "caller_number_to_customer_ms": percentiles(identify_alone),
        "caller_number_to_customer_with_browser_on_the_same_cores_ms": percentiles(with_browser),
        # How late the server's event loop ran what was due (a 5 ms timer), in each phase.
        "event_loop_lag_ms": lag_alone.figures(),
        "event_loop_lag_with_browser_ms": lag_with_browser.figures(),
    }


async def _until(check: Any) -> None:
    async with asyncio.timeout(30):
        while not check():  # noqa: ASYNC110 - the bench watches the server's own state
            await asyncio.sleep(0.005)
