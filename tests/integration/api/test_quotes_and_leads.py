"""The catalog, quotes and leads over HTTP: the demo organisation has products; an opportunity is quoted from
the catalog and the accepted quote becomes a sales order while the opportunity is won; a discount over 15 %
needs a supervisor; a lead with a bad phone or e-mail is refused naming the field, a duplicate naming the
record it matches."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from contact_center.seed.demo import ensure_reference


@pytest.fixture
async def reference(engine: AsyncEngine) -> None:
    await ensure_reference(engine, password="demo-password-1")


async def test_an_opportunity_is_quoted_and_the_accepted_quote_becomes_an_order(
    reference: None, app_client: Any, agent: Any, make_user: Any, token_for: Any
) -> None:
    h = agent.headers()
    products = (await (await app_client.get("/api/v1/products", headers=h)).json())["items"]
    assert {"id", "name", "price_cents"} <= set(products[0]) and len(products) >= 5
    boiler = next(p for p in products if p["sku"] == "BLR-24")
    service = next(p for p in products if p["sku"] == "SVC-YEAR")
    customer = await (
        await app_client.post("/api/v1/customers", json={"first_name": "Ana", "last_name": "Lind"}, headers=h)
    ).json()
    opportunity = await (
        await app_client.post(
            "/api/v1/opportunities", json={"name": "New boiler", "customer_id": customer["id"]}, headers=h
        )
    ).json()
    body = {
        "opportunity_id": opportunity["id"],
        "lines": [{"product_id": boiler["id"], "quantity": 1}, {"product_id": service["id"], "quantity": 2}],
    }
    made = await app_client.post("/api/v1/quotes", json=body, headers=h)
    assert made.status == 201, await made.text()
    quote = await made.json()
    assert quote["total_cents"] == 189_900 + 2 * 14_950 and quote["total"] == 2198.0
    assert [line["sku"] for line in quote["lines"]] == ["BLR-24", "SVC-YEAR"]

    accepted = await app_client.post(f"/api/v1/quotes/{quote['id']}/accept", headers=h)
    assert accepted.status == 201, await accepted.text()
    order = await accepted.json()
    stored = await (await app_client.get(f"/api/v1/orders/{order['order_id']}", headers=h)).json()
    assert stored["total_cents"] == quote["total_cents"] and stored["customer_id"] == customer["id"]
    won = await (await app_client.get(f"/api/v1/opportunities/{opportunity['id']}", headers=h)).json()
    assert won["stage"] == "won" and won["amount_cents"] == quote["total_cents"] and won["closed_at"] is not None
    again = await app_client.post(f"/api/v1/quotes/{quote['id']}/accept", headers=h)
    assert again.status == 409

    big = {**body, "discount_percent": 20}
    refused = await app_client.post("/api/v1/quotes", json=big, headers=h)
    assert refused.status == 422 and (await refused.json())["errors"][0]["field"] == "discount_percent"
    boss = await token_for(await make_user("sue", "supervisor"))
    discounted = await app_client.post("/api/v1/quotes", json=big, headers=boss.headers())
    assert discounted.status == 201 and (await discounted.json())["total_cents"] == round(219_800 * 0.8)
    unknown = await app_client.post(
        "/api/v1/quotes", json={"opportunity_id": 999_999, "lines": [{"product_id": 999_999}]}, headers=h
    )
    assert unknown.status == 422
    assert sorted(e["field"] for e in (await unknown.json())["errors"]) == ["lines[0].product_id", "opportunity_id"]
    legacy = await app_client.patch(
        f"/api/v1/opportunities/{opportunity['id']}", json={"stage": "closed_lost"}, headers=h
    )
    assert (await legacy.json())["stage"] == "lost"  # the old stage names still mean won / lost


async def test_leads_are_checked_on_entry(reference: None, app_client: Any, agent: Any) -> None:
    h = agent.headers()
    bad_phone = await app_client.post("/api/v1/leads", json={"last_name": "Doe", "phone": "12"}, headers=h)
    assert bad_phone.status == 422 and (await bad_phone.json())["errors"][0]["field"] == "phone"
    bad_email = await app_client.post("/api/v1/leads", json={"last_name": "Doe", "email": "not-an-email"}, headers=h)
    assert bad_email.status == 422 and (await bad_email.json())["errors"][0]["field"] == "email"

    lead = await app_client.post(
        "/api/v1/leads", json={"last_name": "Doe", "phone": "(212) 555-0111", "email": "Jo@Example.com"}, headers=h
    )
    assert lead.status == 201
    first = await lead.json()
    for duplicate in ({"phone": "+1 212 555 0111"}, {"email": "jo@example.COM"}):
        clash = await app_client.post("/api/v1/leads", json={"last_name": "Again", **duplicate}, headers=h)
        assert clash.status == 409
        assert (await clash.json())["duplicate_of"] == {"type": "lead", "id": first["id"]}
    customer = await (
        await app_client.post(
            "/api/v1/customers",
            json={"first_name": "Kim", "last_name": "Ito", "phones": ["(415) 555-0188"], "emails": ["kim@ito.jp"]},
            headers=h,
        )
    ).json()
    for known in ({"phone": "415-555-0188"}, {"email": "KIM@ito.jp"}):
        clash = await app_client.post("/api/v1/leads", json={"last_name": "Ito", **known}, headers=h)
        assert clash.status == 409
        assert (await clash.json())["duplicate_of"] == {"type": "customer", "id": customer["id"]}


async def test_a_lead_converts_into_a_customer_and_an_opportunity_keeping_its_history(
    reference: None, app_client: Any, agent: Any
) -> None:
    h = agent.headers()
    lead = await (
        await app_client.post(
            "/api/v1/leads",
            json={"first_name": "Eva", "last_name": "Berg", "company": "Berg AB", "phone": "(212) 555-0177"},
            headers=h,
        )
    ).json()
    await app_client.patch(f"/api/v1/leads/{lead['id']}", json={"rating": "hot"}, headers=h)  # on its timeline
    converted = await app_client.post(f"/api/v1/leads/{lead['id']}/convert", json={}, headers=h)
    assert converted.status == 201, await converted.text()
    out = await converted.json()
    customer = await (await app_client.get(f"/api/v1/customers/{out['customer_id']}", headers=h)).json()
    assert (customer["last_name"], customer["phones"][0]["e164"]) == ("Berg", "+12125550177")
    opportunity = await (await app_client.get(f"/api/v1/opportunities/{out['opportunity_id']}", headers=h)).json()
    assert opportunity["name"] == "Berg AB" and opportunity["customer_id"] == out["customer_id"]
    again = await (await app_client.get(f"/api/v1/leads/{lead['id']}", headers=h)).json()
    assert (again["status"], again["customer_id"]) == ("converted", out["customer_id"])
    timeline = await (await app_client.get(f"/api/v1/activities?customer_id={out['customer_id']}", headers=h)).json()
    assert any(a["type"] == "lead_change" for a in timeline["items"])  # the lead's history is the customer's now
    assert (await app_client.post(f"/api/v1/leads/{lead['id']}/convert", json={}, headers=h)).status == 409


async def test_the_weighted_forecast_and_stalled_deals(
    reference: None, app_client: Any, agent: Any, make_user: Any, token_for: Any
) -> None:
    h = agent.headers()
    boss = await token_for(await make_user("sue", "supervisor"))
    for name, stage, amount, probability, close, sku in (
        ("A", "proposal", 100_000, 50, "2026-12-20", "BLR-24"),
        ("B", "negotiation", 40_000, 75, "2026-11-01", "SVC-YEAR"),  # past its close: stalled
        ("C", "lost", 5_000, 0, "2026-12-01", "BLR-24"),
    ):
        body = {
            "name": name,
            "stage": stage,
            "amount_cents": amount,
            "probability": probability,
            "expected_close": close,
            "products": [{"sku": sku}],
        }
        assert (await app_client.post("/api/v1/opportunities", json=body, headers=h)).status == 201
    url = "/api/v1/analytics/forecast?from=2026-11-01&to=2026-12-31"
    assert (await app_client.get(url, headers=h)).status == 403
    by_group = await (await app_client.get(f"{url}&by=product_group", headers=boss.headers())).json()
    rows = {(r["period"], r["key"]): (r["pipeline_cents"], r["weighted_cents"]) for r in by_group["items"]}
    assert rows == {("2026-11", "service"): (40_000, 30_000), ("2026-12", "heating"): (100_000, 50_000)}
    csv_text = await (await app_client.get(f"{url}&format=csv", headers=boss.headers())).text()
    assert csv_text.splitlines()[0] == "period,key,deals,pipeline_cents,weighted_cents,won_cents"
    bad = await app_client.get("/api/v1/analytics/forecast?from=2026-12-31&to=2026-01-01&by=x", headers=boss.headers())
    assert sorted(e["field"] for e in (await bad.json())["errors"]) == ["by", "to"]
    stalled = (await (await app_client.get("/api/v1/analytics/stalled", headers=boss.headers())).json())["items"]
    assert [s["amount_cents"] for s in stalled] == [40_000]


async def test_a_quote_is_revised_into_a_new_version_and_printed_as_the_customer_reads_it(
    reference: None, app_client: Any, agent: Any
) -> None:
    h = agent.headers()
    products = (await (await app_client.get("/api/v1/products", headers=h)).json())["items"]
    boiler = next(p for p in products if p["sku"] == "BLR-24")
    customer = await (
        await app_client.post("/api/v1/customers", json={"first_name": "Ana", "last_name": "Lind"}, headers=h)
    ).json()
    opportunity = await (
        await app_client.post(
            "/api/v1/opportunities", json={"name": "New boiler", "customer_id": customer["id"]}, headers=h
        )
    ).json()
    lines = [{"product_id": boiler["id"], "quantity": 1}]
    first = await (
        await app_client.post("/api/v1/quotes", json={"opportunity_id": opportunity["id"], "lines": lines}, headers=h)
    ).json()
    assert (first["version"], first["revises_id"]) == (1, None)

    revised = await app_client.post(
        f"/api/v1/quotes/{first['id']}/revise",
        json={"lines": [{"product_id": boiler["id"], "quantity": 2}], "discount_percent": 10},
        headers=h,
    )
    assert revised.status == 201, await revised.text()
    second = await revised.json()
    assert (second["version"], second["revises_id"], second["opportunity_id"]) == (2, first["id"], opportunity["id"])
    assert second["total_cents"] == round(2 * 189_900 * 0.9)
    old = await (await app_client.get(f"/api/v1/quotes/{first['id']}", headers=h)).json()
    assert old["status"] == "superseded" and old["total_cents"] == first["total_cents"]  # kept as it was sent
    stale = await app_client.post(f"/api/v1/quotes/{first['id']}/revise", json={"lines": lines}, headers=h)
    assert stale.status == 409 and f"revise quote {second['id']}" in (await stale.json())["message"]
    assert (await app_client.post(f"/api/v1/quotes/{first['id']}/accept", headers=h)).status == 409
    too_much = await app_client.post(
        f"/api/v1/quotes/{second['id']}/revise", json={"lines": lines, "discount_percent": 30}, headers=h
    )
    assert too_much.status == 422  # over 15 %: a supervisor's discount, as on a new quote

    page = await app_client.get(f"/quotes/{second['id']}", headers=h)
    assert page.status == 200
    html = await page.text()
    assert "Quote Q-" in html and "version 2" in html and "Ana Lind" in html
    assert "3,418.20 USD" in html and "Discount (10 %)" in html  # 2 x 1,899.00 less 10 %
    old_page = await (await app_client.get(f"/quotes/{first['id']}", headers=h)).text()
    assert "Superseded" in old_page and f"/quotes/{second['id']}" in old_page
    assert (await app_client.get("/quotes/999999", headers=h)).status == 404
    accepted = await app_client.post(f"/api/v1/quotes/{second['id']}/accept", headers=h)
    assert accepted.status == 201
