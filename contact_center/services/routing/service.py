"""The thin async service around the routing engine: one writer, timers, the event log, live metrics.

Commands run one at a time on the event loop (the engine is a plain object); every resulting event
is written to the ``acd_events`` log, folded into the live metrics and handed to listeners (the
realtime gateway, call sessions). A single task sleeps until the engine's next deadline (ring
timeouts, wrap-up ends, escalations) and advances it.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
import random
from collections.abc import Callable, Sequence

from sqlalchemy.ext.asyncio import AsyncEngine

from contact_center.clock import Clock
from contact_center.domain.acd.codec import queue_to_dict
from contact_center.domain.acd.commands import Command, ConfigureAgent
from contact_center.domain.acd.config import QueueConfig
from contact_center.domain.acd.events import Event
from contact_center.domain.acd.reconciler import LiveLegs, reconcile
from contact_center.domain.acd.router import Acd
from contact_center.services.routing.reports import AcdReports
from contact_center.store import acd_events as acd_log
from contact_center.store.engine import session_factory
from contact_center.store.routing_config import load_agents, load_queues

log = logging.getLogger(__name__)
Listener = Callable[[Sequence[Event]], None]
MAX_SLEEP = 1.0  # wake at least this often, so a clock that jumps is noticed
MIN_SLEEP = 0.005  # a deadline already due is handled by the next pass, not a busy loop


class AcdService(AcdReports):
    shared = False  # several nodes replicate this engine (SharedAcdService)

    @property
    def leading(self) -> bool:
        """Whether the events this node hands to its listeners were decided here (always, in one process):
        what must be said once per cluster (agent states, the board) is said by the node that decided."""
        return True

    def __init__(
        self,
        engine: AsyncEngine,
        clock: Clock,
        *,
        rng: random.Random | None = None,
        service_level_formula: str = "answered_plus_late_abandons",
        short_abandon_seconds: float = 5.0,
        zone: dt.tzinfo = dt.UTC,
    ) -> None:
        super().__init__(
            engine,
            clock,
            service_level_formula=service_level_formula,
            short_abandon_seconds=short_abandon_seconds,
            zone=zone,
        )
        self.acd = Acd(rng=rng or random.Random())
        self._listeners: list[Listener] = []
        self._wake = asyncio.Event()
        self._timer: asyncio.Task[None] | None = None
        self._pending: list[Event] = []
        self._writer_lock = asyncio.Lock()

    def subscribe(self, listener: Listener) -> None:
        self._listeners.append(listener)

    async def start(self) -> None:
        """Load queues and agents from the CRM, rebuild today's metrics from the log, start the timer."""
        async with session_factory(self.engine)() as session:
            queues = await load_queues(session)
            agents = await load_agents(session)
        for queue in queues:
            self.configure_queue(queue)
        now = self.now()
        for command in agents:
            self.acd.handle(command, now)
            self.note_agent(command)
        self.metrics.apply_all(await acd_log.since(self.engine, self.day_start() - 3600))
        self.acd.handle(self.counters_from_log(), now)  # a restart mid-day: "calls today" as the log says
        self._timer = asyncio.create_task(self._run_timers(), name="acd-timers")

    async def stop(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._timer
        await self._flush()

    def configure_queue(self, queue: QueueConfig) -> None:
        self.acd.configure_queue(queue)
        self.note_queue(queue)

    async def reload_queues(self) -> list[str]:
        """Queues added or changed in the CRM since they were loaded, configured now; their names.
        Calls waiting keep their place and take their timers from the new definition."""
        async with session_factory(self.engine)() as session:
            queues = await load_queues(session)
        changed = []
        for queue in queues:
            known = self.acd.queues.get(queue.id)
            if known is None or queue_to_dict(known) != queue_to_dict(queue):
                self.configure_queue(queue)
                changed.append(queue.id)
        return changed

    async def handle(self, command: Command) -> list[Event]:
        """Run a command now; its events (and those of timers that fell due) are logged and published."""
        events = self.acd.handle(command, self.now())
        if isinstance(command, ConfigureAgent):
            self.note_agent(command)
        await self._emit(events)
        self._wake.set()
        return events

    async def advance(self) -> list[Event]:
        events = self.acd.advance(self.now())
        await self._emit(events)
        return events

    async def reconcile(self, legs: LiveLegs, grace_seconds: float) -> list[Event]:
        """Heal agents and calls that live legs contradict; each repair is a ``StateRepaired`` in the log."""
        events = reconcile(self.acd, legs, self.now(), grace_seconds=grace_seconds)
        await self._emit(events)
        return events

    async def _emit(self, events: list[Event]) -> None:
        if not events:
            return
        self._pending.extend(events)
        await self._flush()
        self._publish(events)

    def _publish(self, events: list[Event]) -> None:
        """Into the live metrics, then to every listener (one that fails does not stop the others)."""
        if not events:
            return
        self.fold(events)
        for listener in self._listeners:
            try:
                listener(events)
            except Exception:
                log.exception("routing event listener failed")

    async def _flush(self) -> None:
        # Serialised so the log keeps the engine's order even when commands arrive together.
        async with self._writer_lock:
            batch, self._pending = self._pending, []
            if batch:
                await acd_log.append(self.engine, batch)

    async def _run_timers(self) -> None:
        while True:
            deadline = self.acd.next_deadline()
            delay = MAX_SLEEP if deadline is None else max(MIN_SLEEP, min(MAX_SLEEP, deadline - self.now()))
            self._wake.clear()
            # asyncio.timeout, not wait_for: on 3.11 wait_for can swallow the cancellation that stop() sends.
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(delay):
                    await self._wake.wait()
            try:
                await self.advance()
            except Exception:
                task = asyncio.current_task()
                if task is not None and task.cancelling():
                    raise asyncio.CancelledError from None  # a driver turned stop()'s cancellation into an error
                log.exception("routing timer step failed")
