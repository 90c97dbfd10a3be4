"""The dialer's records as stored: the next record a campaign may dial now (checked at dial time), each
attempt and its result, the disposition's effect, and the do-not-call list."""

from __future__ import annotations

import csv
import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import phonenumbers
from phonenumbers.timezone import time_zones_for_number
from sqlalchemy import case, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from contact_center.crm.calendars import calendar_by_id
from contact_center.crm.customers import create_customer
from contact_center.crm.errors import NotFound
from contact_center.crm.phones import try_e164
from contact_center.crm.sales import create_opportunity
from contact_center.crm.schemas import CustomerCreate
from contact_center.domain.calendar import Calendar
from contact_center.domain.calling_window import EARLIEST, LATEST
from contact_center.domain.dialer.amd import PEOPLE_TAKEN_FOR_MACHINES
from contact_center.domain.dialer.compliance import DialCheck, next_allowed, refusal
from contact_center.domain.dialer.outcomes import Standing, after_attempt, after_disposition, retry_delay
from contact_center.store.tables import (
    Campaign,
    Customer,
    DialingAttempt,
    DialingRecord,
    DispositionCode,
    DncNumber,
    Queue,
)

DIALABLE = ("new", "retry")
LOOK_AHEAD = 50  # records weighed per claim: those refused now (hours, DNC) are moved out of the way


@dataclass(frozen=True, slots=True)
class CampaignRun:
    """A running campaign as the dialer needs it."""

    id: int
    name: str
    mode: str
    queue: str | None
    calendar: Calendar
    max_attempts: int
    retry_after: dt.timedelta
    script: str
    caller_id: str | None
    answering_machine: str = "off"  # off | hang_up | leave_message
    machine_message: str = ""
    abandon_message: str = ""  # empty: the standard one
    target_abandon: float = 0.025  # predictive pacing steers here ...
    max_abandon: float = 0.03  # ... and never passes this
    dispositions: tuple[str, ...] = ()  # what its agents choose from (empty: all)
    hours: tuple[dt.time, dt.time] = (EARLIEST, LATEST)  # on the called person's clock


@dataclass(frozen=True, slots=True)
class Claimed:
    """A record handed to one attempt (status ``dialing``; ``attempt_id`` names the attempt)."""

    record_id: int
    attempt_id: int
    campaign: str
    number: str
    first_name: str
    last_name: str
    customer_id: int | None
    attempts: int  # this one included
    data: dict[str, Any] = field(default_factory=dict)


async def running_campaigns(session: AsyncSession, now: dt.datetime) -> list[CampaignRun]:
    rows = (
        await session.execute(
            select(Campaign, Queue.name)
            .outerjoin(Queue, Queue.id == Campaign.queue_id)
            .where(Campaign.status == "running")
            .order_by(Campaign.id)
        )
    ).all()
    runs = []
    for campaign, queue in rows:
        if campaign.ends_at is not None and campaign.ends_at <= now:
            continue
        if campaign.starts_at is not None and campaign.starts_at > now:
            continue
        runs.append(
            CampaignRun(
                id=campaign.id,
                name=campaign.name,
                mode=campaign.mode,
                queue=queue,
                calendar=await calendar_by_id(session, campaign.calendar_id, now),
                max_attempts=campaign.max_attempts,
                retry_after=dt.timedelta(minutes=campaign.retry_minutes),
                script=campaign.script,
                caller_id=campaign.caller_id,
                answering_machine=campaign.answering_machine,
                machine_message=campaign.machine_message,
                abandon_message=campaign.abandon_message,
                target_abandon=campaign.target_abandon_rate,
                max_abandon=campaign.max_abandon_rate,
                dispositions=tuple(campaign.dispositions or ()),
                hours=(dt.time.fromisoformat(campaign.call_from), dt.time.fromisoformat(campaign.call_until)),
            )
        )
    return runs


def zones_of_number(e164: str, fallback: dt.tzinfo) -> list[dt.tzinfo]:
    """Every time zone the number's area may lie in (a mobile or a big area may have several: the calling
    window must hold in each); ``fallback`` when the numbering plan says nothing."""
    try:
        names = time_zones_for_number(phonenumbers.parse(e164))
    except phonenumbers.NumberParseException:
        return [fallback]
    zones: list[dt.tzinfo] = []
    for name in names:
        try:
            zones.append(ZoneInfo(name))
        except (ZoneInfoNotFoundError, ValueError):
            continue
    return zones or [fallback]


async def claim_next(
    session: AsyncSession, campaign: CampaignRun, call_id: str, agent_id: int | None, now: dt.datetime, zone: dt.tzinfo
) -> Claimed | None:
    """The next record the campaign may dial now, marked ``dialing`` with its attempt written; records that
    may not be dialled now are moved on (to their next allowed time, or out of the list: DNC, attempts used)."""
    query = (
        select(DialingRecord, Customer.timezone)
        .outerjoin(Customer, Customer.id == DialingRecord.customer_id)
        .where(
            DialingRecord.campaign_id == campaign.id,
            DialingRecord.status.in_(DIALABLE),
            (DialingRecord.next_at.is_(None)) | (DialingRecord.next_at <= now),
        )
        .order_by(DialingRecord.priority.desc(), DialingRecord.attempts, DialingRecord.next_at, DialingRecord.id)
        .limit(LOOK_AHEAD)
        .with_for_update(skip_locked=True, of=DialingRecord)  # two nodes never claim the same record
    )
    candidates = (await session.execute(query)).all()
    blocked = await dnc_among(session, [record.number for record, _ in candidates])
    for record, timezone in candidates:
        zones = _zones(timezone, record.number, zone)
        abandoned = await _last_abandoned(session, record.id)
        checks = [
            DialCheck(
                zone=z,
                do_not_call=record.number in blocked,
                attempts=record.attempts,
                max_attempts=campaign.max_attempts,
                last_abandoned_at=abandoned,
                calendar=campaign.calendar,
                hours=campaign.hours,
            )
            for z in zones
        ]
        why = next((r for r in (refusal(c, now) for c in checks) if r is not None), None)
        if why == "do_not_call":
            record.status = "dnc"
            continue
        if why == "attempts_used":
            record.status = "done"
            continue
        if why is not None:
            allowed = [next_allowed(c, now) for c in checks]
            if any(a is None for a in allowed):
                record.status, record.next_at = "failed", None
                record.data = {**record.data, "failed": f"no time to call within two weeks ({why})"}
            else:
                record.next_at = max(a for a in allowed if a is not None)
            continue
        # Compare-and-set: SQLite reads outside any lock, so another pass may have taken this record since.
        taken = await session.execute(
            update(DialingRecord)
            .where(
                DialingRecord.id == record.id,
                DialingRecord.status == record.status,
                DialingRecord.attempts == record.attempts,
            )
            .values(status="dialing", attempts=record.attempts + 1, next_at=None)
            .execution_options(synchronize_session=False)
        )
        if not getattr(taken, "rowcount", 0):
            continue
        await session.refresh(record)
        attempt = DialingAttempt(
            record_id=record.id, campaign_id=campaign.id, call_id=call_id, agent_id=agent_id, at=now, result="dialing"
        )
        session.add(attempt)
        await session.flush()
        return Claimed(
            record_id=record.id,
            attempt_id=attempt.id,
            campaign=campaign.name,
            number=record.number,
            first_name=record.first_name,
            last_name=record.last_name,
            customer_id=record.customer_id,
            attempts=record.attempts,
            data=dict(record.data or {}),
        )
    await session.flush()
    return None


def _zones(timezone: str | None, number: str, fallback: dt.tzinfo) -> list[dt.tzinfo]:
    if timezone:  # the customer's own address beats the number's area
        try:
            return [ZoneInfo(timezone)]
        except (ZoneInfoNotFoundError, ValueError):
            pass
    return zones_of_number(number, fallback)


async def _last_abandoned(session: AsyncSession, record_id: int) -> dt.datetime | None:
    query = select(func.max(DialingAttempt.at)).where(
        DialingAttempt.record_id == record_id, DialingAttempt.result == "abandoned"
    )
    return await session.scalar(query)


async def record_result(session: AsyncSession, attempt_id: int, result: str, now: dt.datetime) -> Standing | None:
    """What the customer's phone did on this attempt; the record moves on accordingly."""
    found = await _attempt(session, attempt_id)
    if found is None:
        return None
    attempt, record, campaign = found
    attempt.result = result
    if attempt.disposition is not None:  # the agent's disposition came first: it has the last word
        await session.flush()
        return None
    if result == "agent_unreachable":
        record.attempts = max(0, record.attempts - 1)  # the customer was never dialled
    standing = after_attempt(result, **_limits(record, campaign, now, result))
    record.status, record.next_at = standing.status, standing.next_at
    record.data = {**record.data, "last_result": result}
    await session.flush()
    return standing


async def record_disposition(
    session: AsyncSession, attempt_id: int, code: str, now: dt.datetime, *, by: str
) -> Standing | None:
    """The agent's disposition of an answered attempt: done, tried again later, failed, or do not call."""
    found = await _attempt(session, attempt_id)
    if found is None:
        return None
    attempt, record, campaign = found
    found_code = (
        await session.execute(
            select(DispositionCode.category, DispositionCode.lead_status).where(DispositionCode.code == code)
        )
    ).first()
    category, lead_status = found_code if found_code is not None else (None, None)
    attempt.disposition = code
    standing = after_disposition(code, category, **_limits(record, campaign, now, code))
    record.status, record.next_at = standing.status, standing.next_at
    record.data = {**record.data, "disposition": code}
    if lead_status is not None:
        record.data = {**record.data, "lead_status": lead_status}
        if lead_status == "converted" and "opportunity_id" not in record.data:
            await _convert(session, record, campaign, attempt.agent_id, now)
    if standing.do_not_call:
        await add_dnc(
            session, record.number, reason=f"disposition {code}", source=f"call {attempt.call_id}", by=by, now=now
        )
    await session.flush()
    return standing


async def _convert(
    session: AsyncSession, record: DialingRecord, campaign: Campaign, agent_id: int | None, now: dt.datetime
) -> None:
    """The record's person becomes a customer (theirs when the list matched one) with an opportunity owned by
    the agent who converted them, as a CRM lead's conversion does; the record keeps the opportunity's id."""
    name = " ".join(filter(None, (record.first_name, record.last_name))) or record.number
    if record.customer_id is None:
        data = CustomerCreate.model_validate(
            {"first_name": record.first_name or "", "last_name": record.last_name or name, "phones": [record.number]}
        )
        record.customer_id = (await create_customer(session, data, "US")).id  # the number is E.164 already
    opportunity = await create_opportunity(
        session,
        {"name": f"{campaign.name}: {name}"[:200], "customer_id": record.customer_id, "owner_id": agent_id},
        now,
    )
    record.data = {**record.data, "opportunity_id": opportunity.id}


def _limits(record: DialingRecord, campaign: Campaign, now: dt.datetime, outcome: str) -> dict[str, Any]:
    """What the outcome rules weigh: the attempts made and allowed, the retry delay for this outcome, the time."""
    return {
        "attempts": record.attempts,
        "max_attempts": campaign.max_attempts,
        "retry_after": retry_delay(outcome, campaign.retry_minutes, dict(campaign.retry_minutes_by_outcome or {})),
        "now": now,
    }


async def _attempt(session: AsyncSession, attempt_id: int) -> tuple[DialingAttempt, DialingRecord, Campaign] | None:
    attempt = await session.get(DialingAttempt, attempt_id)
    if attempt is None:
        return None
    record = await session.get(DialingRecord, attempt.record_id, with_for_update=True)
    campaign = await session.get(Campaign, attempt.campaign_id)
    if record is None or campaign is None:
        return None
    return attempt, record, campaign


async def release_stale(session: AsyncSession, before: dt.datetime) -> int:
    """Records left ``dialing`` by a node that stopped mid-attempt are dialable again (the attempt is lost)."""
    stale = select(DialingAttempt.record_id).where(DialingAttempt.result == "dialing", DialingAttempt.at < before)
    ids = list((await session.scalars(stale)).all())
    if not ids:
        return 0
    await session.execute(
        update(DialingAttempt)
        .where(DialingAttempt.result == "dialing", DialingAttempt.at < before)
        .values(result="lost")
    )
    result = await session.execute(
        update(DialingRecord)
        .where(DialingRecord.id.in_(ids), DialingRecord.status == "dialing")
        .values(status="retry", next_at=None)
    )
    return int(getattr(result, "rowcount", 0) or 0)


# --- the do-not-call list ---------------------------------------------------------------------------


async def dnc_among(session: AsyncSession, numbers: Iterable[str]) -> set[str]:
    wanted = list(set(numbers))
    if not wanted:
        return set()
    return set((await session.scalars(select(DncNumber.number).where(DncNumber.number.in_(wanted)))).all())


async def add_dnc(session: AsyncSession, number: str, *, reason: str, source: str, by: str, now: dt.datetime) -> bool:
    """On the list from now (True), or already there (False: the first entry stands)."""
    if await session.get(DncNumber, number) is not None:
        return False
    session.add(DncNumber(number=number, reason=reason[:200], source=source[:300], added_by=by[:100], added_at=now))
    await session.flush()
    return True


async def remove_dnc(session: AsyncSession, number: str) -> bool:
    row = await session.get(DncNumber, number)
    if row is None:
        return False
    await session.delete(row)
    return True


@dataclass
class DncImport:
    added: int = 0
    already: int = 0
    problems: list[str] = field(default_factory=list)  # FILE:LINE: reason


async def import_dnc(session: AsyncSession, path: Path, region: str, *, by: str, now: dt.datetime) -> DncImport:
    """A do-not-call file: one number per line, or a CSV whose ``number`` / ``phone`` column holds them."""
    result = DncImport()
    with path.open(newline="", encoding="utf-8-sig") as handle:
        rows = list(csv.reader(handle))
    column = 0
    start = 0
    if rows and any(cell.strip().lower() in ("number", "phone", "phone_number") for cell in rows[0]):
        header = [cell.strip().lower() for cell in rows[0]]
        column = next(i for i, cell in enumerate(header) if cell in ("number", "phone", "phone_number"))
        start = 1
    for line, row in enumerate(rows[start:], start=start + 1):
        raw = row[column].strip() if len(row) > column else ""
        if not raw or raw.startswith("#"):
            continue
        number = try_e164(raw, region)
        if number is None:
            result.problems.append(f"{path}:{line}: {raw!r} is not a phone number")
            continue
        if await add_dnc(session, number, reason="imported", source=f"{path.name}:{line}", by=by, now=now):
            result.added += 1
        else:
            result.already += 1
    return result


NO_FIGURES: dict[str, Any] = {
    "dialed_24h": 0,
    "connects_24h": 0,
    "abandoned_24h": 0,
    "answered_30d": 0,
    "abandoned_30d": 0,
    "penetration": None,
    "abandon_rate_24h": None,
    "abandon_rate_30d": None,
}


async def queue_names(session: AsyncSession) -> dict[int, str]:
    return {id_: name for id_, name in (await session.execute(select(Queue.id, Queue.name))).all()}


async def campaign_figures(session: AsyncSession, now: dt.datetime) -> dict[int, dict[str, Any]]:
    """Per campaign: attempts, connects and abandons over the last 24 hours and 30 days, and how far
    through its list it is (records tried at least once / records). With a machine detector on, the abandon
    rates count the people it is expected to have hung up on (``amd_suspected_*``) as abandoned."""
    day, month = now - dt.timedelta(hours=24), now - dt.timedelta(days=30)
    figures: dict[int, dict[str, Any]] = {}

    def of(campaign_id: int) -> dict[str, Any]:
        return figures.setdefault(
            campaign_id,
            {"dialed_24h": 0, "connects_24h": 0, "abandoned_24h": 0, "answered_30d": 0, "abandoned_30d": 0},
        )

    recent = func.sum(case((DialingAttempt.at >= day, 1), else_=0))
    query = (
        select(DialingAttempt.campaign_id, DialingAttempt.result, func.count(), recent)
        .where(DialingAttempt.at >= month)
        .group_by(DialingAttempt.campaign_id, DialingAttempt.result)
    )
    for campaign_id, result, count, in_day in (await session.execute(query)).all():
        row = of(campaign_id)
        in_day = int(in_day or 0)
        row["dialed_24h"] += in_day
        row["connects_24h"] += in_day if result == "answered" else 0
        row["abandoned_24h"] += in_day if result == "abandoned" else 0
        row["answered_30d"] += count if result in ("answered", "abandoned") else 0
        row["abandoned_30d"] += count if result == "abandoned" else 0
    tried = select(DialingRecord.campaign_id, func.count(), func.sum(case((DialingRecord.attempts > 0, 1), else_=0)))
    for campaign_id, total, attempted in (await session.execute(tried.group_by(DialingRecord.campaign_id))).all():
        row = of(campaign_id)
        row["penetration"] = round((attempted or 0) / total, 4) if total else None
    screened = set((await session.scalars(select(Campaign.id).where(Campaign.answering_machine != "off"))).all())
    for campaign_id, row in figures.items():
        row.setdefault("penetration", None)
        live_24h = row["connects_24h"] + row["abandoned_24h"]
        # People the machine detector hung up on are abandoned calls nobody can point at: counted as expected.
        share = PEOPLE_TAKEN_FOR_MACHINES if campaign_id in screened else 0.0
        row["amd_suspected_24h"] = suspected_24h = round(live_24h * share, 2)
        row["amd_suspected_30d"] = suspected_30d = round(row["answered_30d"] * share, 2)
        row["abandon_rate_24h"] = (
            round((row["abandoned_24h"] + suspected_24h) / (live_24h + suspected_24h), 4) if live_24h else None
        )
        row["abandon_rate_30d"] = (
            round((row["abandoned_30d"] + suspected_30d) / (row["answered_30d"] + suspected_30d), 4)
            if row["answered_30d"]
            else None
        )
    return figures


async def record_skip(session: AsyncSession, attempt_id: int, now: dt.datetime) -> None:
    """The agent skipped the previewed record: it was not dialled (the attempt does not count) and goes to the
    back of the list (its retry delay)."""
    found = await _attempt(session, attempt_id)
    if found is None:
        return
    attempt, record, campaign = found
    if attempt.result != "dialing":
        return  # skipped (or settled) already: once only
    attempt.result = "skipped"
    record.attempts = max(0, record.attempts - 1)
    record.status, record.next_at = "retry", now + dt.timedelta(minutes=campaign.retry_minutes)
    await session.flush()


# --- another round: recycling and resetting a list --------------------------------------------------

RECYCLABLE = ("busy", "no_answer", "answering_machine", "failed")  # nobody was reached


async def _campaign_id(session: AsyncSession, name: str) -> int:
    found = await session.scalar(select(Campaign.id).where(Campaign.name == name))
    if found is None:
        raise NotFound("campaign", name)
    return found


async def recycle(session: AsyncSession, campaign: str, results: Iterable[str] = RECYCLABLE) -> int:
    """Records whose attempts are used up without reaching anyone (their last result one of ``results``, no
    disposition) get another round: dialable now, attempts from 0. Their attempt history stays."""
    wanted = set(results)
    query = select(DialingRecord).where(
        DialingRecord.campaign_id == await _campaign_id(session, campaign), DialingRecord.status == "done"
    )
    recycled = 0
    for record in (await session.scalars(query)).all():
        data = dict(record.data or {})
        if data.get("last_result") in wanted and not data.get("disposition"):
            data["recycled"] = int(data.get("recycled", 0)) + 1
            record.status, record.attempts, record.next_at, record.data = "retry", 0, None, data
            recycled += 1
    await session.flush()
    return recycled


async def reset(session: AsyncSession, campaign: str) -> int:
    """The whole list from the start: every record but those on the do-not-call list and those being dialled
    now is new again, attempts from 0. Their attempt history stays (and the 72-hour rule after an abandoned
    call still holds at dial time)."""
    result = await session.execute(
        update(DialingRecord)
        .where(
            DialingRecord.campaign_id == await _campaign_id(session, campaign),
            DialingRecord.status.in_(("retry", "done", "failed")),
        )
        .values(status="new", attempts=0, next_at=None)
    )
    return int(getattr(result, "rowcount", 0) or 0)
