"""Supervisors act on agents (audited) and read reports over a date range, as JSON or CSV."""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from contact_center.crm.dialing_lists import import_list
from contact_center.domain.acd import commands as c
from contact_center.seed.demo import ensure_reference
from contact_center.store.engine import session_factory
from contact_center.store.tables import User
from contact_center.web.keys import ACD, ALERTS, CALL_CENTER

HEADER = "queue,offered,answered,abandoned,service_level,asa_seconds,aht_seconds"


@pytest.fixture
async def reference(engine: AsyncEngine) -> None:
    await ensure_reference(engine, password="demo-password-1")


async def _demo_agent(engine: AsyncEngine) -> int:
    async with session_factory(engine)() as session:
        return int(await session.scalar(select(User.id).where(User.username == "agent")) or 0)


async def test_a_supervisor_sets_an_agents_state_and_it_is_audited(
    reference: None, app_client: Any, admin: Any, agent: Any, make_user: Any, token_for: Any, engine: AsyncEngine
) -> None:
    boss = await token_for(await make_user("sue", "supervisor"))
    user_id = await _demo_agent(engine)
    center = app_client.server.app[CALL_CENTER]
    url = f"/api/v1/agents/{user_id}/state"
    body = {"state": "not_ready", "reason": "coaching"}
    assert (await app_client.post(url, json=body, headers=boss.headers())).status == 409  # logged out: nothing to do
    await center.set_state(user_id, "available")

    assert (await app_client.post(url, json=body, headers=agent.headers())).status == 403
    done = await app_client.post(url, json=body, headers=boss.headers())
    assert done.status == 200, await done.text()
    assert (await done.json())["state"] == "not_ready"
    state = (await center.snapshot(user_id))["agent"]
    assert (state["state"], state["reason"]) == ("not_ready", "coaching")

    out = await app_client.post(url, json={"state": "offline"}, headers=boss.headers())
    assert out.status == 200 and (await center.snapshot(user_id))["agent"]["state"] == "offline"
    for bad, field in (({"state": "available"}, "state"), ({"state": "not_ready", "x": 1}, "x")):
        refused = await app_client.post(url, json=bad, headers=boss.headers())
        assert refused.status == 422 and [e["field"] for e in (await refused.json())["errors"]] == [field]
    assert (await app_client.post("/api/v1/agents/999999/state", json=body, headers=boss.headers())).status == 404

    trail = (await (await app_client.get("/api/v1/audit", headers=admin.headers())).json())["items"]
    assert [(e["action"], e["actor"], e["after"]["state"]) for e in trail[:2]] == [
        ("agent.state", "sue", "offline"),
        ("agent.state", "sue", "not_ready"),
    ]
    assert trail[1]["before"]["state"] == "available"


async def test_reports_over_days_as_json_and_csv(
    reference: None, app_client: Any, make_user: Any, token_for: Any, agent: Any, engine: AsyncEngine, clock: Any
) -> None:
    boss = await token_for(await make_user("sue", "supervisor"))
    routing = app_client.server.app[ACD]
    agent_id = str(await _demo_agent(engine))
    await routing.handle(c.LogIn(agent_id, ready=True))
    await routing.handle(c.EnqueueCall("r-1", "general"))
    clock.advance(8)
    await routing.handle(c.AcceptOffer(agent_id, "r-1"))
    clock.advance(60)
    await routing.handle(c.EndCall("r-1"))
    await routing.handle(c.FinishWrapUp(agent_id))
    await routing.handle(c.EnqueueCall("r-2", "billing"))
    clock.advance(30)
    await routing.handle(c.AbandonCall("r-2"))
    day = clock.now().date().isoformat()

    url = f"/api/v1/reports/queues?from={day}&to={day}"
    assert (await app_client.get(url, headers=agent.headers())).status == 403
    report = await (await app_client.get(url, headers=boss.headers())).json()
    rows = {r["name"]: r for r in report["items"]}
    assert (rows["general"]["offered"], rows["general"]["answered"]) == (1, 1)
    assert (rows["billing"]["offered"], rows["billing"]["abandoned"]) == (1, 1)
    assert report["total"]["offered"] == 2 and rows["general"]["aht_seconds"] > 0

    answer = await app_client.get(url + "&format=csv", headers=boss.headers())
    assert answer.status == 200 and answer.headers["Content-Type"].startswith("text/csv")
    text = await answer.text()
    assert text.splitlines()[0].startswith(HEADER)
    table = {r["queue"]: r for r in csv.DictReader(io.StringIO(text))}
    assert table["general"]["answered"] == "1" and table["billing"]["abandoned"] == "1" and "(all)" in table

    earlier = await (
        await app_client.get("/api/v1/reports/queues?from=2020-01-01&to=2020-01-02", headers=boss.headers())
    ).json()
    assert earlier["items"] == [] and earlier["total"]["offered"] == 0
    for query, field in (
        ("from=2026-13-01&to=2026-12-01", "from"),
        (f"from={day}", "to"),
        ("from=2026-12-02&to=2026-12-01", "to"),
        (f"from={day}&to={day}&format=xls", "format"),
    ):
        refused = await app_client.get(f"/api/v1/reports/queues?{query}", headers=boss.headers())
        assert refused.status == 422 and field in [e["field"] for e in (await refused.json())["errors"]], query
    assert (await app_client.get(f"/api/v1/reports/planets?from={day}&to={day}", headers=boss.headers())).status == 404


async def test_campaigns_are_listed_with_mode_status_and_list_size(
    reference: None, app_client: Any, agent: Any, make_user: Any, token_for: Any, engine: AsyncEngine, tmp_path: Any
) -> None:
    boss = await token_for(await make_user("sue", "supervisor"))
    path = tmp_path / "list.csv"
    path.write_text("phone,first_name\n+12125550100,Sam\n+12125550101,Kim\n")
    async with session_factory(engine).begin() as session:
        loaded = await import_list(session, "Win-back", path, "US")
    assert loaded.loaded == 2
    assert (await app_client.get("/api/v1/campaigns", headers=agent.headers())).status == 403
    items = (await (await app_client.get("/api/v1/campaigns", headers=boss.headers())).json())["items"]
    assert all({"name", "mode", "status"} <= set(c) for c in items)
    win_back = next(c for c in items if c["name"] == "Win-back")  # the demo has it; the list adds to it
    assert win_back["records"] == 2 and win_back["records_by_status"] == {"new": 2}


async def test_a_supervisor_starts_pauses_and_stops_a_campaign(
    reference: None, app_client: Any, agent: Any, admin: Any, make_user: Any, token_for: Any
) -> None:
    boss = await token_for(await make_user("sue", "supervisor"))
    url = "/api/v1/campaigns/Win-back/status"
    assert (await app_client.post(url, json={"status": "running"}, headers=agent.headers())).status == 403
    for status in ("running", "paused", "running", "stopped"):
        answer = await app_client.post(url, json={"status": status}, headers=boss.headers())
        assert answer.status == 200 and (await answer.json())["status"] == status, status
    again = await app_client.post(url, json={"status": "paused"}, headers=boss.headers())
    assert again.status == 409  # a stopped campaign is not paused
    assert (await app_client.post(url, json={"status": "flying"}, headers=boss.headers())).status == 422
    missing = await app_client.post(
        "/api/v1/campaigns/nowhere/status", json={"status": "running"}, headers=boss.headers()
    )
    assert missing.status == 404
    listed = (await (await app_client.get("/api/v1/campaigns", headers=boss.headers())).json())["items"]
    assert next(c for c in listed if c["name"] == "Win-back")["status"] == "stopped"
    trail = (await (await app_client.get("/api/v1/audit", headers=admin.headers())).json())["items"]
    assert [e["after"]["status"] for e in trail[:4]] == ["stopped", "running", "paused", "running"]


async def test_alerts_are_listed_and_acknowledged_by_supervisors_only(
    reference: None, app_client: Any, admin: Any, agent: Any, make_user: Any, token_for: Any
) -> None:
    boss = await token_for(await make_user("sue", "supervisor"))
    acd = app_client.server.app[ACD]
    await acd.handle(c.EnqueueCall("c-77", "billing", caller_number="+14155550142"))
    await app_client.server.app[ALERTS].check()  # callers waiting, nobody logged in

    assert (await app_client.get("/api/v1/alerts", headers=agent.headers())).status == 403
    listed = await (await app_client.get("/api/v1/alerts", headers=boss.headers())).json()
    (alert,) = [a for a in listed["items"] if a["key"] == "no_agents:billing"]
    assert {"id", "kind", "queue", "message", "at", "acknowledged_by", "acknowledged_at", "cleared_at"} <= set(alert)
    url = f"/api/v1/alerts/{alert['id']}/acknowledge"
    assert (await app_client.post(url, json={}, headers=agent.headers())).status == 403
    done = await app_client.post(url, json={}, headers=boss.headers())
    assert done.status == 200 and (await done.json())["acknowledged_by"] == "sue"
    assert (await app_client.post("/api/v1/alerts/424242/acknowledge", json={}, headers=boss.headers())).status == 404
    refused = await app_client.get("/api/v1/alerts?state=closed&hours=-1", headers=boss.headers())
    assert refused.status == 422
    assert sorted(e["field"] for e in (await refused.json())["errors"]) == ["hours", "state"]
    trail = (await (await app_client.get("/api/v1/audit", headers=admin.headers())).json())["items"]
    assert (trail[0]["action"], trail[0]["actor"]) == ("alert.acknowledge", "sue")
    await acd.handle(c.AbandonCall("c-77"))


async def test_a_supervisor_changes_an_agents_queues_and_skills_and_routing_takes_it_at_once(
    reference: None, app_client: Any, admin: Any, agent: Any, make_user: Any, token_for: Any, engine: AsyncEngine
) -> None:
    boss = await token_for(await make_user("sue", "supervisor"))
    user_id = await _demo_agent(engine)
    url = f"/api/v1/agents/{user_id}/routing"
    body = {"queues": {"sales": 1, "billing": 2}, "skills": {"sales": 9, "english": 5}}
    assert (await app_client.patch(url, json=body, headers=agent.headers())).status == 403
    done = await app_client.patch(url, json=body, headers=boss.headers())
    assert done.status == 200, await done.text()
    routed = app_client.server.app[ACD].acd.agents[str(user_id)]
    assert dict(routed.tiers) == {"sales": 1, "billing": 2} and dict(routed.skills) == {"sales": 9, "english": 5}

    refused = await app_client.patch(url, json={"queues": {"nowhere": 1}}, headers=boss.headers())
    assert refused.status == 422 and (await refused.json())["errors"][0]["field"] == "queues"
    too_high = await app_client.patch(url, json={"skills": {"sales": 11}}, headers=boss.headers())
    assert too_high.status == 422
    assert (await app_client.patch("/api/v1/agents/999999/routing", json=body, headers=boss.headers())).status == 404
    trail = (await (await app_client.get("/api/v1/audit", headers=admin.headers())).json())["items"]
    assert (trail[0]["action"], trail[0]["actor"]) == ("user.change", "sue")
    assert trail[0]["after"]["queues"] == {"billing": 2, "sales": 1}


async def test_a_read_only_token_reads_the_board_and_writes_nothing(
    reference: None, app_client: Any, agent: Any, make_user: Any, engine: AsyncEngine, clock: Any
) -> None:
    from contact_center.crm.users import create_token

    await make_user("wall", "supervisor")
    async with session_factory(engine).begin() as session:
        token = await create_token(session, "wall", "lobby TV", clock.now(), read_only=True)
    wall = {"Authorization": f"Bearer {token}"}
    board = await app_client.get("/api/v1/board", headers=wall)
    assert board.status == 200
    snapshot = await board.json()
    assert {"queues", "agents", "totals", "waiting_calls"} <= set(snapshot)
    assert (await app_client.get("/api/v1/metrics/queues?window=30m", headers=wall)).status == 200
    user_id = await _demo_agent(engine)
    write = await app_client.post(f"/api/v1/agents/{user_id}/state", json={"state": "offline"}, headers=wall)
    assert write.status == 403 and (await write.json())["error"] == "read_only_token"
    assert (await app_client.get("/api/v1/board", headers=agent.headers())).status == 403
