"""Predictive dialling through the real call center on the simulated adapter: the agent's phone is rung once
and stands by between calls; customers are dialled first and bridged to it the moment they answer; a
customer nobody is free for hears the abandoned-call message and the attempt is ``abandoned``."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncEngine

from contact_center.crm import dialing
from contact_center.services.calls.predictive import WAIT_FOR_AGENT_SECONDS
from contact_center.services.dialer.runner import DialerRunner, campaign_tag
from contact_center.store.engine import session_factory
from contact_center.store.tables import Activity, Campaign, DialingAttempt, DialingRecord, User
from contact_center.telephony.events import OriginateOutcome
from contact_center.telephony.port import Speech

from .conftest import said, until, until_async

NEW_YORK = ("+12125550101", "+12125550102", "+12125550103")  # 10:00 there at T0: may be called


async def _predictive_campaign(engine: AsyncEngine) -> User:
    async with session_factory(engine).begin() as session:
        campaign = (await session.scalars(select(Campaign).where(Campaign.name == "Spring renewals"))).one()
        campaign.status, campaign.mode, campaign.max_attempts = "running", "predictive", 3
        campaign.script = "Hello, this is about your renewal."
        for n, number in enumerate(NEW_YORK):
            session.add(DialingRecord(campaign_id=campaign.id, number=number, first_name=f"R{n}", last_name="Lee"))
        return (await session.scalars(select(User).where(User.username == "agent"))).one()


async def _attempts(engine: AsyncEngine) -> dict[str, list[str | None]]:
    async with session_factory(engine)() as session:
        rows = (
            await session.execute(
                select(DialingRecord.number, DialingAttempt.result)
                .join(DialingAttempt, DialingAttempt.record_id == DialingRecord.id)
                .order_by(DialingAttempt.id)
            )
        ).all()
    found: dict[str, list[str | None]] = {}
    for number, result in rows:
        found.setdefault(number, []).append(result)
    return found


async def test_customers_are_dialled_first_and_bridged_to_the_agents_standing_line(
    center: Any, engine: AsyncEngine, clock: Any
) -> None:
    desk, port, heard = center
    agent = await _predictive_campaign(engine)
    port.program(agent.extension, OriginateOutcome.ANSWERED, delay=0.2)  # the agent picks up after a moment
    for number in NEW_YORK:
        port.program(number, OriginateOutcome.ANSWERED, delay=0.05)
    await desk.set_state(agent.id, "available")
    runner = DialerRunner(engine=engine, clock=clock, center=desk, zone=dt.UTC, tick_seconds=3600)

    assert await runner.tick() == []  # the first pass rings the agent's phone to stand by; nothing is dialled
    standby = await until(lambda: said(heard, agent.id, "campaign.standby"), "the standing line")
    assert standby[-1]["state"] == "connected" and standby[-1]["campaign"] == "Spring renewals"
    line = desk.desks.standing(agent.id)
    assert any(call_id == line for call_id, _ in port.on_hold)  # standby music between calls
    assert (await desk.snapshot(agent.id))["standby"] == {"state": "connected"}  # what a reloaded desk shows

    placed = await runner.tick()  # one agent free, nothing ringing, a young ledger: one line
    assert [p["agent"] for p in placed] == [None]
    call_id = placed[0]["call_id"]
    connected = await until(lambda: said(heard, agent.id, "call.connected"), "bridged to the standing line")
    assert connected[-1]["call_id"] == call_id
    dialling = said(heard, agent.id, "call.dialling")[-1]
    assert dialling["screen_pop"]["campaign"]["script"] == "Hello, this is about your renewal."
    record = desk.calls.record(call_id)
    assert record.agent_leg == line and record.customer_leg is not None

    port.far_end_hangup(record.customer_leg)  # the customer hangs up: the agent's phone stays connected
    await until(lambda: said(heard, agent.id, "wrapup.started"), "wrap-up")
    assert desk.desks.standing(agent.id) == line
    await desk.save_wrapup(agent.id, call_id, "sale", "", [])
    await until(lambda: desk.acd.acd.agents[str(agent.id)].state == "available", "ready for the next")

    second = (await runner.tick())[0]["call_id"]
    await until(lambda: len(said(heard, agent.id, "call.connected")) == 2, "the next customer, same line")
    assert desk.calls.record(second).agent_leg == line
    attempts = await _attempts(engine)
    assert [r for results in attempts.values() for r in results].count("answered") == 2


OWN_MESSAGE = "Acme Energy calling about your renewal. Nobody is free now; call us back on 0800 123 456."


@pytest.mark.parametrize("own_message", ["", OWN_MESSAGE], ids=["standard message", "the campaign's own"])
async def test_a_customer_nobody_is_free_for_hears_the_message_and_is_counted_abandoned(
    center: Any, engine: AsyncEngine, clock: Any, own_message: str
) -> None:
    desk, port, heard = center
    agent = await _predictive_campaign(engine)
    async with session_factory(engine).begin() as session:
        await session.execute(update(Campaign).values(abandon_message=own_message))
    port.program(agent.extension, OriginateOutcome.ANSWERED, delay=0.2)  # the first pass dials nobody
    for number in NEW_YORK:
        port.program(number, OriginateOutcome.ANSWERED)
    await desk.set_state(agent.id, "available")
    runner = DialerRunner(engine=engine, clock=clock, center=desk, zone=dt.UTC, tick_seconds=3600)
    await runner.tick()
    await until(lambda: said(heard, agent.id, "campaign.standby"), "the standing line")

    # Two customers answer at once for one free agent (what predictive pacing risks, and the ledger counts).
    async with session_factory(engine).begin() as session:
        (run,) = await dialing.running_campaigns(session, clock.now())
        claims = [await dialing.claim_next(session, run, f"dl-{n}", None, clock.now(), dt.UTC) for n in range(2)]
    for claimed in claims:
        assert claimed is not None
        desk.predictive.dial(f"dl-{claimed.record_id}", claimed.number, None, "sales", campaign_tag(run, claimed))
    await until(lambda: said(heard, agent.id, "call.connected"), "one is bridged")
    taken = said(heard, agent.id, "call.connected")[0]["call_id"]
    left = next(f"dl-{c.record_id}" for c in claims if c is not None and f"dl-{c.record_id}" != taken)

    async def abandoned() -> bool:
        return "abandoned" in [r for rs in (await _attempts(engine)).values() for r in rs]

    await until_async(abandoned, "the other is abandoned")
    if own_message:
        assert [p.text for call_id, p in port.played if call_id != taken and isinstance(p, Speech)] == [OWN_MESSAGE]
    else:
        message = [p for call_id, p in port.played if isinstance(p, Speech) and "no one is free" in p.text]
        assert len(message) == 1 and "Spring renewals" in message[0].text
    assert WAIT_FOR_AGENT_SECONDS < 2.0  # the message starts within the law's 2 s of the answer
    async with session_factory(engine)() as session:
        logged = (await session.scalars(select(Activity).where(Activity.interaction_id == left))).one()
    assert logged.outcome == "abandoned" and logged.details["hung_up_by"] == "system"
    assert desk.calls.conversation(left) is None  # nothing of it is left behind
    figures = await _figures(engine, clock)
    assert (figures["abandoned_24h"], figures["connects_24h"]) == (1, 1)


async def test_an_agent_who_logs_out_or_hangs_up_leaves_standby(center: Any, engine: AsyncEngine, clock: Any) -> None:
    desk, port, heard = center
    agent = await _predictive_campaign(engine)
    port.program(agent.extension, OriginateOutcome.ANSWERED)
    await desk.set_state(agent.id, "available")
    runner = DialerRunner(engine=engine, clock=clock, center=desk, zone=dt.UTC, tick_seconds=3600)
    await runner.tick()
    await until(lambda: said(heard, agent.id, "campaign.standby"), "the standing line")
    line = desk.desks.standing(agent.id)

    port.far_end_hangup(line)  # the agent put the phone down between calls
    await until(lambda: desk.acd.acd.agents[str(agent.id)].state == "not_ready", "not ready")
    assert desk.desks.standing(agent.id) is None
    assert said(heard, agent.id, "campaign.standby")[-1]["reason"] == "your phone hung up"

    await desk.set_state(agent.id, "available")
    await runner.tick()
    await until(lambda: len(said(heard, agent.id, "campaign.standby")) == 3, "standing by again")
    await desk.set_state(agent.id, "offline")
    await runner.tick()  # logged out: the standing line is hung up
    assert desk.desks.standing(agent.id) is None
    assert said(heard, agent.id, "campaign.standby")[-1]["state"] == "ended"


async def _figures(engine: AsyncEngine, clock: Any) -> dict[str, Any]:
    async with session_factory(engine)() as session:
        campaign = (await session.scalars(select(Campaign).where(Campaign.name == "Spring renewals"))).one()
        return (await dialing.campaign_figures(session, clock.now()))[campaign.id]
