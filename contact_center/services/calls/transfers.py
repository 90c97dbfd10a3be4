"""Transfers on the desk: blind (to a queue or an agent) and warm (consult an agent first, then hand over).

A warm transfer puts the customer on hold and rings the chosen agent as a *consult* offer with the
same screen-pop and the notes taken so far. Once that agent accepts, their phone is bridged to the
transferring agent's phone so the two can talk; the transferring agent then completes (the customer
is bridged to the new agent and the first agent wraps up their part) or cancels (back to the
customer). Every agent whose part ends by a transfer wraps up a *segment*: a copy of the call record
as it stood when they handed it on, logged as its own activity with the same interaction id.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from contact_center.domain.acd import commands as cmd
from contact_center.domain.acd import events as ev
from contact_center.domain.acd.agents import agent_key
from contact_center.services.calls.base import CenterCore
from contact_center.services.calls.control import CallControl
from contact_center.services.calls.session import Conversation
from contact_center.services.calls.wrapup import Wrapups
from contact_center.services.desk import DeskError
from contact_center.telephony.events import LegKind, OriginateOutcome
from contact_center.telephony.port import CallEnded, OriginateResult, Speech

CONSULT_RING_SECONDS = 20.0
TRANSFERRING = Speech("Please hold while we transfer your call.")


@dataclass
class Consult:
    """A warm transfer under way: ``owner`` keeps the customer (on hold) while talking to ``target``."""

    owner: int
    target: int
    started_at: dt.datetime
    leg: str | None = None  # the target's phone, once it answered
    connected: bool = False

    def view(self, user_id: int, names: dict[int, str]) -> dict[str, Any]:
        """What a desktop shows of the consult, from the side of ``user_id``."""
        role = "owner" if user_id == self.owner else "target"
        other = self.target if role == "owner" else self.owner
        return {
            "role": role,
            "agent_id": other,
            "agent_name": names.get(other),
            "state": "connected" if self.connected else "ringing",
        }


class Transfers:
    """Blind and warm transfers: the desk's transfer commands and the consults they start."""

    def __init__(self, core: CenterCore, control: CallControl, wrapups: Wrapups) -> None:
        self.core, self.control, self.wrapups = core, control, wrapups

    async def transfer(
        self, user_id: int, call_id: str, *, queue: str | None = None, agent_id: int | None = None, warm: bool = False
    ) -> None:
        session = self.core.owned(user_id, call_id)
        if (queue is None) == (agent_id is None):
            raise DeskError("bad_transfer", "transfer to either a queue or an agent")
        if agent_id == user_id:
            raise DeskError("bad_target", "you cannot transfer a call to yourself")
        if self.core.calls.consult(call_id) is not None:
            raise DeskError("consult_in_progress", "complete or cancel the consult first")
        if warm:
            if agent_id is None:
                raise DeskError(
                    "warm_needs_agent",
                    "a warm transfer goes to an agent: pick one, or send the call to the queue blind",
                )
            await self._start_consult(session, user_id, agent_id)
            return
        target = f"queue {queue}" if queue else f"agent {agent_id}"
        events = await self.core.command(
            cmd.BlindTransfer(call_id, queue_id=queue, agent_id=agent_key(agent_id) if agent_id else None)
        )
        record = session.record
        record.notes.append(f"transferred by agent {user_id} to {target}")
        record.transferred_by = user_id
        await self._close_segment(session, user_id, f"blind transfer to {target}", events)
        if record.agent_leg:
            await self.core.release_agent_leg(record.agent_leg)
        record.agent_leg, record.connected_at, record.agent_user_id, record.answered_at = None, None, None, None
        record.queue = queue or record.queue
        session.in_queue = True
        self.core.child(call_id, self.core.say_then_hold(session, TRANSFERRING), "tell the caller they are transferred")
        self.core.desks.release(user_id)
        self.core.tell(
            ("agent", user_id),
            "call.ended",
            {"call_id": call_id, "hung_up_by": "transfer", "reason": f"transferred to {target}"},
        )

    # --- warm transfer ---------------------------------------------------------------------

    async def _start_consult(self, session: Conversation, user_id: int, target: int) -> None:
        call_id = session.call_id
        consult = Consult(owner=user_id, target=target, started_at=self.core.clock.now())
        self.core.calls.set_consult(call_id, consult)
        try:  # registered first: the consult offer's screen-pop is built from it
            await self.core.command(cmd.StartConsult(call_id, agent_key(target)))
        except DeskError:
            self.core.calls.drop_consult(call_id)
            raise
        if session.record.held_since is None:
            await self.control.hold(user_id, call_id)  # the customer hears music while the agents talk
        self.core.tell(
            ("agent", user_id), "consult.started", {"call_id": call_id, **consult.view(user_id, self.core.people.names)}
        )

    def consult_offer(self, call_id: str) -> dict[str, Any] | None:
        """What the consulted agent's offer says about who is asking (None when not a consult)."""
        consult = self.core.calls.consult(call_id)
        if consult is None:
            return None
        return {
            "from_agent_id": consult.owner,
            "from_agent": self.core.people.names.get(consult.owner),
            "notes": list(record.notes) if (record := self.core.calls.record(call_id)) is not None else [],
        }

    async def connect_consult(self, session: Conversation, user_id: int) -> None:
        call_id = session.call_id
        consult = self.core.calls.consult(call_id)
        extension = self.core.people.extensions.get(user_id)
        if consult is None:
            return
        result = None
        if extension is not None:
            result = await self.core.port.originate(extension, ring_timeout=CONSULT_RING_SECONDS, kind=LegKind.AGENT)
        await self.core.ask(call_id, self._consult_rang(session, user_id, consult, result), "the consulted phone rang")

    async def _consult_rang(
        self, session: Conversation, user_id: int, consult: Consult, result: OriginateResult | None
    ) -> None:
        """The owner's step once the consulted agent's phone answered or not (the call may have moved on)."""
        call_id = session.call_id
        answered = result is not None and result.outcome == OriginateOutcome.ANSWERED and result.call_id is not None
        if not answered or self.core.calls.consult(call_id) is not consult or session.finished.is_set():
            if result is not None and result.call_id is not None:
                with contextlib.suppress(CallEnded):
                    await self.core.port.hangup(result.call_id)
            if self.core.calls.consult(call_id) is consult:
                await self.end_consult(call_id, "phone_unreachable")
                await self.core.safe(cmd.MakeNotReady(agent_key(user_id), "phone_unreachable"))
            return
        assert result is not None and result.call_id is not None
        consult.leg, consult.connected = result.call_id, True
        self.core.calls.add_leg(result.call_id, call_id, "consult")
        session.record.agent_legs_seen.append(result.call_id)
        if session.record.agent_leg:
            await self.core.port.bridge(session.record.agent_leg, result.call_id)
        now = self.core.clock.now().isoformat()
        self.core.tell(
            ("agent", consult.owner),
            "consult.connected",
            {"call_id": call_id, **consult.view(consult.owner, self.core.people.names)},
        )
        self.core.tell(
            ("agent", user_id),
            "call.connected",
            {"call_id": call_id, "started_at": now, "consult": consult.view(user_id, self.core.people.names)},
        )

    async def complete_transfer(self, user_id: int, call_id: str) -> None:
        session = self.core.owned(user_id, call_id)
        consult = self.core.calls.consult(call_id)
        if consult is None or consult.owner != user_id:
            raise DeskError("no_consult", "there is no consult on this call to complete")
        if not consult.connected or consult.leg is None:
            raise DeskError("consult_not_connected", "the other agent has not answered yet")
        events = await self.core.command(cmd.CompleteTransfer(call_id))
        self.core.calls.drop_consult(call_id)
        self.core.calls.drop_leg(consult.leg)
        record = session.record
        record.notes.append(f"warm transfer from agent {user_id} to agent {consult.target}")
        await self._close_segment(session, user_id, f"warm transfer to agent {consult.target}", events)
        first_leg = record.agent_leg
        now = self.core.clock.now()
        record.agent_user_id, record.agent_leg, record.answered_at, record.connected_at = (
            consult.target,
            consult.leg,
            now,
            now,
        )
        self.core.calls.add_leg(consult.leg, call_id, "agent")
        if session.leg is not None:
            await self.core.port.bridge(session.leg, consult.leg)  # ends the customer's hold music
        if first_leg:
            await self.core.release_agent_leg(first_leg)
        self.core.desks.release(user_id)
        self.core.tell(
            ("agent", consult.target),
            "consult.ended",
            {"call_id": call_id, "agent_id": user_id, "outcome": "transferred", "role": "target"},
        )
        self.core.tell(
            ("agent", user_id),
            "call.ended",
            {"call_id": call_id, "hung_up_by": "transfer", "reason": f"transferred to agent {consult.target}"},
        )

    async def cancel_consult(self, user_id: int, call_id: str) -> None:
        self.core.owned(user_id, call_id)
        consult = self.core.calls.consult(call_id)
        if consult is None or consult.owner != user_id:
            raise DeskError("no_consult", "there is no consult on this call to cancel")
        await self.end_consult(call_id, "canceled")
        await self.control.resume(user_id, call_id)  # back to the customer

    async def end_consult(self, call_id: str, outcome: str) -> None:
        """Tear a consult down (whoever ended it); the customer stays with the first agent, on hold."""
        consult = self.core.calls.drop_consult(call_id)
        if consult is None:
            return
        await self.core.safe(cmd.CancelConsult(call_id))
        target = consult.target
        if consult.leg is not None:
            self.core.calls.drop_leg(consult.leg)
            with contextlib.suppress(CallEnded):
                await self.core.port.hangup(consult.leg)
        if self.core.desks.withdraw_offer(target, call_id):
            self.core.tell(
                ("agent", target), "call.offer_withdrawn", {"call_id": call_id, "reason": f"consult_{outcome}"}
            )
        elif self.core.desks.release(target, call_id) is not None:
            self.core.tell(
                ("agent", target),
                "call.ended",
                {"call_id": call_id, "hung_up_by": "agent", "reason": f"consult ended ({outcome})"},
            )
        self.core.tell(
            ("agent", consult.owner),
            "consult.ended",
            {"call_id": call_id, "agent_id": target, "outcome": outcome, "role": "owner"},
        )

    def consult_ended_by_routing(self, event: ev.ConsultEnded) -> None:
        """The consulted agent declined, let the offer ring out, or logged out."""
        consult = self.core.calls.consult(event.call_id)
        if consult is not None and event.outcome in ("declined", "missed"):
            self.core.post(event.call_id, self.end_consult(event.call_id, event.outcome), "consult ended by routing")

    # --- each agent's part of a transferred call ---------------------------------------------

    async def _close_segment(
        self, session: Conversation, user_id: int, reason: str, events: Sequence[ev.Event]
    ) -> None:
        """Keep the first agent's part of the call for their wrap-up; the call itself goes on."""
        record = session.record
        now = self.core.clock.now()
        held = (now - record.held_since).total_seconds() if record.held_since is not None else 0.0
        segment = dataclasses.replace(
            record,
            agent_user_id=user_id,
            ended_at=now,
            hung_up_by="transfer",
            end_reason=reason,
            hold_seconds=record.hold_seconds + held,
            held_since=None,
            notes=list(record.notes),
            agent_legs_seen=[record.agent_leg] if record.agent_leg else [],
            legs=[],
            sip=dict(record.sip),
            matches=list(record.matches),
            logged=False,
            talk_closed=True,
        )
        record.hold_seconds, record.held_since = 0.0, None
        wrapping = any(isinstance(e, ev.WrapUpStarted) and e.agent_id == agent_key(user_id) for e in events)
        if wrapping:
            self.core.calls.set_segment(user_id, session.call_id, segment)
        else:  # no wrap-up in this queue: the part is logged at once, without a disposition
            await self.wrapups.log_segment(segment, disposition=None, notes="", wrap_seconds=0.0)
