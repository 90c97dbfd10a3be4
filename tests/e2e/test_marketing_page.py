"""The campaigns' results page in Chromium: after seeded costs, leads, responses and deals, a supervisor sees
each campaign's figures and ROI in the table and the chart, and the CSV link; an agent is refused the page.
A supervisor saves a segment, puts it on a campaign's target list, and reads the plans against what happened."""

from __future__ import annotations

import datetime as dt
from typing import Any

from playwright.async_api import expect
from sqlalchemy.ext.asyncio import AsyncEngine

from contact_center.store.engine import session_factory
from contact_center.store.tables import (
    CampaignCost,
    CampaignResponse,
    Customer,
    Lead,
    MarketingCampaign,
    MarketingPlan,
    Opportunity,
)

from .conftest import Desktop, Site, log_in


async def test_a_supervisor_reads_each_campaigns_roi(
    site: Site, desktop: Desktop, engine: AsyncEngine, make_user: Any
) -> None:
    await make_user("sue", "supervisor")
    await make_user("al", "agent")
    async with session_factory(engine).begin() as session:
        spring = MarketingCampaign(
            name="Spring boilers", channel="email", starts_on=dt.date(2026, 3, 1), budget_cents=100_000
        )
        fair = MarketingCampaign(name="Home fair", channel="event", starts_on=dt.date(2026, 5, 1), budget_cents=300_000)
        session.add_all([spring, fair])
        await session.flush()
        session.add_all(
            [
                CampaignCost(campaign_id=spring.id, spent_on=dt.date(2026, 3, 2), amount_cents=60_000),
                CampaignCost(campaign_id=fair.id, spent_on=dt.date(2026, 5, 2), amount_cents=250_000),
            ]
        )
        customer = Customer(first_name="Ana", last_name="Lind")
        session.add(customer)
        await session.flush()
        for n, rating in enumerate(("hot", "warm", "cold")):
            lead = Lead(first_name="L", last_name=f"Spring {n}", rating=rating, campaign_id=spring.id)
            session.add(lead)
            await session.flush()
            session.add(
                CampaignResponse(
                    campaign_id=spring.id, kind="replied", lead_id=lead.id, at=dt.datetime(2026, 3, 5, tzinfo=dt.UTC)
                )
            )
        session.add(Lead(first_name="L", last_name="Fair", rating="warm", campaign_id=fair.id))
        session.add(
            Opportunity(
                name="Boiler", customer_id=customer.id, stage="won", amount_cents=450_000, campaign_id=spring.id
            )
        )
        session.add(
            Opportunity(
                name="Pump", customer_id=customer.id, stage="proposal", amount_cents=90_000, campaign_id=fair.id
            )
        )

    page = desktop.page
    await log_in(page, site.base, "/marketing", "al")
    await expect(page.locator("body")).to_contain_text("campaign results are for supervisors")
    await page.context.clear_cookies()
    await log_in(page, site.base, "/marketing", "sue")
    spring_row = page.locator("#campaigns tr", has_text="Spring boilers")
    await expect(spring_row).to_contain_text("$4,500.00")  # won revenue
    await expect(spring_row).to_contain_text("$200.00")  # cost per lead: 600.00 for 3 leads
    await expect(spring_row.locator(".roi")).to_have_text("650 %")  # (4,500 - 600) / 600
    await expect(page.locator("#campaigns tr", has_text="Home fair").locator(".roi")).to_have_text("-100 %")
    await expect(page.locator("#roi-chart canvas")).to_have_count(1)
    csv = await page.request.get(f"{site.base}/api/v1/marketing-campaigns?format=csv")
    assert csv.ok and "Spring boilers" in await csv.text()


async def test_a_supervisor_makes_a_segment_lists_it_for_a_campaign_and_reads_the_plans(
    site: Site, desktop: Desktop, engine: AsyncEngine, make_user: Any
) -> None:
    await make_user("sue", "supervisor")
    async with session_factory(engine).begin() as session:
        session.add(MarketingCampaign(name="Nordic mail", channel="email", starts_on=dt.date(2026, 3, 1)))
        session.add_all(
            [
                Customer(first_name="Ana", last_name="Lind", country="SE", emails=["ana@lind.se"]),
                Customer(first_name="Bo", last_name="Berg", country="SE", emails=[]),
                Customer(first_name="Cy", last_name="Cole", country="US", emails=["cy@cole.example"]),
            ]
        )
        session.add(
            MarketingPlan(
                period_start=dt.date(2026, 1, 1),
                period_end=dt.date(2026, 12, 31),
                geography="SE",
                target_leads=10,
                target_revenue_cents=1_000_000,
                notes="Grow in Sweden",
            )
        )

    page = desktop.page
    await log_in(page, site.base, "/marketing", "sue")
    await page.fill("#segment-form [name=name]", "Sweden")
    await page.fill("#segment-form [name=filter]", "country=SE")
    await page.click("#segment-form button")
    sweden = page.locator("#segments tr", has_text="Sweden")
    await expect(sweden.locator("td.num")).to_have_text("2")
    await expect(sweden).to_contain_text("country=SE")
    await page.select_option("#list-segment", label="Sweden (2)")
    await page.click("#add-segment")
    await expect(page.locator("#list-said")).to_contain_text("2 on the list (1 with an e-mail address")
    plan = page.locator("#plan-table tbody tr", has_text="Grow in Sweden")
    await expect(plan.locator(".leads-attained")).to_have_text("0 %")
    await expect(plan).to_contain_text("$10,000.00")
