"""Products with configuration rules and price lists by currency and segment, over HTTP: admins add them
(refused by field when they name what does not exist); a quote is priced from the list for the customer's
segment, else the currency's list for everyone, else the catalog, and refused by field when a product has no
price in the quote's currency or the lines break a product's rules."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from contact_center.seed.demo import ensure_reference


@pytest.fixture
async def reference(engine: AsyncEngine) -> None:
    await ensure_reference(engine, password="demo-password-1")


async def json_of(response: Any, status: int) -> Any:
    body = await response.json()
    assert response.status == status, body
    return body


async def test_rules_and_price_lists_price_and_check_quotes(
    reference: None, app_client: Any, agent: Any, admin: Any
) -> None:
    h, ah = agent.headers(), admin.headers()

    def product(sku: str, cents: int, **rules: Any) -> dict[str, Any]:
        return {"sku": sku, "name": sku.title(), "group": "heating", "price_cents": cents, "rules": rules}

    assert (await app_client.post("/api/v1/products", json=product("FLUE-X", 9_900), headers=h)).status == 403
    flue = await json_of(
        await app_client.post("/api/v1/products", json=product("FLUE-X", 9_900, max_quantity=2), headers=ah), 201
    )
    await json_of(await app_client.post("/api/v1/products", json=product("FLUE-X", 1), headers=ah), 409)
    basic = await json_of(await app_client.post("/api/v1/products", json=product("CTRL-B", 4_900), headers=ah), 201)
    smart = await json_of(
        await app_client.post("/api/v1/products", json=product("CTRL-S", 19_900, excludes=["CTRL-B"]), headers=ah), 201
    )
    boiler = await json_of(
        await app_client.post("/api/v1/products", json=product("BLR-X", 189_900, requires=["FLUE-X"]), headers=ah), 201
    )
    assert boiler["rules"]["requires"] == ["FLUE-X"]
    bad = await json_of(
        await app_client.post(
            "/api/v1/products",
            json=product("ODD", 1, requires=["NOPE", "ODD"], min_quantity=3, max_quantity=2),
            headers=ah,
        ),
        422,
    )
    assert [e["field"] for e in bad["errors"]] == ["rules"]  # max below min, before the SKUs are looked up
    bad = await json_of(
        await app_client.post("/api/v1/products", json=product("ODD", 1, requires=["NOPE", "ODD"]), headers=ah), 422
    )
    assert bad["errors"] == [
        {"field": "rules.requires[0]", "reason": "no product with SKU 'NOPE'"},
        {"field": "rules.requires[1]", "reason": "a product cannot name itself"},
    ]
    changed = await json_of(
        await app_client.put(f"/api/v1/products/{basic['id']}/rules", json={"max_quantity": 5}, headers=ah), 200
    )
    assert changed["rules"]["max_quantity"] == 5

    async def price_list(body: dict[str, Any], status: int) -> Any:
        return await json_of(await app_client.post("/api/v1/price-lists", json=body, headers=ah), status)

    gold = await price_list(
        {
            "name": "EUR gold",
            "currency": "EUR",
            "segment": "gold",
            "prices": [{"product_id": boiler["id"], "price_cents": 150_000}],
        },
        201,
    )
    everyone = await price_list(
        {
            "name": "EUR",
            "currency": "EUR",
            "prices": [
                {"product_id": boiler["id"], "price_cents": 170_000},
                {"product_id": flue["id"], "price_cents": 9_000},
            ],
        },
        201,
    )
    twin = await price_list(
        {"name": "EUR 2", "currency": "EUR", "prices": [{"product_id": flue["id"], "price_cents": 1}]}, 409
    )
    assert twin["duplicate_of"] == {"type": "price_list", "id": everyone["id"]}
    bad = await price_list({"name": "X", "currency": "eur", "prices": [{"product_id": 999_999, "price_cents": 1}]}, 422)
    assert [e["field"] for e in bad["errors"]] == ["currency"]
    listed = await json_of(await app_client.get("/api/v1/price-lists", headers=h), 200)
    assert [p["name"] for p in listed["items"]] == ["EUR", "EUR gold"] and gold["segment"] == "gold"

    async def opportunity(segment: str) -> int:
        customer = await json_of(
            await app_client.post(
                "/api/v1/customers", json={"first_name": "A", "last_name": segment, "segment": segment}, headers=h
            ),
            201,
        )
        deal = await json_of(
            await app_client.post(
                "/api/v1/opportunities", json={"name": "Boiler", "customer_id": customer["id"]}, headers=h
            ),
            201,
        )
        return int(deal["id"])

    def quote(deal: int, *lines: tuple[int, int], currency: str | None = "EUR") -> dict[str, Any]:
        body: dict[str, Any] = {"opportunity_id": deal, "lines": [{"product_id": p, "quantity": q} for p, q in lines]}
        return body | ({"currency": currency} if currency else {})

    gold_deal, plain_deal = await opportunity("gold"), await opportunity("standard")
    priced = await json_of(
        await app_client.post("/api/v1/quotes", json=quote(gold_deal, (boiler["id"], 1), (flue["id"], 2)), headers=h),
        201,
    )
    assert (priced["currency"], priced["total_cents"]) == ("EUR", 150_000 + 2 * 9_000)
    assert [line["price_list"] for line in priced["lines"]] == ["EUR gold", "EUR"]
    plain = await json_of(
        await app_client.post("/api/v1/quotes", json=quote(plain_deal, (boiler["id"], 1), (flue["id"], 1)), headers=h),
        201,
    )
    assert plain["total_cents"] == 170_000 + 9_000
    usd = await json_of(
        await app_client.post(
            "/api/v1/quotes", json=quote(plain_deal, (boiler["id"], 1), (flue["id"], 1), currency=None), headers=h
        ),
        201,
    )
    assert (usd["currency"], usd["total_cents"], usd["lines"][0]["price_list"]) == ("USD", 189_900 + 9_900, "catalog")

    refused = await json_of(
        await app_client.post(
            "/api/v1/quotes",
            json=quote(plain_deal, (boiler["id"], 1), (smart["id"], 1), (basic["id"], 1), (flue["id"], 3)),
            headers=h,
        ),
        422,
    )
    assert refused["errors"] == [
        {"field": "lines[1].product_id", "reason": "Ctrl-S has no price in EUR"},
        {"field": "lines[2].product_id", "reason": "Ctrl-B has no price in EUR"},
        {"field": "lines[1].product_id", "reason": "Ctrl-S cannot be sold with Ctrl-B"},
        {"field": "lines[3].quantity", "reason": "Flue-X is sold 2 at most"},
    ]
    refused = await json_of(
        await app_client.post(
            "/api/v1/quotes",
            json=quote(plain_deal, (boiler["id"], 1), (smart["id"], 1), (basic["id"], 1), currency=None),
            headers=h,
        ),
        422,
    )
    assert refused["errors"] == [
        {"field": "lines[0].product_id", "reason": "Blr-X needs FLUE-X on the same quote"},
        {"field": "lines[1].product_id", "reason": "Ctrl-S cannot be sold with Ctrl-B"},
    ]
