"""The analytics page in Chromium: after seeded deals, leads and cases, a supervisor sees the funnel, lead
sources, cases and the customers at risk of leaving, the charts, each table's CSV, and another period on asking;
an agent is refused."""

from __future__ import annotations

import datetime as dt
from typing import Any

from playwright.async_api import expect
from sqlalchemy.ext.asyncio import AsyncEngine

from contact_center.store.engine import session_factory
from contact_center.store.tables import Case, Customer, Lead, Opportunity, Order

from .conftest import Desktop, Site, log_in


async def test_a_supervisor_reads_the_funnel_lead_sources_and_cases(
    site: Site, desktop: Desktop, engine: AsyncEngine, make_user: Any
) -> None:
    await make_user("sue", "supervisor")
    await make_user("al", "agent")
    now = dt.datetime.now(dt.UTC)
    days_ago = now - dt.timedelta(days=2)
    async with session_factory(engine).begin() as session:
        ana = Customer(first_name="Ana", last_name="Lind")
        session.add(ana)
        await session.flush()
        session.add_all(
            [
                Opportunity(name="Boiler", stage="prospecting", amount_cents=10_000, created_at=days_ago),
                Opportunity(name="Pump", stage="prospecting", amount_cents=20_000, created_at=days_ago),
                Opportunity(
                    name="Heat pump",
                    stage="won",
                    amount_cents=450_000,
                    customer_id=ana.id,
                    created_at=days_ago,
                    closed_at=days_ago,
                ),
                Order(number="E2E-1", customer_id=ana.id, total_cents=450_000, placed_at=days_ago),
                Lead(last_name="Lind", source="referral", status="converted", customer_id=ana.id, created_at=days_ago),
                Lead(last_name="Other", source="web_form", rating="hot", created_at=days_ago),
                Case(subject="Cold", customer_id=ana.id, created_at=days_ago, status="new", sla_due_at=days_ago),
                Case(subject="Cold again", customer_id=ana.id, created_at=days_ago, status="new"),
                Case(
                    subject="Noisy",
                    created_at=days_ago,
                    resolved_at=days_ago,
                    status="resolved",
                    sla_target_minutes=60,
                    sla_used_seconds=600,
                ),
            ]
        )

    page = desktop.page
    await log_in(page, site.base, "/analytics", "al")
    await expect(page.locator("body")).to_contain_text("analytics are for supervisors")
    await page.context.clear_cookies()
    await log_in(page, site.base, "/analytics", "sue")

    funnel = page.locator("#funnel")
    prospecting = funnel.locator("table.figures tbody tr", has_text="prospecting")
    await expect(prospecting.locator('[data-column="reached"]')).to_have_text("3")
    await expect(prospecting.locator('[data-column="conversion"]')).to_have_text("33.3 %")
    await expect(funnel.locator(".summary")).to_contain_text("win rate: 100.0 %")
    await expect(funnel.locator(".note")).to_contain_text("lost deal is counted at the first stage")
    referral = page.locator("#lead-sources table.figures tbody tr", has_text="referral")
    await expect(referral.locator('[data-column="won_cents"]')).to_have_text("$4,500.00")
    await expect(page.locator("#cases .summary")).to_contain_text("compliance: 100.0 %")
    at_risk = page.locator("#churn-risk table.figures tbody tr", has_text="Ana Lind")
    await expect(at_risk.locator('[data-column="score"]')).to_have_text("45")
    await expect(at_risk.locator('[data-column="reasons"]')).to_contain_text("past its SLA")
    await expect(page.locator("#churn-risk .note")).to_contain_text("Listed from 35 points")
    forecast = page.locator("#forecast table.figures tbody tr", has_text="(none)")
    await expect(forecast.locator('[data-column="won_cents"]')).to_have_text("$4,500.00")  # nobody owns the deal
    await page.select_option("#forecast-by", "product_group")
    await expect(page.locator("#forecast .note")).to_contain_text("product group")
    # The customers' figures are worked out once a day (here: asked for now), then read.
    await page.evaluate("api.post('/api/v1/analytics/profitability/refresh')")
    await page.click("#period button")
    ana_value = page.locator("#profitability table.figures tbody tr", has_text="Ana Lind")
    await expect(ana_value.locator('[data-column="revenue_cents"]')).to_have_text("$4,500.00")
    await expect(ana_value.locator('[data-column="margin"]')).to_have_text("100.0 %")
    await expect(page.locator("#profitability .note")).to_contain_text("60.00 an hour")
    for name in ("funnel", "forecast-vs-actual", "lead-sources", "cases", "contact-center"):
        await expect(page.locator(f"#{name} .chart canvas")).to_have_count(1)
    href = await funnel.locator("a.csv").get_attribute("href")
    assert href is not None and href.endswith("&format=csv")
    sheet = await page.request.get(f"{site.base}{href}")
    assert sheet.ok and (await sheet.text()).startswith("stage,deals,amount_cents,reached,conversion")

    await page.fill("#from", "2025-01-01")  # a period before any of it
    await page.fill("#to", "2025-01-31")
    await page.click("#period button")
    await expect(prospecting.locator('[data-column="reached"]')).to_have_text("0")
    await expect(page.locator("#lead-sources table.figures tbody tr")).to_have_count(0)
