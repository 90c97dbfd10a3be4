"""Bad input the outside battery found answering 500: each now a 4xx naming the problem, nothing stored."""

from __future__ import annotations

from typing import Any, cast

import pytest


def _nested(depth: int) -> str:
    return "[" * depth + "]" * depth


@pytest.mark.parametrize("depth", [33, 1000, 100_000])
async def test_json_nested_too_deep_is_a_400_even_before_login(app_client: Any, depth: int) -> None:
    body = '{"username": "x", "password": ' + _nested(depth) + "}"
    answer = await app_client.post("/api/v1/auth/login", data=body, headers={"Content-Type": "application/json"})
    assert answer.status == 400
    assert (await answer.json())["error"] == "bad_json" and "deeper" in (await answer.json())["message"]


async def test_an_order_item_sent_without_quantity_or_price_takes_the_defaults(app_client: Any, admin: Any) -> None:
    made = await app_client.post(
        "/api/v1/orders",
        headers=admin.headers(),
        json={"number": "B-1", "items": [{"sku": "A", "quantity": 2, "unit_price_cents": 500}]},
    )
    order = await made.json()
    for item in cast(
        "tuple[dict[str, Any], ...]", ({"sku": "A"}, {"sku": "A", "quantity": 3}, {"sku": "A", "unit_price_cents": 250})
    ):
        changed = await app_client.patch(
            f"/api/v1/orders/{order['id']}", json={"items": [item]}, headers=admin.headers()
        )
        assert changed.status == 200, await changed.text()
        body = await changed.json()
        quantity, price = item.get("quantity", 1), item.get("unit_price_cents", 0)
        assert body["items"][0]["quantity"] == quantity and body["total_cents"] == quantity * price
    refused = await app_client.patch(
        f"/api/v1/orders/{order['id']}", json={"items": [{"quantity": 2}]}, headers=admin.headers()
    )
    assert refused.status == 422
    assert [e["field"] for e in (await refused.json())["errors"]] == ["items.0.sku"]
    kept = await (await app_client.get(f"/api/v1/orders/{order['id']}", headers=admin.headers())).json()
    assert kept["items"][0]["sku"] == "A"


@pytest.mark.parametrize("when", ["0001-01-01T00:00:00+14:00", "9999-12-31T23:59:59-12:00", "1066-10-14T09:00:00Z"])
async def test_dates_out_of_range_are_refused_by_name(app_client: Any, agent: Any, when: str) -> None:
    answer = await app_client.post(
        "/api/v1/activities", headers=agent.headers(), json={"type": "note", "started_at": when}
    )
    assert answer.status == 422
    assert [e["field"] for e in (await answer.json())["errors"]] == ["started_at"]
