"""The routing service on a real database: config from the CRM, events logged, metrics rebuilt after a restart."""

from __future__ import annotations

import random
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from contact_center.domain.acd.commands import AcceptOffer, EndCall, EnqueueCall, FinishWrapUp, LogIn
from contact_center.domain.acd.events import CallOffered
from contact_center.seed.demo import ensure_reference
from contact_center.services.acd import AcdService
from contact_center.services.routing_config import agent_key
from contact_center.store.engine import session_factory
from contact_center.store.tables import AcdEventRow, User


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
    finally:
        await again.stop()


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
