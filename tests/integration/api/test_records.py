"""Cases and their SLA clocks, append-only activities, leads, opportunities, orders, knowledge base."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncEngine

from contact_center.crm.cases import escalate_breached
from contact_center.store.engine import session_factory
from contact_center.store.tables import Calendar


async def add_calendar(engine: AsyncEngine) -> None:
    async with session_factory(engine).begin() as session:
        hours = {d: [["09:00", "17:00"]] for d in ("mon", "tue", "wed", "thu", "fri")}
        session.add(
            Calendar(
                name="office",
                timezone="America/New_York",
                weekly_hours=hours,
                holidays={"2026-11-26": "Thanksgiving"},
                exceptions={},
            )
        )


async def test_case_sla_runs_on_business_hours_and_pauses_for_the_customer(
    app_client: Any, agent: Any, engine: AsyncEngine, clock: Any
) -> None:
    await add_calendar(engine)
    h = agent.headers()
    # Monday 10:00 New York; 8 business hours of SLA end on Tuesday at 10:00.
    resp = await app_client.post(
        "/api/v1/cases", json={"subject": "Line down", "calendar": "office", "sla_target_minutes": 480}, headers=h
    )
    assert resp.status == 201
    case = await resp.json()
    assert case["number"] == 20000 + case["id"]
    assert case["sla_due_at"] == "2026-11-24T15:00:00Z"
    clock.advance(3600)  # one business hour used, then the case waits on the customer
    case = await (
        await app_client.patch(f"/api/v1/cases/{case['id']}", json={"status": "pending_customer"}, headers=h)
    ).json()
    assert case["sla_due_at"] is None
    clock.advance(2 * 86400)  # Wednesday 11:00: paused time does not count
    case = await (await app_client.patch(f"/api/v1/cases/{case['id']}", json={"status": "open"}, headers=h)).json()
    # 7 business hours left from Wednesday 11:00 → Wednesday 17:00 uses 6, Thursday is Thanksgiving, Friday 10:00.
    assert case["sla_due_at"] == "2026-11-27T15:00:00Z"
    timeline = await (await app_client.get("/api/v1/activities", params={"case_id": case["id"]}, headers=h)).json()
    assert [a["type"] for a in timeline["items"]] == ["case_change", "case_change"]
    assert timeline["items"][0]["details"] == {
        "changes": {"status": {"from": "pending_customer", "to": "open"}},
        "case_number": case["number"],
    }
    assert timeline["items"][0]["agent_id"] == agent.user_id


async def test_priority_owner_and_category_changes_are_one_case_change(
    app_client: Any, agent: Any, make_user: Any
) -> None:
    h = agent.headers()
    other = await make_user("bob", "agent")
    case = await (await app_client.post("/api/v1/cases", json={"subject": "Slow"}, headers=h)).json()
    resp = await app_client.patch(
        f"/api/v1/cases/{case['id']}",
        json={"priority": "high", "owner_id": other.user_id, "category": "technical", "description": "not tracked"},
        headers=h,
    )
    assert resp.status == 200
    unchanged = await app_client.patch(f"/api/v1/cases/{case['id']}", json={"priority": "high"}, headers=h)
    assert unchanged.status == 200
    timeline = await (await app_client.get("/api/v1/activities", params={"case_id": case["id"]}, headers=h)).json()
    [change] = timeline["items"]
    assert change["type"] == "case_change" and change["agent_id"] == agent.user_id
    assert change["details"]["changes"] == {
        "priority": {"from": "normal", "to": "high"},
        "owner_id": {"from": None, "to": other.user_id},
        "category": {"from": "general", "to": "technical"},
    }
    assert (
        change["subject"] == f"Case {case['number']}: priority normal → high; owner none → {other.user_id}; "
        "category general → technical"
    )


async def test_cases_filter_open_and_breached(app_client: Any, agent: Any, clock: Any) -> None:
    h = agent.headers()
    late = await (
        await app_client.post("/api/v1/cases", json={"subject": "Late", "priority": "urgent"}, headers=h)
    ).json()
    done = await (
        await app_client.post("/api/v1/cases", json={"subject": "Done", "status": "resolved"}, headers=h)
    ).json()
    clock.advance(5 * 3600)
    fresh = await (await app_client.post("/api/v1/cases", json={"subject": "Fresh"}, headers=h)).json()

    async def ids(**params: str) -> list[int]:
        page = await (await app_client.get("/api/v1/cases", params=params, headers=h)).json()
        return [c["id"] for c in page["items"]]

    assert await ids(open="true") == [fresh["id"], late["id"]]
    assert await ids(open="false") == [done["id"]]
    assert await ids(open="true", breached="true") == [late["id"]]
    assert await ids(breached="false") == [fresh["id"], done["id"]]
    resp = await app_client.get("/api/v1/cases", params={"breached": "maybe"}, headers=h)
    assert resp.status == 422 and (await resp.json())["errors"][0]["field"] == "breached"


async def test_breached_cases_are_escalated_with_an_activity(
    app_client: Any, agent: Any, engine: AsyncEngine, clock: Any
) -> None:
    h = agent.headers()
    case = await (
        await app_client.post("/api/v1/cases", json={"subject": "Urgent", "priority": "urgent"}, headers=h)
    ).json()
    assert case["sla_target_minutes"] == 240
    clock.advance(239 * 60)
    async with session_factory(engine).begin() as session:
        assert await escalate_breached(session, clock.now()) == []
    clock.advance(2 * 60)
    async with session_factory(engine).begin() as session:
        assert [c.id for c in await escalate_breached(session, clock.now())] == [case["id"]]
    clock.advance(60 * 60)  # still level 1 until another half target passes
    async with session_factory(engine).begin() as session:
        assert await escalate_breached(session, clock.now()) == []
    case = await (await app_client.get(f"/api/v1/cases/{case['id']}", headers=h)).json()
    assert case["escalation_level"] == 1
    trail = await (await app_client.get("/api/v1/activities", params={"type": "escalation"}, headers=h)).json()
    assert len(trail["items"]) == 1 and trail["items"][0]["case_id"] == case["id"]


async def test_case_input_errors(app_client: Any, agent: Any) -> None:
    h = agent.headers()
    resp = await app_client.post(
        "/api/v1/cases", json={"subject": "x", "status": "lost", "calendar": "nope"}, headers=h
    )
    assert resp.status == 422
    assert {e["field"] for e in (await resp.json())["errors"]} == {"status"}
    resp = await app_client.post("/api/v1/cases", json={"subject": "x", "calendar": "nope"}, headers=h)
    assert resp.status == 422 and (await resp.json())["errors"][0]["field"] == "calendar"


async def test_activities_are_append_only(app_client: Any, agent: Any) -> None:
    h = agent.headers()
    resp = await app_client.post(
        "/api/v1/activities",
        json={"type": "call", "direction": "inbound", "queue": "billing", "details": {"wait_seconds": 12}},
        headers=h,
    )
    assert resp.status == 201
    activity = await resp.json()
    assert activity["details"] == {"wait_seconds": 12}
    for method in ("PUT", "PATCH", "DELETE"):
        assert (
            await app_client.request(method, f"/api/v1/activities/{activity['id']}", json={}, headers=h)
        ).status == 405
    resp = await app_client.post(
        "/api/v1/activities",
        json={"type": "call", "started_at": "2026-01-01T10:00:00Z", "ended_at": "2026-01-01T09:00:00Z"},
        headers=h,
    )
    assert resp.status == 422 and (await resp.json())["errors"][0]["field"] == "ended_at"
    resp = await app_client.post("/api/v1/activities", json={"type": "teleport"}, headers=h)
    assert resp.status == 422


async def test_leads_opportunities_orders(app_client: Any, agent: Any, admin: Any) -> None:
    h = agent.headers()
    lead = await (
        await app_client.post(
            "/api/v1/leads", json={"last_name": "Ng", "phone": "(212) 555-0101", "rating": "hot"}, headers=h
        )
    ).json()
    assert lead["phone"] == "+12125550101"
    hot = await (await app_client.get("/api/v1/leads", params={"rating": "hot"}, headers=h)).json()
    assert [x["id"] for x in hot["items"]] == [lead["id"]]
    opp = await app_client.post("/api/v1/opportunities", json={"name": "Deal", "probability": 150}, headers=h)
    assert opp.status == 422 and (await opp.json())["errors"][0]["field"] == "probability"
    first = await app_client.post("/api/v1/orders", json={"number": "A-1"}, headers=admin.headers())
    assert first.status == 201
    again = await app_client.post("/api/v1/orders", json={"number": "A-1"}, headers=admin.headers())
    assert again.status == 409
    order = await first.json()
    moved = await app_client.patch(
        f"/api/v1/orders/{order['id']}", json={"status": "shipped", "carrier": "UPS"}, headers=admin.headers()
    )
    assert (await moved.json())["status"] == "shipped"


async def test_knowledge_base_full_text_search(app_client: Any, admin: Any, agent: Any) -> None:
    for title, body in (
        ("Router reset", "Power-cycle the router and check the lights."),
        ("Refund policy", "Refunds are paid within seven days."),
        ("Routing rules", "How calls reach agents."),
    ):
        await app_client.post("/api/v1/kb/articles", json={"title": title, "body": body}, headers=admin.headers())
    found = await (
        await app_client.get("/api/v1/kb/search", params={"q": "refunds paid"}, headers=agent.headers())
    ).json()
    assert [a["title"] for a in found["items"]] == ["Refund policy"]
    found = await (await app_client.get("/api/v1/kb/search", params={"q": "router"}, headers=agent.headers())).json()
    assert found["items"][0]["title"] == "Router reset"
    weird = await app_client.get("/api/v1/kb/search", params={"q": '"AND OR NEAR( *'}, headers=agent.headers())
    assert weird.status == 200


async def test_agents_cannot_forge_the_timeline(app_client: Any, agent: Any, make_user: Any, token_for: Any) -> None:
    h = agent.headers()
    mine = await (await app_client.post("/api/v1/activities", json={"type": "note", "subject": "x"}, headers=h)).json()
    assert mine["agent_id"] == agent.user_id
    other = await make_user("mallory", "agent")
    resp = await app_client.post("/api/v1/activities", json={"type": "note", "agent_id": other.user_id}, headers=h)
    assert resp.status == 422 and (await resp.json())["errors"][0]["field"] == "agent_id"
    resp = await app_client.post("/api/v1/activities", json={"type": "escalation"}, headers=h)
    assert resp.status == 422 and (await resp.json())["errors"][0]["field"] == "type"
    boss = await token_for(await make_user("sue", "supervisor"))
    resp = await app_client.post(
        "/api/v1/activities", json={"type": "note", "agent_id": other.user_id}, headers=boss.headers()
    )
    assert resp.status == 201


async def test_patch_keeps_derived_fields_right_and_refuses_null(app_client: Any, agent: Any, admin: Any) -> None:
    a = admin.headers()
    order = await (
        await app_client.post(
            "/api/v1/orders",
            json={"number": "9", "items": [{"sku": "A", "quantity": 2, "unit_price_cents": 100}]},
            headers=a,
        )
    ).json()
    assert order["total_cents"] == 200
    changed = await (await app_client.patch(f"/api/v1/orders/{order['id']}", json={"items": []}, headers=a)).json()
    assert changed["total_cents"] == 0
    resp = await app_client.patch(f"/api/v1/orders/{order['id']}", json={"placed_at": None}, headers=a)
    assert resp.status == 422 and (await resp.json())["errors"] == [{"field": "placed_at", "reason": "may not be null"}]
    lead = await (await app_client.post("/api/v1/leads", json={"last_name": "Ng"}, headers=agent.headers())).json()
    resp = await app_client.patch(f"/api/v1/leads/{lead['id']}", json={"phone": "garbage!!"}, headers=agent.headers())
    assert resp.status == 422 and (await resp.json())["errors"][0]["field"] == "phone"
    resp = await app_client.patch(
        f"/api/v1/leads/{lead['id']}", json={"phone": "(212) 555-0101"}, headers=agent.headers()
    )
    assert (await resp.json())["phone"] == "+12125550101"


async def test_removing_the_sla_target_stops_the_clock(app_client: Any, agent: Any) -> None:
    h = agent.headers()
    case = await (await app_client.post("/api/v1/cases", json={"subject": "x"}, headers=h)).json()
    assert case["sla_due_at"] is not None
    case = await (
        await app_client.patch(f"/api/v1/cases/{case['id']}", json={"sla_target_minutes": None}, headers=h)
    ).json()
    assert case["sla_due_at"] is None and case["sla_target_minutes"] is None
    case = await (
        await app_client.patch(f"/api/v1/cases/{case['id']}", json={"sla_target_minutes": 60}, headers=h)
    ).json()
    assert case["sla_due_at"] == "2026-11-23T16:00:00Z"
