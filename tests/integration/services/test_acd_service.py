"""The routing service on a real database: config from the CRM, events logged, metrics rebuilt after a restart."""

from __future__ import annotations

import datetime as dt
import logging
import random
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from contact_center.app import create_app
from contact_center.domain.acd.agents import agent_key
from contact_center.domain.acd.commands import (
    AbandonCall,
    AcceptOffer,
    ConfigureAgent,
    EndCall,
    EnqueueCall,
    FinishWrapUp,
    LogIn,
    MakeAvailable,
)
from contact_center.domain.acd.events import CallOffered
from contact_center.seed.demo import ensure_reference
from contact_center.services.routing.service import AcdService
from contact_center.store.engine import session_factory
from contact_center.store.tables import AcdEventRow, Queue, User
from contact_center.web.keys import ACD


async def agent_id(engine: AsyncEngine, username: str) -> str:
    async with session_factory(engine)() as session:
        user_id = await session.scalar(select(User.id).where(User.username == username))
    assert user_id is not None
    return agent_key(user_id)


async def test_a_call_is_routed_logged_and_counted_across_a_restart(engine: AsyncEngine, clock: Any) -> None:
    await ensure_reference(engine, password="demo-password-1")
    service = AcdService(engine, clock, rng=random.Random(1))
    published: list[Any] = []
    service.subscribe(published.extend)
    await service.start()
    try:
        assert set(service.acd.queues) == {"general", "billing", "technical", "sales", "retention", "vip"}
        agent = await agent_id(engine, "agent")
        await service.handle(LogIn(agent, ready=True))
        events = await service.handle(EnqueueCall("call-1", "billing", caller_number="+14155550142"))
        offers = [e for e in events if isinstance(e, CallOffered)]
        assert [(o.call_id, o.agent_id) for o in offers] == [("call-1", agent)]
        clock.advance(4)
        await service.handle(AcceptOffer(agent, "call-1"))
        clock.advance(120)
        await service.handle(EndCall("call-1"))
        clock.advance(10)
        await service.handle(FinishWrapUp(agent))
        report = service.report(900)
        assert report.groups["billing"].answered == 1
        assert report.groups["billing"].aht_seconds == 130
    finally:
        await service.stop()
    assert any(isinstance(e, CallOffered) for e in published)
    async with engine.connect() as conn:
        logged = await conn.scalar(select(func.count()).select_from(AcdEventRow))
    assert logged == len(published)
    # A new process rebuilds today's figures from the log.
    again = AcdService(engine, clock)
    await again.start()
    try:
        assert again.today().groups["billing"].answered == 1
        assert again.today().groups["billing"].asa_seconds == 4
        restored = again.acd.agents[agent]  # "calls today" (fewest-calls routing, the board) survives it too
        assert (restored.calls_today, restored.talk_today) == (1, 120)
    finally:
        await again.stop()


async def test_today_starts_at_the_centres_midnight_even_across_a_daylight_saving_change(
    engine: AsyncEngine, clock: Any
) -> None:
    new_york = ZoneInfo("America/New_York")
    service = AcdService(engine, clock, zone=new_york)
    ends_dst = dt.date(2026, 11, 1)  # 25 hours in New York
    start, end = service.day_bounds(ends_dst)
    assert dt.datetime.fromtimestamp(start, dt.UTC) == dt.datetime(2026, 11, 1, 4, tzinfo=dt.UTC)
    assert end - start == 25 * 3600
    starts_dst = service.day_bounds(dt.date(2026, 3, 8))
    assert starts_dst[1] - starts_dst[0] == 23 * 3600
    at = dt.datetime(2026, 11, 24, 3, 30, tzinfo=dt.UTC).timestamp()  # 22:30 the day before, in New York
    assert service.today_of(at) == dt.date(2026, 11, 23)
    assert service.day_start(at) == dt.datetime(2026, 11, 23, tzinfo=new_york).timestamp()
    assert AcdService(engine, clock).day_start(at) == dt.datetime(2026, 11, 24, tzinfo=dt.UTC).timestamp()


async def test_metrics_endpoint_needs_a_supervisor(app_client: Any, agent: Any, make_user: Any, token_for: Any) -> None:
    assert (await app_client.get("/api/v1/metrics/queues", headers=agent.headers())).status == 403
    boss = await token_for(await make_user("sue", "supervisor"))
    resp = await app_client.get("/api/v1/metrics/queues", params={"window": "today"}, headers=boss.headers())
    assert resp.status == 200
    body = await resp.json()
    assert body["total"]["offered"] == 0 and body["window"] == "today"
    bad = await app_client.get("/api/v1/metrics/queues", params={"window": "1y"}, headers=boss.headers())
    assert bad.status == 422
    queues = await (await app_client.get("/api/v1/queues", headers=agent.headers())).json()
    assert queues["items"] == []  # no queues configured in an empty database


async def test_teams_per_queue_thresholds_and_settings_reach_the_metrics(engine: AsyncEngine, clock: Any) -> None:
    await ensure_reference(engine, password="demo-password-1")
    service = AcdService(engine, clock, rng=random.Random(1), service_level_formula="answered", short_abandon_seconds=8)
    await service.start()
    try:
        assert service.metrics.config.sl_formula == "answered"
        assert service.metrics.config.short_abandon_seconds == 8
        assert service.metrics.config.threshold("vip") == 10 and service.metrics.config.threshold("general") == 20
        agent = await agent_id(engine, "agent")
        assert service.metrics.teams[agent] == "Tier 1"
        await service.handle(LogIn(agent, ready=False))
        await service.handle(EnqueueCall("v1", "vip"))
        clock.advance(15)  # 15 s: outside vip's 10 s, inside the default 20 s
        await service.handle(MakeAvailable(agent))
        await service.handle(AcceptOffer(agent, "v1"))
        assert service.report(900).groups["vip"].answered_within_threshold == 0
        assert service.report(900, "team").groups["Tier 1"].answered == 1
        await service.handle(ConfigureAgent(agent, skills={}, tiers={"vip": 1}, team="Tier 2"))
        assert service.report(900, "team").groups.keys() == {"Tier 2"}  # kept up to date
    finally:
        await service.stop()


async def test_a_queue_naming_an_unknown_queue_loads_with_that_rule_disabled(
    engine: AsyncEngine, clock: Any, caplog: pytest.LogCaptureFixture
) -> None:
    async with session_factory(engine).begin() as session:
        session.add(
            Queue(
                name="sales",
                escalation=[
                    {"after_seconds": 30, "action": "move", "queue": "nowhere"},
                    {"after_seconds": 60, "action": "alert"},
                ],
            )
        )
    service = AcdService(engine, clock)
    with caplog.at_level(logging.ERROR):
        await service.start()
    try:
        assert [r.action for r in service.acd.queues["sales"].escalation] == ["alert"]
        assert any("'nowhere'" in r.getMessage() and "disabled" in r.getMessage() for r in caplog.records)
    finally:
        await service.stop()


async def _one_answered_call(service: AcdService, clock: Any, agent: str) -> None:
    await service.handle(LogIn(agent, ready=True))
    await service.handle(EnqueueCall("call-1", "billing"))
    clock.advance(4)
    await service.handle(AcceptOffer(agent, "call-1"))
    clock.advance(900)  # the call ends in the next interval
    await service.handle(EndCall("call-1"))
    clock.advance(20)
    await service.handle(FinishWrapUp(agent))
    await service.handle(EnqueueCall("call-2", "billing"))
    clock.advance(40)
    await service.handle(AbandonCall("call-2"))


async def test_intervals_and_drill_down_from_the_log(
    engine: AsyncEngine, aiohttp_client: Any, settings: Any, clock: Any, make_user: Any, token_for: Any
) -> None:
    await ensure_reference(engine, password="demo-password-1")
    app_client = await aiohttp_client(create_app(settings, clock=clock, engine=engine))
    service = app_client.server.app[ACD]
    agent = await agent_id(engine, "agent")
    await _one_answered_call(service, clock, agent)
    boss = await token_for(await make_user("sue", "supervisor"))
    day = clock.now().date().isoformat()
    resp = await app_client.get(
        "/api/v1/metrics/intervals", params={"date": day, "group": "team"}, headers=boss.headers()
    )
    assert resp.status == 200
    body = await resp.json()
    assert body["date"] == day and len(body["intervals"]) == 96
    busy = [
        (row["start"], row["total"]["answered"], row["total"]["handled"], row["total"]["abandoned"])
        for row in body["intervals"]
        if row["total"]["offered"] or row["total"]["handled"]
    ]
    assert busy == [("2026-11-23T15:00:00+00:00", 1, 0, 0), ("2026-11-23T15:15:00+00:00", 0, 1, 1)]
    assert body["intervals"][61]["groups"]["Tier 1"]["aht_seconds"] == 920

    params = {"from": "2026-11-23T15:00:00Z", "to": "2026-11-23T16:00:00Z", "queue": "billing", "outcome": "abandoned"}
    resp = await app_client.get("/api/v1/metrics/calls", headers=boss.headers(), params=params)
    assert resp.status == 200
    calls = await resp.json()
    assert [(c["call_id"], c["outcome"], c["wait_seconds"]) for c in calls["items"]] == [("call-2", "abandoned", 40)]
    everything = await (await app_client.get("/api/v1/metrics/calls", headers=boss.headers())).json()
    assert {c["call_id"] for c in everything["items"]} == {"call-1", "call-2"}  # default: today so far


@pytest.mark.parametrize(
    ("path", "params", "field"),
    [
        ("/api/v1/metrics/intervals", {"date": "23/11/2026"}, "date"),
        ("/api/v1/metrics/intervals", {"group": "planet"}, "group"),
        ("/api/v1/metrics/intervals", {"date": "9999-12-31"}, "date"),
        ("/api/v1/metrics/intervals", {"date": "0001-01-01"}, "date"),
        ("/api/v1/metrics/calls", {"from": "0001-01-01T00:00:00+14:00"}, "from"),
        ("/api/v1/metrics/calls", {"from": "2026-11-23T09:00:00Z", "to": "9999-12-31T23:59:59-12:00"}, "to"),
        ("/api/v1/metrics/calls", {"from": "yesterday"}, "from"),
        ("/api/v1/metrics/calls", {"outcome": "lost"}, "outcome"),
        ("/api/v1/metrics/calls", {"limit": "0"}, "limit"),
        ("/api/v1/metrics/calls", {"from": "2026-11-23T10:00:00Z", "to": "2026-11-23T09:00:00Z"}, "to"),
        ("/api/v1/metrics/calls", {"from": "2026-01-01T00:00:00Z", "to": "2026-11-23T00:00:00Z"}, "to"),
    ],
)
async def test_bad_metric_parameters_are_422_naming_the_field(
    app_client: Any, make_user: Any, token_for: Any, path: str, params: dict[str, str], field: str
) -> None:
    boss = await token_for(await make_user("sue", "supervisor"))
    resp = await app_client.get(path, params=params, headers=boss.headers())
    assert resp.status == 422
    assert [e["field"] for e in (await resp.json())["errors"]] == [field]


async def test_interval_and_drill_down_endpoints_need_a_supervisor(app_client: Any, agent: Any) -> None:
    for path in ("/api/v1/metrics/intervals", "/api/v1/metrics/calls"):
        assert (await app_client.get(path, headers=agent.headers())).status == 403
    spec = await (await app_client.get("/api/openapi.json")).json()
    assert spec["paths"]["/api/v1/metrics/calls"]["get"]["x-required-role"] == "supervisor"
