"""The dialer's runner: every couple of seconds, each running progressive campaign gives each of its free
agents the next record it may call now, and the call center places that call like a click-to-call
(the agent's phone, then the customer's), owned like any other call. A preview campaign puts the record
and its script on the agent's desk instead: the agent calls it or skips it, and when they do neither
within ``PREVIEW_SECONDS`` it is called.

Progressive dialling here is agent-first: the agent is on the line before the customer's phone rings,
so no answered call ever waits for an agent and nothing is abandoned (the 3 % rule cannot be broken).
A predictive campaign dials customers first, as many lines as pacing allows (domain/dialer/pacing.py),
and each who answers is bridged to a free agent's standing line (services/calls/predictive.py).

Each attempt's result moves its record on (retry later, done); the agent's disposition has the last
word (do not call, wrong number, call back). Compliance is checked at dial time (crm/dialing.py).

With several nodes the node whose routing decides (``acd.leading``) dials; records are claimed under a
row lock, so a node that takes over never dials a record twice.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
import uuid
from typing import Any

from sqlalchemy.ext.asyncio import AsyncEngine

from contact_center.clock import Clock, utc_iso
from contact_center.crm import dialing
from contact_center.domain.acd.agents import AgentState
from contact_center.domain.dialer.pacing import Floor, Steering, lines_to_dial
from contact_center.services.calls.center import CallCenter
from contact_center.services.calls.record import CampaignCall
from contact_center.services.desk import DeskError
from contact_center.store.engine import session_factory

log = logging.getLogger(__name__)
TICK_SECONDS = 2.0
STALE_AFTER = dt.timedelta(minutes=10)  # a record "dialing" this long was left by a node that stopped
DEFAULT_LIVE_ANSWER_RATE = 0.3  # until a campaign has dialled enough to measure its own
MEASURED_AFTER = 20  # dialled lines in 24 h before the campaign's own live-answer rate is believed
DEFAULT_HANDLE_SECONDS = 180.0
ANSWER_SECONDS = 10.0  # from dialling to a person's answer, typically
PREVIEW_SECONDS = 30.0  # a previewed record is dialled when the agent neither calls nor skips it by then


class DialerRunner:
    def __init__(
        self,
        *,
        engine: AsyncEngine,
        clock: Clock,
        center: CallCenter,
        zone: dt.tzinfo,
        tick_seconds: float = TICK_SECONDS,
    ) -> None:
        self.engine, self.clock, self.center = engine, clock, center
        self.sessions = session_factory(engine)
        self.zone = zone  # whose clock a number with no known area goes by
        self.tick_seconds = tick_seconds
        self._loop: asyncio.Task[None] | None = None
        self._pass = asyncio.Lock()  # one pass at a time: two would offer the same free agent two records

    async def start(self) -> None:
        async with self.sessions.begin() as session:
            released = await dialing.release_stale(session, self.clock.now() - STALE_AFTER)
        if released:
            log.warning("dialer: %d record(s) left mid-attempt by a stopped node are dialable again", released)
        self._loop = asyncio.create_task(self._every(), name="dialer")

    async def stop(self) -> None:
        if self._loop is not None:
            self._loop.cancel()
            await asyncio.gather(self._loop, return_exceptions=True)

    async def _every(self) -> None:
        while True:
            await asyncio.sleep(self.tick_seconds)
            try:
                await self.tick()
            except Exception:
                log.exception("dialer pass failed; trying again in %.0f s", self.tick_seconds)

    def free_agents(self, queue: str | None) -> list[int]:
        """Agents of the campaign's queue who are ready now and have no record on their desk, longest idle first."""
        if queue is None:
            return []
        previewing = self.center.desks.previews()
        agents = [
            a
            for a in self.center.acd.acd.agents.values()
            if a.state is AgentState.AVAILABLE and queue in a.tiers and a.id.isdigit() and int(a.id) not in previewing
        ]
        agents.sort(key=lambda a: a.since)
        return [int(a.id) for a in agents]

    async def tick(self) -> list[dict[str, Any]]:
        """One pass: the calls placed (call id, campaign, record, agent)."""
        async with self._pass:
            return await self._tick()

    async def _tick(self) -> list[dict[str, Any]]:
        if not self.center.acd.leading:
            return []
        now = self.clock.now()
        async with self.sessions() as session:
            campaigns = await dialing.running_campaigns(session, now)
        placed = await self._previews_due()
        await self._sit_down_idle(campaigns)
        figures: dict[int, dict[str, Any]] = {}
        if any(c.mode == "predictive" for c in campaigns):  # one read of the ledger a pass, for every campaign
            async with self.sessions() as session:
                figures = await dialing.campaign_figures(session, now)
        for campaign in campaigns:
            if campaign.mode == "predictive":
                placed += await self._predictive(campaign, figures.get(campaign.id, {}))
                continue
            for user_id in self.free_agents(campaign.queue):
                if campaign.mode == "preview":
                    if not await self._preview(campaign, user_id):
                        break
                    continue
                call = await self._place(campaign, user_id)
                if call is None:
                    break  # nothing more to dial in this campaign now
                placed.append(call)
        return placed

    # --- predictive: customers first, agents on a standing line (services/calls/predictive.py) ----------

    async def _predictive(self, campaign: dialing.CampaignRun, figures: dict[str, Any]) -> list[dict[str, Any]]:
        predictive = self.center.predictive
        for user_id in self.free_agents(campaign.queue):  # ready, no standing line yet: ring it
            predictive.stand_by(user_id, campaign.name)
        floor = self._floor(campaign, figures)
        steering = Steering(min(campaign.target_abandon, campaign.max_abandon), campaign.max_abandon)
        lines = lines_to_dial("predictive", floor, steering)
        placed: list[dict[str, Any]] = []
        for _ in range(lines):
            call_id = f"dl-{uuid.uuid4().hex[:16]}"
            async with self.sessions.begin() as session:
                claimed = await dialing.claim_next(session, campaign, call_id, None, self.clock.now(), self.zone)
            if claimed is None:
                break
            predictive.dial(
                call_id, claimed.number, claimed.customer_id, campaign.queue or "", campaign_tag(campaign, claimed)
            )
            placed.append(
                {"call_id": call_id, "campaign": campaign.name, "record_id": claimed.record_id, "agent": None}
            )
        return placed

    def _floor(self, campaign: dialing.CampaignRun, figures: dict[str, Any]) -> Floor:
        """What pacing needs of the campaign now: its agents, its lines ringing, and its measured figures
        (``figures``: its row of ``dialing.campaign_figures``)."""
        routing, at = self.center.acd.acd, self.center.acd.now()
        standing = set(self.center.desks.standing_lines())
        busy = tuple(
            at - a.since
            for a in routing.agents.values()
            if campaign.queue in a.tiers
            and a.id.isdigit()
            and int(a.id) in standing
            and a.state in (AgentState.ON_CALL, AgentState.WRAP_UP, AgentState.RESERVED)
        )
        dialled, connects = figures.get("dialed_24h", 0), figures.get("connects_24h", 0)
        rate = connects / dialled if dialled >= MEASURED_AFTER else DEFAULT_LIVE_ANSWER_RATE
        stats = self.center.acd.report(3600).groups.get(campaign.queue or "")
        ringing = self.center.predictive.ringing(campaign.name)
        return Floor(
            agents_free=len(self.center.predictive.free_agents(campaign.queue)),
            busy_elapsed=busy,
            lines_ringing=ringing,
            answers_coming=rate * ringing,
            live_answer_rate=rate,
            handle_seconds=(stats.aht_seconds if stats is not None else None) or DEFAULT_HANDLE_SECONDS,
            answer_seconds=ANSWER_SECONDS,
            abandon_rate=figures.get("abandon_rate_30d") or 0.0,
            answered_live=figures.get("answered_30d", 0),
        )

    async def _sit_down_idle(self, campaigns: list[dialing.CampaignRun]) -> None:
        """Standing lines of agents logged out, or in no running predictive campaign's queue, are hung up."""
        queues = {c.queue for c in campaigns if c.mode == "predictive" and c.queue}
        for user_id in self.center.desks.standing_agents():
            agent = self.center.acd.acd.agents.get(str(user_id))
            if agent is None or agent.state is AgentState.OFFLINE or not queues & set(agent.tiers):
                await self.center.predictive.sit_down(user_id)

    # --- preview: the agent sees the record and the script, then calls or skips (or the timer calls) ------

    async def _preview(self, campaign: dialing.CampaignRun, user_id: int) -> bool:
        call_id = f"dl-{uuid.uuid4().hex[:16]}"
        async with self.sessions.begin() as session:
            claimed = await dialing.claim_next(session, campaign, call_id, user_id, self.clock.now(), self.zone)
        if claimed is None:
            return False
        deadline = self.clock.now() + dt.timedelta(seconds=PREVIEW_SECONDS)
        self.center.outbound.show_preview(
            user_id,
            {
                "attempt_id": claimed.attempt_id,
                "record_id": claimed.record_id,
                "call_id": call_id,
                "campaign": campaign.name,
                "script": campaign.script,
                "customer_id": claimed.customer_id,
                "record": _record_view(claimed),
                "deadline": utc_iso(deadline),
            },
        )
        return True

    async def call_preview(self, user_id: int, attempt_id: int) -> dict[str, Any]:
        """The agent calls the record on their desk (or its timer ran out)."""
        preview = self.center.outbound.end_preview(user_id, attempt_id, "called")
        if preview is None:
            raise DeskError("no_such_preview", f"no record {attempt_id} is on your desk")
        record = preview["record"]
        tag = CampaignCall(preview["campaign"], preview["record_id"], attempt_id, preview["script"], record)
        try:
            await self.center.outbound.dial(
                user_id, record["number"], preview["customer_id"], call_id=preview["call_id"], campaign=tag
            )
        except DeskError:
            async with self.sessions.begin() as session:
                await dialing.record_result(session, attempt_id, "agent_unreachable", self.clock.now())
            raise
        return {"call_id": preview["call_id"], "campaign": preview["campaign"], "record_id": preview["record_id"]}

    async def skip_preview(self, user_id: int, attempt_id: int, reason: str = "skipped") -> None:
        preview = self.center.desks.preview(user_id)
        if preview is None or preview["attempt_id"] != attempt_id:
            raise DeskError("no_such_preview", f"no record {attempt_id} is on your desk")
        async with self.sessions.begin() as session:  # stored before the desk hears of it
            await dialing.record_skip(session, attempt_id, self.clock.now())
        self.center.outbound.end_preview(user_id, attempt_id, reason)

    async def _previews_due(self) -> list[dict[str, Any]]:
        """Records whose preview timer ran out are called; an agent who took other work gives theirs back."""
        placed = []
        now = self.clock.now()
        for user_id, preview in self.center.desks.previews().items():
            agent = self.center.acd.acd.agents.get(str(user_id))
            if agent is None or agent.state is not AgentState.AVAILABLE:
                await self.skip_preview(user_id, preview["attempt_id"], "agent_busy")
            elif dt.datetime.fromisoformat(preview["deadline"].replace("Z", "+00:00")) <= now:
                with contextlib.suppress(DeskError):
                    placed.append(await self.call_preview(user_id, preview["attempt_id"]))
        return placed

    async def _place(self, campaign: dialing.CampaignRun, user_id: int) -> dict[str, Any] | None:
        call_id = f"dl-{uuid.uuid4().hex[:16]}"
        async with self.sessions.begin() as session:
            claimed = await dialing.claim_next(session, campaign, call_id, user_id, self.clock.now(), self.zone)
        if claimed is None:
            return None
        tag = campaign_tag(campaign, claimed)
        try:
            await self.center.outbound.dial(user_id, claimed.number, claimed.customer_id, call_id=call_id, campaign=tag)
        except DeskError as exc:  # the agent moved on meanwhile, or has no phone: the record waits for the next
            log.info("dialer: record %s not placed with agent %s: %s", claimed.record_id, user_id, exc.message)
            async with self.sessions.begin() as session:
                await dialing.record_result(session, claimed.attempt_id, "agent_unreachable", self.clock.now())
            return {"call_id": None, "campaign": campaign.name, "record_id": claimed.record_id, "agent": user_id}
        return {"call_id": call_id, "campaign": campaign.name, "record_id": claimed.record_id, "agent": user_id}


def campaign_tag(campaign: dialing.CampaignRun, claimed: dialing.Claimed) -> CampaignCall:
    """What a dialled call carries of its campaign and record (a machine is screened for in progressive and
    predictive; in preview the agent hears who answers)."""
    return CampaignCall(
        campaign.name,
        claimed.record_id,
        claimed.attempt_id,
        campaign.script,
        _record_view(claimed),
        answering_machine=campaign.answering_machine,
        machine_message=campaign.machine_message,
        abandon_message=campaign.abandon_message,
        dispositions=campaign.dispositions,
    )


def _record_view(claimed: dialing.Claimed) -> dict[str, Any]:
    """The record as the agent sees it: the list's name, number and other columns, and which attempt this is."""
    return {
        "first_name": claimed.first_name,
        "last_name": claimed.last_name,
        "number": claimed.number,
        "attempts": claimed.attempts,
        "data": claimed.data,
    }
