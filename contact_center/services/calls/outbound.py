"""Calls we place: callbacks whose turn came in the queue, and click-to-call from a customer record.

Both ring the agent's phone first and then the customer, so the agent is on the line when the
customer answers; the customer's leg is then the conversation's leg like an inbound caller's.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable, Coroutine
from typing import Any

from contact_center.crm import dialing
from contact_center.crm import scheduled_callbacks as scheduled
from contact_center.crm.phones import try_e164
from contact_center.domain.acd import commands as cmd
from contact_center.domain.acd.agents import agent_key
from contact_center.domain.acd.errors import AcdError
from contact_center.domain.dialer.amd import Decision, Verdict
from contact_center.services.calls import machines
from contact_center.services.calls.base import CenterCore, iso_time
from contact_center.services.calls.control import CallControl
from contact_center.services.calls.record import CallRecord, CampaignCall, leg_json, write_call_activity
from contact_center.services.calls.session import Conversation
from contact_center.services.desk import DeskError
from contact_center.store.engine import session_factory
from contact_center.telephony.events import LegKind, OriginateOutcome
from contact_center.telephony.port import CallEnded, OriginateResult

log = logging.getLogger(__name__)
CUSTOMER_RING_SECONDS = 45.0


class OutboundCall(Conversation):
    """A customer we are calling; ``leg`` is set once their phone is dialled."""


class Outbound:
    """Calls we place: callbacks, click-to-call and the dialer's calls (the agent's phone first, then the customer's)."""

    def __init__(self, core: CenterCore, control: CallControl) -> None:
        self.core, self.control = core, control

    # --- callbacks -----------------------------------------------------------------------------

    async def place_callback(self, user_id: int, call_id: str) -> None:
        """The agent accepted a callback: their phone, then the customer's number, bridged."""
        conversation = await self.core.ask(call_id, self._callback_taken(user_id, call_id), "the callback is taken")
        if conversation is None:  # routing offered a callback this node does not know: nothing to dial
            await self.core.safe(cmd.EndCall(call_id))
            return
        number = conversation.record.callback_number or conversation.record.caller_number
        extension = self.core.people.extensions.get(user_id)
        agent = None if extension is None else await self.control.ring_agent(conversation, user_id, extension)
        await self.core.ask(
            call_id, self._callback_agent_rang(conversation, user_id, number, agent), "the agent's phone rang"
        )

    async def _callback_taken(self, user_id: int, call_id: str) -> OutboundCall | None:
        """The owner's step: the waiting callback becomes a call we place for this agent."""
        record = self.core.calls.callback(call_id)
        if record is None:
            return None
        conversation = OutboundCall(record, self.core.clock)
        record.agent_user_id, record.answered_at, record.direction = user_id, self.core.clock.now(), "outbound"
        # The same interaction goes on: the inbound part is on the timeline, this part gets its own activity.
        record.talk_closed, record.logged, record.hung_up_by, record.end_reason = False, False, None, None
        record.ended_at, record.connected_at, record.hold_seconds, record.legs = None, None, 0.0, []
        record.customer_leg, record.agent_legs_seen = None, []
        self.core.calls.set_conversation(call_id, conversation)  # first: the call keeps its screen-pop
        self.core.calls.drop_callback(call_id)
        return conversation

    async def _callback_agent_rang(
        self, conversation: Conversation, user_id: int, number: str, agent: OriginateResult | None
    ) -> None:
        """The owner's step once the agent's phone answered (or not): dial the customer, or give the callback
        back to the queue at its place."""
        record, call_id = conversation.record, conversation.call_id
        if agent is None or agent.outcome != OriginateOutcome.ANSWERED or agent.call_id is None:
            # Back in the queue at its place; this agent's phone is not working.
            self.core.calls.drop_conversation(call_id)
            self.core.calls.set_callback(call_id, record)
            record.agent_user_id = None
            self.core.desks.release(user_id)
            await self.core.safe(cmd.AgentHungUp(call_id))
            await self.core.safe(cmd.MakeNotReady(agent_key(user_id), "phone_unreachable"))
            why = "you have no phone extension" if agent is None else f"your phone did not answer ({agent.outcome})"
            self.core.tell(
                ("agent", user_id), "call.ended", {"call_id": call_id, "hung_up_by": "failure", "reason": why}
            )
            return

        async def settle(answered: bool) -> None:
            result = "answered" if answered else (record.end_reason or "agent_hangup").removeprefix("callback_")
            await self._settle_attempt(record, result)

        self._dial_customer(conversation, user_id, agent.call_id, number, prefix="callback_", then=settle)

    async def _settle_attempt(self, record: CallRecord, result: str) -> None:
        """A promised callback learns how its attempt went; a caller who asked in the queue and is not
        home gets a promised callback to try again later."""
        now = self.core.clock.now()
        if record.scheduled_callback_id is not None:
            status = await scheduled.settle(self.core.engine, record.scheduled_callback_id, result, now)
            log.info("callback %s: %s, now %s", record.scheduled_callback_id, result, status)
        elif result != "answered":
            async with session_factory(self.core.engine).begin() as session:
                scheduled.schedule(
                    session,
                    number=record.callback_number or record.caller_number,
                    queue=record.queue or "general",
                    due_at=now + scheduled.RETRY_AFTER,
                    customer_id=record.customer_id,
                    agent_id=None,
                    interaction_id=record.call_id,
                    activity_id=None,
                    attempts=1,
                )

    async def place_due_callbacks(self) -> None:
        """Promised callbacks whose time has come wait in routing like any callback; their place is now."""
        now = self.core.clock.now()
        for row in await scheduled.claim_due(self.core.engine, now, self.core.zone):
            call_id = f"cb{row.id}-{row.attempts + 1}"
            record = CallRecord(
                call_id=call_id,
                caller_number=row.number,
                dialled=row.number,
                arrived_at=now,
                customer_id=row.customer_id,
                queue=row.queue,
                queued_at=now,
                direction="outbound",
                callback_number=row.number,
                scheduled_callback_id=row.id,
            )
            self.core.calls.set_callback(call_id, record)
            try:
                await self.core.acd.handle(
                    cmd.EnqueueCall(
                        call_id,
                        row.queue,
                        caller_number=row.number,
                        callback_number=row.number,
                        preferred_agent=agent_key(row.agent_id) if row.agent_id else None,
                    )
                )
            except AcdError as exc:
                self.core.calls.drop_callback(call_id)
                log.error("callback %s to %s cannot be queued in %s: %s", row.id, row.number, row.queue, exc)
                await scheduled.settle(self.core.engine, row.id, f"refused: {type(exc).__name__}", now)

    # --- click-to-call --------------------------------------------------------------------------

    async def dial(
        self,
        user_id: int,
        number: str,
        customer_id: int | None = None,
        *,
        call_id: str | None = None,
        campaign: CampaignCall | None = None,
    ) -> dict[str, Any]:
        """Click-to-call (and the dialer's calls, with ``campaign``): the agent is on the phone at once
        (routing offers them nothing), their phone rings first, then the customer's; the call is then
        worked like any other (hold, notes, transfer, hang-up, wrap-up)."""
        e164 = try_e164(number, self.core.region)
        if e164 is None:
            raise DeskError("bad_number", f"{number!r} is not a phone number")
        extension = self.core.people.extensions.get(user_id)
        if extension is None:
            raise DeskError("no_phone", "you have no phone extension")
        call_id = call_id or f"out-{uuid.uuid4().hex[:16]}"
        await self.core.command(cmd.StartOutboundCall(agent_key(user_id), call_id))
        now = self.core.clock.now()
        record = CallRecord(
            call_id=call_id,
            caller_number=e164,
            dialled=e164,
            arrived_at=now,
            customer_id=customer_id,
            agent_user_id=user_id,
            answered_at=now,
            direction="outbound",
            campaign=campaign,
        )
        await self.screen_pop(record)
        conversation = OutboundCall(record, self.core.clock)
        self.core.calls.set_conversation(call_id, conversation)
        self.core.desks.set_active(user_id, call_id)
        self.core.child(call_id, self._place_outbound(conversation, user_id, extension), "dial")
        return {"call_id": call_id}

    async def screen_pop(self, record: CallRecord) -> None:
        """What the agent sees of a customer we call: their 360 when known, and a dialer's list row and script."""
        number, call_id = record.caller_number, record.call_id
        if record.customer_id is not None:
            try:
                view = await self.core.reads.customer_360(record.customer_id)
            except LookupError:
                record.customer_id = None
            else:
                record.account_id = view["customer"]["account_id"]
                self.core.calls.set_screen_pop(
                    call_id,
                    {
                        "customer": view["customer"],
                        "customer_360": view,
                        "matches": [],
                        "ivr": None,
                        "queue": None,
                        "caller_number": number,
                        "dialled": number,
                    },
                )
        campaign = record.campaign
        if campaign is not None:  # the agent sees whom they call, what the list says and the script
            pop = self.core.calls.screen_pop(call_id) or {
                "customer": None,
                "customer_360": None,
                "matches": [],
                "ivr": None,
                "queue": None,
                "caller_number": number,
                "dialled": number,
            }
            pop["campaign"] = {"name": campaign.campaign, "script": campaign.script, "record": campaign.record}
            self.core.calls.set_screen_pop(call_id, pop)

    async def agent_hung_up(self, conversation: Conversation) -> None:
        """The agent put the phone down on a call they placed: the customer's leg goes too."""
        if conversation.leg is not None:
            await self.core.port.hangup(conversation.leg)
        conversation.caller_gone("agent")
        await self.control.end_talk(conversation, "agent")

    # --- preview dialling: a record shown to the agent, who calls or skips it -----------------------

    def show_preview(self, user_id: int, preview: dict[str, Any]) -> None:
        self.core.desks.set_preview(user_id, preview)
        self.core.tell(("agent", user_id), "campaign.preview", preview)

    def end_preview(self, user_id: int, attempt_id: int, reason: str) -> dict[str, Any] | None:
        """The preview leaves the agent's desk (called, skipped, timed out, or the agent moved on)."""
        preview = self.core.desks.preview(user_id)
        if preview is None or preview["attempt_id"] != attempt_id:
            return None
        self.core.desks.set_preview(user_id, None)
        self.core.tell(("agent", user_id), "campaign.preview_ended", {"attempt_id": attempt_id, "reason": reason})
        return preview

    async def _place_outbound(self, conversation: Conversation, user_id: int, extension: str) -> None:
        """A child of the call: the agent's phone rings first; the owner decides what follows."""
        agent = await self.control.ring_agent(conversation, user_id, extension)
        await self.core.ask(
            conversation.call_id, self._outbound_agent_rang(conversation, user_id, agent), "the agent's phone rang"
        )

    async def _outbound_agent_rang(self, conversation: Conversation, user_id: int, agent: OriginateResult) -> None:
        record = conversation.record
        if agent.outcome != OriginateOutcome.ANSWERED or agent.call_id is None:
            # Nobody spoke to anybody: no wrap-up, the agent is back where they were, the attempt is logged.
            record.ended_at, record.end_reason, record.hung_up_by = (
                self.core.clock.now(),
                f"agent_phone_{agent.outcome}",
                "failure",
            )
            self.core.calls.drop_conversation(record.call_id)
            self.core.desks.release(user_id)
            await self.core.safe(cmd.EndCall(record.call_id))
            await self.core.safe(cmd.FinishWrapUp(agent_key(user_id)))
            self.core.tell(
                ("agent", user_id),
                "call.ended",
                {
                    "call_id": record.call_id,
                    "hung_up_by": "failure",
                    "reason": f"your phone did not answer ({agent.outcome})",
                },
            )
            await write_call_activity(
                self.core.activities,
                record,
                disposition=None,
                wrap_seconds=0,
                outcome=record.end_reason,
                agent_name=self.core.people.names.get(user_id),
            )
            await self.campaign_attempt(record, "agent_unreachable")
            return
        if record.campaign is None:
            self._dial_customer(conversation, user_id, agent.call_id, record.caller_number)
            return

        async def settle(answered: bool) -> None:
            await self.campaign_attempt(record, "answered" if answered else (record.end_reason or "failed"))

        self._dial_customer(conversation, user_id, agent.call_id, record.caller_number, then=settle)

    async def campaign_attempt(self, record: CallRecord, result: str) -> None:
        """A dialer's call: the record learns what its attempt did (retried later, done, ...)."""
        if record.campaign is None:
            return
        async with session_factory(self.core.engine).begin() as session:
            standing = await dialing.record_result(session, record.campaign.attempt_id, result, self.core.clock.now())
        log.info(
            "campaign %s record %s: %s -> %s", record.campaign.campaign, record.campaign.record_id, result, standing
        )

    def _dial_customer(
        self,
        conversation: Conversation,
        user_id: int,
        agent_leg: str,
        number: str,
        *,
        prefix: str = "",
        then: Callable[[bool], Coroutine[Any, Any, None]] | None = None,
    ) -> None:
        """The agent's phone answered: ring the customer (a child of the call); the owner then bridges them,
        or ends the call in wrap-up saying why (``end_reason`` is ``prefix`` + busy / no_answer / failed),
        and ``then(answered)`` follows."""
        record = conversation.record
        record.agent_leg = agent_leg
        record.agent_legs_seen.append(agent_leg)
        self.core.calls.add_leg(agent_leg, record.call_id, "agent")
        self.core.tell(
            ("agent", user_id),
            "call.dialling",
            {"call_id": record.call_id, "number": number, "screen_pop": self.core.calls.screen_pop(record.call_id)},
        )
        self.core.child(
            record.call_id,
            self._ringing_customer(conversation, user_id, agent_leg, number, prefix, then),
            "ring the customer",
        )

    async def _ringing_customer(
        self,
        conversation: Conversation,
        user_id: int,
        agent_leg: str,
        number: str,
        prefix: str,
        then: Callable[[bool], Coroutine[Any, Any, None]] | None,
    ) -> None:
        customer, screened = await self.ring_customer(number, conversation.record.campaign)
        step = self._customer_rang(conversation, user_id, agent_leg, number, prefix, customer, screened)
        answered = await self.core.ask(conversation.call_id, step, "the customer's phone rang")
        if then is not None:
            await self.core.ask(conversation.call_id, then(answered), "after the customer's phone rang")

    async def ring_customer(
        self, number: str, campaign: CampaignCall | None
    ) -> tuple[OriginateResult, Decision | None]:
        """Dial the customer; when the campaign screens for machines, what answered (before anyone is bridged
        to them: a person goes on to the agent, a machine does not)."""
        customer = await self.core.port.originate(number, ring_timeout=CUSTOMER_RING_SECONDS, kind=LegKind.OUTBOUND)
        if customer.call_id is None or campaign is None or campaign.answering_machine == "off":
            return customer, None
        try:
            return customer, await machines.screen(self.core.port, customer.call_id, campaign)
        except CallEnded:
            return customer, Decision(Verdict.NOT_SURE, "hung_up", 0)  # the bridge finds the leg gone

    def note_customer_ring(
        self, record: CallRecord, number: str, customer: OriginateResult, screened: Decision | None
    ) -> None:
        """What the customer's phone did, and what the machine screening decided, on the call's detail."""
        if screened is not None:
            record.sip["answering_machine"] = {
                "verdict": str(screened.verdict),
                "reason": screened.reason,
                "after_ms": screened.after_ms,
            }
        record.sip.setdefault("customer_attempts", []).append(
            {
                "number": number,
                "outcome": str(customer.outcome),
                "code": customer.sip_code,
                "reason": customer.reason,
                "at": iso_time(self.core.clock.now()),
                "leg": leg_json(customer.detail),
            }
        )

    async def _nobody_talked(self, conversation: Conversation, reason: str, hung_up_by: str) -> None:
        """The customer's phone ended the call before anyone talked: the agent's leg is dropped, wrap-up starts."""
        record = conversation.record
        record.end_reason, record.hung_up_by = reason, hung_up_by
        record.ended_at = self.core.clock.now()
        record.connected_at = record.ended_at  # no talk
        conversation.finished.set()
        await self.control.end_talk(conversation, "customer")

    async def _customer_rang(
        self,
        conversation: Conversation,
        user_id: int,
        agent_leg: str,
        number: str,
        prefix: str,
        customer: OriginateResult,
        screened: Decision | None = None,
    ) -> bool:
        """True when the customer answered and is bridged to the agent (not when a machine answered a
        campaign that screens for them: ``screened``)."""
        record = conversation.record
        self.note_customer_ring(record, number, customer, screened)
        if conversation.finished.is_set():  # the agent gave up while it rang
            if customer.call_id is not None:
                await self.core.port.hangup(customer.call_id)
            return False
        if screened is not None and screened.machine and customer.call_id is not None:
            await self.core.port.hangup(customer.call_id)
            await self._nobody_talked(conversation, f"{prefix}answering_machine", "system")
            return False
        if customer.outcome != OriginateOutcome.ANSWERED or customer.call_id is None:
            await self._nobody_talked(conversation, f"{prefix}{customer.outcome}", "customer")
            return False
        record.customer_leg = customer.call_id
        self.core.calls.add_leg(customer.call_id, record.call_id, "customer")
        await self.control.bridge_agent(conversation, user_id, agent_leg)
        return True
