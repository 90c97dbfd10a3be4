"""Opportunity and lead changes go on the timeline in the same transaction as the change itself."""

from __future__ import annotations

from typing import Any


async def timeline(client: Any, login: Any, **params: Any) -> list[dict[str, Any]]:
    page = await (await client.get("/api/v1/activities", params=params, headers=login.headers())).json()
    items: list[dict[str, Any]] = page["items"]
    return items


async def test_an_opportunity_stage_change_is_an_opportunity_change_and_closing_sets_closed_at(
    app_client: Any, agent: Any, clock: Any
) -> None:
    h = agent.headers()
    customer = await (
        await app_client.post("/api/v1/customers", json={"first_name": "Ada", "last_name": "King"}, headers=h)
    ).json()
    opp = await (
        await app_client.post(
            "/api/v1/opportunities",
            json={
                "name": "Fleet renewal",
                "customer_id": customer["id"],
                "amount_cents": 1_000_000,
                "probability": 25,
                "expected_close": "2026-12-31",
            },
            headers=h,
        )
    ).json()
    assert opp["closed_at"] is None
    moved = await (
        await app_client.patch(
            f"/api/v1/opportunities/{opp['id']}",
            json={
                "stage": "negotiation",
                "amount_cents": 1_250_000,
                "probability": 75,
                "expected_close": "2027-01-15",
                "name": "Fleet renewal 2027",
            },
            headers=h,
        )
    ).json()
    assert moved["stage"] == "negotiation" and moved["closed_at"] is None
    [change] = await timeline(app_client, agent, opportunity_id=opp["id"])
    assert change["type"] == "opportunity_change" and change["agent_id"] == agent.user_id
    assert change["customer_id"] == customer["id"] and change["outcome"] == "negotiation"
    assert change["details"]["changes"] == {
        "stage": {"from": "prospecting", "to": "negotiation"},
        "amount_cents": {"from": 1_000_000, "to": 1_250_000},
        "probability": {"from": 25, "to": 75},
        "expected_close": {"from": "2026-12-31", "to": "2027-01-15"},
    }
    assert "stage prospecting → negotiation; amount 10,000.00 → 12,500.00" in change["subject"]
    clock.advance(60)
    won = await (await app_client.patch(f"/api/v1/opportunities/{opp['id']}", json={"stage": "won"}, headers=h)).json()
    assert won["closed_at"] == "2026-11-23T15:01:00Z"
    reopened = await (
        await app_client.patch(f"/api/v1/opportunities/{opp['id']}", json={"stage": "proposal"}, headers=h)
    ).json()
    assert reopened["closed_at"] is None
    stages = [a["details"]["changes"]["stage"] for a in await timeline(app_client, agent, opportunity_id=opp["id"])]
    assert stages[:2] == [{"from": "won", "to": "proposal"}, {"from": "negotiation", "to": "won"}]
    assert [a["type"] for a in await timeline(app_client, agent, customer_id=customer["id"])] == [
        "opportunity_change"
    ] * 3


async def test_an_opportunity_created_closed_has_closed_at(app_client: Any, agent: Any) -> None:
    opp = await (
        await app_client.post("/api/v1/opportunities", json={"name": "Lost", "stage": "lost"}, headers=agent.headers())
    ).json()
    assert opp["closed_at"] == "2026-11-23T15:00:00Z"


async def test_lead_status_score_and_temperature_changes_are_a_lead_change(app_client: Any, agent: Any) -> None:
    h = agent.headers()
    lead = await (
        await app_client.post("/api/v1/leads", json={"first_name": "Li", "last_name": "Ng"}, headers=h)
    ).json()
    resp = await app_client.patch(
        f"/api/v1/leads/{lead['id']}",
        json={"status": "contacted", "score": 60, "rating": "hot", "notes": "called back"},
        headers=h,
    )
    assert resp.status == 200
    [change] = await timeline(app_client, agent, lead_id=lead["id"])
    assert change["type"] == "lead_change" and change["agent_id"] == agent.user_id and change["outcome"] == "contacted"
    assert change["details"]["changes"] == {
        "status": {"from": "new", "to": "contacted"},
        "score": {"from": 0, "to": 60},
        "rating": {"from": "cold", "to": "hot"},
    }
    assert change["subject"] == "Lead Li Ng: status new → contacted; score 0 → 60; temperature cold → hot"
    # Only untracked fields, or the same values again: nothing new on the timeline.
    await app_client.patch(f"/api/v1/leads/{lead['id']}", json={"notes": "x", "status": "contacted"}, headers=h)
    assert len(await timeline(app_client, agent, lead_id=lead["id"])) == 1


async def test_a_refused_change_leaves_neither_record_nor_timeline_changed(app_client: Any, agent: Any) -> None:
    h = agent.headers()
    opp = await (await app_client.post("/api/v1/opportunities", json={"name": "Deal"}, headers=h)).json()
    resp = await app_client.patch(
        f"/api/v1/opportunities/{opp['id']}", json={"stage": "proposal", "owner_id": 999999}, headers=h
    )
    assert resp.status == 422 and (await resp.json())["errors"][0]["field"] == "owner_id"
    assert (await (await app_client.get(f"/api/v1/opportunities/{opp['id']}", headers=h)).json())[
        "stage"
    ] == "prospecting"
    assert await timeline(app_client, agent, opportunity_id=opp["id"]) == []
