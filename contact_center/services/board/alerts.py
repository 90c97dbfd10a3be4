"""The board's alerts: judged every few seconds from what the board shows, kept in the database,
pushed to supervisors, acknowledged by a named supervisor (audited).

With several nodes only the node whose routing engine decides (``acd.leading``) judges and raises;
the open alerts are read from the database at each pass, so a new leader carries on where the old
one stopped and a restart raises nothing twice.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from collections.abc import Callable, Sequence
from typing import Any

from sqlalchemy.ext.asyncio import AsyncEngine

from contact_center.clock import Clock, epoch_iso
from contact_center.domain.acd import events as ev
from contact_center.domain.metrics.alerts import (
    AgentLimits,
    AgentLook,
    Changes,
    Condition,
    QueueLook,
    compare,
    conditions,
)
from contact_center.services.desk import Audience
from contact_center.services.routing.service import AcdService
from contact_center.store import board_alerts as store
from contact_center.store.audit_log import record_change
from contact_center.store.engine import session_factory

log = logging.getLogger(__name__)
CHECK_SECONDS = 5.0
SL_WINDOW_SECONDS = 1800.0  # the service level an alert judges: the last 30 minutes
SUPERVISORS: Audience = ("supervisors", None)
Announce = Callable[[Audience, str, dict[str, Any]], None]


class BoardAlerts:
    def __init__(
        self,
        *,
        engine: AsyncEngine,
        clock: Clock,
        acd: AcdService,
        announce: Announce,
        names: Callable[[int], str | None] = lambda _user_id: None,
        limits: AgentLimits | None = None,
        check_seconds: float = CHECK_SECONDS,
    ) -> None:
        self.engine, self.clock, self.acd = engine, clock, acd
        self.sessions = session_factory(engine)
        self.announce, self.names = announce, names
        self.limits = limits or AgentLimits()
        self.check_seconds = check_seconds
        self._loop: asyncio.Task[None] | None = None
        self._writes: set[asyncio.Task[Any]] = set()
        self._lock = asyncio.Lock()  # one pass at a time: a rule's alert and a check never race on a key
        acd.subscribe(self._on_routing_events)

    async def start(self) -> None:
        self._loop = asyncio.create_task(self._every(), name="board-alerts")

    async def stop(self) -> None:
        tasks = [t for t in (self._loop, *self._writes) if t is not None]
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)

    async def _every(self) -> None:
        while True:
            await asyncio.sleep(self.check_seconds)
            try:
                if self.acd.leading:
                    await self.check()
            except Exception:
                log.exception("judging the board's alerts failed; trying again in %.0f s", self.check_seconds)

    def looks(self) -> tuple[list[QueueLook], list[AgentLook]]:
        """The queues and agents as the board shows them now (routing's memory and its 30-minute figures)."""
        routing, now = self.acd.acd, self.acd.now()
        recent = self.acd.report(SL_WINDOW_SECONDS)
        logged_in = [a for a in routing.agents.values() if str(a.state) != "offline"]
        queues = []
        for name, config in sorted(routing.queues.items()):
            stats = recent.groups.get(name)
            queues.append(
                QueueLook(
                    name=name,
                    waiting=len(routing.waiting_calls(name)),
                    oldest_wait_seconds=routing.oldest_wait(name, now),
                    agents_logged_in=sum(1 for a in logged_in if name in a.tiers),
                    service_level=stats.service_level if stats is not None else None,
                    offered=stats.offered if stats is not None else 0,
                    sl_target=config.sl_target,
                    sl_threshold_seconds=config.sl_threshold_seconds,
                    alert_wait_seconds=config.alert_wait_seconds,
                    alert_not_ready_seconds=config.alert_not_ready_seconds,
                    alert_wrap_up_seconds=config.alert_wrap_up_seconds,
                )
            )
        agents = [
            AgentLook(
                agent_id=a.id,
                name=(self.names(int(a.id)) if a.id.isdigit() else None) or a.id,
                state=str(a.state),
                reason=a.reason,
                since=a.since,
                queues=tuple(sorted(a.tiers)),
            )
            for a in logged_in
        ]
        return queues, agents

    async def check(self) -> Changes:
        """Raise the alerts whose condition holds now and clear those whose condition no longer does."""
        queues, agents = self.looks()
        holding = conditions(queues, agents, self.acd.now(), self.limits)
        now = self.clock.now()
        async with self._lock, self.sessions.begin() as session:
            changes = compare(await store.open_keys(session), holding)
            raised = await store.raise_alerts(session, changes.raised, now)
            cleared = await store.clear(session, changes.cleared, now)
            said = [("board.alert", store.as_json(r)) for r in raised]
            said += [("board.alert_updated", store.as_json(r)) for r in cleared]
        for event, payload in said:
            self.announce(SUPERVISORS, event, payload)
        return changes

    def _on_routing_events(self, events: Sequence[ev.Event]) -> None:
        if not self.acd.leading:
            return
        for event in events:
            if isinstance(event, ev.SupervisorAlerted):
                task = asyncio.create_task(self._rule_fired(event), name=f"board-alert-{event.call_id}")
                self._writes.add(task)
                task.add_done_callback(self._writes.discard)

    async def _rule_fired(self, event: ev.SupervisorAlerted) -> None:
        condition = Condition(
            key=f"rule:{event.call_id}:{event.at:.3f}",
            kind="rule",
            queue=event.queue_id,
            call_id=event.call_id,
            message=event.message or "a queue's alert rule fired",
            value=event.wait_seconds,
        )
        details = {"wait_seconds": round(event.wait_seconds, 1)}
        try:
            async with self._lock, self.sessions.begin() as session:
                (row,) = await store.raise_alerts(session, [condition], self.clock.now(), details)
                payload = store.as_json(row)
        except Exception:
            log.exception("keeping the alert of call %s failed; it is pushed anyway", event.call_id)
            payload = {
                "id": None,
                "kind": "rule",
                "queue": event.queue_id,
                "call_id": event.call_id,
                "message": condition.message,
                "at": epoch_iso(event.at),
                "wait_seconds": details["wait_seconds"],
            }
        self.announce(SUPERVISORS, "board.alert", payload)

    async def acknowledge(self, alert_id: int, actor: str) -> dict[str, Any] | None:
        """Acknowledged by ``actor`` (kept, audited, pushed to every board); None when there is no such alert."""
        now = self.clock.now()
        async with self.sessions.begin() as session:
            row, first = await store.acknowledge(session, alert_id, actor, now)
            if row is None:
                return None
            payload = store.as_json(row)
            if first:  # acknowledging twice changes nothing, and is not audited twice
                record_change(session, actor, "alert.acknowledge", f"alert:{alert_id}", None, payload, now)
        self.announce(SUPERVISORS, "board.alert_updated", payload)
        return payload

    async def listing(self, *, open_only: bool, hours: float = 24.0, limit: int = 200) -> list[dict[str, Any]]:
        since = self.clock.now() - dt.timedelta(hours=hours)
        async with self.sessions() as session:
            rows = await store.listing(session, open_only=open_only, since=since, limit=limit)
        return [store.as_json(r) for r in rows]
