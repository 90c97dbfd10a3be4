"""Queues administered over HTTP (admin only): checked as routing checks them, routed at once, audited."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from contact_center.seed.demo import ensure_reference


@pytest.fixture
async def reference(engine: AsyncEngine) -> None:
    """The demo organisation (calendars, skills, queues), made before any test user: it is made only
    into a database without users."""
    await ensure_reference(engine, password="demo-password-1")


NEW_QUEUE: dict[str, Any] = {
    "name": "claims",
    "display_name": "Claims",
    "strategy": "round_robin",
    "sl_threshold_seconds": 30,
    "wrapup_seconds": 20,
    "required_skills": {"billing": 2},
    "escalation": [{"after_seconds": 60, "action": "raise_priority", "amount": 2}],
    "calendar": "support-hours",
}


async def test_an_admin_creates_changes_and_removes_a_queue_and_each_step_is_audited(
    reference: None, app_client: Any, admin: Any, agent: Any, make_user: Any, token_for: Any
) -> None:
    boss = await token_for(await make_user("sue", "supervisor"))
    for who in (agent, boss):
        refused = await app_client.post("/api/v1/queues", json=NEW_QUEUE, headers=who.headers())
        assert refused.status == 403

    made = await app_client.post("/api/v1/queues", json=NEW_QUEUE, headers=admin.headers())
    assert made.status == 201, await made.text()
    assert (await made.json())["calendar"] == "support-hours"
    listed = await (await app_client.get("/api/v1/queues", headers=agent.headers())).json()
    claims = next(q for q in listed["items"] if q["name"] == "claims")
    assert claims["strategy"] == "round_robin" and claims["sl_threshold_seconds"] == 30  # routing has it already

    again = await app_client.post("/api/v1/queues", json=NEW_QUEUE, headers=admin.headers())
    assert again.status == 409

    changed = await app_client.patch("/api/v1/queues/claims", json={"wrapup_seconds": 45}, headers=admin.headers())
    assert changed.status == 200 and (await changed.json())["wrapup_seconds"] == 45
    shown = await (await app_client.get("/api/v1/queues/claims", headers=boss.headers())).json()
    assert shown["wrapup_seconds"] == 45 and shown["strategy"] == "round_robin"

    assert (await app_client.delete("/api/v1/queues/claims", headers=boss.headers())).status == 403
    assert (await app_client.delete("/api/v1/queues/claims", headers=admin.headers())).status == 204
    assert (await app_client.get("/api/v1/queues/claims", headers=boss.headers())).status == 404

    assert (await app_client.get("/api/v1/audit", headers=boss.headers())).status == 403
    trail = (await (await app_client.get("/api/v1/audit", headers=admin.headers())).json())["items"]
    assert [(e["action"], e["actor"]) for e in trail] == [
        ("queue.remove", "root"),
        ("queue.change", "root"),
        ("queue.create", "root"),
    ]
    removed, change, create = trail
    assert create["before"] is None and create["after"]["name"] == "claims" and create["at"].endswith("Z")
    assert (change["before"]["wrapup_seconds"], change["after"]["wrapup_seconds"]) == (20, 45)
    assert removed["before"]["wrapup_seconds"] == 45 and removed["after"] is None


async def test_bad_queues_are_refused_by_field_and_reason(reference: None, app_client: Any, admin: Any) -> None:
    cases: list[tuple[dict[str, Any], str]] = [
        ({"strategy": "fastest"}, "strategy"),
        ({"name": "no spaces please"}, "name"),
        ({"sl_threshold_seconds": -1}, "sl_threshold_seconds"),
        ({"calendar": "nowhere"}, "calendar"),
        ({"overflow_queue": "nowhere"}, "overflow_queue"),
        ({"escalation": [{"action": "raise_priority"}]}, "body"),  # a rule without after_seconds
        ({"colour": "blue"}, "colour"),
    ]
    for change, field in cases:
        answer = await app_client.post("/api/v1/queues", json={**NEW_QUEUE, **change}, headers=admin.headers())
        assert answer.status == 422, (change, await answer.text())
        fields = [e["field"] for e in (await answer.json())["errors"]]
        assert fields == [field] or (field == "body" and fields), (change, fields)
    assert (await app_client.get("/api/v1/queues/claims", headers=admin.headers())).status == 404
    trail = (await (await app_client.get("/api/v1/audit", headers=admin.headers())).json())["items"]
    assert trail == []
    unknown = await app_client.patch("/api/v1/queues/nowhere", json={"wrapup_seconds": 5}, headers=admin.headers())
    assert unknown.status == 404
