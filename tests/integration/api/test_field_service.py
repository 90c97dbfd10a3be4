"""Field service over HTTP: technicians on a calendar, slots for a customer's address, bookings checked and
never doubled (also when two race for the same time), moves and cancellations on the timeline, the
dispatcher's day; service orders from a case reserving parts from stock, completed (parts used) or cancelled
(parts back); maintenance plans making orders ahead of their dates. Roles and bad input are refused by field.

The test clock says Monday 2026-11-23 15:00 UTC (16:00 in Berlin)."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from contact_center.crm.schemas import VisitBrief
from contact_center.seed.demo import ensure_reference
from contact_center.store.engine import session_factory
from contact_center.store.tables import Activity, Calendar, TechnicianQuarter

WORKDAYS = {d: [["08:00", "12:00"], ["13:00", "17:00"]] for d in ("mon", "tue", "wed", "thu", "fri")}


@pytest.fixture
async def berlin_hours(engine: AsyncEngine) -> None:
    await ensure_reference(engine, password="demo-password-1")
    async with session_factory(engine).begin() as session:
        session.add(Calendar(name="field-berlin", timezone="Europe/Berlin", weekly_hours=WORKDAYS, holidays={}))


async def json_of(response: Any, status: int) -> Any:
    body = await response.json()
    assert response.status == status, body
    return body


async def test_technicians_slots_bookings_and_the_dispatchers_day(
    berlin_hours: None, app_client: Any, agent: Any, admin: Any, make_user: Any, token_for: Any, engine: AsyncEngine
) -> None:
    h, ah = agent.headers(), admin.headers()
    boss = (await token_for(await make_user("sam", "supervisor"))).headers()
    tech = {"name": "Jonas", "skills": ["boiler"], "territories": ["10", "Potsdam"], "calendar": "field-berlin"}
    assert (await app_client.post("/api/v1/technicians", json=tech, headers=h)).status == 403
    jonas = await json_of(await app_client.post("/api/v1/technicians", json=tech, headers=ah), 201)
    await json_of(await app_client.post("/api/v1/technicians", json=tech, headers=ah), 409)
    bad = await json_of(
        await app_client.post("/api/v1/technicians", json={"name": "X", "skills": [], "calendar": "nope"}, headers=ah),
        422,
    )
    assert {e["field"] for e in bad["errors"]} == {"skills"}
    bad = await json_of(
        await app_client.post(
            "/api/v1/technicians", json={"name": "X", "skills": ["a"], "calendar": "nope"}, headers=ah
        ),
        422,
    )
    assert bad["errors"] == [{"field": "calendar", "reason": "no calendar named 'nope'"}]
    mira = await json_of(
        await app_client.post(
            "/api/v1/technicians",
            json={"name": "Mira", "skills": ["boiler", "solar"], "calendar": "field-berlin"},
            headers=ah,
        ),
        201,
    )
    listed = await json_of(await app_client.get("/api/v1/technicians", headers=h), 200)
    assert [t["name"] for t in listed["items"]] == ["Jonas", "Mira"]

    ana = await json_of(
        await app_client.post(
            "/api/v1/customers",
            json={"first_name": "Ana", "last_name": "Lind", "address": {"city": "Berlin", "postal_code": "10115"}},
            headers=h,
        ),
        201,
    )
    slots = await json_of(
        await app_client.get(
            f"/api/v1/appointments/slots?customer_id={ana['id']}&skill=boiler&minutes=120&days=2", headers=h
        ),
        200,
    )
    # Now is 16:00 in Berlin on Monday; two hours' notice: Tuesday 08:00 first. Jonas and Mira both cover
    # Berlin 10115 (Mira goes anywhere): one slot per time.
    starts = [s["starts_at"] for s in slots["items"]]
    assert starts[:4] == [
        "2026-11-24T07:00:00Z",
        "2026-11-24T09:00:00Z",
        "2026-11-24T12:00:00Z",
        "2026-11-24T14:00:00Z",
    ]
    assert len(starts) == len(set(starts))
    bad = await json_of(
        await app_client.get("/api/v1/appointments/slots?customer_id=abc&minutes=50&days=99", headers=h), 422
    )
    assert {e["field"] for e in bad["errors"]} == {"customer_id", "skill", "minutes", "days"}

    case = await json_of(
        await app_client.post("/api/v1/cases", json={"subject": "Boiler leaks", "customer_id": ana["id"]}, headers=h),
        201,
    )
    basic = {"customer_id": ana["id"], "tier": "basic", "starts_on": "2026-01-01", "ends_on": "2026-12-31"}
    contract = await json_of(await app_client.post("/api/v1/contracts", json=basic, headers=h), 201)
    visit: dict[str, Any] = {
        "customer_id": ana["id"],
        "skill": "boiler",
        "starts_at": "2026-11-24T09:00:00+01:00",
        "minutes": 120,
        "technician_id": jonas["id"],
        "case_id": case["id"],
    }
    booked = await json_of(await app_client.post("/api/v1/appointments", json=visit, headers=h), 201)
    assert booked["technician"] == "Jonas" and booked["ends_at"] == "2026-11-24T10:00:00Z"
    assert booked["included_by_contract_id"] == contract["id"]  # the basic tier's one visit this year
    clash = await json_of(await app_client.post("/api/v1/appointments", json=visit, headers=h), 422)
    assert clash["errors"][0]["field"] == "starts_at" and "Jonas is booked" in clash["errors"][0]["reason"]
    refusals: list[tuple[dict[str, Any], str, str]] = [
        ({"starts_at": "2026-11-24T09:10:00+01:00"}, "starts_at", "quarter hour"),
        ({"starts_at": "2026-11-23T09:00:00+01:00"}, "starts_at", "in the past"),
        ({"starts_at": "2026-11-24T11:00:00+01:00"}, "starts_at", "does not work the whole"),
        ({"skill": "solar", "starts_at": "2026-11-25T09:00:00+01:00"}, "skill", "does not do 'solar'"),
        ({"minutes": 50}, "minutes", ""),
    ]
    for change, field, reason in refusals:
        answer = await json_of(await app_client.post("/api/v1/appointments", json=visit | change, headers=h), 422)
        assert answer["errors"][0]["field"] == field and reason in answer["errors"][0]["reason"], answer

    # Whoever is free: Mira takes the same time, then nobody is left for it.
    anyone = {k: v for k, v in visit.items() if k != "technician_id"}
    second = await json_of(await app_client.post("/api/v1/appointments", json=anyone, headers=h), 201)
    assert second["technician_id"] == mira["id"]
    assert second["included_by_contract_id"] is None  # the year's included visit is taken: this one is charged
    none_left = await json_of(await app_client.post("/api/v1/appointments", json=anyone, headers=h), 422)
    assert "no technician who does 'boiler'" in none_left["errors"][0]["reason"]

    # Two bookings racing for the same quarter hours: one is written, the other refused; never both.
    race = anyone | {"starts_at": "2026-11-26T13:00:00+01:00", "technician_id": jonas["id"]}
    answers = await asyncio.gather(
        *(app_client.post("/api/v1/appointments", json=race | {"minutes": m}, headers=h) for m in (60, 90))
    )
    assert sorted(a.status for a in answers) in ([201, 409], [201, 422]), [a.status for a in answers]

    moved = await json_of(
        await app_client.post(
            f"/api/v1/appointments/{booked['id']}/move", json={"starts_at": "2026-11-24T10:00:00+01:00"}, headers=h
        ),
        200,
    )
    assert moved["starts_at"] == "2026-11-24T09:00:00Z" and moved["technician"] == "Jonas"
    await json_of(
        await app_client.post(f"/api/v1/appointments/{second['id']}/cancel", json={"reason": "fixed"}, headers=h), 200
    )
    again = await app_client.post(f"/api/v1/appointments/{second['id']}/cancel", json={}, headers=h)
    assert again.status == 409
    assert (await app_client.post("/api/v1/appointments/999999/cancel", json={}, headers=h)).status == 404
    async with session_factory(engine)() as session:
        held = await session.scalar(
            select(func.count()).select_from(TechnicianQuarter).where(TechnicianQuarter.appointment_id == second["id"])
        )
        assert held == 0  # the cancelled visit's time is free again
        said = (
            await session.scalars(
                select(Activity.subject).where(Activity.customer_id == ana["id"], Activity.type == "appointment")
            )
        ).all()
    assert any(s.startswith("Visit booked: Jonas, Tue 24 Nov 2026 09:00-11:00") for s in said), said
    assert any(s.endswith("included in the basic contract (visit 1 of 1 this contract year)") for s in said), said
    assert any(s.endswith("chargeable (no contract visit left)") for s in said), said
    assert any("Visit moved from" in s for s in said) and any("cancelled by alice: fixed" in s for s in said)

    mine = await json_of(await app_client.get(f"/api/v1/customers/{ana['id']}/appointments", headers=h), 200)
    assert [a["status"] for a in mine["items"]].count("cancelled") == 1
    assert (await app_client.get("/api/v1/dispatch?date=2026-11-24", headers=h)).status == 403
    day = await json_of(await app_client.get("/api/v1/dispatch?date=2026-11-24", headers=boss), 200)
    by_name = {t["technician"]: t for t in day["technicians"]}
    assert by_name["Jonas"]["working"] == [
        {"from": "2026-11-24T07:00:00Z", "to": "2026-11-24T11:00:00Z"},
        {"from": "2026-11-24T12:00:00Z", "to": "2026-11-24T16:00:00Z"},
    ]
    assert [(v["customer"], v["starts_at"]) for v in by_name["Jonas"]["visits"]] == [
        ("Ana Lind", "2026-11-24T09:00:00Z")
    ]
    assert by_name["Mira"]["visits"] == []  # cancelled visits are off the day
    await json_of(await app_client.get("/api/v1/dispatch?date=24-11-2026", headers=boss), 422)

    pop = await json_of(await app_client.get(f"/api/v1/customers/{ana['id']}/360", headers=h), 200)
    assert [(v["technician"], v["starts_at"]) for v in pop["appointments"]][:1] == [("Jonas", "2026-11-24T09:00:00Z")]
    assert all(set(v) == set(VisitBrief.model_fields) for v in pop["appointments"])  # as the document says


async def test_service_orders_reserve_use_and_release_parts_and_plans_make_orders(
    berlin_hours: None, app_client: Any, agent: Any, admin: Any, make_user: Any, token_for: Any, clock: Any
) -> None:
    h = agent.headers()
    boss = (await token_for(await make_user("sam", "supervisor"))).headers()
    catalog = await json_of(await app_client.get("/api/v1/products", headers=h), 200)
    pid = catalog["items"][0]["id"]  # a spare part is a catalog product
    assert (
        await app_client.post("/api/v1/stock", json={"location": "van-1", "product_id": pid, "quantity": 3}, headers=h)
    ).status == 403
    level = await json_of(
        await app_client.post(
            "/api/v1/stock", json={"location": "van-1", "product_id": pid, "quantity": 3}, headers=boss
        ),
        201,
    )
    assert level == {"location": "van-1", "product_id": pid, "on_hand": 3, "reserved": 0, "free": 3}
    ana = await json_of(
        await app_client.post("/api/v1/customers", json={"first_name": "Ana", "last_name": "Lind"}, headers=h), 201
    )
    case = await json_of(
        await app_client.post("/api/v1/cases", json={"subject": "No heat", "customer_id": ana["id"]}, headers=h), 201
    )
    order_body: dict[str, Any] = {
        "work": "Replace the valve",
        "skill": "boiler",
        "parts": [{"product_id": pid, "quantity": 2, "location": "van-1"}],
    }
    order = await json_of(
        await app_client.post(f"/api/v1/cases/{case['id']}/service-orders", json=order_body, headers=h), 201
    )
    assert order["status"] == "open" and order["parts"][0]["state"] == "reserved"
    short = await json_of(
        await app_client.post(f"/api/v1/cases/{case['id']}/service-orders", json=order_body, headers=h), 422
    )
    assert short["errors"] == [
        {"field": "parts[0].quantity", "reason": f"only 1 of product {pid} free at 'van-1', 2 asked for"}
    ]
    stock = await json_of(await app_client.get("/api/v1/stock?location=van-1", headers=h), 200)
    assert stock["items"][0] == {"location": "van-1", "product_id": pid, "on_hand": 3, "reserved": 2, "free": 1}

    second = await json_of(
        await app_client.post(
            f"/api/v1/cases/{case['id']}/service-orders",
            json=order_body | {"parts": [order_body["parts"][0] | {"quantity": 1}]},
            headers=h,
        ),
        201,
    )
    done = await json_of(
        await app_client.post(f"/api/v1/service-orders/{order['id']}/complete", json={"labour_minutes": 95}, headers=h),
        200,
    )
    assert done["status"] == "completed" and done["labour_minutes"] == 95 and done["parts"][0]["state"] == "consumed"
    assert (
        await app_client.post(f"/api/v1/service-orders/{order['id']}/complete", json={"labour_minutes": 5}, headers=h)
    ).status == 409
    dropped = await json_of(await app_client.post(f"/api/v1/service-orders/{second['id']}/cancel", headers=h), 200)
    assert dropped["status"] == "cancelled" and dropped["parts"][0]["state"] == "released"
    stock = await json_of(await app_client.get("/api/v1/stock?location=van-1", headers=h), 200)
    assert stock["items"][0]["on_hand"] == 1 and stock["items"][0]["reserved"] == 0  # 2 used, 1 back
    orders = await json_of(await app_client.get(f"/api/v1/cases/{case['id']}/service-orders", headers=h), 200)
    assert [o["status"] for o in orders["items"]] == ["completed", "cancelled"]
    assert (await app_client.get("/api/v1/service-orders/999999", headers=h)).status == 404

    # A plan every 6 months from 2026-12-01: its first order is made now (within two weeks), the next not yet.
    plan = {
        "customer_id": ana["id"],
        "work": "Yearly service",
        "skill": "boiler",
        "every_months": 6,
        "first_due_on": "2026-12-01",
    }
    assert (await app_client.post("/api/v1/maintenance-plans", json=plan, headers=h)).status == 403
    made_plan = await json_of(await app_client.post("/api/v1/maintenance-plans", json=plan, headers=boss), 201)
    ran = await json_of(await app_client.post("/api/v1/maintenance-plans/run", headers=boss), 200)
    assert [(o["plan_id"], o["due_on"], o["case_id"]) for o in ran["made"]] == [(made_plan["id"], "2026-12-01", None)]
    assert (await json_of(await app_client.post("/api/v1/maintenance-plans/run", headers=boss), 200))["made"] == []
    plans = await json_of(await app_client.get(f"/api/v1/maintenance-plans?customer_id={ana['id']}", headers=h), 200)
    assert plans["items"][0]["next_due_on"] == "2027-06-01"
    # One that fell behind (every 3 months since June 2025) gets one order, for its latest date; one under a
    # contract ending in January orders its December visit and stops.
    contract = await json_of(
        await app_client.post(
            "/api/v1/contracts",
            json={"customer_id": ana["id"], "tier": "basic", "starts_on": "2026-01-01", "ends_on": "2027-01-31"},
            headers=h,
        ),
        201,
    )
    behind = plan | {"every_months": 3, "first_due_on": "2025-06-01"}
    await json_of(await app_client.post("/api/v1/maintenance-plans", json=behind, headers=boss), 201)
    covered = plan | {"every_months": 2, "first_due_on": "2026-12-05", "contract_id": contract["id"]}
    await json_of(await app_client.post("/api/v1/maintenance-plans", json=covered, headers=boss), 201)
    ran = await json_of(await app_client.post("/api/v1/maintenance-plans/run", headers=boss), 200)
    assert sorted(o["due_on"] for o in ran["made"]) == ["2026-12-01", "2026-12-05"]
    plans = await json_of(await app_client.get(f"/api/v1/maintenance-plans?customer_id={ana['id']}", headers=h), 200)
    assert sorted((p["next_due_on"], p["active"]) for p in plans["items"]) == [
        ("2027-02-05", False),  # past the contract's end
        ("2027-03-01", True),
        ("2027-06-01", True),
    ]
    bad = await json_of(
        await app_client.post(
            "/api/v1/maintenance-plans", json=plan | {"every_months": 0, "equipment_id": 999}, headers=boss
        ),
        422,
    )
    assert {e["field"] for e in bad["errors"]} == {"every_months"}
