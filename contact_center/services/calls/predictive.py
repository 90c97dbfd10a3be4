"""Predictive dialling on real calls: customers first, agents on a standing line.

Progressive dialling rings the agent, then the customer: nobody is ever kept waiting, and the agent
waits for every ring. Predictive turns it round. Each agent of a running predictive campaign has a
**standing line**: their phone is rung once and stays connected between calls (on standby music), so
an answered customer is bridged to a free agent at once, with nothing to ring. The dialer dials more
customers than agents are free now (docs/dialer.md, "Predictive pacing"); when a person answers and
nobody is free within ``WAIT_FOR_AGENT_SECONDS``, the campaign's abandoned-call message is played
(it starts within 2 s of the answer, as the law asks) and the call ends as ``abandoned``: counted in
the ledger, never redialled within 72 hours.

Each dialled customer is a call with its owner like any other; once bridged it is worked as a call we
placed (hold, notes, transfer, hang-up, wrap-up). When the call ends the agent's phone is not hung up
but put back on standby (``CenterCore.release_agent_leg``).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging

from contact_center.domain.acd import commands as cmd
from contact_center.domain.acd.agents import AgentState, agent_key
from contact_center.domain.dialer.amd import Decision
from contact_center.services.calls.base import CenterCore
from contact_center.services.calls.control import CallControl
from contact_center.services.calls.live import STANDING_RINGING
from contact_center.services.calls.outbound import Outbound, OutboundCall
from contact_center.services.calls.record import CallRecord, CampaignCall, write_call_activity
from contact_center.services.desk import DeskError
from contact_center.telephony.events import LegKind, OriginateOutcome
from contact_center.telephony.port import CallEnded, OriginateResult, Speech

log = logging.getLogger(__name__)
STANDBY_RING_SECONDS = 20.0
# How long an answered customer waits for an agent finishing a call before the message: short enough that
# the message (rendered on its first use) still starts within the law's 2 seconds of the answer.
WAIT_FOR_AGENT_SECONDS = 1.0
POLL_SECONDS = 0.1
ABANDON_MESSAGE = (
    "Hello. We called you about {campaign}, and no one is free to speak with you right now. "
    "We are sorry. We will not call again today. Goodbye."
)


class Predictive:
    def __init__(self, core: CenterCore, control: CallControl, outbound: Outbound) -> None:
        self.core, self.control, self.outbound = core, control, outbound

    # --- standing lines ---------------------------------------------------------------------------

    def stand_by(self, user_id: int, campaign: str) -> bool:
        """Ring the agent's phone to keep it connected between calls; False when it is (or is being) already,
        or the agent has no phone."""
        extension = self.core.people.extensions.get(user_id)
        if extension is None or self.core.desks.standing(user_id) is not None:
            return False
        self.core.desks.set_standing(user_id, STANDING_RINGING)
        self.core.spawn(self._ring_standby(user_id, extension, campaign), f"standby-{user_id}")
        return True

    async def _ring_standby(self, user_id: int, extension: str, campaign: str) -> None:
        result = await self.core.port.originate(extension, ring_timeout=STANDBY_RING_SECONDS, kind=LegKind.AGENT)
        answered = result.outcome == OriginateOutcome.ANSWERED and result.call_id is not None
        if self.core.desks.standing(user_id) != STANDING_RINGING:  # sat down while it rang
            if answered and result.call_id is not None:
                with contextlib.suppress(CallEnded):
                    await self.core.port.hangup(result.call_id)
            return
        if not answered or result.call_id is None:
            self.core.desks.set_standing(user_id, None)
            await self.core.safe(cmd.MakeNotReady(agent_key(user_id), "phone_unreachable"))
            self._tell_standby(user_id, "failed", campaign, f"your phone did not answer ({result.outcome})")
            return
        self.core.desks.set_standing(user_id, result.call_id)
        with contextlib.suppress(CallEnded):
            await self.core.port.start_hold(result.call_id)  # standby: music until a customer is bridged
        self._tell_standby(user_id, "connected", campaign)

    async def sit_down(self, user_id: int) -> None:
        """The agent leaves predictive dialling: their standing line is hung up (kept while they are on a call:
        it goes when that call's talk ends)."""
        leg = self.core.desks.standing(user_id)
        if leg is None:
            return
        self.core.desks.set_standing(user_id, None)
        if leg != STANDING_RINGING and self.core.calls.leg(leg) is None:
            with contextlib.suppress(CallEnded):
                await self.core.port.hangup(leg)
        self._tell_standby(user_id, "ended", None)

    def line_dropped(self, leg: str) -> bool:
        """Telephony: ``leg`` hung up. When it was an agent's standing line the agent is made not ready (on a
        call, that call ends the usual way: the agent's phone hung up)."""
        user_id = self.core.desks.standing_owner(leg)
        if user_id is None:
            return False
        self.core.desks.set_standing(user_id, None)
        if self.core.calls.leg(leg) is None:
            self.core.spawn(self.core.safe(cmd.MakeNotReady(agent_key(user_id), "phone_hung_up")), f"sat-{user_id}")
        self._tell_standby(user_id, "ended", None, "your phone hung up")
        return True

    def _tell_standby(self, user_id: int, state: str, campaign: str | None, reason: str | None = None) -> None:
        payload = {"state": state, "campaign": campaign, "reason": reason}
        self.core.tell(("agent", user_id), "campaign.standby", payload)

    def free_agents(self, queue: str | None) -> list[int]:
        """Agents of ``queue`` ready now with their standing line connected and no call, longest idle first."""
        if queue is None:
            return []
        standing = self.core.desks.standing_lines()
        agents = [
            a
            for a in self.core.acd.acd.agents.values()
            if a.state is AgentState.AVAILABLE
            and queue in a.tiers
            and a.id.isdigit()
            and int(a.id) in standing
            and self.core.desks.active(int(a.id)) is None
        ]
        agents.sort(key=lambda a: a.since)
        return [int(a.id) for a in agents]

    # --- customers first --------------------------------------------------------------------------

    def dial(self, call_id: str, number: str, customer_id: int | None, queue: str, campaign: CampaignCall) -> None:
        """Ring a customer with no agent attached: the first free agent of ``queue`` gets them when they answer."""
        record = CallRecord(
            call_id=call_id,
            caller_number=number,
            dialled=number,
            arrived_at=self.core.clock.now(),
            customer_id=customer_id,
            direction="outbound",
            campaign=campaign,
            queue=queue,
        )
        conversation = OutboundCall(record, self.core.clock)
        self.core.calls.set_conversation(call_id, conversation)
        self.core.child(call_id, self._ring_customer(conversation, queue), "ring the customer (predictive)")

    def ringing(self, campaign: str) -> int:
        """Lines of ``campaign`` dialled and not answered yet."""
        return sum(
            1
            for c in self.core.calls.conversations()
            if c.record.campaign is not None
            and c.record.campaign.campaign == campaign
            and c.record.customer_leg is None
            and not c.finished.is_set()
        )

    async def _ring_customer(self, conversation: OutboundCall, queue: str) -> None:
        """A child of the call: the customer's phone rings (and a machine is screened out); the owner bridges
        them to a free agent, or, when nobody frees up in time, they hear the message."""
        record, call_id = conversation.record, conversation.call_id
        campaign = record.campaign
        assert campaign is not None
        customer, screened = await self.outbound.ring_customer(record.caller_number, campaign)
        if not await self.core.ask(call_id, self._answered(conversation, customer, screened, queue), "answered?"):
            return
        loop = asyncio.get_running_loop()
        give_up = loop.time() + WAIT_FOR_AGENT_SECONDS
        while loop.time() < give_up:
            await asyncio.sleep(POLL_SECONDS)
            if await self.core.ask(call_id, self._connect(conversation, queue), "an agent for the customer"):
                return
        leg = conversation.leg
        if leg is not None and not conversation.finished.is_set():
            message = Speech(campaign.abandon_message.strip() or ABANDON_MESSAGE.format(campaign=campaign.campaign))
            with contextlib.suppress(CallEnded):
                await self.core.port.play(leg, message, barge_in=False)
                await self.core.port.hangup(leg)
        await self.core.ask(call_id, self._finish(conversation, "abandoned", "system"), "abandoned")

    async def _answered(
        self, conversation: OutboundCall, customer: OriginateResult, screened: Decision | None, queue: str
    ) -> bool:
        """The owner's step once the customer's phone answered or not: True when a person waits for an agent."""
        record = conversation.record
        self.outbound.note_customer_ring(record, record.caller_number, customer, screened)
        if customer.outcome != OriginateOutcome.ANSWERED or customer.call_id is None:
            await self._finish(conversation, str(customer.outcome), "customer")
            return False
        if screened is not None and screened.machine:
            with contextlib.suppress(CallEnded):
                await self.core.port.hangup(customer.call_id)
            await self._finish(conversation, "answering_machine", "system")
            return False
        record.customer_leg = customer.call_id
        self.core.calls.add_leg(customer.call_id, record.call_id, "customer")
        return not await self._connect(conversation, queue)

    async def _connect(self, conversation: OutboundCall, queue: str) -> bool:
        """Bridge the customer to the first free agent on a standing line; True when done (or moot: they left)."""
        if conversation.finished.is_set():  # hung up before anyone was free: abandoned all the same
            await self._finish(conversation, "abandoned", "customer")
            return True
        record, call_id = conversation.record, conversation.call_id
        for user_id in self.free_agents(queue):
            line = self.core.desks.standing(user_id)
            try:
                await self.core.command(cmd.StartOutboundCall(agent_key(user_id), call_id))
            except DeskError as exc:  # routing moved them on meanwhile: the next one
                log.info("predictive: agent %s not taken for %s: %s", user_id, call_id, exc.message)
                continue
            assert line is not None
            record.agent_user_id, record.answered_at = user_id, self.core.clock.now()
            self.core.desks.set_active(user_id, call_id)
            await self.outbound.screen_pop(record)
            self.core.tell(
                ("agent", user_id),
                "call.dialling",
                {"call_id": call_id, "number": record.caller_number, "screen_pop": self.core.calls.screen_pop(call_id)},
            )
            await self.control.bridge_agent(conversation, user_id, line)
            await self.outbound.campaign_attempt(record, "answered")
            return True
        return False

    async def _finish(self, conversation: OutboundCall, result: str, hung_up_by: str) -> None:
        """Nobody talked to the customer (busy, no answer, a machine, or abandoned): logged, the record moved on."""
        record = conversation.record
        if self.core.calls.conversation(record.call_id) is not conversation:
            return  # finished already
        record.end_reason = result
        record.hung_up_by = record.hung_up_by or hung_up_by
        conversation.caller_gone(hung_up_by)
        self.core.calls.drop_conversation(record.call_id)
        if record.customer_leg is not None:
            self.core.calls.drop_leg(record.customer_leg)
        await write_call_activity(
            self.core.activities, record, disposition=None, wrap_seconds=0, outcome=result, agent_name=None
        )
        await self.outbound.campaign_attempt(record, result)
