"""Customers over HTTP: create with phones in any format, lookup by number, 360, bad input."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import BaseModel

from contact_center.crm.schemas import (
    AccountOut,
    ActivityOut,
    CaseOut,
    Customer360Out,
    CustomerOut,
    OpportunityOut,
    OrderOut,
)


async def create(client: Any, login: Any, **body: Any) -> Any:
    return await client.post("/api/v1/customers", json=body, headers=login.headers())


async def test_create_stores_phones_in_e164(app_client: Any, agent: Any) -> None:
    resp = await create(
        app_client,
        agent,
        first_name="Maria",
        last_name="Garcia",
        phones=["(415) 555-0142", {"number": "004420 7946 0000", "kind": "work"}],
    )
    assert resp.status == 201
    body = await resp.json()
    assert [p["e164"] for p in body["phones"]] == ["+14155550142", "+442079460000"]
    assert body["phones"][1]["kind"] == "work"
    assert body["first_name"] == "Maria" and isinstance(body["id"], int)


@pytest.mark.parametrize(
    "query", ["(415) 555-0142", "+1 415 555 0142", "415.555.0142", "001 415 555 0142", "+14155550142"]
)
async def test_lookup_by_phone_in_any_format(app_client: Any, agent: Any, query: str) -> None:
    await create(app_client, agent, first_name="Maria", last_name="Garcia", phones=["(415) 555-0142"])
    await create(app_client, agent, first_name="Other", last_name="Person", phones=["(415) 555-0143"])
    resp = await app_client.get("/api/v1/customers", params={"phone": query}, headers=agent.headers())
    assert resp.status == 200
    items = (await resp.json())["items"]
    assert [c["last_name"] for c in items] == ["Garcia"]


async def test_lookup_of_unknown_number_is_empty_and_bad_number_is_422(app_client: Any, agent: Any) -> None:
    resp = await app_client.get("/api/v1/customers", params={"phone": "+1 212 555 0100"}, headers=agent.headers())
    assert resp.status == 200 and (await resp.json())["items"] == []
    resp = await app_client.get("/api/v1/customers", params={"phone": "hello"}, headers=agent.headers())
    assert resp.status == 422
    assert (await resp.json())["errors"][0]["field"] == "phone"


async def test_bad_fields_are_named_and_nothing_is_written(app_client: Any, agent: Any) -> None:
    resp = await create(
        app_client, agent, first_name="", last_name="X", phones=["12"], emails=["not-an-email"], timezone="Mars/Olympus"
    )
    assert resp.status == 422
    fields = {e["field"] for e in (await resp.json())["errors"]}
    assert {"first_name", "emails.0", "timezone"} <= fields
    resp = await create(app_client, agent, first_name="Ok", last_name="Name", phones=["(415) 555-0100", "12"])
    assert resp.status == 422
    assert (await resp.json())["errors"] == [
        {"field": "phones.1", "reason": "'12' has the wrong number of digits for its country"}
    ]
    listing = await (await app_client.get("/api/v1/customers", headers=agent.headers())).json()
    assert listing["items"] == []


async def test_malformed_json_and_unknown_fields(app_client: Any, agent: Any) -> None:
    resp = await app_client.post("/api/v1/customers", data=b"{nope", headers=agent.headers())
    assert resp.status == 400 and (await resp.json())["error"] == "bad_json"
    resp = await create(app_client, agent, first_name="A", last_name="B", shoe_size=44)
    assert resp.status == 422
    assert (await resp.json())["errors"][0]["field"] == "shoe_size"


async def test_unknown_ids_are_404_and_bad_references_422(app_client: Any, agent: Any) -> None:
    assert (await app_client.get("/api/v1/customers/999", headers=agent.headers())).status == 404
    assert (await app_client.get("/api/v1/customers/999/360", headers=agent.headers())).status == 404
    assert (await app_client.get("/api/v1/customers/abc", headers=agent.headers())).status == 404
    resp = await create(app_client, agent, first_name="A", last_name="B", account_id=42)
    assert resp.status == 422
    assert (await resp.json())["errors"][0]["field"] == "account_id"


async def test_patch_changes_only_named_fields_and_replaces_phones(app_client: Any, agent: Any) -> None:
    created = await (
        await create(app_client, agent, first_name="Jo", last_name="Doe", phones=["(415) 555-0100"])
    ).json()
    resp = await app_client.patch(
        f"/api/v1/customers/{created['id']}", json={"vip": True, "phones": ["+49 30 1234567"]}, headers=agent.headers()
    )
    assert resp.status == 200
    body = await resp.json()
    assert body["vip"] is True and body["first_name"] == "Jo"
    assert [p["e164"] for p in body["phones"]] == ["+49301234567"]
    old = await app_client.get("/api/v1/customers", params={"phone": "(415) 555-0100"}, headers=agent.headers())
    assert (await old.json())["items"] == []


async def test_search_pages_with_a_cursor(app_client: Any, agent: Any) -> None:
    for i in range(5):
        await create(app_client, agent, first_name=f"P{i}", last_name="Smith")
    await create(app_client, agent, first_name="Q", last_name="Jones")
    seen, cursor = [], None
    while True:
        params = {"q": "smi", "limit": "2"} | ({"cursor": cursor} if cursor else {})
        page = await (await app_client.get("/api/v1/customers", params=params, headers=agent.headers())).json()
        seen += [c["first_name"] for c in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == ["P0", "P1", "P2", "P3", "P4"]
    bad = await app_client.get("/api/v1/customers", params={"limit": "0"}, headers=agent.headers())
    assert bad.status == 422


async def test_customer_360_gathers_everything_the_screen_pop_needs(app_client: Any, agent: Any, admin: Any) -> None:
    h = agent.headers()
    account = await (
        await app_client.post("/api/v1/accounts", json={"name": "Acme", "phones": ["+1 415 555 0000"]}, headers=h)
    ).json()
    customer = await (
        await create(
            app_client,
            agent,
            first_name="Maria",
            last_name="Garcia",
            account_id=account["id"],
            phones=["(415) 555-0142"],
        )
    ).json()
    cid = customer["id"]
    await app_client.post("/api/v1/cases", json={"subject": "Router drops", "customer_id": cid}, headers=h)
    await app_client.post("/api/v1/cases", json={"subject": "Old", "customer_id": cid, "status": "closed"}, headers=h)
    await app_client.post(
        "/api/v1/opportunities", json={"name": "Upgrade", "customer_id": cid, "amount_cents": 50000}, headers=h
    )
    order = {
        "number": "104521",
        "customer_id": cid,
        "status": "shipped",
        "items": [{"sku": "R1", "quantity": 2, "unit_price_cents": 1250}],
    }
    assert (await app_client.post("/api/v1/orders", json=order, headers=admin.headers())).status == 201
    for i in range(25):
        await app_client.post(
            "/api/v1/activities",
            json={"type": "note", "subject": f"n{i}", "customer_id": cid, "started_at": f"2026-01-01T00:{i:02d}:00Z"},
            headers=h,
        )
    view = await (await app_client.get(f"/api/v1/customers/{cid}/360", headers=h)).json()
    assert view["customer"]["last_name"] == "Garcia"
    # The answer is what /api/openapi.json says it is, key for key.
    Customer360Out.model_validate(view)
    assert set(view) == set(Customer360Out.model_fields)
    model: type[BaseModel]
    for part, model in (("customer", CustomerOut), ("account", AccountOut)):
        assert set(view[part]) == set(model.model_fields), part
    for part, model in (
        ("activities", ActivityOut),
        ("open_cases", CaseOut),
        ("open_opportunities", OpportunityOut),
        ("recent_orders", OrderOut),
    ):
        assert all(set(row) == set(model.model_fields) for row in view[part]), part
    assert view["account"]["name"] == "Acme"
    assert [c["subject"] for c in view["open_cases"]] == ["Router drops"]
    assert [o["name"] for o in view["open_opportunities"]] == ["Upgrade"]
    assert view["recent_orders"][0]["number"] == "104521" and view["recent_orders"][0]["total_cents"] == 2500
    assert len(view["activities"]) == 20
    assert view["activities"][0]["subject"] == "n24"  # newest first
    # The account's switchboard finds its people when nobody has that number personally.
    found = await (await app_client.get("/api/v1/customers", params={"phone": "4155550000"}, headers=h)).json()
    assert [c["id"] for c in found["items"]] == [cid]


@pytest.mark.parametrize(
    ("path", "status"),
    [
        ("/api/v1/customers/%C2%B2", 404),
        ("/api/v1/customers/99999999999999999999", 404),
        ("/api/v1/customers?cursor=99999999999999999999", 422),
        ("/api/v1/customers?q=%C2%B2", 200),
        ("/api/v1/cases?customer_id=%C2%B2", 422),
        ("/api/v1/activities?customer_id=99999999999", 422),
        ("/api/v1/accounts?q=%00", 400),
    ],
)
async def test_odd_ids_and_queries_are_client_errors(app_client: Any, agent: Any, path: str, status: int) -> None:
    assert (await app_client.get(path, headers=agent.headers())).status == status


async def test_huge_numbers_nul_and_nan_in_bodies_are_refused(app_client: Any, agent: Any) -> None:
    resp = await create(app_client, agent, first_name="A", last_name="B", account_id=2**40)
    assert resp.status == 422 and (await resp.json())["errors"][0]["field"] == "account_id"
    resp = await create(app_client, agent, first_name="a\u0000b", last_name="B")
    assert resp.status == 422 and (await resp.json())["errors"][0]["field"] == "body"
    resp = await app_client.post(
        "/api/v1/activities", data=b'{"type": "note", "details": {"x": NaN}}', headers=agent.headers()
    )
    assert resp.status == 400


async def test_search_treats_wildcards_literally(app_client: Any, agent: Any) -> None:
    await create(app_client, agent, first_name="Ann", last_name="Lee")
    page = await (await app_client.get("/api/v1/customers", params={"q": "%"}, headers=agent.headers())).json()
    assert page["items"] == []
    page = await (await app_client.get("/api/v1/customers", params={"q": "le"}, headers=agent.headers())).json()
    assert [c["last_name"] for c in page["items"]] == ["Lee"]


async def test_every_output_phone_has_number_and_can_be_sent_back(app_client: Any, agent: Any) -> None:
    h = agent.headers()
    account = await (
        await app_client.post("/api/v1/accounts", json={"name": "Acme", "phones": ["+1 415 555 0000"]}, headers=h)
    ).json()
    created = await (
        await create(
            app_client,
            agent,
            first_name="Maria",
            last_name="Garcia",
            account_id=account["id"],
            phones=["(415) 555-0142", {"number": "+44 20 7946 0000", "kind": "work"}],
        )
    ).json()
    cid = created["id"]
    expected = [
        {"number": "+14155550142", "e164": "+14155550142", "kind": "mobile"},
        {"number": "+442079460000", "e164": "+442079460000", "kind": "work"},
    ]
    view = await (await app_client.get(f"/api/v1/customers/{cid}/360", headers=h)).json()
    outputs = {
        "create": created["phones"],
        "get": (await (await app_client.get(f"/api/v1/customers/{cid}", headers=h)).json())["phones"],
        "list": (await (await app_client.get("/api/v1/customers", params={"q": "Garcia"}, headers=h)).json())["items"][
            0
        ]["phones"],
        "lookup": (await (await app_client.get("/api/v1/customers", params={"phone": "4155550142"}, headers=h)).json())[
            "items"
        ][0]["phones"],
        "lookup via account": (
            await (await app_client.get("/api/v1/customers", params={"phone": "4155550000"}, headers=h)).json()
        )["items"][0]["phones"],
        "360": view["customer"]["phones"],
    }
    for where, phones in outputs.items():
        assert phones == expected, where
    account_phone = [{"number": "+14155550000", "e164": "+14155550000", "kind": "mobile"}]
    assert view["account"]["phones"] == account_phone
    assert (await (await app_client.get(f"/api/v1/accounts/{account['id']}", headers=h)).json())[
        "phones"
    ] == account_phone
    # Output objects are input again: the record is unchanged when its phones are sent back.
    resp = await app_client.patch(f"/api/v1/customers/{cid}", json={"phones": created["phones"]}, headers=h)
    assert resp.status == 200 and (await resp.json())["phones"] == expected
    resp = await app_client.patch(f"/api/v1/customers/{cid}", json={"phones": [{"e164": "+14155550199"}]}, headers=h)
    assert resp.status == 200 and [p["number"] for p in (await resp.json())["phones"]] == ["+14155550199"]


async def test_an_unencoded_plus_in_the_phone_query_still_means_plus(app_client: Any, agent: Any) -> None:
    await create(app_client, agent, first_name="Jane", last_name="London", phones=["+44 20 7946 0000"])
    await create(app_client, agent, first_name="Not", last_name="Her", phones=["(442) 079-4600"])
    for query in ("phone=+442079460000", "phone=+44%2020%207946%200000", "phone=%2B442079460000"):
        resp = await app_client.get(f"/api/v1/customers?{query}", headers=agent.headers())
        assert resp.status == 200, query
        assert [c["last_name"] for c in (await resp.json())["items"]] == ["London"], query


@pytest.mark.parametrize(
    ("method", "path", "body", "fields"),
    [
        (
            "POST",
            "/api/v1/customers",
            {"first_name": "", "last_name": "X", "phones": ["12"]},
            {"first_name", "phones.0"},
        ),
        (
            "POST",
            "/api/v1/customers",
            {"first_name": "A", "last_name": "X", "phones": ["(415) 555-0100", {"number": "x"}], "vip": "maybe"},
            {"phones.1", "vip"},
        ),
        (
            "PATCH",
            "/api/v1/customers/{customer}",
            {"last_name": "", "phones": ["12", "34"]},
            {"last_name", "phones.0", "phones.1"},
        ),
        ("POST", "/api/v1/accounts", {"name": "", "phones": ["12"]}, {"name", "phones.0"}),
        ("PATCH", "/api/v1/accounts/{account}", {"timezone": "Mars/Base", "phones": ["12"]}, {"timezone", "phones.0"}),
        ("POST", "/api/v1/leads", {"last_name": "", "phone": "12"}, {"last_name", "phone"}),
        ("PATCH", "/api/v1/leads/{lead}", {"score": 500, "phone": "garbage!!"}, {"score", "phone"}),
    ],
)
async def test_one_answer_names_every_bad_field_phones_included(
    app_client: Any, agent: Any, method: str, path: str, body: dict[str, Any], fields: set[str]
) -> None:
    h = agent.headers()
    ids = {
        "customer": (await (await create(app_client, agent, first_name="Jo", last_name="Doe")).json())["id"],
        "account": (await (await app_client.post("/api/v1/accounts", json={"name": "Acme"}, headers=h)).json())["id"],
        "lead": (await (await app_client.post("/api/v1/leads", json={"last_name": "Ng"}, headers=h)).json())["id"],
    }
    resp = await app_client.request(method, path.format(**ids), json=body, headers=h)
    assert resp.status == 422
    errors = (await resp.json())["errors"]
    assert {e["field"] for e in errors} == fields
    phone_errors = [e["reason"] for e in errors if e["field"].startswith("phone")]
    assert phone_errors and all("phone number" in r or "digits" in r for r in phone_errors), phone_errors


async def test_accounts_have_emails_address_time_zone_language_tags_vip_and_segment(
    app_client: Any, agent: Any
) -> None:
    h = agent.headers()
    body: dict[str, Any] = {
        "name": "Acme GmbH",
        "emails": ["info@acme.example"],
        "language": "de",
        "timezone": "Europe/Berlin",
        "vip": True,
        "segment": "enterprise",
        "tags": ["reseller"],
        "address": {"street": "Torstraße 1", "city": "Berlin", "postal_code": "10119", "country": "DE"},
    }
    resp = await app_client.post("/api/v1/accounts", json=body, headers=h)
    assert resp.status == 201
    account = await resp.json()
    assert {k: account[k] for k in body} == {**body, "address": {**body["address"], "region": ""}}
    changed = await (
        await app_client.patch(f"/api/v1/accounts/{account['id']}", json={"vip": False, "language": "en"}, headers=h)
    ).json()
    assert changed["vip"] is False and changed["language"] == "en" and changed["emails"] == ["info@acme.example"]
    resp = await app_client.post(
        "/api/v1/accounts", json={"name": "X", "emails": ["nope"], "language": "German"}, headers=h
    )
    assert resp.status == 422
    assert {e["field"] for e in (await resp.json())["errors"]} == {"emails.0", "language"}
