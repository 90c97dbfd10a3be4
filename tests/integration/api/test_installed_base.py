"""Equipment, service contracts and entitlements over HTTP: the warranty comes from the model's catalog
entry, the contract in force is named (or the one that ended, marked inactive), and bad input is refused by
field."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from contact_center.seed.demo import ensure_reference


@pytest.fixture
async def reference(engine: AsyncEngine) -> None:
    await ensure_reference(engine, password="demo-password-1")


async def test_equipment_contracts_and_entitlements(reference: None, app_client: Any, agent: Any) -> None:
    h = agent.headers()  # the test clock says 2026-11-23
    customer = await (
        await app_client.post("/api/v1/customers", json={"first_name": "Ana", "last_name": "Lind"}, headers=h)
    ).json()
    other = await (
        await app_client.post("/api/v1/customers", json={"first_name": "Bo", "last_name": "Ek"}, headers=h)
    ).json()

    async def equipment(body: dict[str, Any]) -> Any:
        return await app_client.post("/api/v1/equipment", json=body, headers=h)

    boiler = await (
        await equipment(
            {"customer_id": customer["id"], "model": "BLR-24", "serial": "A1", "installed_on": "2025-03-10"}
        )
    ).json()
    pump = await (
        await equipment({"customer_id": customer["id"], "model": "HP-8", "serial": "P9", "installed_on": "2019-06-01"})
    ).json()
    oddity = await (await equipment({"customer_id": customer["id"], "model": "Old stove", "serial": "S"})).json()
    theirs = await (await equipment({"customer_id": other["id"], "model": "BLR-24", "serial": "B2"})).json()
    duplicate = await equipment({"customer_id": other["id"], "model": "BLR-24", "serial": "A1"})
    assert duplicate.status == 409 and (await duplicate.json())["duplicate_of"] == {
        "type": "equipment",
        "id": boiler["id"],
    }
    future = await equipment({"customer_id": 999_999, "model": "X", "serial": "1", "installed_on": "2030-01-01"})
    assert sorted(e["field"] for e in (await future.json())["errors"]) == ["customer_id", "installed_on"]

    async def contract(body: dict[str, Any]) -> Any:
        return await app_client.post("/api/v1/contracts", json=body, headers=h)

    current = await contract(
        {
            "customer_id": customer["id"],
            "tier": "premium",
            "starts_on": "2026-01-01",
            "ends_on": "2026-12-31",
            "equipment_ids": [boiler["id"]],
        }
    )
    assert current.status == 201 and (await current.json())["response_hours"] == 4
    ended = await contract(
        {
            "customer_id": customer["id"],
            "tier": "basic",
            "starts_on": "2024-01-01",
            "ends_on": "2025-12-31",
            "equipment_ids": [pump["id"]],
        }
    )
    assert ended.status == 201
    refused = await contract(
        {
            "customer_id": customer["id"],
            "tier": "gold",
            "starts_on": "2026-02-01",
            "ends_on": "2026-01-01",
            "equipment_ids": [theirs["id"]],
        }
    )
    assert refused.status == 422 and sorted(e["field"] for e in (await refused.json())["errors"]) == ["ends_on"]
    no_tier = await contract(
        {"customer_id": customer["id"], "tier": "gold", "starts_on": "2026-01-01", "ends_on": "2026-12-31"}
    )
    assert (await no_tier.json())["errors"] == [
        {"field": "tier", "reason": "no contract tier 'gold' (there are basic, standard, premium)"}
    ]
    not_theirs = await contract(
        {
            "customer_id": customer["id"],
            "tier": "basic",
            "starts_on": "2026-01-01",
            "ends_on": "2026-12-31",
            "equipment_ids": [theirs["id"]],
        }
    )
    assert not_theirs.status == 422 and (await not_theirs.json())["errors"][0]["field"] == "equipment_ids"

    found = await (await app_client.get(f"/api/v1/customers/{customer['id']}/entitlements", headers=h)).json()
    by_serial = {i["serial"]: i for i in found["items"]}
    assert by_serial["A1"]["warranty_until"] == "2027-03-09" and by_serial["A1"]["in_warranty"]
    assert by_serial["A1"]["contract"]["tier"] == "premium" and by_serial["A1"]["contract"]["active"] is True
    assert by_serial["P9"]["warranty_until"] == "2024-05-31" and not by_serial["P9"]["in_warranty"]
    assert by_serial["P9"]["contract"] == {
        "id": (await ended.json())["id"],
        "tier": "basic",
        "starts_on": "2024-01-01",
        "ends_on": "2025-12-31",
        "active": False,
    }
    assert by_serial["S"]["warranty_until"] is None and by_serial["S"]["contract"] is None
    assert oddity["product_id"] is None and boiler["product_id"] is not None
    assert (await app_client.get("/api/v1/customers/999999/entitlements", headers=h)).status == 404
    # The demo's boiler: parts for 24 months, labour for the first 12 (ended 2026-03-09).
    assert by_serial["A1"]["labour_warranty_until"] == "2026-03-09" and not by_serial["A1"]["in_labour_warranty"]

    # Warranty claims: recorded with what the warranty covers today, refused naming why when it covers nothing.
    case = await (
        await app_client.post(
            "/api/v1/cases", json={"subject": "Boiler leaks", "customer_id": customer["id"]}, headers=h
        )
    ).json()
    claims = f"/api/v1/equipment/{boiler['id']}/warranty-claims"
    filed = await app_client.post(claims, json={"problem": "Leaking valve", "case_id": case["id"]}, headers=h)
    assert filed.status == 201, await filed.text()
    claim = await filed.json()
    assert (claim["covers"], claim["case_id"], claim["claimed_on"]) == ("parts", case["id"], "2026-11-23")
    listed = await (await app_client.get(claims, headers=h)).json()
    assert [c["id"] for c in listed["items"]] == [claim["id"]]
    timeline = await (await app_client.get(f"/api/v1/activities?customer_id={customer['id']}", headers=h)).json()
    assert any(a["type"] == "warranty_claim" and "Leaking valve" in a["subject"] for a in timeline["items"])
    for piece, body, field, reason in (
        (pump, {"problem": "Noisy"}, "equipment_id", "out of warranty: it ended on 2024-05-31"),
        (oddity, {"problem": "Cold"}, "equipment_id", "has no install date"),
        (boiler, {"problem": "x", "case_id": 999_999}, "case_id", "no case 999999"),
        (boiler, {"problem": "  "}, "problem", ""),
    ):
        refused = await app_client.post(f"/api/v1/equipment/{piece['id']}/warranty-claims", json=body, headers=h)
        assert refused.status == 422, (body, await refused.text())
        (error,) = (await refused.json())["errors"]
        assert error["field"] == field and reason in error["reason"], error
    missing = await app_client.post("/api/v1/equipment/999999/warranty-claims", json={"problem": "x"}, headers=h)
    assert missing.status == 404


async def test_a_case_opened_for_a_customer_under_contract_takes_its_response_time(
    reference: None, app_client: Any, agent: Any
) -> None:
    h = agent.headers()
    customer = await (
        await app_client.post("/api/v1/customers", json={"first_name": "Cy", "last_name": "Ng"}, headers=h)
    ).json()
    plain = await (
        await app_client.post("/api/v1/cases", json={"subject": "Noise", "customer_id": customer["id"]}, headers=h)
    ).json()
    contract = {"customer_id": customer["id"], "tier": "premium", "starts_on": "2026-01-01", "ends_on": "2026-12-31"}
    assert (await app_client.post("/api/v1/contracts", json=contract, headers=h)).status == 201
    covered = await (
        await app_client.post("/api/v1/cases", json={"subject": "Leak", "customer_id": customer["id"]}, headers=h)
    ).json()
    assert covered["sla_target_minutes"] == 4 * 60 and plain["sla_target_minutes"] != 4 * 60
    view = await (await app_client.get(f"/api/v1/customers/{customer['id']}/360", headers=h)).json()
    assert [(c["tier"], c["ends_on"]) for c in view["contracts"]] == [("premium", "2026-12-31")]


async def test_admins_set_contract_tiers_and_a_case_runs_on_its_hours_of_cover(
    reference: None, app_client: Any, agent: Any, admin: Any
) -> None:
    h, ah = agent.headers(), admin.headers()
    listed = await (await app_client.get("/api/v1/contract-tiers", headers=h)).json()
    assert [t["name"] for t in listed["items"]] == ["basic", "standard", "premium"]  # what a new centre has
    office = {
        "response_hours": 8,
        "resolution_hours": 40,
        "visits_per_year": 2,
        "cover_calendar": "support-hours",
        "price_cents": 49_000,
        "currency": "EUR",
    }
    assert (await app_client.put("/api/v1/contract-tiers/office", json=office, headers=h)).status == 403
    made = await app_client.put("/api/v1/contract-tiers/office", json=office, headers=ah)
    assert made.status == 200 and (await made.json())["cover_calendar"] == "support-hours"
    bad = await app_client.put(
        "/api/v1/contract-tiers/office", json=office | {"cover_calendar": "nope", "resolution_hours": 4}, headers=ah
    )
    assert bad.status == 422
    assert (await app_client.put("/api/v1/contract-tiers/Big Tier", json=office, headers=ah)).status == 422
    customer = await (
        await app_client.post("/api/v1/customers", json={"first_name": "Di", "last_name": "Ho"}, headers=h)
    ).json()
    contract = {"customer_id": customer["id"], "tier": "office", "starts_on": "2026-01-01", "ends_on": "2026-12-31"}
    answer = await (await app_client.post("/api/v1/contracts", json=contract, headers=h)).json()
    assert (answer["response_hours"], answer["visits_per_year"], answer["cover_calendar"]) == (8, 2, "support-hours")
    case = await (
        await app_client.post("/api/v1/cases", json={"subject": "Leak", "customer_id": customer["id"]}, headers=h)
    ).json()
    # Eight hours of response on the tier's hours of cover (weekdays 08-20 New York), not around the clock: the
    # test clock says Monday 2026-11-23 15:00 UTC (10:00 in New York), so it is due at 18:00 New York.
    assert case["sla_target_minutes"] == 8 * 60 and case["sla_due_at"] == "2026-11-23T23:00:00Z"


async def test_a_team_owns_a_case_and_lists_its_cases(reference: None, app_client: Any, agent: Any) -> None:
    h = agent.headers()
    made = await app_client.post("/api/v1/cases", json={"subject": "Install", "team": "Tier 2"}, headers=h)
    assert made.status == 201
    case = await made.json()
    assert case["team_id"] is not None
    assert (await app_client.post("/api/v1/cases", json={"subject": "X", "team": "Nobody"}, headers=h)).status == 422
    listed = (await (await app_client.get(f"/api/v1/cases?team_id={case['team_id']}", headers=h)).json())["items"]
    assert [c["id"] for c in listed] == [case["id"]]
    moved = await (await app_client.patch(f"/api/v1/cases/{case['id']}", json={"team": "Tier 1"}, headers=h)).json()
    assert moved["team_id"] != case["team_id"]
    changes = (await (await app_client.get(f"/api/v1/activities?case_id={case['id']}", headers=h)).json())["items"]
    assert any("team_id" in (a["details"].get("changes") or {}) for a in changes), changes
