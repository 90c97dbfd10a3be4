"""What every part of the call center shares: the live calls and desks it tracks, and the helpers they use.

``CallCenter`` is put together from parts (call control, transfers, wrap-up, outbound calls, monitoring,
the desks' views), each built in its constructor and given this core and the other parts it calls. What
they hold is in three places only (``live.py``): the calls, the agents' desks and the people; a call's
state is changed only by steps of its owner (``post``, ``child``, ``ask``).
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
from collections.abc import Coroutine
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from sqlalchemy.ext.asyncio import AsyncEngine

from contact_center.clock import Clock, epoch_iso, utc_iso
from contact_center.crm.views import CallPathReads
from contact_center.domain.acd import commands as cmd
from contact_center.domain.acd import events as ev
from contact_center.domain.acd.errors import AcdError
from contact_center.flows.directory import Directory
from contact_center.flows.registry import FlowRegistry
from contact_center.services.calls.live import AgentDesks, LiveCalls, People
from contact_center.services.calls.monitoring import Monitoring
from contact_center.services.calls.owner import CallOwners
from contact_center.services.calls.record import CallRecord, leg_json
from contact_center.services.calls.untold import UntoldCommands
from contact_center.services.desk import Audience, DeskError, DeskListener
from contact_center.services.routing.service import AcdService
from contact_center.store.activity_log import ActivityLog
from contact_center.telephony.port import CallEnded, Prompt, TelephonyPort

if TYPE_CHECKING:
    from contact_center.services.calls.session import Conversation

log = logging.getLogger(__name__)
T = TypeVar("T")
AGENT_RING_SECONDS = 20.0
SUPERVISORS: Audience = ("supervisors", None)


class CenterCore:
    """The shared state and helpers of the call center's parts (each part holds it as ``core``)."""

    def __init__(
        self,
        *,
        engine: AsyncEngine,
        clock: Clock,
        acd: AcdService,
        port: TelephonyPort,
        flows: FlowRegistry,
        directory: Directory,
        region: str,
        var_dir: Path,
        record_calls: bool = False,
        zone: dt.tzinfo = dt.UTC,
        reads: CallPathReads | None = None,
        activities: ActivityLog | None = None,
    ) -> None:
        self.engine, self.clock, self.acd, self.port = engine, clock, acd, port
        self.reads = reads or CallPathReads(engine)  # who is calling, the screen-pop's 360
        self.activities = activities or ActivityLog(engine)  # every interaction reaches the timeline here
        self.flows, self.directory, self.region, self.var_dir = flows, directory, region, var_dir
        self.zone = zone  # whose clock a callback without a customer time zone goes by
        self.record_calls = record_calls
        # The call center's only state (services/calls/live.py): what this node holds of each call, of each
        # agent's desk, and of the people.
        self.calls = LiveCalls()
        self.desks = AgentDesks()
        self.people = People()
        self._listeners: list[DeskListener] = []
        self._tasks: set[asyncio.Task[Any]] = set()  # the center's own loops (reconciler, timelines, ...)
        self.untold = UntoldCommands(self.acd.handle, self.spawn)
        self.owners = CallOwners(self.tracks)
        self.monitoring = Monitoring(
            port=port, calls=self.calls, people=self.people, owners=self.owners, tell=self.tell
        )

    def tracks(self, call_id: str) -> bool:
        """Whether anything of the call is still held here (its owner stays until nothing is)."""
        return self.calls.tracks(call_id) or any(w["call_id"] == call_id for _, w in self.desks.wrapping())

    def post(self, call_id: str, step: Coroutine[Any, Any, Any], what: str) -> None:
        """A step for the call's owner that nobody waits for (a telephony or routing event)."""
        self.owners.of(call_id).post(step, what)

    def child(self, call_id: str, step: Coroutine[Any, Any, Any], what: str) -> None:
        """A long step of the call (it waits on a phone or the caller), beside its owner's inbox."""
        self.owners.of(call_id).child(step, what)

    async def ask(self, call_id: str, step: Coroutine[Any, Any, T], what: str) -> T:
        """A step for the call's owner whose result or refusal comes back (desk commands)."""
        return await self.owners.of(call_id).ask(step, what)

    def subscribe(self, listener: DeskListener) -> None:
        self._listeners.append(listener)

    def announce(self, audience: Audience, event: str, payload: dict[str, Any]) -> None:
        """Say something to desks or the board through the same listeners as the calls' own events."""
        self.tell(audience, event, payload)

    def tell(self, audience: Audience, event: str, payload: dict[str, Any]) -> None:
        for listener in self._listeners:
            try:
                listener(audience, event, payload)
            except Exception:
                log.exception("desk listener failed on %s", event)

    def spawn(self, coro: Any, name: str) -> None:
        task = asyncio.create_task(coro, name=name)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def stop_tasks(self) -> None:
        """Cancel the center's own loops and wait for them to end."""
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)

    async def safe(self, command: cmd.Command) -> list[ev.Event]:
        """A command whose refusal is expected now and then (the state already moved on): logged, not raised.
        It still reaches routing when no leader answers for a while (``UntoldCommands``)."""
        return await self.untold.send(command)

    async def command(self, command: cmd.Command) -> list[ev.Event]:
        """A command an agent asked for: a refusal goes back to their desktop."""
        try:
            return await self.acd.handle(command)
        except AcdError as exc:
            raise DeskError(type(exc).__name__, str(exc)) from None

    async def say_then_hold(self, session: Conversation, prompt: Prompt) -> None:
        """Tell a customer back in the queue why they wait, then hold music (unless an agent took the call
        while the prompt played: then the bridge has the line)."""
        if session.leg is None:
            return
        try:
            await self.port.play(session.leg, prompt, barge_in=False)
            if session.in_queue and session.record.agent_leg is None:
                await self.port.start_hold(session.leg)
        except CallEnded:
            pass

    def owned(self, user_id: int, call_id: str) -> Conversation:
        """The call connected to this agent, who must be its owner (not an agent being consulted on it)."""
        session = self.calls.conversation(call_id)
        if self.desks.active(user_id) != call_id or session is None or session.record.connected_at is None:
            raise DeskError("no_such_call", f"call {call_id} is not connected to you")
        consult = self.calls.consult(call_id)
        if consult is not None and consult.target == user_id:
            raise DeskError(
                "consulting", "you are being consulted on this call; the agent who called you still owns it"
            )
        return session

    async def release_agent_leg(self, leg: str) -> None:
        """The agent's phone leaves the call: hung up, or, when it is their standing line (predictive
        dialling), kept and put on standby music until the next customer is bridged to it."""
        self.calls.drop_leg(leg)
        with contextlib.suppress(CallEnded):
            if self.desks.standing_owner(leg) is not None:
                await self.port.start_hold(leg)
            else:
                await self.port.hangup(leg)

    def collect_legs(self, record: CallRecord) -> None:
        """What telephony knows of each leg the call had, onto the record before it is written."""
        record.legs = []
        for leg in filter(None, (record.customer_leg, *record.agent_legs_seen)):
            try:
                record.legs.append(leg_json(self.port.detail(leg)))
            except CallEnded:  # forgotten by telephony long ago; what the record holds still stands
                continue


def iso(seconds: float) -> str:
    """Routing keeps epoch seconds; desktops read ISO 8601 (UTC)."""
    return epoch_iso(seconds)


def iso_time(moment: dt.datetime | None) -> str | None:
    return None if moment is None else utc_iso(moment)
