"""Cases: numbering, changes that drive the SLA clock (and go on the timeline), escalation of breached cases."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from sqlalchemy import and_, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm.attributes import set_committed_value

from contact_center.crm import contract_tiers, webhooks
from contact_center.crm.calendars import calendar_by_id, calendar_by_name
from contact_center.crm.changes import change_activity, describe, tracked_changes
from contact_center.crm.errors import ValidationFailed
from contact_center.crm.generic import create_record, list_records
from contact_center.crm.records import Page, check_references, get_or_404
from contact_center.crm.schemas import CaseCreate, CaseUpdate
from contact_center.domain import sla
from contact_center.domain.calendar import Calendar
from contact_center.store.tables import Activity, Case, Team

CASE_NUMBER_BASE = 20000
BATCH = 500
DEFAULT_SLA_MINUTES = {"urgent": 4 * 60, "high": 8 * 60, "normal": 24 * 60, "low": 72 * 60}
OPEN_STATUSES = ("new", "open", "pending_customer")
TRACKED = ("status", "priority", "owner_id", "team_id", "category")
LABELS = {"owner_id": "owner", "team_id": "team"}


def clock_of(case: Case) -> sla.SlaClock | None:
    if case.sla_target_minutes is None:
        return None
    return sla.SlaClock(
        target=dt.timedelta(minutes=case.sla_target_minutes),
        used=dt.timedelta(seconds=case.sla_used_seconds),
        running_since=case.sla_running_since,
    )


def next_escalation_at(clock: sla.SlaClock | None, level: int, calendar: Calendar) -> dt.datetime | None:
    """When a case at ``level`` reaches the next one if its clock keeps running (None: never)."""
    if clock is None or clock.running_since is None or level >= sla.MAX_ESCALATION_LEVEL:
        return None
    # The thresholds of SlaClock.escalation_level: the target for level 1, then one more half target each.
    step = clock.target / 2 if clock.target > dt.timedelta() else dt.timedelta(hours=1)
    threshold = clock.target + step * level
    return calendar.add_business_time(clock.running_since, max(threshold - clock.used, dt.timedelta()))


def _store_clock(case: Case, clock: sla.SlaClock, calendar: Calendar) -> None:
    case.sla_used_seconds = int(clock.used.total_seconds())
    case.sla_running_since = clock.running_since
    case.sla_due_at = clock.due_at(calendar)
    case.sla_escalate_at = next_escalation_at(clock, case.escalation_level, calendar)


async def _calendar_for(session: AsyncSession, case: Case, now: dt.datetime) -> Calendar:
    return await calendar_by_id(session, case.calendar_id, now)


async def create_case(session: AsyncSession, data: CaseCreate, now: dt.datetime) -> Case:
    values = data.model_dump(exclude={"calendar", "team"})
    if data.calendar is not None:
        values["calendar_id"] = await _calendar_id(session, data.calendar)
    if data.team is not None:
        values["team_id"] = await _team_id(session, data.team)
    values.setdefault("sla_target_minutes", None)
    if values["sla_target_minutes"] is None:
        # A customer under a service contract is answered within its tier's response time, on its hours of
        # cover (unless the case names a calendar of its own).
        cover = await _contract_cover(session, data.customer_id, now.date())
        values["sla_target_minutes"] = cover[0] if cover else DEFAULT_SLA_MINUTES[data.priority]
        if cover and cover[1] is not None and data.calendar is None:
            values["calendar_id"] = await _calendar_id(session, cover[1])
    case = await create_record(session, Case, values)
    case.number = CASE_NUMBER_BASE + case.id
    calendar = await _calendar_for(session, case, now)
    clock = sla.start(dt.timedelta(minutes=case.sla_target_minutes or 0), now)
    _store_clock(case, sla.on_status(clock, case.status, calendar, now), calendar)
    if case.status in sla.STOPPED_STATUSES:
        case.resolved_at = now
    await session.flush()
    event = {
        "case_id": case.id,
        "number": case.number,
        "subject": case.subject,
        "customer_id": case.customer_id,
        "priority": case.priority,
        "sla_target_minutes": case.sla_target_minutes,
    }
    await webhooks.enqueue(session, "case.opened", event, now)
    return case


async def _contract_cover(
    session: AsyncSession, customer_id: int | None, today: dt.date
) -> tuple[int, str | None] | None:
    """The response time (minutes) and hours of cover of the customer's best contract in force today (None: no
    contract covers them)."""
    if customer_id is None:
        return None
    best = await contract_tiers.in_force(session, customer_id, today)
    if not best:
        return None
    tier = best[0][1]
    return tier.response_hours * 60, tier.cover_calendar


async def update_case(
    session: AsyncSession, case_id: int, data: CaseUpdate, agent_id: int | None, now: dt.datetime
) -> Case:
    """Apply a PATCH; status, priority, owner and category changes go on the timeline as one case_change."""
    case = await get_or_404(session, Case, case_id)
    values = data.model_dump(exclude_unset=True, exclude={"calendar", "team"})
    if "calendar" in data.model_fields_set and data.calendar is not None:
        values["calendar_id"] = await _calendar_id(session, data.calendar)
    if "team" in data.model_fields_set:
        values["team_id"] = await _team_id(session, data.team) if data.team is not None else None
    await check_references(session, values)
    changes = tracked_changes(case, values, TRACKED)
    old_status = case.status
    for key, value in values.items():
        setattr(case, key, value)
    calendar = await _calendar_for(session, case, now)
    clock = clock_of(case)
    if "sla_target_minutes" in values and values["sla_target_minutes"] is None:
        # No target any more: the clock stops and nothing is due.
        case.sla_used_seconds, case.sla_running_since, case.sla_due_at, case.sla_escalate_at = 0, None, None, None
    elif clock is not None:
        if "sla_target_minutes" in values and case.sla_running_since is None and case.sla_used_seconds == 0:
            clock = sla.start(clock.target, now)  # a target set on a case that had none starts its clock now
        _store_clock(case, sla.on_status(clock, case.status, calendar, now), calendar)
    if case.status != old_status:
        if case.status in sla.STOPPED_STATUSES and case.resolved_at is None:
            case.resolved_at = now
        elif case.status not in sla.STOPPED_STATUSES:
            case.resolved_at = None
    if changes:
        session.add(
            change_activity(
                "case_change",
                f"Case {case.number}: {describe(changes, LABELS)}",
                changes,
                agent_id=agent_id,
                now=now,
                outcome=case.status,
                extra={"case_number": case.number},
                customer_id=case.customer_id,
                account_id=case.account_id,
                case_id=case.id,
            )
        )
    await session.flush()
    await session.refresh(case)
    return case


async def list_cases(
    session: AsyncSession,
    filters: Mapping[str, str],
    filterable: Mapping[str, type],
    now: dt.datetime,
    cursor: int | None,
    limit: int,
) -> Page:
    """Equality filters plus ``open`` (true: new, open or waiting on the customer) and ``breached``."""
    conditions: list[Any] = []
    is_open = _flag(filters, "open")
    if is_open is not None:
        conditions.append(Case.status.in_(OPEN_STATUSES) if is_open else Case.status.not_in(OPEN_STATUSES))
    breached = _flag(filters, "breached")
    if breached is not None:
        # Past its due time now, or escalated before (a breached case stays breached while it waits).
        late = or_(Case.escalation_level > 0, and_(Case.sla_due_at.is_not(None), Case.sla_due_at <= now))
        conditions.append(late if breached else ~late)
    return await list_records(session, Case, filters, filterable, cursor, limit, conditions)


def _flag(filters: Mapping[str, str], name: str) -> bool | None:
    raw = filters.get(name)
    if raw is None or raw == "":
        return None
    # Exactly the two words the API document lists: one spelling per meaning across the API.
    if raw == "true":
        return True
    if raw == "false":
        return False
    raise ValidationFailed.one(name, "use true or false")


async def escalate_breached(session: AsyncSession, now: dt.datetime, *, batch: int = BATCH) -> list[Case]:
    """Raise the escalation level of every case whose SLA has passed a new threshold, with an activity.

    Only cases whose next threshold has come are read (``sla_escalate_at <= now``), in batches walked
    by (time, id), so every due case is seen in one pass however many there are.
    """
    raised: list[Case] = []
    calendars: dict[int | None, Calendar] = {}
    after: tuple[dt.datetime, int] | None = None
    while True:
        query = select(Case).where(Case.sla_escalate_at.is_not(None), Case.sla_escalate_at <= now)
        if after is not None:
            at, last_id = after
            query = query.where(or_(Case.sla_escalate_at > at, and_(Case.sla_escalate_at == at, Case.id > last_id)))
        cases = (await session.scalars(query.order_by(Case.sla_escalate_at, Case.id).limit(batch))).all()
        if not cases:
            break
        last = cases[-1]
        assert last.sla_escalate_at is not None
        after = (last.sla_escalate_at, last.id)
        for case in cases:
            if case.calendar_id not in calendars:
                calendars[case.calendar_id] = await _calendar_for(session, case, now)
            if await _escalate(session, case, calendars[case.calendar_id], now):
                raised.append(case)
        await session.flush()
        if len(cases) < batch:
            break
    return raised


async def _escalate(session: AsyncSession, case: Case, calendar: Calendar, now: dt.datetime) -> bool:
    clock = clock_of(case)
    level = clock.escalation_level(calendar, now) if clock is not None else 0
    previous = case.escalation_level
    if level <= previous:
        # Not yet (the calendar or target changed since the time was stored): look again at the real time.
        case.sla_escalate_at = next_escalation_at(clock, previous, calendar)
        return False
    following = next_escalation_at(clock, level, calendar)
    # Conditional write: when several server processes run this pass, only one raises the level.
    changed = await session.execute(
        update(Case)
        .where(Case.id == case.id, Case.escalation_level == previous)
        .values(escalation_level=level, sla_escalate_at=following)
        .execution_options(synchronize_session=False)
    )
    if changed.rowcount != 1:  # type: ignore[attr-defined]
        session.expire(case)
        return False
    # What the statement wrote, without marking the object dirty (no second write at flush).
    set_committed_value(case, "escalation_level", level)
    set_committed_value(case, "sla_escalate_at", following)
    session.add(
        Activity(
            type="escalation",
            channel="system",
            subject=f"Case {case.number} SLA breached: escalation level {previous} → {level}",
            customer_id=case.customer_id,
            account_id=case.account_id,
            case_id=case.id,
            outcome=f"level_{level}",
            started_at=now,
            details={"level": level, "previous_level": previous, "sla_target_minutes": case.sla_target_minutes},
        )
    )
    return True


async def _team_id(session: AsyncSession, name: str) -> int:
    found = await session.scalar(select(Team.id).where(Team.name == name))
    if found is None:
        raise ValidationFailed.one("team", f"no team named {name!r}")
    return int(found)


async def _calendar_id(session: AsyncSession, name: str) -> int:
    row = await calendar_by_name(session, name)
    if row is None:
        raise ValidationFailed.one("calendar", f"no calendar named {name!r}")
    return row.id
