"""Marketing campaigns over HTTP: made by supervisors, costs and responses recorded, leads credited, a lead
converted keeps its campaign on the deal, and the effectiveness report (JSON and CSV) adds up by hand."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from contact_center.seed.demo import ensure_reference
from contact_center.store.engine import session_factory
from contact_center.store.tables import Customer, Lead, MarketingCampaign, Opportunity, Order, Product


@pytest.fixture
async def reference(engine: AsyncEngine) -> None:
    await ensure_reference(engine, password="demo-password-1")


async def json_of(response: Any, status: int) -> Any:
    body = await response.json()
    assert response.status == status, body
    return body


async def test_a_campaigns_leads_deals_costs_and_roi(
    reference: None, app_client: Any, agent: Any, make_user: Any, token_for: Any
) -> None:
    h = agent.headers()
    boss = (await token_for(await make_user("sam", "supervisor"))).headers()
    spring = {
        "name": "Spring boilers",
        "channel": "email",
        "product_group": "heating",
        "starts_on": "2026-03-01",
        "budget_cents": 100_000,
    }
    assert (await app_client.post("/api/v1/marketing-campaigns", json=spring, headers=h)).status == 403
    campaign = await json_of(await app_client.post("/api/v1/marketing-campaigns", json=spring, headers=boss), 201)
    twin = await json_of(await app_client.post("/api/v1/marketing-campaigns", json=spring, headers=boss), 409)
    assert twin["duplicate_of"] == {"type": "marketing_campaign", "id": campaign["id"]}
    bad = await json_of(
        await app_client.post(
            "/api/v1/marketing-campaigns",
            json={"name": "x", "channel": "pigeon", "starts_on": "2026-03-01", "ends_on": "2026-02-01"},
            headers=boss,
        ),
        422,
    )
    assert {e["field"] for e in bad["errors"]} == {"channel", "ends_on"}
    cid = campaign["id"]
    for amount in (40_000, 20_000):
        await json_of(
            await app_client.post(
                f"/api/v1/marketing-campaigns/{cid}/costs",
                json={"spent_on": "2026-03-02", "amount_cents": amount},
                headers=boss,
            ),
            201,
        )

    async def lead(last: str, rating: str, **extra: Any) -> int:
        body = {"first_name": "Kim", "last_name": last, "rating": rating, **extra}
        return int((await json_of(await app_client.post("/api/v1/leads", json=body, headers=h), 201))["id"])

    hot = await lead("Hot", "hot", campaign_id=cid)
    warm = await lead("Warm", "warm", campaign_id=cid)
    late = await lead("Late", "cold")  # came from nowhere, then answered the campaign: credited to it
    bad = await json_of(
        await app_client.post("/api/v1/leads", json={"last_name": "X", "campaign_id": 999_999}, headers=h), 422
    )
    assert bad["errors"] == [{"field": "campaign_id", "reason": "no marketing campaign 999999"}]
    await json_of(
        await app_client.post(
            f"/api/v1/marketing-campaigns/{cid}/responses", json={"kind": "replied", "lead_id": late}, headers=h
        ),
        201,
    )
    await json_of(
        await app_client.post(
            f"/api/v1/marketing-campaigns/{cid}/responses", json={"kind": "clicked", "lead_id": hot}, headers=h
        ),
        201,
    )
    neither = await json_of(
        await app_client.post(f"/api/v1/marketing-campaigns/{cid}/responses", json={"kind": "clicked"}, headers=h), 422
    )
    assert neither["errors"][0]["field"] == "lead_id"
    assert (
        await app_client.post(
            "/api/v1/marketing-campaigns/999999/responses", json={"kind": "clicked", "lead_id": hot}, headers=h
        )
    ).status == 404

    # Two leads become deals: one won at 4,500.00, one still open.
    won = await json_of(await app_client.post(f"/api/v1/leads/{hot}/convert", json={}, headers=h), 201)
    await json_of(await app_client.post(f"/api/v1/leads/{warm}/convert", json={}, headers=h), 201)
    deal = await json_of(await app_client.get(f"/api/v1/opportunities/{won['opportunity_id']}", headers=h), 200)
    assert deal["campaign_id"] == cid  # the deal keeps the campaign of its lead
    await json_of(
        await app_client.patch(
            f"/api/v1/opportunities/{deal['id']}", json={"stage": "won", "amount_cents": 450_000}, headers=h
        ),
        200,
    )

    report = await json_of(await app_client.get("/api/v1/marketing-campaigns", headers=h), 200)
    (row,) = report["items"]
    # By hand: 2 responses; 3 leads (1 hot); 2 deals, 1 won for 4,500.00; cost 600.00: 200.00 a lead, ROI 6.5.
    assert {k: row[k] for k in ("responses", "leads", "hot_leads", "opportunities", "won", "won_revenue_cents", "cost_cents")} == {
        "responses": 2, "leads": 3, "hot_leads": 1, "opportunities": 2, "won": 1, "won_revenue_cents": 450_000, "cost_cents": 60_000,
    }  # fmt: skip
    assert (row["cost_per_lead_cents"], row["lead_to_won"], row["roi"]) == (20_000, 0.3333, 6.5)
    csv = await app_client.get("/api/v1/marketing-campaigns?format=csv", headers=h)
    assert csv.headers["Content-Type"].startswith("text/csv")
    lines = (await csv.text()).splitlines()
    assert lines[0].startswith("name,channel,starts_on") and lines[1].startswith("Spring boilers,email,2026-03-01")


async def test_a_marketing_plans_actuals_against_its_targets(
    reference: None, app_client: Any, agent: Any, make_user: Any, token_for: Any, engine: AsyncEngine, clock: Any
) -> None:
    h = agent.headers()
    boss = (await token_for(await make_user("sam", "supervisor"))).headers()
    async with session_factory(engine).begin() as session:
        heating = (await session.scalars(select(Product).where(Product.group == "heating"))).first()
        other = (await session.scalars(select(Product).where(Product.group != "heating"))).first()
        assert heating is not None and other is not None
        spring = MarketingCampaign(
            name="Heat up", channel="email", product_group="heating", starts_on=dt.date(2026, 11, 1)
        )
        norway, sweden = (
            Customer(first_name="A", last_name="N", country="NO"),
            Customer(first_name="B", last_name="S", country="SE"),
        )
        session.add_all([spring, norway, sweden])
        await session.flush()
        session.add_all(
            [
                Lead(last_name="One", campaign_id=spring.id, customer_id=norway.id, created_at=clock.now()),
                Lead(last_name="Two", campaign_id=spring.id, created_at=clock.now()),  # no customer: no country
                Order(number="P-1", customer_id=norway.id, status="delivered", currency="USD", total_cents=0,
                      placed_at=clock.now(), items=[{"sku": heating.sku, "quantity": 2, "unit_price_cents": 100_000},
                                                     {"sku": other.sku, "quantity": 1, "unit_price_cents": 5_000}]),
                Order(number="P-2", customer_id=sweden.id, status="delivered", currency="USD", total_cents=0,
                      placed_at=clock.now(), items=[{"sku": heating.sku, "quantity": 1, "unit_price_cents": 100_000}]),
            ]
        )  # fmt: skip
    plan = {
        "period_start": "2026-11-01",
        "period_end": "2026-11-30",
        "product_group": "heating",
        "geography": "NO",
        "target_leads": 4,
        "target_revenue_cents": 400_000,
        "notes": "Win back the west coast",
    }
    assert (await app_client.post("/api/v1/marketing-plans", json=plan, headers=h)).status == 403
    made = await json_of(await app_client.post("/api/v1/marketing-plans", json=plan, headers=boss), 201)
    # By hand: one lead of a heating campaign with a Norwegian customer; 2 x 1,000.00 of heating ordered in Norway.
    assert (made["actual_leads"], made["leads_attained"]) == (1, 0.25)
    assert (made["actual_revenue_cents"], made["revenue_attained"]) == (200_000, 0.5)
    everywhere = await json_of(
        await app_client.post(
            "/api/v1/marketing-plans", json=plan | {"geography": None, "product_group": None}, headers=boss
        ),
        201,
    )
    assert everywhere["actual_revenue_cents"] == 305_000 and everywhere["actual_leads"] >= 2
    bad = await json_of(
        await app_client.post(
            "/api/v1/marketing-plans", json=plan | {"period_end": "2026-10-01", "geography": "norway"}, headers=boss
        ),
        422,
    )
    assert {e["field"] for e in bad["errors"]} == {"period_end", "geography"}
    listed = await json_of(await app_client.get("/api/v1/marketing-plans", headers=h), 200)
    assert [p["id"] for p in listed["items"]] == [made["id"], everywhere["id"]]
    sheet = await (await app_client.get("/api/v1/marketing-plans?format=csv", headers=h)).text()
    assert sheet.splitlines()[0].startswith("period_start,period_end,product_group,geography,currency,target_leads")
    assert len(sheet.splitlines()) == 3 and ",305000," in sheet.splitlines()[2]


async def test_won_revenue_in_another_currency_is_not_added_into_a_campaigns_roi(
    reference: None, app_client: Any, engine: AsyncEngine, make_user: Any, token_for: Any
) -> None:
    boss = (await token_for(await make_user("sam", "supervisor"))).headers()
    async with session_factory(engine).begin() as session:
        fair = MarketingCampaign(name="Nordic fair", channel="event", starts_on=dt.date(2026, 3, 1), currency="SEK")
        session.add(fair)
        await session.flush()
        session.add_all(
            [
                Opportunity(name="A", stage="won", amount_cents=500_000, currency="SEK", campaign_id=fair.id),
                Opportunity(name="B", stage="won", amount_cents=90_000, currency="EUR", campaign_id=fair.id),
            ]
        )
    items = (await json_of(await app_client.get("/api/v1/marketing-campaigns", headers=boss), 200))["items"]
    (row,) = [i for i in items if i["name"] == "Nordic fair"]
    assert (row["won"], row["won_revenue_cents"], row["won_in_other_currencies"]) == (2, 500_000, 1)
