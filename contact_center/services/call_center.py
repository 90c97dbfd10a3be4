"""The call center: telephony events in, routing decisions out, and the agent desk (``Desk``) in between.

It starts a ``CallSession`` per inbound call, turns routing events into what desktops and the board
hear, connects an accepted offer to the agent's phone, and writes the interaction to the timeline.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from contact_center.clock import Clock
from contact_center.crm.phones import try_e164
from contact_center.crm.views import customer_360, customers_by_e164
from contact_center.domain.acd import commands as cmd
from contact_center.domain.acd import events as ev
from contact_center.domain.acd.errors import AcdError
from contact_center.domain.acd.reconciler import LiveLegs
from contact_center.ivr.directory import Directory
from contact_center.ivr.registry import FlowRegistry
from contact_center.services.acd import AcdService
from contact_center.services.call_record import CallRecord, leg_json, write_call_activity, write_outbound_activity
from contact_center.services.call_session import CallSession
from contact_center.services.desk import Audience, DeskError, DeskListener
from contact_center.services.follow_ups import create_follow_ups
from contact_center.services.routing_config import agent_key
from contact_center.services.transfers import Consult, TransfersMixin
from contact_center.store.engine import session_factory
from contact_center.store.tables import DispositionCode, User
from contact_center.telephony.events import BridgeEnded, CallArrived, CallHungUp, HangupBy, LegKind, OriginateOutcome
from contact_center.telephony.port import CallEnded, Speech, TelephonyPort

log = logging.getLogger(__name__)
AGENT_RING_SECONDS = 20.0
RECONCILE_SECONDS = 10.0
SUPERVISORS: Audience = ("supervisors", None)


class CallCenter(TransfersMixin):
    """Implements ``contact_center.services.desk.Desk`` (transfers live in ``TransfersMixin``)."""

    def __init__(self, *, engine: AsyncEngine, clock: Clock, acd: AcdService, port: TelephonyPort,
                 flows: FlowRegistry, directory: Directory, region: str, var_dir: Path,
                 entry_flow: str = "main") -> None:  # fmt: skip
        self.engine, self.clock, self.acd, self.port = engine, clock, acd, port
        self.flows, self.directory, self.region, self.var_dir = flows, directory, region, var_dir
        self.entry_flow = entry_flow
        self.sessions: dict[str, CallSession] = {}
        self.agent_legs: dict[str, str] = {}  # agent leg id -> caller call id
        self.offers: dict[int, dict[str, Any]] = {}  # user id -> call.offered payload
        self.active: dict[int, str] = {}  # user id -> call id on the line or in wrap-up
        self.wrapups: dict[int, dict[str, Any]] = {}
        self.extensions: dict[int, str | None] = {}
        self.leg_waiters: dict[str, asyncio.Event] = {}  # outbound legs someone waits on
        self.screen_pops: dict[str, dict[str, Any]] = {}  # call id -> what its offer showed
        self.consults: dict[str, Consult] = {}
        self.consult_legs: dict[str, str] = {}
        self.segments: dict[tuple[int, str], CallRecord] = {}
        self.simulated_phones = False
        self._listeners: list[DeskListener] = []
        self._tasks: set[asyncio.Task[Any]] = set()
        self._pump: asyncio.Task[None] | None = None
        acd.subscribe(self._on_routing_events)

    # --- lifecycle ---------------------------------------------------------------------------

    async def start(self) -> None:
        async with session_factory(self.engine)() as session:
            rows = (await session.execute(select(User.id, User.extension))).all()
        self.extensions = {user_id: ext for user_id, ext in rows}
        self._pump = asyncio.create_task(self._pump_telephony(), name="telephony-events")
        self._spawn(self._reconcile_forever(), "reconciler")

    async def stop(self) -> None:
        if self._pump is not None:
            self._pump.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._pump
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)

    def subscribe(self, listener: DeskListener) -> None:
        self._listeners.append(listener)

    def _tell(self, audience: Audience, event: str, payload: dict[str, Any]) -> None:
        for listener in self._listeners:
            try:
                listener(audience, event, payload)
            except Exception:
                log.exception("desk listener failed on %s", event)

    def _spawn(self, coro: Any, name: str) -> None:
        task = asyncio.create_task(coro, name=name)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

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
            except Exception:
                log.exception("telephony event %r failed", event)

    def live_legs(self) -> LiveLegs:
        """What telephony knows is up: callers still on the line, and the call each busy agent works."""
        calls = [call_id for call_id, s in self.sessions.items() if not s.finished.is_set()]
        agents = {agent_key(user_id): call_id for user_id, call_id in self.active.items()}
        return LiveLegs(calls=calls, agents=agents)

    async def _reconcile_forever(self) -> None:
        # Stuck agents are the most common complaint about ACDs: check routing against the legs regularly.
        while True:
            await asyncio.sleep(RECONCILE_SECONDS)
            try:
                repairs = await self.acd.reconcile(self.live_legs(), grace_seconds=AGENT_RING_SECONDS + 10)
                for repair in repairs:
                    if isinstance(repair, ev.StateRepaired):
                        log.warning("routing state repaired: %s", repair)
            except Exception:
                log.exception("reconciling routing with live calls failed")

    def _arrived(self, event: CallArrived) -> None:
        record = CallRecord(call_id=event.call_id, caller_number=try_e164(event.caller, self.region) or event.caller,
                            dialled=event.dialled, arrived_at=self.clock.now())  # fmt: skip
        session = CallSession(record, port=self.port, acd=self.acd, flows=self.flows.current(), entry=self.entry_flow,
                              directory=self.directory, clock=self.clock, var_dir=self.var_dir,
                              identify=self._identify)  # fmt: skip
        self.sessions[event.call_id] = session
        self._spawn(self._run_session(session), f"call-{event.call_id}")

    async def _run_session(self, session: CallSession) -> None:
        try:
            await session.run()
            await session.log_unanswered()
        finally:
            if session.record.agent_user_id is None:
                self.sessions.pop(session.call_id, None)
                self.screen_pops.pop(session.call_id, None)

    async def _identify(self, record: CallRecord) -> None:
        if not record.caller_number.startswith("+"):
            return
        async with self.engine.connect() as conn:
            record.matches = await customers_by_e164(conn, record.caller_number)
        if len(record.matches) == 1:
            record.customer_id = record.matches[0]["id"]
            record.account_id = record.matches[0]["account_id"]

    def _hung_up(self, event: CallHungUp) -> None:
        if event.call_id in self.leg_waiters:
            self.leg_waiters[event.call_id].set()
        if event.call_id in self.sessions:
            session = self.sessions[event.call_id]
            session.record.sip["caller_hangup_code"] = event.sip_code
            session.caller_gone("caller" if event.by == HangupBy.REMOTE else "system")
            self._spawn(self._end_talk(session, "caller"), f"end-{event.call_id}")
        elif event.call_id in self.consult_legs:  # the consulted agent's phone hung up
            call_id = self.consult_legs.pop(event.call_id)
            self._spawn(self._end_consult(call_id, "target_hung_up"), f"consult-end-{call_id}")
        elif event.call_id in self.agent_legs:
            call_id = self.agent_legs.pop(event.call_id)
            talking = self.sessions.get(call_id)
            if talking is not None and not talking.finished.is_set():
                # The agent's phone dropped with the customer still there: back to the head of the queue.
                self._spawn(self._agent_leg_dropped(talking), f"requeue-{call_id}")

    async def _end_talk(self, session: CallSession, by: str) -> None:
        record = session.record
        if record.talk_closed:
            return
        if record.agent_user_id is None or record.connected_at is None:
            if record.agent_user_id is not None:  # offer accepted but the agent leg never connected
                await self._safe(cmd.EndCall(session.call_id))
            return
        record.talk_closed = True
        record.ended_at = record.ended_at or self.clock.now()
        await self._end_consult(session.call_id, f"{by}_hung_up")
        record.hung_up_by = record.hung_up_by or by
        if record.agent_leg:
            self.agent_legs.pop(record.agent_leg, None)
            with contextlib.suppress(CallEnded):
                await self.port.hangup(record.agent_leg)
        await self._safe(cmd.EndCall(session.call_id))
        self._tell(("agent", record.agent_user_id), "call.ended",
                   {"call_id": session.call_id, "hung_up_by": record.hung_up_by, "reason": record.end_reason or "hangup"})  # fmt: skip

    async def _agent_leg_dropped(self, session: CallSession) -> None:
        record = session.record
        user_id = record.agent_user_id
        await self._end_consult(session.call_id, "owner_phone_dropped")
        record.agent_leg, record.connected_at, record.answered_at = None, None, None
        record.agent_user_id = None
        await self._safe(cmd.AgentHungUp(session.call_id))
        session.in_queue = True
        if user_id is not None:
            self.active.pop(user_id, None)
            self._tell(("agent", user_id), "call.ended", {"call_id": session.call_id, "hung_up_by": "agent",
                                                          "reason": "agent_phone_dropped"})  # fmt: skip
        await self.port.start_hold(session.call_id, Speech("Please hold while we connect you to another agent."))

    async def _safe(self, command: cmd.Command) -> list[ev.Event]:
        try:
            return await self.acd.handle(command)
        except AcdError as exc:
            log.info("routing refused %r: %s", command, exc)
            return []

    # --- routing events → desktops -----------------------------------------------------------

    def _on_routing_events(self, events: Sequence[ev.Event]) -> None:
        for event in events:
            if isinstance(event, ev.AgentStateChanged):
                self._tell(("agent", int(event.agent_id)), "agent.state_changed",
                           {"state": event.new, "reason": event.reason, "since": iso(event.at)})  # fmt: skip
            elif isinstance(event, ev.CallOffered):
                self._spawn(self._offer(event), f"offer-{event.call_id}")
            elif isinstance(event, ev.OfferMissed | ev.OfferWithdrawn | ev.OfferRejected):
                user_id = int(event.agent_id)
                offer = self.offers.get(user_id)
                if offer is not None and offer["call_id"] == event.call_id:
                    del self.offers[user_id]
                reason = getattr(event, "reason", None) or type(event).__name__.removeprefix("Offer").lower()
                self._tell(("agent", user_id), "call.offer_withdrawn", {"call_id": event.call_id, "reason": reason})
            elif isinstance(event, ev.CallAbandoned):
                for user_id, offer in list(self.offers.items()):
                    if offer["call_id"] == event.call_id:
                        del self.offers[user_id]
                        self._tell(("agent", user_id), "call.offer_withdrawn",
                                   {"call_id": event.call_id, "reason": "caller_hung_up"})  # fmt: skip
            elif isinstance(event, ev.ConsultEnded):
                self._consult_ended_by_routing(event)
            elif isinstance(event, ev.WrapUpStarted):
                self._spawn(self._wrapup_started(event), f"wrapup-{event.call_id}")
            elif isinstance(event, ev.WrapUpEnded):
                self._spawn(self._wrapup_ended(int(event.agent_id)), f"wrapup-end-{event.agent_id}")
        if events:
            self._tell(SUPERVISORS, "board.updated", self._board())

    async def _offer(self, event: ev.CallOffered) -> None:
        session = self.sessions.get(event.call_id)
        if session is None:
            return
        record = session.record
        pop: dict[str, Any] = {"customer": None, "customer_360": None, "matches": record.matches, "ivr": record.ivr,
                               "queue": event.queue_id, "waited_seconds": round(record.wait_seconds_now(self.clock.now()), 1),
                               "caller_number": record.caller_number, "dialled": record.dialled}  # fmt: skip
        if record.customer_id is not None:
            async with self.engine.connect() as conn:
                view = await customer_360(conn, record.customer_id)
            pop["customer"], pop["customer_360"] = view["customer"], view
        if event.kind == "consult":
            pop = {**pop, "consult": self.consult_offer(event.call_id)}
        payload = {"call_id": event.call_id, "kind": event.kind, "queue": event.queue_id, "caller_number": record.caller_number,
                   "dialled": record.dialled, "waited_seconds": pop["waited_seconds"],
                   "ring_deadline": iso(event.ring_deadline), "screen_pop": pop}  # fmt: skip
        user_id = int(event.agent_id)
        self.offers[user_id] = payload
        if event.kind != "consult":
            self.screen_pops[event.call_id] = pop
        self._tell(("agent", user_id), "call.offered", payload)

    async def _wrapup_started(self, event: ev.WrapUpStarted) -> None:
        async with session_factory(self.engine)() as session:
            codes = (await session.execute(
                select(DispositionCode.code, DispositionCode.label).where(DispositionCode.active.is_(True))
                .order_by(DispositionCode.id))).all()  # fmt: skip
        user_id = int(event.agent_id)
        payload = {"call_id": event.call_id, "deadline": iso(event.deadline),
                   "dispositions": [{"code": c, "label": label} for c, label in codes]}  # fmt: skip
        self.wrapups[user_id] = payload
        self._tell(("agent", user_id), "wrapup.started", payload)

    async def _wrapup_ended(self, user_id: int) -> None:
        wrapup = self.wrapups.pop(user_id, None)
        call_id = self.active.pop(user_id, None)
        if wrapup is None:
            return
        segment = self.segments.pop((user_id, wrapup["call_id"]), None)
        if segment is not None:  # their part of a call they transferred; the call itself goes on
            if not segment.logged:
                await self._log_segment(segment, disposition=None, notes="", wrap_seconds=0.0)
            self._tell(("agent", user_id), "wrapup.ended", {"call_id": wrapup["call_id"]})
            return
        session = self.sessions.pop(wrapup["call_id"], None)
        self.screen_pops.pop(wrapup["call_id"], None)
        if session is not None and not session.record.logged:
            # The wrap-up timer ran out before a disposition was saved: log the call all the same.
            self._collect_legs(session.record)
            await write_call_activity(self.engine, session.record, disposition=None, wrap_seconds=0,
                                      outcome="answered")  # fmt: skip
        self._tell(("agent", user_id), "wrapup.ended", {"call_id": call_id or wrapup["call_id"]})

    # --- desk commands -----------------------------------------------------------------------

    async def snapshot(self, user_id: int) -> dict[str, Any]:
        agent = self.acd.acd.agents.get(agent_key(user_id))
        state: dict[str, Any] = {"state": "offline", "reason": None, "since": None, "extension": self.extensions.get(user_id)}
        if agent is not None:
            state.update(state=str(agent.state), reason=agent.reason, since=iso(agent.since))
        call_id = self.active.get(user_id)
        call = None
        if call_id is not None and call_id in self.sessions and user_id not in self.wrapups:
            record = self.sessions[call_id].record
            started = record.connected_at.isoformat() if record.connected_at else None
            call = {"call_id": call_id, "started_at": started, "held": record.held_since is not None,
                    "queue": record.queue, "caller_number": record.caller_number, "direction": "inbound",
                    "screen_pop": self.screen_pops.get(call_id), "customer_id": record.customer_id,
                    "consult": consult.view(user_id) if (consult := self.consults.get(call_id)) else None}  # fmt: skip
        # Registration is the proxy's to know; the simulated phones of the demo are always there.
        phone = {"extension": self.extensions.get(user_id), "registered": True if self.simulated_phones else None}
        return {"agent": state, "offer": self.offers.get(user_id), "call": call, "wrapup": self.wrapups.get(user_id),
                "phone": phone}  # fmt: skip

    async def board(self) -> dict[str, Any]:
        return self._board()

    def _board(self) -> dict[str, Any]:
        report = self.acd.report(900)
        now = self.acd.now()
        queues = [{"name": q, "waiting": len(self.acd.acd.waiting_calls(q)),
                   "oldest_wait_seconds": round(self.acd.acd.oldest_wait(q, now), 1),
                   **_figures(report.groups.get(q))} for q in sorted(self.acd.acd.queues)]  # fmt: skip
        agents = [{"agent_id": a.id, "state": str(a.state), "reason": a.reason, "since": iso(a.since)}
                  for a in self.acd.acd.agents.values() if str(a.state) != "offline"]  # fmt: skip
        return {"queues": queues, "agents": agents, "totals": _figures(report.total)}

    async def set_state(self, user_id: int, state: str, reason: str | None = None) -> dict[str, Any]:
        agent_id = agent_key(user_id)
        if agent_id not in self.acd.acd.agents:
            raise DeskError("not_an_agent", "you are not a member of any queue")
        current = str(self.acd.acd.agents[agent_id].state)
        if state == "available":
            command: cmd.Command = (
                cmd.LogIn(agent_id, ready=True) if current == "offline" else cmd.MakeAvailable(agent_id)
            )
        elif state == "not_ready":
            if current == "offline":
                await self._command(cmd.LogIn(agent_id, ready=False))
            command = cmd.MakeNotReady(agent_id, reason or "break")
        elif state == "offline":
            command = cmd.LogOut(agent_id)
        else:
            raise DeskError("bad_state", "state must be available, not_ready or offline")
        await self._command(command)
        snapshot = await self.snapshot(user_id)
        agent_state: dict[str, Any] = snapshot["agent"]
        return agent_state

    async def _command(self, command: cmd.Command) -> list[ev.Event]:
        try:
            return await self.acd.handle(command)
        except AcdError as exc:
            raise DeskError(type(exc).__name__, str(exc)) from None

    async def accept(self, user_id: int, call_id: str) -> None:
        offer = self.offers.get(user_id)
        session = self.sessions.get(call_id)
        if offer is None or offer["call_id"] != call_id or session is None:
            raise DeskError("no_such_offer", f"no offer of call {call_id} is ringing for you")
        await self._command(cmd.AcceptOffer(agent_key(user_id), call_id))
        del self.offers[user_id]
        self.active[user_id] = call_id
        if offer.get("kind") == "consult":
            self._spawn(self._connect_consult(session, user_id), f"consult-{call_id}")
            return
        record = session.record
        record.agent_user_id, record.answered_at = user_id, self.clock.now()
        session.in_queue = False
        self._spawn(self._connect_agent(session, user_id), f"connect-{call_id}")

    async def _connect_agent(self, session: CallSession, user_id: int) -> None:
        record = session.record
        extension = self.extensions.get(user_id)
        if extension is None:
            await self._fail_connect(session, user_id, "you have no phone extension")
            return
        result = await self.port.originate(extension, ring_timeout=AGENT_RING_SECONDS, kind=LegKind.AGENT)
        record.sip["agent_leg"] = {"outcome": str(result.outcome), "code": result.sip_code}
        if result.outcome != OriginateOutcome.ANSWERED or result.call_id is None:
            await self._fail_connect(session, user_id, f"your phone did not answer ({result.outcome})")
            return
        if session.finished.is_set():  # the caller left while the agent's phone rang
            await self.port.hangup(result.call_id)
            await self._end_talk(session, "caller")
            return
        record.agent_leg = result.call_id
        record.agent_legs_seen.append(result.call_id)
        self.agent_legs[result.call_id] = session.call_id
        await self.port.stop_hold(session.call_id)
        await self.port.bridge(session.call_id, result.call_id)
        record.connected_at = self.clock.now()
        self._tell(("agent", user_id), "call.connected", {"call_id": session.call_id,
                                                          "started_at": record.connected_at.isoformat()})  # fmt: skip

    async def _fail_connect(self, session: CallSession, user_id: int, why: str) -> None:
        session.record.agent_user_id = None
        self.active.pop(user_id, None)
        await self._safe(cmd.AgentHungUp(session.call_id))
        session.in_queue = True
        await self._safe(cmd.MakeNotReady(agent_key(user_id), "phone_unreachable"))
        self._tell(
            ("agent", user_id), "call.ended", {"call_id": session.call_id, "hung_up_by": "failure", "reason": why}
        )

    async def reject(self, user_id: int, call_id: str) -> None:
        offer = self.offers.get(user_id)
        if offer is None or offer["call_id"] != call_id:
            raise DeskError("no_such_offer", f"no offer of call {call_id} is ringing for you")
        await self._command(cmd.RejectOffer(agent_key(user_id), call_id))

    async def hangup(self, user_id: int, call_id: str) -> None:
        consult = self.consults.get(call_id)
        if consult is not None and consult.target == user_id and self.active.get(user_id) == call_id:
            await self._end_consult(call_id, "declined")  # the consulted agent leaves; the owner keeps the customer
            return
        session = self._owned(user_id, call_id)
        session.record.hung_up_by = "agent"
        session.record.end_reason = "agent_hangup"
        with contextlib.suppress(CallEnded):
            await self.port.hangup(call_id)
        session.caller_gone("agent")
        await self._end_talk(session, "agent")

    async def hold(self, user_id: int, call_id: str) -> None:
        session = self._owned(user_id, call_id)
        if session.record.held_since is None:
            await self._command(cmd.HoldCall(call_id))
            session.record.held_since = self.clock.now()
            await self.port.start_hold(call_id, Speech("Please hold."), every=60.0)
            self._tell(("agent", user_id), "call.held", {"call_id": call_id})

    async def resume(self, user_id: int, call_id: str) -> None:
        session = self._owned(user_id, call_id)
        if session.record.held_since is not None:
            await self._command(cmd.ResumeCall(call_id))
            session.record.hold_seconds += (self.clock.now() - session.record.held_since).total_seconds()
            session.record.held_since = None
            await self.port.stop_hold(call_id)
            if session.record.agent_leg:
                await self.port.bridge(call_id, session.record.agent_leg)
            self._tell(("agent", user_id), "call.resumed", {"call_id": call_id})

    async def add_note(self, user_id: int, call_id: str, text: str) -> None:
        if self.active.get(user_id) != call_id or call_id not in self.sessions:
            raise DeskError("no_such_call", f"call {call_id} is not yours")
        self.sessions[call_id].record.notes.append(text[:4000])

    async def save_wrapup(self, user_id: int, call_id: str, disposition: str, notes: str,
                          follow_ups: list[dict[str, Any]]) -> dict[str, Any]:  # fmt: skip
        wrapup = self.wrapups.get(user_id)
        segment = self.segments.get((user_id, call_id))
        session = self.sessions.get(call_id)
        record = segment or (session.record if session is not None else None)
        if wrapup is None or wrapup["call_id"] != call_id or record is None:
            raise DeskError("no_such_wrapup", f"call {call_id} is not in wrap-up with you")
        if disposition not in {d["code"] for d in wrapup["dispositions"]}:
            raise DeskError("bad_disposition", f"{disposition!r} is not a disposition code")
        await self._link_customer(record, follow_ups)
        wrap_seconds = (self.clock.now() - (record.ended_at or self.clock.now())).total_seconds()
        if segment is not None:
            activity_id = await self._log_segment(segment, disposition=disposition, notes=notes, wrap_seconds=wrap_seconds)
        else:
            self._collect_legs(record)
            activity_id = await write_call_activity(
                self.engine, record, disposition=disposition, wrap_notes=notes, wrap_seconds=wrap_seconds,
                outcome="answered")  # fmt: skip
        created = await self._follow_ups(record, user_id, follow_ups)
        await self._command(cmd.FinishWrapUp(agent_key(user_id)))
        if record.customer_id is not None:
            self._tell(("agent", user_id), "timeline.appended",
                       {"customer_id": record.customer_id, "activity": {"id": activity_id}})  # fmt: skip
        return {"activity_id": activity_id, "created": created}

    def _collect_legs(self, record: CallRecord) -> None:
        legs = [record.call_id, *record.agent_legs_seen]
        record.legs = [leg_json(self.port.detail(leg)) for leg in legs]

    async def _follow_ups(
        self, record: CallRecord, user_id: int, follow_ups: list[dict[str, Any]]
    ) -> list[dict[str, Any]]:
        return await create_follow_ups(self.engine, self.clock.now(), record.customer_id, record.account_id,
                                       record.call_id, user_id, follow_ups)  # fmt: skip

    async def _link_customer(self, record: CallRecord, follow_ups: list[dict[str, Any]]) -> None:
        """An unknown caller the agent found or created on the desktop: the call joins that customer's timeline."""
        chosen = {f["customer_id"] for f in follow_ups if f.get("customer_id")}
        if record.customer_id is not None or len(chosen) != 1:
            return
        customer_id: Any = chosen.pop()
        async with self.engine.connect() as conn:
            try:
                view = await customer_360(conn, int(customer_id))
            except (LookupError, ValueError, TypeError):
                raise DeskError("bad_follow_up", f"no customer {customer_id}") from None
        record.customer_id, record.account_id = view["customer"]["id"], view["customer"]["account_id"]

    async def extend_wrapup(self, user_id: int, seconds: float) -> None:
        if not 0 < seconds <= 600:
            raise DeskError("bad_extension", "extend wrap-up by 1 to 600 seconds")
        events = await self._command(cmd.ExtendWrapUp(agent_key(user_id), seconds))
        wrapup = self.wrapups.get(user_id)
        extended = [e for e in events if isinstance(e, ev.WrapUpExtended)]
        if wrapup is not None and extended:
            wrapup["deadline"] = iso(extended[-1].deadline)
            self._tell(("agent", user_id), "wrapup.started", wrapup)

    async def dial(self, user_id: int, number: str, customer_id: int | None = None) -> dict[str, Any]:
        """Click-to-call: ring the agent's phone first, then the customer, and bridge the two."""
        e164 = try_e164(number, self.region)
        if e164 is None:
            raise DeskError("bad_number", f"{number!r} is not a phone number")
        extension = self.extensions.get(user_id)
        if extension is None:
            raise DeskError("no_phone", "you have no phone extension")
        agent = self.acd.acd.agents.get(agent_key(user_id))
        if agent is None or str(agent.state) in ("reserved", "on_call"):
            raise DeskError("busy", "finish the current call first")
        if str(agent.state) == "available":  # no inbound offer may land while the agent dials out
            await self._command(cmd.MakeNotReady(agent_key(user_id), "outbound"))
        record = CallRecord(call_id=f"out-{user_id}-{int(self.clock.now().timestamp() * 1000)}", caller_number=e164,
                            dialled=e164, arrived_at=self.clock.now(), customer_id=customer_id,
                            agent_user_id=user_id)  # fmt: skip
        self._spawn(self._outbound(record, extension), f"dial-{record.call_id}")
        return {"call_id": record.call_id}

    async def _outbound(self, record: CallRecord, extension: str) -> None:
        user_id = record.agent_user_id
        assert user_id is not None
        agent_leg = await self.port.originate(extension, ring_timeout=AGENT_RING_SECONDS, kind=LegKind.AGENT)
        outcome = str(agent_leg.outcome)
        if agent_leg.call_id is not None:
            customer = await self.port.originate(record.caller_number, ring_timeout=45.0, kind=LegKind.OUTBOUND)
            outcome = str(customer.outcome)
            record.sip["customer_leg"] = {"outcome": outcome, "code": customer.sip_code}
            if customer.call_id is not None:
                record.connected_at = self.clock.now()
                self._tell(("agent", user_id), "call.connected",
                           {"call_id": record.call_id, "started_at": record.connected_at.isoformat()})  # fmt: skip
                await self.port.bridge(agent_leg.call_id, customer.call_id)
                await self._until_ended(customer.call_id, agent_leg.call_id)
            with contextlib.suppress(CallEnded):
                await self.port.hangup(agent_leg.call_id)
        record.ended_at = self.clock.now()
        record.end_reason = outcome
        self._tell(("agent", user_id), "call.ended", {"call_id": record.call_id, "hung_up_by": "system",
                                                      "reason": outcome})  # fmt: skip
        await write_outbound_activity(self.engine, record, outcome)

    async def _until_ended(self, *legs: str) -> None:
        ended = asyncio.Event()
        for leg in legs:
            self.leg_waiters[leg] = ended
        try:
            if all(self.port.detail(leg).ended_at is None for leg in legs):
                await ended.wait()
        finally:
            for leg in legs:
                self.leg_waiters.pop(leg, None)
        for leg in legs:
            with contextlib.suppress(CallEnded):
                await self.port.hangup(leg)


def _figures(stats: Any) -> dict[str, Any]:
    if stats is None:
        return {"offered": 0, "answered": 0, "abandoned": 0, "service_level": None, "asa_seconds": None,
                "aht_seconds": None}  # fmt: skip
    return {"offered": stats.offered, "answered": stats.answered, "abandoned": stats.abandoned + stats.short_abandoned,
            "service_level": stats.service_level, "asa_seconds": stats.asa_seconds, "aht_seconds": stats.aht_seconds}  # fmt: skip


def iso(seconds: float) -> str:
    """Routing keeps epoch seconds; desktops read ISO 8601 (UTC)."""
    return dt.datetime.fromtimestamp(seconds, dt.UTC).isoformat().replace("+00:00", "Z")
