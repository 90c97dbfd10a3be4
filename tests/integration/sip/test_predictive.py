"""Predictive dialling over real SIP (sipp phones through Kamailio): the agent's phone is rung once and
stands by; a customer who answers is bridged to it with nothing to ring; a second customer who answers
while the agent is busy hears the abandoned-call message on the wire and is let go; the agent's phone,
still the same call, is hung up only when they log out."""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import Any

from aiohttp.test_utils import TestServer
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncEngine

from contact_center.clock import FixedClock
from contact_center.config import Settings
from contact_center.crm import dialing
from contact_center.seed.demo import ensure_reference
from contact_center.seed.reference import ALWAYS
from contact_center.services.dialer.runner import campaign_tag
from contact_center.store.engine import session_factory
from contact_center.store.tables import Calendar, Campaign, DialingAttempt, DialingRecord
from contact_center.telephony import rtp
from contact_center.telephony.prompts import PromptLibrary
from contact_center.telephony.sip import SipLine, SipTelephony

from .conftest import rtp_range

PASSWORD = "demo-password-1"
TALKS, WAITS = "+12125550101", "+12125550102"  # New York numbers: 10:00 there on the test's clock
T0 = dt.datetime(2026, 11, 23, 15, 0, tzinfo=dt.UTC)
SILENCE = 0xFF  # mu-law


async def until(check: Callable[[], Any], what: str, seconds: float = 30.0) -> Any:
    async with asyncio.timeout(seconds):
        while not (found := check()):  # noqa: ASYNC110 - the server's own tasks move the call on
            await asyncio.sleep(0.05)
    return found


async def test_customers_reach_the_standing_agent_and_one_nobody_is_free_for_hears_the_message(
    kamailio: Callable[..., Any],
    agent_phone: Callable[..., Any],
    sniff: Callable[[int], Any],
    ports: Callable[..., int],
    settings: Settings,
    engine: AsyncEngine,
    tmp_path: Path,
) -> None:
    await ensure_reference(engine, password=PASSWORD)
    async with session_factory(engine).begin() as session:
        await session.execute(update(Calendar).values(weekly_hours=ALWAYS, holiday_country=None))
        campaign = (await session.scalars(select(Campaign).where(Campaign.name == "Spring renewals"))).one()
        campaign.status, campaign.mode = "running", "predictive"
        for name, number in (("Rita", TALKS), ("Sam", WAITS)):
            session.add(DialingRecord(campaign_id=campaign.id, number=number, first_name=name, last_name="Lee"))
    phone = agent_phone("uas_answer.xml")  # one call: the standing line, for as long as the agent stands by
    talks = agent_phone("uas_answer_then_bye.xml")  # answers, talks 3 s, hangs up
    waits = agent_phone("uas_answer.xml", echo=False)  # answers and waits for our BYE
    heard_by_waits = sniff(waits.media)
    line = ports()
    static = {"2001": phone.port, TALKS: talks.port, WAITS: waits.port}
    proxy = kamailio(users={"ivr": "ivr-secret"}, workers=[line], static=static, service="100")
    telephony = SipTelephony(PromptLibrary(tmp_path / "prompts"), rtp_ports=rtp_range(), max_calls=10)
    telephony.open_line(SipLine(proxy.address, "ivr", "ivr-secret", "127.0.0.1", line))

    from contact_center.app import create_app
    from contact_center.web.keys import CALL_CENTER, DIALER

    app = create_app(settings, clock=FixedClock(T0), engine=engine, telephony=telephony)
    center, runner = app[CALL_CENTER], app[DIALER]
    center.phone_check_seconds = None  # sipp phones take one dialog each: no OPTIONS
    server = TestServer(app, host="127.0.0.1", port=0)
    await server.start_server()
    await runner.stop()  # the test makes each pass itself
    try:
        agent_id = center.people.usernames["agent"]
        await center.set_state(agent_id, "available")
        # What the runner's pass does for a ready agent (tests/integration/services/test_predictive.py); made
        # here by hand so that which customer is dialled when is the test's choice.
        assert center.predictive.stand_by(agent_id, "Spring renewals")
        standing = await until(lambda: center.desks.standing_lines().get(agent_id), "the standing line")

        async with session_factory(engine).begin() as session:
            (run,) = await dialing.running_campaigns(session, T0)
        first = await _claim(engine, run, TALKS)
        center.predictive.dial("pd-talks", TALKS, None, "sales", campaign_tag(run, first))
        await until(lambda: (r := center.calls.record("pd-talks")) is not None and r.connected_at, "bridged")
        bridged = center.calls.record("pd-talks")
        assert bridged is not None and bridged.agent_leg == standing  # nothing was rung for this customer

        second = await _claim(engine, run, WAITS)
        center.predictive.dial("pd-waits", WAITS, None, "sales", campaign_tag(run, second))
        assert await waits.finished() == 0  # it heard the message, then our BYE
        loud = _voice(heard_by_waits.times, heard_by_waits.packets)
        assert len(loud) > 50, "the customer heard no message"  # over a second of speech
        # Reported, not asserted (a timing on a shared box): the message's start after the first packet sent.
        print(f"abandoned-call message began {loud[0] - heard_by_waits.times[0]:.2f} s after the answer")

        assert await talks.finished() == 0  # Rita talked 3 s and hung up
        await until(lambda: center.desks.wrapup(agent_id), "wrap-up")
        assert center.desks.standing(agent_id) == standing  # the agent's phone stays connected
        await center.save_wrapup(agent_id, "pd-talks", "sale", "", [])
        await center.set_state(agent_id, "offline")
        await runner.tick()  # logged out: the standing line is hung up
        assert await phone.finished() == 0
        # The abandoned call is written after our BYE: stopping the server before would cancel the write.
        async with asyncio.timeout(30):
            while (results := await _results(engine)).get(WAITS) == "dialing":  # noqa: ASYNC110 - polls the database
                await asyncio.sleep(0.05)
    finally:
        await server.close()
    assert results == {TALKS: "answered", WAITS: "abandoned"}


async def _results(engine: AsyncEngine) -> dict[str, str]:
    async with session_factory(engine)() as session:
        rows = await session.execute(
            select(DialingRecord.number, DialingAttempt.result).join(
                DialingAttempt, DialingAttempt.record_id == DialingRecord.id
            )
        )
        return {number: result for number, result in rows.all()}


async def _claim(engine: AsyncEngine, run: dialing.CampaignRun, number: str) -> dialing.Claimed:
    async with session_factory(engine).begin() as session:
        claimed = await dialing.claim_next(session, run, f"pd-{number}", None, T0, dt.UTC)
    assert claimed is not None and claimed.number == number
    return claimed


def _voice(times: list[float], packets: list[tuple[int, bytes]]) -> list[float]:
    """When each RTP packet that carries sound came (not the silence sent while nothing plays)."""
    found = []
    for at, (_source, data) in zip(times, packets, strict=True):
        payload = rtp.parse(data).payload
        if sum(1 for b in payload if abs(b - SILENCE) > 8) > len(payload) // 4:
            found.append(at)
    return found
