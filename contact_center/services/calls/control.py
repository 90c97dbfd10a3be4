"""Call control on the desk: accept or reject an offer, the agent's phone connected, hold, notes, hang-up."""

from __future__ import annotations

import contextlib
import logging
from typing import TYPE_CHECKING

from contact_center.domain.acd import commands as cmd
from contact_center.domain.acd.agents import agent_key
from contact_center.services.calls.base import AGENT_RING_SECONDS, CenterCore, iso_time
from contact_center.services.calls.record import leg_json
from contact_center.services.calls.session import CallSession, Conversation
from contact_center.services.desk import DeskError
from contact_center.telephony.events import LegKind, OriginateOutcome
from contact_center.telephony.port import CallEnded, OriginateResult, Speech

if TYPE_CHECKING:
    from contact_center.services.calls.outbound import Outbound
    from contact_center.services.calls.transfers import Transfers

log = logging.getLogger(__name__)
REQUEUE_PROMPT = Speech("Please hold while we connect you to another agent.")


class CallControl:
    """The desk's commands on a call it works: accept, reject, hold, resume, notes, hang up; and the agent's
    phone connected to the caller (rung, bridged, dropped) for every kind of call."""

    transfers: Transfers  # a consult is torn down when the talk ends; an accepted consult rings its agent
    outbound: Outbound  # an accepted callback is placed

    def __init__(self, core: CenterCore) -> None:
        self.core = core

    async def accept(self, user_id: int, call_id: str) -> None:
        offer = self.core.desks.offer(user_id)
        if offer is None or offer["call_id"] != call_id:
            raise DeskError("no_such_offer", f"no offer of call {call_id} is ringing for you")
        kind = offer.get("kind")
        session = self.core.calls.conversation(call_id)
        if session is None and kind != "callback":
            raise DeskError("no_such_offer", f"call {call_id} has ended")
        # The call is the agent's from before routing is asked: a caller who hangs up while routing
        # answers is then ended by the connect path (and wrapped up by this agent), not also abandoned
        # in the queue and logged as unanswered.
        claimed = session is not None and kind not in ("callback", "consult")
        if claimed:
            assert session is not None
            session.record.agent_user_id, session.record.answered_at = user_id, self.core.clock.now()
            session.in_queue, session.accepting = False, True
        try:
            await self.core.command(cmd.AcceptOffer(agent_key(user_id), call_id))
        except DeskError:
            if claimed:
                assert session is not None
                await self._unclaim(session)
            raise
        finally:
            if session is not None:
                session.accepting = False
        self.core.desks.set_offer(user_id, None)
        self.core.desks.set_active(user_id, call_id)
        if kind == "callback":
            self.core.child(call_id, self.outbound.place_callback(user_id, call_id), "place the callback")
            return
        assert session is not None
        if kind == "consult":
            self.core.child(call_id, self.transfers.connect_consult(session, user_id), "ring the consulted agent")
            return
        self.core.child(call_id, self._connect_agent(session, user_id), "ring the agent")

    async def _unclaim(self, session: Conversation) -> None:
        """Routing refused the accept: the call is the queue's again, or, if the caller left meanwhile, it
        ends as it would have without this agent (abandoned in the queue, logged as unanswered)."""
        session.record.agent_user_id, session.record.answered_at = None, None
        if not session.finished.is_set():
            session.in_queue = True
            return
        await self.core.safe(cmd.AbandonCall(session.call_id))
        if isinstance(session, CallSession):
            await session.log_unanswered()
        self.core.calls.drop_conversation(session.call_id)

    async def ring_agent(self, session: Conversation, user_id: int, extension: str) -> OriginateResult:
        """Dial the agent's phone; every attempt, answered or not, stays on the call's detail."""
        result = await self.core.port.originate(extension, ring_timeout=AGENT_RING_SECONDS, kind=LegKind.AGENT)
        session.record.sip.setdefault("agent_attempts", []).append(
            {
                "agent_id": user_id,
                "extension": extension,
                "outcome": str(result.outcome),
                "code": result.sip_code,
                "reason": result.reason,
                "at": iso_time(self.core.clock.now()),
                "leg": leg_json(result.detail),
            }
        )
        return result

    async def _connect_agent(self, session: Conversation, user_id: int) -> None:
        """A child of the call: the agent's phone rings (a while), then the owner decides what follows."""
        extension = self.core.people.extensions.get(user_id)
        if extension is None:
            await self.core.ask(
                session.call_id, self._fail_connect(session, user_id, "you have no phone extension"), "no phone"
            )
            return
        result = await self.ring_agent(session, user_id, extension)
        await self.core.ask(session.call_id, self._agent_rang(session, user_id, result), "the agent's phone rang")

    async def _agent_rang(self, session: Conversation, user_id: int, result: OriginateResult) -> None:
        if result.outcome != OriginateOutcome.ANSWERED or result.call_id is None:
            await self._fail_connect(session, user_id, f"your phone did not answer ({result.outcome})")
            return
        if session.finished.is_set() or session.leg is None:  # the caller left while the agent's phone rang
            await self.core.port.hangup(result.call_id)
            await self.end_talk(session, "caller")
            return
        await self.bridge_agent(session, user_id, result.call_id)

    async def bridge_agent(self, session: Conversation, user_id: int, agent_leg: str) -> None:
        record = session.record
        assert session.leg is not None
        record.agent_leg = agent_leg
        if agent_leg not in record.agent_legs_seen:  # a call we place noted the leg when it answered
            record.agent_legs_seen.append(agent_leg)
        self.core.calls.add_leg(agent_leg, session.call_id, "agent")
        await self.core.port.stop_hold(session.leg)
        await self.core.port.bridge(session.leg, agent_leg)
        record.connected_at = self.core.clock.now()
        if self.core.record_calls and record.recording is None:
            path = self.core.var_dir / "recordings" / record.arrived_at.strftime("%Y/%m/%d") / f"{record.call_id}.wav"
            path.parent.mkdir(parents=True, exist_ok=True)
            try:
                await self.core.port.start_recording(session.leg, path)
                record.recording = str(path)
            except CallEnded:
                pass
        self.core.tell(
            ("agent", user_id),
            "call.connected",
            {"call_id": session.call_id, "direction": record.direction, "started_at": iso_time(record.connected_at)},
        )

    async def _fail_connect(self, session: Conversation, user_id: int, why: str) -> None:
        session.record.agent_user_id = None
        self.core.desks.release(user_id)
        await self.core.safe(cmd.AgentHungUp(session.call_id))
        session.in_queue = True
        await self.core.safe(cmd.MakeNotReady(agent_key(user_id), "phone_unreachable"))
        self.core.tell(
            ("agent", user_id), "call.ended", {"call_id": session.call_id, "hung_up_by": "failure", "reason": why}
        )

    async def reject(self, user_id: int, call_id: str) -> None:
        offer = self.core.desks.offer(user_id)
        if offer is None or offer["call_id"] != call_id:
            raise DeskError("no_such_offer", f"no offer of call {call_id} is ringing for you")
        await self.core.command(cmd.RejectOffer(agent_key(user_id), call_id))

    async def hangup(self, user_id: int, call_id: str) -> None:
        consult = self.core.calls.consult(call_id)
        if consult is not None and consult.target == user_id and self.core.desks.active(user_id) == call_id:
            await self.transfers.end_consult(
                call_id, "declined"
            )  # the consulted agent leaves; the owner keeps the customer
            return
        session = self.core.owned(user_id, call_id)
        session.record.hung_up_by = "agent"
        session.record.end_reason = "agent_hangup"
        if session.leg is not None:
            with contextlib.suppress(CallEnded):
                await self.core.port.hangup(session.leg)
        session.caller_gone("agent")
        await self.end_talk(session, "agent")

    async def hold(self, user_id: int, call_id: str) -> None:
        session = self.core.owned(user_id, call_id)
        if session.record.held_since is None and session.leg is not None:
            await self.core.command(cmd.HoldCall(call_id))
            session.record.held_since = self.core.clock.now()
            await self.core.port.start_hold(session.leg)  # music until the agent resumes
            self.core.tell(("agent", user_id), "call.held", {"call_id": call_id})

    async def resume(self, user_id: int, call_id: str) -> None:
        session = self.core.owned(user_id, call_id)
        if session.record.held_since is not None and session.leg is not None:
            await self.core.command(cmd.ResumeCall(call_id))
            session.record.hold_seconds += (self.core.clock.now() - session.record.held_since).total_seconds()
            session.record.held_since = None
            await self.core.port.stop_hold(session.leg)
            if session.record.agent_leg:
                await self.core.port.bridge(session.leg, session.record.agent_leg)
            self.core.tell(("agent", user_id), "call.resumed", {"call_id": call_id})

    async def add_note(self, user_id: int, call_id: str, text: str) -> None:
        session = self.core.calls.conversation(call_id)
        if self.core.desks.active(user_id) != call_id or session is None:
            raise DeskError("no_such_call", f"call {call_id} is not yours")
        session.record.notes.append(text[:4000])

    async def end_talk(self, session: Conversation, by: str) -> None:
        """The conversation is over (either side hung up): drop the agent's phone and start their wrap-up."""
        record = session.record
        if record.talk_closed:
            return
        if record.agent_user_id is None or record.connected_at is None:
            # Offer accepted but the agent leg never connected. While routing is still answering the
            # accept, the accept's own path ends the call (or gives it back) once it knows.
            if record.agent_user_id is not None and not session.accepting:
                await self.core.safe(cmd.EndCall(session.call_id))
            return
        record.talk_closed = True
        record.ended_at = record.ended_at or self.core.clock.now()
        await self.transfers.end_consult(session.call_id, f"{by}_hung_up")
        record.hung_up_by = record.hung_up_by or by
        if record.recording is not None and session.leg is not None:
            with contextlib.suppress(Exception):  # the leg may be gone already; its detail keeps the file
                await self.core.port.stop_recording(session.leg)
        if record.agent_leg:
            await self.core.release_agent_leg(record.agent_leg)
        await self.core.safe(cmd.EndCall(session.call_id))
        self.core.tell(
            ("agent", record.agent_user_id),
            "call.ended",
            {"call_id": session.call_id, "hung_up_by": record.hung_up_by, "reason": record.end_reason or "hangup"},
        )

    async def agent_leg_dropped(self, session: Conversation) -> None:
        """The agent's phone dropped with the customer still there: back to the head of the queue."""
        record = session.record
        user_id = record.agent_user_id
        await self.transfers.end_consult(session.call_id, "owner_phone_dropped")
        record.agent_leg, record.connected_at, record.answered_at = None, None, None
        record.agent_user_id = None
        await self.core.safe(cmd.AgentHungUp(session.call_id))
        session.in_queue = True
        if user_id is not None:
            self.core.desks.release(user_id)
            self.core.tell(
                ("agent", user_id),
                "call.ended",
                {"call_id": session.call_id, "hung_up_by": "agent", "reason": "agent_phone_dropped"},
            )
        self.core.child(
            session.call_id, self.core.say_then_hold(session, REQUEUE_PROMPT), "tell the caller why they wait"
        )
