"""A progressive campaign that screens for answering machines, over real SIP: the dialer rings two agents'
phones (sipp through Kamailio), then two customers, also sipp: one is a voicemail greeting (espeak-ng), one a
person who says "Hello?" and waits. The machine is hung up on before anyone hears it and its record is
tried again later; the person reaches the agent."""

from __future__ import annotations

import asyncio
import datetime as dt
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

from aiohttp.test_utils import TestServer
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncEngine

from contact_center.clock import FixedClock
from contact_center.config import Settings
from contact_center.crm.users import add_user
from contact_center.seed.demo import ensure_reference
from contact_center.seed.reference import ALWAYS
from contact_center.store.engine import session_factory
from contact_center.store.tables import Activity, Calendar, Campaign, DialingRecord
from contact_center.telephony import audio
from contact_center.telephony.prompts import PromptLibrary
from contact_center.telephony.sip import SipLine, SipTelephony

from .conftest import rtp_range

PASSWORD = "demo-password-1"
MACHINE, PERSON = "+12125550103", "+12125550104"  # New York: 10:00 there on the test's clock
T0 = dt.datetime(2026, 11, 23, 15, 0, tzinfo=dt.UTC)


def _said(directory: Path, name: str, text: str, *, then_silence: float) -> Path:
    """``text`` as espeak-ng says it, after 0.3 s and followed by silence, as the mu-law WAV sipp plays."""
    speech = directory / f"{name}-speech.wav"
    subprocess.run(["espeak-ng", "-w", str(speech), text], check=True)
    pcm = b"\x00\x00" * int(0.3 * audio.RATE) + audio.read_wav(speech) + b"\x00\x00" * int(then_silence * audio.RATE)
    linear = directory / f"{name}-8k.wav"
    audio.write_wav(linear, pcm)
    out = directory / f"{name}.wav"
    subprocess.run(["sox", str(linear), "-e", "u-law", str(out)], check=True)
    return out


async def test_a_machine_is_screened_out_and_a_person_reaches_the_agent(
    kamailio: Callable[..., Any],
    agent_phone: Callable[..., Any],
    ports: Callable[..., int],
    settings: Settings,
    engine: AsyncEngine,
    tmp_path: Path,
) -> None:
    await ensure_reference(engine, password=PASSWORD)
    async with session_factory(engine).begin() as session:
        await session.execute(update(Calendar).values(weekly_hours=ALWAYS, holiday_country=None))
        await add_user(session, "bob", "agent", PASSWORD, extension="2050", queues="all", skills={"sales": 5})
        campaign = (await session.scalars(select(Campaign).where(Campaign.name == "Spring renewals"))).one()
        campaign.status, campaign.retry_minutes, campaign.answering_machine = "running", 30, "hang_up"
        for first, number in (("Vera", MACHINE), ("Paul", PERSON)):
            session.add(DialingRecord(campaign_id=campaign.id, number=number, first_name=first, last_name="Lee"))
    greeting = _said(
        tmp_path,
        "voicemail",
        "Hi, you have reached Vera Lee. I cannot take your call right now. Please leave a message after the tone.",
        then_silence=3.0,
    )
    hello = _said(tmp_path, "hello", "Hello?", then_silence=20.0)
    phones = {ext: agent_phone("uas_answer.xml") for ext in ("2001", "2050")}
    machine = agent_phone("uas_answer_talk.xml", echo=False, talks=greeting)
    person = agent_phone("uas_answer_talk.xml", echo=False, talks=hello)
    line = ports()
    static = {**{ext: p.port for ext, p in phones.items()}, MACHINE: machine.port, PERSON: person.port}
    proxy = kamailio(users={"ivr": "ivr-secret"}, workers=[line], static=static, service="100")
    telephony = SipTelephony(PromptLibrary(tmp_path / "prompts"), rtp_ports=rtp_range(), max_calls=10)
    telephony.open_line(SipLine(proxy.address, "ivr", "ivr-secret", "127.0.0.1", line))

    from contact_center.app import create_app
    from contact_center.web.keys import CALL_CENTER, DIALER

    app = create_app(settings, clock=FixedClock(T0), engine=engine, telephony=telephony)
    center = app[CALL_CENTER]
    center.phone_check_seconds = None  # sipp phones take one dialog each: no OPTIONS
    server = TestServer(app, host="127.0.0.1", port=0)
    await server.start_server()
    await app[DIALER].stop()  # the test makes each pass itself
    try:
        for name in ("agent", "bob"):
            await center.set_state(center.people.usernames[name], "available")
        placed = await app[DIALER].tick()
        assert len(placed) == 2 and all(p["call_id"] for p in placed)
        by_record = {p["record_id"]: p for p in placed}
        await _until(lambda: len(list(center.desks.wrapping())) >= 1, 40)  # the machine's agent wraps up
        records = {r.number: r for r in (await _records(engine))}
        screened_out = by_record[records[MACHINE].id]
        reached = by_record[records[PERSON].id]

        def talking() -> bool:  # the person is bridged to the agent
            record = center.calls.record(reached["call_id"])
            return record is not None and record.connected_at is not None

        await _until(talking, 20)
        await center.hangup(reached["agent"], reached["call_id"])
        await _until(lambda: center.desks.wrapup(reached["agent"]) is not None, 20)
        await _until(lambda: center.desks.wrapup(screened_out["agent"]) is not None, 20)
        await center.save_wrapup(reached["agent"], reached["call_id"], "sale", "", [])
        await center.save_wrapup(screened_out["agent"], screened_out["call_id"], "no_answer", "", [])
        for phone in (*phones.values(), machine, person):
            assert await phone.finished() == 0
    finally:
        await server.close()

    records = {r.number: r for r in (await _records(engine))}
    assert (records[MACHINE].status, records[MACHINE].data["last_result"]) == ("retry", "answering_machine")
    assert records[PERSON].status == "done"
    async with session_factory(engine)() as session:
        rows = (await session.scalars(select(Activity).where(Activity.type == "call"))).all()
    found = {a.interaction_id: a.details["sip"].get("answering_machine") for a in rows}
    assert found[screened_out["call_id"]]["verdict"] == "machine", found
    assert found[reached["call_id"]]["verdict"] in ("human", "not_sure"), found


async def _until(check: Callable[[], bool], seconds: float) -> None:
    async with asyncio.timeout(seconds):
        while not check():  # noqa: ASYNC110 - the server's own tasks move the call on; the test watches
            await asyncio.sleep(0.1)


async def _records(engine: AsyncEngine) -> list[DialingRecord]:
    async with session_factory(engine)() as session:
        return list((await session.scalars(select(DialingRecord))).all())
