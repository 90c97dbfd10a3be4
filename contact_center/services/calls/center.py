"""The call center: telephony events in, routing decisions out, and the agent desk (``Desk``) in between.

It starts a ``CallSession`` per inbound call, turns routing events into what desktops and the board
hear, connects an accepted offer to the agent's phone, and writes the interaction to the timeline.
Call control, transfers, wrap-up and the calls we place are its parts (``base.CenterCore`` is what they share).
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
import time
from collections.abc import Sequence
from typing import Any

from contact_center.crm import scheduled_callbacks
from contact_center.crm.phones import try_e164
from contact_center.domain.acd import commands as cmd
from contact_center.domain.acd import events as ev
from contact_center.domain.acd.agents import agent_key
from contact_center.domain.acd.calls import CallState
from contact_center.domain.acd.reconciler import LiveLegs
from contact_center.domain.acd.wait_estimate import WaitEstimate, estimate, place_in_line
from contact_center.flows.registry import NoSuchFlow
from contact_center.services.board.coalesce import Coalesced
from contact_center.services.calls.base import AGENT_RING_SECONDS, SUPERVISORS, CenterCore, iso
from contact_center.services.calls.control import CallControl
from contact_center.services.calls.outbound import Outbound
from contact_center.services.calls.predictive import Predictive
from contact_center.services.calls.record import CallRecord
from contact_center.services.calls.session import CallSession
from contact_center.services.calls.transfers import Transfers
from contact_center.services.calls.wrapup import Wrapups
from contact_center.services.desk import Audience, DeskError, DeskListener
from contact_center.services.desk.views import DeskViews
from contact_center.store.engine import session_factory
from contact_center.store.routing_config import load_agents
from contact_center.telephony.events import (
    BridgeEnded,
    CallArrived,
    CallHungUp,
    HangupBy,
    LineStatus,
    LineStatusChanged,
)

log = logging.getLogger(__name__)
RECONCILE_SECONDS = 10.0
PEOPLE_SECONDS = 30.0  # users and agents added or changed while the server runs are picked up this often
TIMELINE_SECONDS = 2.0
CALLBACK_SECONDS = 15.0
PHONE_SECONDS = 15.0  # how often logged-in agents' phones are asked whether they are registered
AHT_CACHE_SECONDS = 30.0
ORPHAN_GRACE = dt.timedelta(minutes=1)
ORPHAN_SECONDS = 60.0


class CallCenter:
    """Implements ``contact_center.services.desk.Desk``: telephony and routing events in, each turned into a
    step of the call's owner in the part that knows it; desk commands dispatched the same way.

    Its parts are built here and given what they use: the shared core (``base.CenterCore``: the live calls,
    desks and people, the ports, the owners' helpers) and the other parts they call.

    With several nodes (``acd.shared``) every node hears every routing event; each says only its
    share: agent states, the board and alerts by the node whose engine decided (``acd.leading``),
    what concerns a call by the node that holds it (its caller's leg, its callback, its offer)."""

    def __init__(self, **kwargs: Any) -> None:
        self.core = core = CenterCore(**kwargs)
        # What the rest of the server (and the tests) read of the center: the core's own objects.
        self.engine, self.clock, self.acd, self.port = core.engine, core.clock, core.acd, core.port
        self.reads, self.activities, self.flows, self.region = core.reads, core.activities, core.flows, core.region
        self.calls, self.desks, self.people, self.owners = core.calls, core.desks, core.people, core.owners
        self.monitoring = core.monitoring
        self.control = CallControl(core)
        self.wrapups = Wrapups(core)
        self.transfers = Transfers(core, self.control, self.wrapups)
        self.outbound = Outbound(core, self.control)
        self.predictive = Predictive(core, self.control, self.outbound)
        self.control.transfers, self.control.outbound = self.transfers, self.outbound  # they call each other
        self._pump: asyncio.Task[None] | None = None
        self._agent_configs: dict[str, cmd.ConfigureAgent] = {}
        self._timeline_sent: dict[str, set[int]] = {}  # interaction id -> activity ids its agent has seen
        self._aht: dict[str, tuple[float, float | None]] = {}  # queue -> (when computed, AHT seconds)
        self.phone_check_seconds: float | None = PHONE_SECONDS  # None: never ask phones (a test's one-call sipp)
        self.views = DeskViews(
            acd=self.acd,
            calls=self.calls,
            desks=self.desks,
            people=self.people,
            monitoring=self.monitoring,
            pending_wrapup=self.wrapups.pending_wrapup,
        )
        self.board_updates = Coalesced(self._push_board)
        self.acd.subscribe(self._on_routing_events)

    @property
    def record_calls(self) -> bool:
        return self.core.record_calls

    @record_calls.setter
    def record_calls(self, on: bool) -> None:
        self.core.record_calls = on

    @property
    def zone(self) -> dt.tzinfo:
        return self.core.zone

    def subscribe(self, listener: DeskListener) -> None:
        self.core.subscribe(listener)

    def announce(self, audience: Audience, event: str, payload: dict[str, Any]) -> None:
        """Say something to desks or the board through the same listeners as the calls' own events."""
        self.core.announce(audience, event, payload)

    # --- lifecycle ---------------------------------------------------------------------------

    async def start(self) -> None:
        await self.refresh_people()
        self._pump = asyncio.create_task(self._pump_telephony(), name="telephony-events")
        self.core.spawn(self._every(RECONCILE_SECONDS, self._reconcile), "reconciler")
        self.core.spawn(self._every(PEOPLE_SECONDS, self.refresh_people), "people")
        self.core.spawn(self._every(TIMELINE_SECONDS, self._push_timelines), "timelines")
        await self._release_orphan_callbacks()
        self.core.spawn(self._every(CALLBACK_SECONDS, self.outbound.place_due_callbacks), "scheduled-callbacks")
        if self.acd.shared:  # a node that stopped or died may leave some; the leader looks now and then
            self.core.spawn(self._every(ORPHAN_SECONDS, self._release_orphans_if_leading), "orphan-callbacks")
        if self.phone_check_seconds is not None:
            self.core.spawn(self._every(self.phone_check_seconds, self._check_phones), "phones")
        self.core.spawn(self._new_days(), "daily-counters")

    async def stop(self) -> None:
        if self._pump is not None:
            self._pump.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._pump
        await self.core.stop_tasks()
        self.board_updates.close()
        await self.owners.close()
        await self.activities.close()

    async def _new_days(self) -> None:
        """At each of the centre's midnights, agents' calls and talk time "today" start again (the leader's
        routing decides; fewest-calls and least-talk-time routing read them, and so does the board)."""
        day = self.acd.today_of()
        while True:
            end = self.acd.day_bounds(day)[1]
            while (left := end - self.acd.now()) > 0:  # noqa: ASYNC110 - waiting on the clock, not on an event
                await asyncio.sleep(min(left, 3600.0))  # the clock is read again at least hourly: it may be set
            day = self.acd.today_of()
            if self.acd.leading:
                await self.core.safe(cmd.ResetDailyCounters())

    async def _release_orphan_callbacks(self) -> None:
        if not self.acd.shared:
            await scheduled_callbacks.release_orphans(self.engine)
            return
        # Other nodes may be running: only callbacks that are not in the shared routing (and were not
        # claimed just now, between the claim and the enqueue) were left by a node that stopped.
        in_routing = set(self.acd.acd.calls)
        await scheduled_callbacks.release_orphans(
            self.engine, claimed_before=self.clock.now() - ORPHAN_GRACE, keep=lambda call_id: call_id in in_routing
        )

    async def _release_orphans_if_leading(self) -> None:
        if self.acd.leading:
            await self._release_orphan_callbacks()

    async def _every(self, seconds: float, step: Any) -> None:
        while True:
            await asyncio.sleep(seconds)
            try:
                await step()
            except Exception:
                log.exception("%s failed; trying again in %.0f s", getattr(step, "__name__", step), seconds)

    async def refresh_people(self) -> None:
        """Extensions and names of every user, and routing's view of every agent, from the CRM."""
        rows = await self.reads.people()
        async with session_factory(self.engine)() as session:
            agents = await load_agents(session)
        self.people.refresh(rows)
        for config in agents:
            if self._agent_configs.get(config.agent_id) != config:
                known = config.agent_id in self.acd.acd.agents
                # Routing loaded the rest at its start. With several nodes the leader alone tells it what changed;
                # an agent routing does not know yet is told by whichever node sees them first (a login there).
                if not known or (config.agent_id in self._agent_configs and self.acd.leading):
                    await self.core.safe(config)
                self._agent_configs[config.agent_id] = config

    # --- telephony ---------------------------------------------------------------------------

    async def _pump_telephony(self) -> None:
        async for event in self.port.events():
            try:
                if isinstance(event, CallArrived):
                    self._arrived(event)
                elif isinstance(event, CallHungUp):
                    self._hung_up(event)
                elif isinstance(event, BridgeEnded):
                    pass  # each leg's own CallHungUp says who left
                elif isinstance(event, LineStatusChanged):
                    level = logging.INFO if event.status is LineStatus.REGISTERED else logging.WARNING
                    log.log(
                        level,
                        "SIP line %s is %s%s",
                        event.line,
                        event.status,
                        f" ({event.reason})" if event.reason else "",
                    )
            except Exception:
                log.exception("telephony event %r failed", event)

    def live_legs(self) -> LiveLegs:
        """What telephony knows is up: callers still on the line, and the call each busy agent works."""
        calls = [c.call_id for c in self.calls.conversations() if not c.finished.is_set()]
        calls += [r.call_id for r in self.calls.callbacks()]  # nobody is on the line, but the callback is real
        agents = {agent_key(user_id): call_id for user_id, call_id in self.desks.working().items()}
        return LiveLegs(calls=calls, agents=agents)

    async def _reconcile(self) -> None:
        # Stuck agents are the most common complaint about ACDs: check routing against the legs regularly.
        repairs = await self.acd.reconcile(self.live_legs(), grace_seconds=AGENT_RING_SECONDS + 10)
        for repair in repairs:
            if isinstance(repair, ev.StateRepaired):
                log.warning("routing state repaired: %s", repair)

    def _arrived(self, event: CallArrived) -> None:
        record = CallRecord(
            call_id=event.call_id,
            caller_number=try_e164(event.caller, self.region) or event.caller,
            dialled=event.dialled,
            arrived_at=self.clock.now(),
        )
        try:
            route = self.flows.flow_for(event.dialled)  # the service number picks the flow; a call keeps its version
        except NoSuchFlow:
            log.error("no IVR flow loaded for a call to %s: refused with 503", event.dialled)
            self.core.spawn(self.port.reject(event.call_id, 503), f"refuse-{event.call_id}")
            return
        call_id = event.call_id
        session = CallSession(
            record,
            port=self.port,
            routing=self.acd.handle,
            activities=self.activities,
            flows=route.flows,
            entry=route.entry,
            directory=self.core.directory,
            clock=self.clock,
            var_dir=self.core.var_dir,
            identify=self._identify,
            abandon=lambda: self.core.post(call_id, self.core.safe(cmd.AbandonCall(call_id)), "abandoned in the queue"),
            estimate_wait=self.estimate_wait,
            agent_key=self.preferred_agent,
            queue_settings=self.acd.acd.queues.get,
        )
        self.calls.set_conversation(call_id, session)
        self.core.child(call_id, self._run_session(session), "answer, IVR, queue")
        self.board_updates.poke()  # a caller in the IVR: the board says so within a second

    async def _run_session(self, session: CallSession) -> None:
        """The caller's side of the call, from answer to the caller leaving (a child of the call's owner)."""
        try:
            await session.run()
        finally:
            await self.core.ask(session.call_id, self._caller_side_over(session), "the caller's side is over")

    async def _caller_side_over(self, session: CallSession) -> None:
        if session.record.queued_at is None:
            self.board_updates.poke()  # one caller fewer in the IVR (a queued caller's leaving is routing's news)
        try:
            await session.log_unanswered()
        finally:
            if session.record.agent_user_id is None:
                self.calls.drop_conversation(session.call_id)
                if session.record.callback_number and session.record.end_reason == "callback_requested":
                    self.calls.set_callback(session.call_id, session.record)  # routing keeps its place in the queue

    async def _identify(self, record: CallRecord) -> None:
        if not record.caller_number.startswith("+"):
            return
        record.matches = await self.reads.callers_by_e164(record.caller_number)
        if len(record.matches) == 1:
            record.customer_id = record.matches[0]["id"]
            record.account_id = record.matches[0]["account_id"]

    def _hung_up(self, event: CallHungUp) -> None:
        self.predictive.line_dropped(event.call_id)  # an agent's standing line: no longer standing by
        session = self.calls.session_of_leg(event.call_id)
        found = self.calls.leg(event.call_id)
        if session is not None and session.leg == event.call_id:
            session.record.sip["caller_hangup_code"] = event.sip_code
            session.caller_gone("caller" if event.by == HangupBy.REMOTE else "system")
            self.core.post(session.call_id, self.control.end_talk(session, "caller"), "the caller hung up")
            self.monitoring.leg_ended(session.call_id, event.call_id, customer=True)
        elif found is not None and found[1] == "monitor":  # a supervisor put their phone down
            self.monitoring.leg_ended(found[0], event.call_id)
        elif found is not None and found[1] == "consult":  # the consulted agent's phone hung up
            call_id = found[0]
            self.calls.drop_leg(event.call_id)
            self.core.post(
                call_id, self.transfers.end_consult(call_id, "target_hung_up"), "the consulted agent hung up"
            )
        elif found is not None and found[1] == "agent":
            call_id = found[0]
            self.calls.drop_leg(event.call_id)
            self.monitoring.leg_ended(call_id, event.call_id)
            talking = self.calls.conversation(call_id)
            if talking is None or talking.finished.is_set():
                return
            if talking.record.direction == "outbound":  # the agent put the phone down on a call they placed
                talking.record.end_reason = talking.record.end_reason or "agent_hangup"
                self.core.post(call_id, self.outbound.agent_hung_up(talking), "the agent hung up")
            else:  # the customer is still there: back to the head of the queue
                self.core.post(call_id, self.control.agent_leg_dropped(talking), "the agent's phone dropped")

    # --- routing events → desktops, the board and the callers on hold ---------------------------

    def _on_routing_events(self, events: Sequence[ev.Event]) -> None:
        decided_here = self.acd.leading
        for event in events:
            if isinstance(event, ev.AgentStateChanged):
                if decided_here:
                    self.core.tell(
                        ("agent", int(event.agent_id)),
                        "agent.state_changed",
                        {"state": event.new, "reason": event.reason, "since": iso(event.at)},
                    )
            elif isinstance(event, ev.CallOffered):
                self.core.post(event.call_id, self._offer(event), "offer")
            elif isinstance(event, ev.OfferMissed | ev.OfferWithdrawn | ev.OfferRejected):
                user_id = int(event.agent_id)
                self.desks.withdraw_offer(user_id, event.call_id)
                reason = getattr(event, "reason", None) or type(event).__name__.removeprefix("Offer").lower()
                if self._mine(event.call_id):
                    self.core.tell(
                        ("agent", user_id), "call.offer_withdrawn", {"call_id": event.call_id, "reason": reason}
                    )
            elif isinstance(event, ev.CallAbandoned | ev.CallbackCanceled):
                if self.calls.callback(event.call_id) is not None:
                    self.core.post(event.call_id, self._callback_canceled(event.call_id), "callback canceled")
                for user_id in self.desks.offers_of(event.call_id):
                    self.desks.withdraw_offer(user_id, event.call_id)
                    self.core.tell(
                        ("agent", user_id),
                        "call.offer_withdrawn",
                        {"call_id": event.call_id, "reason": "caller_hung_up"},
                    )
            elif isinstance(event, ev.ConsultEnded):
                self.transfers.consult_ended_by_routing(event)
            elif isinstance(event, ev.WrapUpStarted):
                if self._mine(event.call_id):
                    self.core.post(event.call_id, self.wrapups.wrapup_started(event), "wrap-up started")
            elif isinstance(event, ev.WrapUpEnded):
                self.core.post(event.call_id, self.wrapups.wrapup_ended(int(event.agent_id)), "wrap-up ended")
            else:
                self._on_queue_event(event)
        if events and decided_here:
            self.board_updates.poke()

    async def _callback_canceled(self, call_id: str) -> None:
        gone = self.calls.drop_callback(call_id)
        if gone is not None and gone.scheduled_callback_id is not None:
            await scheduled_callbacks.settle(self.engine, gone.scheduled_callback_id, "canceled", self.clock.now())

    def _push_board(self) -> None:
        if self.acd.leading:  # still the node whose routing decides, when a trailing update falls due
            # built_at: how fresh the board is where it lands (and what bench board measures delivery from)
            self.core.tell(SUPERVISORS, "board.updated", {**self.views.board(), "built_at": time.time()})

    def _mine(self, call_id: str) -> bool:
        """Whether this node tells the desks about the call (always, in one process)."""
        return not self.acd.shared or self.holds(call_id)

    def _on_queue_event(self, event: ev.Event) -> None:
        """What routing does to a waiting caller: escalations go on the call's trail; exits and callback
        offers are acted on by the caller's session (a rule's alert is the board's: services/board)."""
        call_id = getattr(event, "call_id", None)
        session = self.calls.conversation(call_id) if call_id else None
        record = self.calls.record(call_id) if call_id else None
        trail = ev.CallEscalated | ev.CallMoved | ev.SupervisorAlerted | ev.CallExited | ev.CallbackOffered
        if isinstance(event, trail) and record is not None:
            record.escalations.append(_trail_entry(event))
        if isinstance(event, ev.CallMoved) and record is not None:
            record.queue = event.to_queue
        if not isinstance(session, CallSession):
            return
        if isinstance(event, ev.CallExited):
            self.core.child(session.call_id, session.left_queue(event.destination, event.reason), "left the queue")
        elif isinstance(event, ev.CallbackRequested) and event.reason != "caller":
            self.core.child(session.call_id, session.called_back_instead(event.number), "called back instead")
        elif isinstance(event, ev.CallbackOffered):
            listen = session.offer_callback()
            if listen is not None:
                self.core.child(session.call_id, listen, "listen for the callback key")

    def preferred_agent(self, name: str | None) -> str | None:
        """The routing id of the agent an IVR flow asks for, by username (or user id); None if unknown."""
        if not name:
            return None
        user_id = self.people.usernames.get(name) or (
            int(name) if name.isdigit() and int(name) in self.people.names else None
        )
        return agent_key(user_id) if user_id is not None else None

    def estimate_wait(self, call_id: str) -> WaitEstimate | None:
        """Place in line and expected wait of a waiting caller (what hold announcements say)."""
        call = self.acd.acd.calls.get(call_id)
        if call is None or call.state is not CallState.QUEUED:
            return None
        position = place_in_line(call, self.acd.acd.waiting.calls_in(call.queue_id))
        return estimate(position, self._queue_aht(call.queue_id), self.acd.acd.agents.values(), call.queue_id)

    def _queue_aht(self, queue: str) -> float | None:
        now = time.monotonic()
        cached = self._aht.get(queue)
        if cached is None or now - cached[0] > AHT_CACHE_SECONDS:
            stats = self.acd.report(3600).groups.get(queue)
            cached = self._aht[queue] = (now, stats.aht_seconds if stats is not None else None)
        return cached[1]

    async def _offer(self, event: ev.CallOffered) -> None:
        record = self.calls.record(event.call_id)
        if record is None:
            return
        pop: dict[str, Any] = {
            "customer": None,
            "customer_360": None,
            "matches": record.matches,
            "ivr": record.ivr,
            "queue": event.queue_id,
            "waited_seconds": round(record.wait_seconds_now(self.clock.now()), 1),
            "caller_number": record.caller_number,
            "dialled": record.dialled,
            "data": record.queue_data,
            "escalations": record.escalations,
        }
        if record.customer_id is not None:
            view = await self.reads.customer_360(record.customer_id)
            pop["customer"], pop["customer_360"] = view["customer"], view
        if event.kind == "consult":
            pop = {**pop, "consult": self.transfers.consult_offer(event.call_id)}
        elif record.transferred_by is not None:  # handed on by an agent: who, and the notes so far
            pop = {
                **pop,
                "transfer": {
                    "from_agent_id": record.transferred_by,
                    "notes": list(record.notes),
                    "from_agent": self.people.names.get(record.transferred_by),
                },
            }
        elif event.kind == "callback":
            pop = {**pop, "callback": {"number": record.callback_number or record.caller_number}}
        payload = {
            "call_id": event.call_id,
            "kind": event.kind,
            "queue": event.queue_id,
            "caller_number": record.caller_number,
            "dialled": record.dialled,
            "waited_seconds": pop["waited_seconds"],
            "ring_deadline": iso(event.ring_deadline),
            "screen_pop": pop,
        }
        user_id = int(event.agent_id)
        self.desks.set_offer(user_id, payload)
        if event.kind != "consult":
            self.calls.set_screen_pop(event.call_id, pop)
        self.core.tell(("agent", user_id), "call.offered", payload)

    async def _push_timelines(self) -> None:
        """While a call is on, what anyone appends to the customer's timeline shows on the agent's desktop."""
        watched = {}
        for user_id, call_id in self.desks.working().items():
            session = self.calls.conversation(call_id)
            if session is not None and session.record.customer_id is not None:
                watched[call_id] = (user_id, session.record)
        for call_id in list(self._timeline_sent):
            if call_id not in watched:
                del self._timeline_sent[call_id]
        if not watched:
            return
        since = min(record.arrived_at for _, record in watched.values())
        rows = await self.reads.appended_since({r.customer_id for _, r in watched.values() if r.customer_id}, since)
        for call_id, (user_id, record) in watched.items():
            sent = self._timeline_sent.setdefault(call_id, self._shown_in_pop(call_id))
            for row in rows:
                if row["customer_id"] == record.customer_id and row["id"] not in sent:
                    sent.add(row["id"])
                    self.core.tell(
                        ("agent", user_id), "timeline.appended", {"customer_id": record.customer_id, "activity": row}
                    )

    def _shown_in_pop(self, call_id: str) -> set[int]:
        view = (self.calls.screen_pop(call_id) or {}).get("customer_360") or {}
        return {a["id"] for a in view.get("activities", [])}

    async def _check_phones(self, only: int | None = None) -> None:
        """Ask telephony whether each logged-in agent's phone is registered; desks hear when that changes.
        With several nodes the routing leader asks (the phones register with the proxy, not a node)."""
        if not self.acd.leading:
            return
        for agent in list(self.acd.acd.agents.values()):
            user_id = int(agent.id)
            extension = self.people.extensions.get(user_id)
            if (
                extension is None
                or (only is not None and user_id != only)
                or (only is None and str(agent.state) == "offline")
            ):
                continue
            registered = await self.port.phone_status(extension)
            if self.people.phones.get(user_id, "unknown") != registered:
                self.people.phones[user_id] = registered
                self.core.tell(("agent", user_id), "phone.status", {"extension": extension, "registered": registered})

    # --- what desks and the board see (services/desk/views.py) --------------------------------------

    async def snapshot(self, user_id: int) -> dict[str, Any]:
        return self.views.snapshot(user_id)

    async def board(self) -> dict[str, Any]:
        return self.views.board()

    async def transfer_targets(self, user_id: int) -> dict[str, Any]:
        return self.views.transfer_targets(user_id)

    def agent_view(self, user_id: int) -> dict[str, Any]:
        return self.views.agent_view(user_id)

    def desk_view(self, user_id: int) -> dict[str, Any]:
        return self.views.desk_view(user_id)

    def phone_view(self, user_id: int) -> dict[str, Any]:
        return self.views.phone_view(user_id)

    def holds(self, call_id: str) -> bool:
        """Whether this node has the call: its caller's leg, a callback waiting, or an agent's part to wrap up."""
        return self.calls.holds(call_id)

    def owned_calls(self) -> list[str]:
        return self.calls.held()

    # --- desk commands: each is a message to the call's owner, taken in turn ---------------------

    async def accept(self, user_id: int, call_id: str) -> None:
        await self.core.ask(call_id, self.control.accept(user_id, call_id), "accept")

    async def reject(self, user_id: int, call_id: str) -> None:
        await self.core.ask(call_id, self.control.reject(user_id, call_id), "reject")

    async def hangup(self, user_id: int, call_id: str) -> None:
        await self.core.ask(call_id, self.control.hangup(user_id, call_id), "hang up")

    async def hold(self, user_id: int, call_id: str) -> None:
        await self.core.ask(call_id, self.control.hold(user_id, call_id), "hold")

    async def resume(self, user_id: int, call_id: str) -> None:
        await self.core.ask(call_id, self.control.resume(user_id, call_id), "resume")

    async def add_note(self, user_id: int, call_id: str, text: str) -> None:
        await self.core.ask(call_id, self.control.add_note(user_id, call_id, text), "note")

    async def transfer(
        self, user_id: int, call_id: str, *, queue: str | None = None, agent_id: int | None = None, warm: bool = False
    ) -> None:
        step = self.transfers.transfer(user_id, call_id, queue=queue, agent_id=agent_id, warm=warm)
        await self.core.ask(call_id, step, "transfer")

    async def complete_transfer(self, user_id: int, call_id: str) -> None:
        await self.core.ask(call_id, self.transfers.complete_transfer(user_id, call_id), "complete the transfer")

    async def cancel_consult(self, user_id: int, call_id: str) -> None:
        await self.core.ask(call_id, self.transfers.cancel_consult(user_id, call_id), "cancel the consult")

    async def save_wrapup(
        self, user_id: int, call_id: str, disposition: str, notes: str, follow_ups: list[dict[str, Any]]
    ) -> dict[str, Any]:
        step = self.wrapups.save_wrapup(user_id, call_id, disposition, notes, follow_ups)
        return await self.core.ask(call_id, step, "save the wrap-up")

    async def link_customer(self, user_id: int, call_id: str, customer_id: int) -> dict[str, Any]:
        return await self.core.ask(
            call_id, self.wrapups.link_customer(user_id, call_id, customer_id), "link the customer"
        )

    async def extend_wrapup(self, user_id: int, seconds: float) -> None:
        await self.wrapups.extend_wrapup(user_id, seconds)

    async def dial(self, user_id: int, number: str, customer_id: int | None = None) -> dict[str, Any]:
        return await self.outbound.dial(user_id, number, customer_id)

    async def monitor(self, user_id: int, call_id: str, mode: str) -> dict[str, Any]:
        return await self.monitoring.monitor(user_id, call_id, mode)

    async def stop_monitor(self, user_id: int, call_id: str) -> None:
        await self.monitoring.stop(user_id, call_id)

    async def desktop_gone(self, user_id: int) -> None:
        agent = self.acd.acd.agents.get(agent_key(user_id))
        if agent is None or str(agent.state) in ("offline", "not_ready"):
            return
        log.info("agent %d has no desktop any more: not ready (disconnected)", user_id)
        await self.core.safe(cmd.MakeNotReady(agent_key(user_id), "disconnected"))

    async def set_state(self, user_id: int, state: str, reason: str | None = None) -> dict[str, Any]:
        agent_id = agent_key(user_id)
        if agent_id not in self.acd.acd.agents:
            await self.refresh_people()  # added since the last refresh?
        if agent_id not in self.acd.acd.agents:
            raise DeskError("not_an_agent", "you are not a member of any queue")
        current = str(self.acd.acd.agents[agent_id].state)
        if state == "available":
            command: cmd.Command = (
                cmd.LogIn(agent_id, ready=True) if current == "offline" else cmd.MakeAvailable(agent_id)
            )
        elif state == "not_ready":
            if current == "offline":
                await self.core.command(cmd.LogIn(agent_id, ready=False))
            command = cmd.MakeNotReady(agent_id, reason or "break")
        elif state == "offline":
            command = cmd.LogOut(agent_id)
        else:
            raise DeskError("bad_state", "state must be available, not_ready or offline")
        await self.core.command(command)
        if current == "offline" and user_id not in self.people.phones and self.phone_check_seconds is not None:
            await self._check_phones(only=user_id)  # a desk logging in learns about its phone at once
        snapshot = await self.snapshot(user_id)
        agent_state: dict[str, Any] = snapshot["agent"]
        return agent_state


def _trail_entry(event: ev.Event) -> dict[str, Any]:
    entry: dict[str, Any] = {"event": type(event).__name__, "at": iso(event.at)}
    for name in ("queue_id", "action", "detail", "from_queue", "to_queue", "reason", "destination", "message"):
        if hasattr(event, name):
            entry[name] = getattr(event, name)
    return entry


__all__ = ["AGENT_RING_SECONDS", "CallCenter", "iso"]
