"""From quote to order in Chromium: an agent quotes Maria's open opportunity with a configured product (a boiler
that needs its flue kit: the quote is refused by line until the kit is on it), prices it from the price list of
her segment, the customer accepts, the order shows on her record, and the back office's receiver gets the
signed ``order.created`` webhook, which the admin page lists as delivered."""

from __future__ import annotations

import json
from typing import Any

from aiohttp import web
from aiohttp.test_utils import TestServer
from playwright.async_api import Browser, expect
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from contact_center.crm import catalog
from contact_center.crm.webhooks import SubscriptionCreate, subscribe
from contact_center.domain.webhooks import signature
from contact_center.store.engine import session_factory
from contact_center.store.tables import Product

from ..conftest import T0
from ..integration.services.conftest import until
from .conftest import PASSWORD, Desktop, Live, log_in


async def test_a_configured_quote_is_won_and_the_back_office_hears_of_the_order(
    live: Live, desktop: Desktop, browser: Browser, engine: AsyncEngine
) -> None:
    received: list[dict[str, Any]] = []

    async def back_office(request: web.Request) -> web.Response:
        body = await request.read()
        received.append({"headers": dict(request.headers), "body": body})
        return web.json_response({"ok": True})

    receiver_app = web.Application()
    receiver_app.router.add_post("/orders", back_office)
    receiver = TestServer(receiver_app, host="127.0.0.1", port=0)
    await receiver.start_server()
    try:
        async with session_factory(engine).begin() as session:
            hook = await subscribe(
                session, SubscriptionCreate(url=str(receiver.make_url("/orders")), events=["order.created"]), T0
            )
            secret = hook.secret
            flue = await catalog.add_product(
                session, catalog.ProductCreate(sku="FLUE-60", name="Flue kit 60 mm", group="heating", price_cents=9_900)
            )
            boiler = (await session.scalars(select(Product).where(Product.sku == "BLR-24"))).one()
            await catalog.set_rules(session, boiler.id, catalog.RulesIn(requires=["FLUE-60"]))
            await catalog.add_price_list(
                session,
                catalog.PriceListCreate(
                    name="USD gold",
                    currency="USD",
                    segment="gold",
                    prices=[catalog.PriceIn(product_id=boiler.id, price_cents=175_000)],
                ),
            )
            boiler_id, flue_id = boiler.id, flue.id

        page = desktop.page
        await log_in(page, live.base, "/crm", "agent", PASSWORD)
        await expect(page.locator("#crm")).to_have_attribute("data-ready", "true")
        await page.fill("#search-q", "Garcia")
        await page.press("#search-q", "Enter")
        await page.click(f"#results li[data-id='{live.maria}']")
        deal = page.locator("tr[data-opportunity]", has_text="Renewal 2027")
        await deal.locator("button.quote").click()
        form = page.locator("#quote-form")
        await form.locator("select[name=product]").select_option(str(boiler_id))
        await form.locator("button[type=submit]").click()
        # The boiler alone breaks its rule: the error sits beside its line.
        await expect(form.locator('[data-error-for="lines[0].product_id"]')).to_contain_text(
            "needs FLUE-60 on the same quote"
        )
        await form.locator("#add-line").click()
        await form.locator("select[name=product]").nth(1).select_option(str(flue_id))
        await form.locator("button[type=submit]").click()
        quote = page.locator("#quote")
        await expect(quote).to_contain_text("USD gold")  # Maria is a gold customer: her segment's price
        await expect(page.locator("#quote-total")).to_contain_text("1,849.00")  # 1,750.00 + 99.00
        await page.click("#accept-quote")
        await expect(page.locator("#toast")).to_contain_text("Won: order")
        await expect(page.locator("#detail")).to_contain_text("Recent orders")
        order_number = (await page.locator("#toast").inner_text()).split("order ")[1].split(" ")[0]
        await expect(page.locator("#detail")).to_contain_text(order_number)
        await expect(page.locator("tr[data-opportunity]", has_text="Renewal 2027")).to_have_count(0)  # won: not open

        await until(lambda: received, "the order.created webhook at the back office", seconds=30)
        got = received[0]
        payload = json.loads(got["body"])
        assert payload["event"] == "order.created" and payload["data"]["number"] == order_number
        stamp = got["headers"]["X-CC-Timestamp"]
        assert got["headers"]["X-CC-Signature"] == signature(secret, stamp, got["body"])

        admin = await browser.new_context(viewport={"width": 1366, "height": 768})
        try:
            admin_page = await admin.new_page()
            await log_in(admin_page, live.base, "/admin", "admin", PASSWORD)
            await admin_page.click("nav.tabs button[data-kind=webhooks]")
            delivered = admin_page.locator("tr[data-status=delivered]")
            await expect(delivered).to_contain_text("order.created")
            await expect(delivered).to_contain_text("HTTP 200")
        finally:
            await admin.close()
    finally:
        await receiver.close()
