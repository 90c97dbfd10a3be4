"""Supervisors act on the line: move a waiting call, change its priority, offer a callback, cancel one;
schedule and cancel callbacks for later. Agents may not; every action is audited; refusals say why."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from contact_center.domain.acd import commands as c
from contact_center.seed.demo import ensure_reference
from contact_center.web.keys import ACD

MARIA = "+14155550142"


@pytest.fixture
async def reference(engine: AsyncEngine) -> None:
    await ensure_reference(engine, password="demo-password-1")


async def test_a_supervisor_moves_reprioritises_and_offers_a_callback_to_a_waiting_call(
    reference: None, app_client: Any, admin: Any, agent: Any, make_user: Any, token_for: Any
) -> None:
    boss = await token_for(await make_user("sue", "supervisor"))
    acd = app_client.server.app[ACD]
    await acd.handle(c.EnqueueCall("w-1", "sales", caller_number=MARIA))

    async def post(path: str, body: Any, who: Any = boss) -> Any:
        return await app_client.post(f"/api/v1/calls/w-1/{path}", json=body, headers=who.headers())

    assert (await post("move", {"queue": "billing"}, agent)).status == 403
    moved = await post("move", {"queue": "billing"})
    assert moved.status == 200, await moved.text()
    assert acd.acd.calls["w-1"].queue_id == "billing"
    again = await post("move", {"queue": "billing"})
    assert again.status == 409 and "already" in (await again.json())["message"]
    unknown = await post("move", {"queue": "nowhere"})
    assert unknown.status == 422 and (await unknown.json())["errors"][0]["field"] == "queue"

    assert (await post("priority", {"priority": 7})).status == 200
    assert acd.acd.calls["w-1"].priority == 7
    too_high = await post("priority", {"priority": 10_000})
    assert too_high.status == 422 and (await too_high.json())["errors"][0]["field"] == "priority"
    assert (await post("offer-callback", {})).status == 200
    assert (await post("cancel-callback", {})).status == 409  # a caller on the line, not a callback

    missing = await app_client.post("/api/v1/calls/nope/move", json={"queue": "sales"}, headers=boss.headers())
    assert missing.status == 404
    trail = (await (await app_client.get("/api/v1/audit", headers=admin.headers())).json())["items"]
    assert [(e["action"], e["actor"]) for e in trail[:3]] == [
        ("call.offer_callback", "sue"),
        ("call.priority", "sue"),
        ("call.move", "sue"),
    ]
    assert trail[2]["before"]["queue"] == "sales" and trail[2]["after"]["queue"] == "billing"
    await acd.handle(c.AbandonCall("w-1"))


async def test_callbacks_are_scheduled_listed_and_canceled(
    reference: None, app_client: Any, agent: Any, make_user: Any, token_for: Any
) -> None:
    boss = await token_for(await make_user("sue", "supervisor"))
    body = {"number": "(212) 555-0100", "queue": "sales", "due_at": "2026-11-24T15:00:00Z"}
    assert (await app_client.post("/api/v1/callbacks", json=body, headers=agent.headers())).status == 403
    made = await app_client.post("/api/v1/callbacks", json=body, headers=boss.headers())
    assert made.status == 201, await made.text()
    callback = await made.json()
    assert (callback["number"], callback["status"]) == ("+12125550100", "scheduled")

    bad = {"number": "nope", "queue": "nowhere", "due_at": "2026-11-24T15:00:00"}
    refused = await app_client.post("/api/v1/callbacks", json=bad, headers=boss.headers())
    assert refused.status == 422 and [e["field"] for e in (await refused.json())["errors"]] == ["due_at"]
    bad["due_at"] = "2026-11-24T15:00:00Z"
    refused = await app_client.post("/api/v1/callbacks", json=bad, headers=boss.headers())
    assert sorted(e["field"] for e in (await refused.json())["errors"]) == ["number", "queue"]
    nobody = {**body, "customer_id": 999_999, "agent_id": -4}  # found by schemathesis: a 500 (foreign key) before
    refused = await app_client.post("/api/v1/callbacks", json=nobody, headers=boss.headers())
    assert refused.status == 422 and sorted(e["field"] for e in (await refused.json())["errors"]) == [
        "agent_id",
        "customer_id",
    ]

    listed = (await (await app_client.get("/api/v1/callbacks", headers=boss.headers())).json())["items"]
    assert [x["id"] for x in listed] == [callback["id"]]
    gone = await app_client.delete(f"/api/v1/callbacks/{callback['id']}", headers=boss.headers())
    assert gone.status == 200 and (await gone.json())["status"] == "canceled"
    assert (await (await app_client.get("/api/v1/callbacks", headers=boss.headers())).json())["items"] == []
    twice = await app_client.delete(f"/api/v1/callbacks/{callback['id']}", headers=boss.headers())
    assert twice.status == 409
    assert (await app_client.delete("/api/v1/callbacks/999999", headers=boss.headers())).status == 404


async def test_listening_in_is_for_supervisors_refused_with_a_reason_and_audited(
    reference: None, app_client: Any, admin: Any, agent: Any, engine: AsyncEngine
) -> None:
    from sqlalchemy import select

    from contact_center.store.engine import session_factory
    from contact_center.store.tables import User
    from contact_center.telephony.events import OriginateOutcome
    from contact_center.web.keys import CALL_CENTER, SIMULATOR

    from ..services.conftest import until

    app = app_client.server.app
    center, port = app[CALL_CENTER], app[SIMULATOR]
    async with session_factory(engine)() as session:
        users = {u.username: u for u in (await session.scalars(select(User))).all()}
    demo_agent, boss = users["agent"], users["supervisor"]
    login = await app_client.post("/api/v1/auth/login", json={"username": "supervisor", "password": "demo-password-1"})
    assert login.status == 200, await login.text()
    csrf = {"X-CSRF-Token": (await login.json())["csrf_token"]}

    refused = await app_client.post("/api/v1/calls/nope/monitor", json={"mode": "listen"}, headers=agent.headers())
    assert refused.status == 403
    bad = await app_client.post("/api/v1/calls/nope/monitor", json={"mode": "shout"}, headers=csrf)
    assert bad.status == 422 and (await bad.json())["errors"][0]["field"] == "mode"
    nothing = await app_client.post("/api/v1/calls/nope/monitor", json={"mode": "listen"}, headers=csrf)
    assert nothing.status == 409 and (await nothing.json())["error"] == "not_connected"
    assert (await app_client.delete("/api/v1/calls/nope/monitor", headers=csrf)).status == 404

    port.program(demo_agent.extension, OriginateOutcome.ANSWERED)
    port.program(boss.extension, OriginateOutcome.ANSWERED)
    await center.set_state(demo_agent.id, "available")
    call_id = port.inject_call(MARIA, "5000")
    port.press(call_id, "10")  # no customer has this number in these tests: English, then an agent
    await until(lambda: center.desks.offer(demo_agent.id), "the offer")
    await center.accept(demo_agent.id, call_id)
    ringing = await app_client.post(f"/api/v1/calls/{call_id}/monitor", json={"mode": "whisper"}, headers=csrf)
    assert ringing.status == 202 and (await ringing.json())["state"] == "ringing"
    await until(lambda: port.monitors, "the supervisor on the call")
    changed = await app_client.post(f"/api/v1/calls/{call_id}/monitor", json={"mode": "barge"}, headers=csrf)
    assert changed.status == 200 and (await changed.json())["mode"] == "barge"
    assert (await app_client.delete(f"/api/v1/calls/{call_id}/monitor", headers=csrf)).status == 200
    await until(lambda: not port.monitors, "the supervisor gone")
    trail = (await (await app_client.get("/api/v1/audit", headers=admin.headers())).json())["items"]
    assert [(e["action"], e["actor"], (e["after"] or {}).get("mode")) for e in trail[:3]] == [
        ("call.monitor_end", "supervisor", None),
        ("call.monitor", "supervisor", "barge"),
        ("call.monitor", "supervisor", "whisper"),
    ]
    port.far_end_hangup(call_id)
