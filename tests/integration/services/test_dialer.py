"""The progressive dialer through the real call center on the simulated adapter: each free agent of a
running campaign gets the next record it may call now; answered, busy and refused records each end where
they should, the disposition has the last word, and do-not-call and calling hours are checked at dial time."""

from __future__ import annotations

import asyncio
import datetime as dt
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from contact_center.crm import dialing
from contact_center.seed.demo import ensure_reference
from contact_center.services.dialer.runner import DialerRunner
from contact_center.store.engine import session_factory
from contact_center.store.tables import (
    Activity,
    Campaign,
    Customer,
    DialingAttempt,
    DialingRecord,
    DncNumber,
    Opportunity,
    User,
)
from contact_center.telephony.events import OriginateOutcome

from .conftest import said, until, until_async

NEW_YORK = ("+12125550101", "+12125550102", "+12125550103")  # 10:00 there at T0: may be called
LOS_ANGELES = "+14155550177"  # 07:00 there at T0: too early


async def _campaign(engine: AsyncEngine) -> None:
    async with session_factory(engine).begin() as session:
        campaign = (await session.scalars(select(Campaign).where(Campaign.name == "Spring renewals"))).one()
        campaign.status, campaign.max_attempts, campaign.retry_minutes = "running", 2, 30
        campaign.script = "Hello, this is about your renewal."
        for n, number in enumerate([*NEW_YORK, LOS_ANGELES]):
            session.add(DialingRecord(campaign_id=campaign.id, number=number, first_name=f"R{n}", last_name="Lee"))
        session.add(DncNumber(number=NEW_YORK[2], reason="asked", source="test", added_by="test"))


async def _records(engine: AsyncEngine) -> dict[str, DialingRecord]:
    async with session_factory(engine)() as session:
        return {r.number: r for r in (await session.scalars(select(DialingRecord))).all()}


async def test_a_progressive_campaign_calls_records_in_turn_and_each_ends_where_it_should(
    center: Any, engine: AsyncEngine, clock: Any
) -> None:
    desk, port, heard = center
    await _campaign(engine)
    async with session_factory(engine)() as session:
        agent = (await session.scalars(select(User).where(User.username == "agent"))).one()
    port.program(agent.extension, OriginateOutcome.ANSWERED)
    port.program(NEW_YORK[0], OriginateOutcome.ANSWERED)
    port.program(NEW_YORK[1], OriginateOutcome.BUSY)
    runner = DialerRunner(engine=engine, clock=clock, center=desk, zone=dt.UTC, tick_seconds=3600)
    assert await runner.tick() == []  # nobody ready: nothing dialled

    await desk.set_state(agent.id, "available")
    (first,) = await runner.tick()
    assert (first["record_id"], first["agent"]) == ((await _records(engine))[NEW_YORK[0]].id, agent.id)
    assert await runner.tick() == []  # the agent is on that call now
    await until(lambda: said(heard, agent.id, "call.connected"), "the customer answered")
    pop = (await desk.snapshot(agent.id))["call"]["screen_pop"]
    assert pop["campaign"]["name"] == "Spring renewals" and pop["campaign"]["record"]["first_name"] == "R0"
    assert pop["campaign"]["script"] == "Hello, this is about your renewal."
    clock.advance(60)
    await desk.hangup(agent.id, first["call_id"])
    await until(lambda: said(heard, agent.id, "wrapup.started"), "wrap-up")
    await desk.save_wrapup(agent.id, first["call_id"], "do_not_call", "asked not to be called", [])
    records = await _records(engine)
    assert (records[NEW_YORK[0]].status, records[NEW_YORK[0]].attempts) == ("dnc", 1)
    async with session_factory(engine)() as session:
        assert await dialing.dnc_among(session, [NEW_YORK[0]]) == {NEW_YORK[0]}
        (activity,) = (await session.scalars(select(Activity).where(Activity.interaction_id == first["call_id"]))).all()
    assert activity.subject.startswith("Campaign call (Spring renewals) to +12125550101")
    assert activity.disposition == "do_not_call" and activity.details["campaign"]["attempt"] == 1

    # Next: the busy one (the DNC'd number and the one where it is 07:00 are moved out of the way).
    await until(lambda: desk.acd.acd.agents[str(agent.id)].state == "available", "the agent ready again")
    (second,) = await runner.tick()
    await until(
        lambda: [w for w in said(heard, agent.id, "wrapup.started") if w["call_id"] == second["call_id"]], "wrap-up"
    )

    async def settled(number: str) -> DialingRecord | None:  # the attempt's result follows the wrap-up
        record = (await _records(engine))[number]
        return record if record.status != "dialing" else None

    busy = await until_async(lambda: settled(NEW_YORK[1]), "the busy attempt settled")
    assert (busy.status, busy.attempts, busy.data["last_result"]) == ("retry", 1, "busy")
    assert busy.next_at == clock.now() + dt.timedelta(minutes=30)
    await desk.save_wrapup(agent.id, second["call_id"], "no_answer", "", [])

    await until(lambda: desk.acd.acd.agents[str(agent.id)].state == "available", "the agent ready again")
    assert await runner.tick() == []  # nothing may be dialled now
    records = await _records(engine)
    assert records[NEW_YORK[2]].status == "dnc"  # on the do-not-call list: never dialled
    early = records[LOS_ANGELES]
    assert (early.status, early.attempts) == ("new", 0)
    assert early.next_at == dt.datetime(2026, 11, 23, 16, 0, tzinfo=dt.UTC)  # 08:00 in Los Angeles

    # Half an hour later the busy number is tried again, and with its attempts used it is done.
    clock.advance(31 * 60)
    port.program(LOS_ANGELES, OriginateOutcome.NO_ANSWER)
    (third,) = await runner.tick()
    assert third["record_id"] == busy.id
    await until(
        lambda: [w for w in said(heard, agent.id, "wrapup.started") if w["call_id"] == third["call_id"]], "wrap-up"
    )
    assert (await until_async(lambda: settled(NEW_YORK[1]), "the second attempt settled")).status == "done"
    async with session_factory(engine)() as session:
        attempts = (await session.scalars(select(DialingAttempt).order_by(DialingAttempt.id))).all()
    assert [(a.result, a.disposition) for a in attempts] == [
        ("answered", "do_not_call"),
        ("busy", "no_answer"),
        ("busy", None),
    ]
    await desk.save_wrapup(agent.id, third["call_id"], "no_answer", "", [])
    await desk.set_state(agent.id, "offline")


async def test_a_record_left_mid_attempt_by_a_stopped_node_is_dialable_again(engine: AsyncEngine, clock: Any) -> None:
    await ensure_reference(engine, password="demo-password-1")
    await _campaign(engine)
    async with session_factory(engine).begin() as session:
        (run,) = await dialing.running_campaigns(session, clock.now())
        claimed = await dialing.claim_next(session, run, "dl-x", None, clock.now(), dt.UTC)
    assert claimed is not None and claimed.number == NEW_YORK[0]
    async with session_factory(engine).begin() as session:
        assert await dialing.release_stale(session, clock.now()) == 0  # not stale yet
    clock.advance(600)
    async with session_factory(engine).begin() as session:
        assert await dialing.release_stale(session, clock.now()) == 1
    record = (await _records(engine))[NEW_YORK[0]]
    assert (record.status, record.attempts) == ("retry", 1)


async def test_a_preview_is_called_when_its_timer_runs_out_and_given_back_when_the_agent_takes_other_work(
    center: Any, engine: AsyncEngine, clock: Any
) -> None:
    desk, port, heard = center
    async with session_factory(engine).begin() as session:
        campaign = (await session.scalars(select(Campaign).where(Campaign.name == "Win-back"))).one()
        campaign.status = "running"
        for number in NEW_YORK[:2]:
            session.add(DialingRecord(campaign_id=campaign.id, number=number, first_name="R", last_name="L"))
        agent = (await session.scalars(select(User).where(User.username == "agent"))).one()
    port.program(agent.extension, OriginateOutcome.ANSWERED)
    port.program(NEW_YORK[0], OriginateOutcome.ANSWERED)
    runner = DialerRunner(engine=engine, clock=clock, center=desk, zone=dt.UTC, tick_seconds=3600)
    await desk.set_state(agent.id, "available")
    assert await runner.tick() == []
    (shown,) = said(heard, agent.id, "campaign.preview")
    assert shown["record"]["number"] == NEW_YORK[0] and (await desk.snapshot(agent.id))["preview"] == shown
    assert await runner.tick() == []  # still on the desk: nothing more, nothing placed
    clock.advance(31)
    (placed,) = await runner.tick()  # the timer ran out: the record is called
    assert placed["call_id"] == shown["call_id"]
    await until(lambda: said(heard, agent.id, "call.connected"), "the customer answered")
    await desk.hangup(agent.id, placed["call_id"])
    await until(lambda: said(heard, agent.id, "wrapup.started"), "wrap-up")
    await desk.save_wrapup(agent.id, placed["call_id"], "sale", "", [])
    await until(lambda: desk.acd.acd.agents[str(agent.id)].state == "available", "ready again")

    await runner.tick()  # the second record goes on the desk; then the agent goes on a break
    second = said(heard, agent.id, "campaign.preview")[-1]
    await desk.set_state(agent.id, "not_ready", "lunch")
    await runner.tick()
    ended = said(heard, agent.id, "campaign.preview_ended")[-1]
    assert (ended["attempt_id"], ended["reason"]) == (second["attempt_id"], "agent_busy")
    record = (await _records(engine))[NEW_YORK[1]]
    assert (record.status, record.attempts) == ("retry", 0)


async def test_two_passes_at_once_never_claim_the_same_record(engine: AsyncEngine, clock: Any) -> None:
    """SQLite reads outside any row lock: both passes may see the same record free, only one may take it."""
    await ensure_reference(engine, password="demo-password-1")
    await _campaign(engine)
    async with session_factory(engine)() as session:
        (run,) = await dialing.running_campaigns(session, clock.now())

    async def claim(n: int) -> dialing.Claimed | None:
        async with session_factory(engine).begin() as session:
            return await dialing.claim_next(session, run, f"dl-{n}", None, clock.now(), dt.UTC)

    claimed = [c for c in await asyncio.gather(*(claim(n) for n in range(4))) if c is not None]
    numbers = [c.number for c in claimed]
    assert claimed and len(numbers) == len(set(numbers)) and set(numbers) <= set(NEW_YORK[:2])
    records = await _records(engine)
    async with session_factory(engine)() as session:
        attempts = (await session.scalars(select(DialingAttempt))).all()
    assert len(attempts) == len(claimed)
    assert all(records[n].attempts == (1 if n in numbers else 0) for n in NEW_YORK[:2])


async def test_a_machine_that_answers_is_hung_up_on_or_left_a_message_and_a_person_reaches_the_agent(
    center: Any, engine: AsyncEngine, clock: Any
) -> None:
    desk, port, heard = center
    await _campaign(engine)
    async with session_factory(engine).begin() as session:
        campaign = (await session.scalars(select(Campaign).where(Campaign.name == "Spring renewals"))).one()
        campaign.answering_machine, campaign.machine_message = "leave_message", "Please call us back about renewal."
        campaign.retry_minutes_by_outcome = {"answering_machine": 240, "busy": 10}
        agent = (await session.scalars(select(User).where(User.username == "agent"))).one()
    greeting = (20,) * 10 + (3000,) * 150 + (20,) * 10 + (5000,) * 25  # a long greeting, then the beep
    hello = (20,) * 15 + (3000,) * 25  # "Hello?", then waiting (silence follows)
    port.program(agent.extension, OriginateOutcome.ANSWERED)
    port.program(NEW_YORK[0], OriginateOutcome.ANSWERED, levels=greeting)
    port.program(NEW_YORK[1], OriginateOutcome.ANSWERED, levels=hello)
    runner = DialerRunner(engine=engine, clock=clock, center=desk, zone=dt.UTC, tick_seconds=3600)
    await desk.set_state(agent.id, "available")

    (machine,) = await runner.tick()
    wrapups = await until(
        lambda: [w for w in said(heard, agent.id, "wrapup.started") if w["call_id"] == machine["call_id"]], "wrap-up"
    )
    assert wrapups and not [c for c in said(heard, agent.id, "call.connected") if c["call_id"] == machine["call_id"]]
    left = [p for call, p in port.played if getattr(p, "text", "") == "Please call us back about renewal."]
    assert len(left) == 1  # the message, after the greeting and its beep

    async def settled(number: str) -> DialingRecord | None:
        record = (await _records(engine))[number]
        return record if record.status != "dialing" else None

    record = await until_async(lambda: settled(NEW_YORK[0]), "the machine's attempt settled")
    assert (record.status, record.data["last_result"]) == ("retry", "answering_machine")
    assert record.next_at == clock.now() + dt.timedelta(minutes=240)  # the campaign's delay for machines
    await desk.save_wrapup(agent.id, machine["call_id"], "no_answer", "", [])
    async with session_factory(engine)() as session:
        query = select(Activity).where(Activity.interaction_id == machine["call_id"])
        (activity,) = (await session.scalars(query)).all()
    assert activity.details["sip"]["answering_machine"]["verdict"] == "machine", activity.details

    await until(lambda: desk.acd.acd.agents[str(agent.id)].state == "available", "the agent ready again")
    (person,) = await runner.tick()
    await until(
        lambda: [c for c in said(heard, agent.id, "call.connected") if c["call_id"] == person["call_id"]],
        "the person connected to the agent",
    )
    await desk.hangup(agent.id, person["call_id"])
    await until(
        lambda: [w for w in said(heard, agent.id, "wrapup.started") if w["call_id"] == person["call_id"]], "wrap-up"
    )
    await desk.save_wrapup(agent.id, person["call_id"], "sale", "", [])
    await desk.set_state(agent.id, "offline")
    converted = (await _records(engine))[NEW_YORK[1]]  # a sale converts the lead: a customer, an opportunity
    assert (converted.status, converted.data["lead_status"]) == ("done", "converted")
    async with session_factory(engine)() as session:
        opportunity = await session.get(Opportunity, converted.data["opportunity_id"])
        customer = await session.get(Customer, converted.customer_id)
    assert opportunity is not None and opportunity.customer_id == converted.customer_id
    assert opportunity.owner_id == agent.id and opportunity.name == "Spring renewals: R1 Lee"
    assert customer is not None and customer.first_name == "R1"


async def test_a_campaign_calls_only_inside_its_own_hours_on_the_called_persons_clock(
    engine: AsyncEngine, clock: Any
) -> None:
    """10:00 in New York: a campaign that calls from 11:00 leaves its New York records for 11:00 New York
    time; Los Angeles (07:00) waits for 11:00 there. The law's 08:00-21:00 still bounds what it may set."""
    await ensure_reference(engine, password="demo-password-1")
    await _campaign(engine)
    async with session_factory(engine).begin() as session:
        campaign = (await session.scalars(select(Campaign).where(Campaign.name == "Spring renewals"))).one()
        campaign.call_from, campaign.call_until = "11:00", "17:30"
    async with session_factory(engine).begin() as session:
        (run,) = await dialing.running_campaigns(session, clock.now())
        assert run.hours == (dt.time(11, 0), dt.time(17, 30))
        assert await dialing.claim_next(session, run, "dl-early", None, clock.now(), dt.UTC) is None
    records = await _records(engine)
    assert records[NEW_YORK[0]].next_at == dt.datetime(2026, 11, 23, 16, 0, tzinfo=dt.UTC)  # 11:00 New York
    assert records[LOS_ANGELES].next_at == dt.datetime(2026, 11, 23, 19, 0, tzinfo=dt.UTC)  # 11:00 Los Angeles
    assert records[NEW_YORK[0]].attempts == 0

    clock.advance(3600)  # 11:00 in New York
    async with session_factory(engine).begin() as session:
        claimed = await dialing.claim_next(session, run, "dl-on-time", None, clock.now(), dt.UTC)
    assert claimed is not None and claimed.number in NEW_YORK[:2]


async def test_higher_priority_records_are_dialled_first_and_the_wrap_up_offers_the_campaigns_dispositions(
    center: Any, engine: AsyncEngine, clock: Any
) -> None:
    desk, port, heard = center
    await _campaign(engine)
    async with session_factory(engine).begin() as session:
        record = (await session.scalars(select(DialingRecord).where(DialingRecord.number == NEW_YORK[1]))).one()
        record.priority = 10  # loaded after NEW_YORK[0], wanted first
        campaign = (await session.scalars(select(Campaign).where(Campaign.name == "Spring renewals"))).one()
        campaign.dispositions = ["sale", "no_sale"]
        agent = (await session.scalars(select(User).where(User.username == "agent"))).one()
    port.program(agent.extension, OriginateOutcome.ANSWERED)
    port.program(NEW_YORK[1], OriginateOutcome.ANSWERED)
    runner = DialerRunner(engine=engine, clock=clock, center=desk, zone=dt.UTC, tick_seconds=3600)
    await desk.set_state(agent.id, "available")
    (first,) = await runner.tick()
    assert first["record_id"] == record.id
    await until(lambda: said(heard, agent.id, "call.connected"), "the customer answered")
    await desk.hangup(agent.id, first["call_id"])
    (wrapup,) = await until(lambda: said(heard, agent.id, "wrapup.started"), "wrap-up")
    assert sorted(d["code"] for d in wrapup["dispositions"]) == ["no_sale", "sale"]
    await desk.save_wrapup(agent.id, first["call_id"], "sale", "", [])


async def test_with_a_machine_detector_on_the_ledger_counts_the_people_it_is_expected_to_hang_up_on(
    engine: AsyncEngine, clock: Any
) -> None:
    await ensure_reference(engine, password="demo-password-1")
    await _campaign(engine)
    async with session_factory(engine).begin() as session:
        campaign = (await session.scalars(select(Campaign).where(Campaign.name == "Spring renewals"))).one()
        record = (await session.scalars(select(DialingRecord).where(DialingRecord.number == NEW_YORK[0]))).one()
        for n in range(146):  # 146 people reached, one abandoned
            result = "abandoned" if n == 0 else "answered"
            session.add(
                DialingAttempt(
                    record_id=record.id, campaign_id=campaign.id, call_id=f"c{n}", result=result, at=clock.now()
                )
            )

    async def rate() -> tuple[float, float]:
        async with session_factory(engine)() as session:
            row = (await dialing.campaign_figures(session, clock.now()))[campaign.id]
        return row["abandon_rate_30d"], row["amd_suspected_30d"]

    assert await rate() == (round(1 / 146, 4), 0.0)  # no detector: what the calls say
    async with session_factory(engine).begin() as session:
        (await session.get(Campaign, campaign.id)).answering_machine = "hang_up"  # type: ignore[union-attr]
    assert await rate() == (round(2 / 147, 4), 1.0)  # one more person expected hung up on as a machine
