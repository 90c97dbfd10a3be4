"""The board's alerts on a real database: raised once while their condition holds, cleared when it
stops, a queue rule's alert kept, acknowledged by name (audited), and all of it still there after a restart."""

from __future__ import annotations

import random
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from contact_center.domain.acd.agents import agent_key
from contact_center.domain.acd.commands import AbandonCall, EnqueueCall, LogIn, LogOut, MakeNotReady
from contact_center.domain.acd.config import QueueConfig
from contact_center.domain.metrics.alerts import AgentLimits
from contact_center.seed.demo import ensure_reference
from contact_center.services.board.alerts import BoardAlerts
from contact_center.services.routing.service import AcdService
from contact_center.store.engine import session_factory
from contact_center.store.tables import AuditEntry, User

Heard = list[tuple[Any, str, dict[str, Any]]]


async def user_id(engine: AsyncEngine, username: str) -> int:
    async with session_factory(engine)() as session:
        found = await session.scalar(select(User.id).where(User.username == username))
    assert found is not None
    return found


async def started(engine: AsyncEngine, clock: Any, heard: Heard) -> tuple[AcdService, BoardAlerts]:
    acd = AcdService(engine, clock, rng=random.Random(5))
    alerts = BoardAlerts(
        engine=engine,
        clock=clock,
        acd=acd,
        announce=lambda audience, event, payload: heard.append((audience, event, payload)),
        names=lambda uid: f"user {uid}",
        limits=AgentLimits(not_ready_seconds=300, wrap_up_seconds=120),
        check_seconds=3600,  # judged when the test asks
    )
    await acd.start()
    await alerts.start()
    return acd, alerts


async def stopped(acd: AcdService, alerts: BoardAlerts) -> None:
    await alerts.stop()
    await acd.stop()


async def test_alerts_are_raised_once_cleared_acknowledged_and_kept_across_a_restart(
    engine: AsyncEngine, clock: Any
) -> None:
    await ensure_reference(engine, password="demo-password-1")
    agent = agent_key(await user_id(engine, "agent"))
    heard: Heard = []
    acd, alerts = await started(engine, clock, heard)
    try:
        acd.configure_queue(QueueConfig.from_mapping("billing", {"sl_threshold_seconds": 20, "alert_wait_seconds": 45}))
        await acd.handle(EnqueueCall("c-1", "billing", caller_number="+14155550142"))
        changes = await alerts.check()  # nobody logged in: no agent for the caller
        assert [c.key for c in changes.raised] == ["no_agents:billing"]
        clock.advance(46)
        changes = await alerts.check()
        assert [c.key for c in changes.raised] == ["longest_wait:billing"]  # no_agents is open: not raised again
        assert (await alerts.check()).raised == []

        await acd.handle(LogIn(agent, ready=False))
        await acd.handle(MakeNotReady(agent, "coaching"))
        changes = await alerts.check()
        assert changes.cleared == ["no_agents:billing"] and changes.raised == []
        clock.advance(301)
        assert [c.key for c in (await alerts.check()).raised] == [f"not_ready_long:{agent}"]

        listed = await alerts.listing(open_only=True)
        assert [a["kind"] for a in listed] == ["not_ready_long", "longest_wait", "no_agents"]  # newest first
        wait_alert = next(a for a in listed if a["kind"] == "longest_wait")
        assert wait_alert["queue"] == "billing" and "45 s" in wait_alert["message"]
        pushed = [(event, payload["kind"]) for _, event, payload in heard]
        assert ("board.alert", "longest_wait") in pushed and ("board.alert_updated", "no_agents") in pushed

        acked = await alerts.acknowledge(wait_alert["id"], "supervisor")
        assert acked is not None and acked["acknowledged_by"] == "supervisor" and acked["cleared_at"] is None
        again = await alerts.acknowledge(wait_alert["id"], "other")  # the first acknowledgement stands
        assert again is not None and again["acknowledged_by"] == "supervisor"
        assert await alerts.acknowledge(999_999, "supervisor") is None
        async with session_factory(engine)() as session:
            audit = (await session.scalars(select(AuditEntry).where(AuditEntry.action == "alert.acknowledge"))).all()
        assert [(a.actor, a.target) for a in audit] == [("supervisor", f"alert:{wait_alert['id']}")]

        await acd.handle(AbandonCall("c-1"))
        await acd.handle(LogOut(agent))
    finally:
        await stopped(acd, alerts)

    # A restart: what was open and acknowledged is still so; nothing already raised is raised again.
    heard.clear()
    acd, alerts = await started(engine, clock, heard)
    try:
        by_kind = {a["kind"]: a for a in await alerts.listing(open_only=True)}
        assert by_kind["longest_wait"]["acknowledged_by"] == "supervisor"
        changes = await alerts.check()  # the caller left and the agent logged out: both cleared
        assert changes.raised == []
        assert sorted(changes.cleared) == sorted(["longest_wait:billing", f"not_ready_long:{agent}"])
        # Cleared and acknowledged: no longer open; cleared but never acknowledged: still listed.
        open_now = {a["kind"] for a in await alerts.listing(open_only=True)}
        assert open_now == {"not_ready_long", "no_agents"}
        assert len(await alerts.listing(open_only=False)) == 3
    finally:
        await stopped(acd, alerts)


async def test_a_queue_rules_alert_is_kept_and_closed_by_its_acknowledgement(engine: AsyncEngine, clock: Any) -> None:
    await ensure_reference(engine, password="demo-password-1")
    heard: Heard = []
    acd, alerts = await started(engine, clock, heard)
    try:
        rule = {"after_seconds": 30, "action": "alert", "message": "long wait in general"}
        acd.configure_queue(QueueConfig.from_mapping("general", {"escalation": [rule]}))
        await acd.handle(EnqueueCall("c-9", "general", caller_number="+14155550142"))
        clock.advance(31)
        await acd.advance()
        for _ in range(100):
            if any(event == "board.alert" for _, event, _ in heard):
                break
            await alerts.listing(open_only=True)  # lets the write task run
        (pushed,) = [payload for _, event, payload in heard if event == "board.alert"]
        assert pushed["kind"] == "rule" and pushed["call_id"] == "c-9" and pushed["message"] == "long wait in general"
        assert pushed["wait_seconds"] == 30.0 and pushed["id"] is not None
        changes = await alerts.check()  # a rule's alert is not judged by the board's conditions
        assert not any(key.startswith("rule:") for key in changes.cleared)
        acked = await alerts.acknowledge(pushed["id"], "supervisor")
        assert acked is not None and acked["cleared_at"] is not None  # nothing else would close it
        assert all(a["id"] != pushed["id"] for a in await alerts.listing(open_only=True))
        await acd.handle(AbandonCall("c-9"))
    finally:
        await stopped(acd, alerts)
