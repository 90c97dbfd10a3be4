"""Cases: numbering, status changes that drive the SLA clock, and escalation of breached cases."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from contact_center.crm.calendars import calendar_by_id, calendar_by_name
from contact_center.crm.errors import ValidationFailed
from contact_center.crm.generic import create_record
from contact_center.crm.records import check_references, get_or_404
from contact_center.crm.schemas import CaseCreate, CaseUpdate
from contact_center.domain import sla
from contact_center.domain.calendar import Calendar
from contact_center.store.tables import Activity, Case

CASE_NUMBER_BASE = 20000
BATCH = 500
DEFAULT_SLA_MINUTES = {"urgent": 4 * 60, "high": 8 * 60, "normal": 24 * 60, "low": 72 * 60}


def clock_of(case: Case) -> sla.SlaClock | None:
    if case.sla_target_minutes is None:
        return None
    return sla.SlaClock(
        target=dt.timedelta(minutes=case.sla_target_minutes),
        used=dt.timedelta(seconds=case.sla_used_seconds),
        running_since=case.sla_running_since,
    )


def _store_clock(case: Case, clock: sla.SlaClock, calendar: Calendar) -> None:
    case.sla_used_seconds = int(clock.used.total_seconds())
    case.sla_running_since = clock.running_since
    case.sla_due_at = clock.due_at(calendar)


async def _calendar_for(session: AsyncSession, case: Case, now: dt.datetime) -> Calendar:
    return await calendar_by_id(session, case.calendar_id, now)


async def create_case(session: AsyncSession, data: CaseCreate, now: dt.datetime) -> Case:
    values = data.model_dump(exclude={"calendar"})
    if data.calendar is not None:
        values["calendar_id"] = await _calendar_id(session, data.calendar)
    values.setdefault("sla_target_minutes", None)
    if values["sla_target_minutes"] is None:
        values["sla_target_minutes"] = DEFAULT_SLA_MINUTES[data.priority]
    case = await create_record(session, Case, values)
    case.number = CASE_NUMBER_BASE + case.id
    calendar = await _calendar_for(session, case, now)
    clock = sla.start(dt.timedelta(minutes=case.sla_target_minutes or 0), now)
    _store_clock(case, sla.on_status(clock, case.status, calendar, now), calendar)
    if case.status in sla.STOPPED_STATUSES:
        case.resolved_at = now
    await session.flush()
    return case


async def update_case(
    session: AsyncSession, case_id: int, data: CaseUpdate, agent_id: int | None, now: dt.datetime
) -> Case:
    case = await get_or_404(session, Case, case_id)
    values = data.model_dump(exclude_unset=True, exclude={"calendar"})
    if "calendar" in data.model_fields_set and data.calendar is not None:
        values["calendar_id"] = await _calendar_id(session, data.calendar)
    await check_references(session, values)
    old_status = case.status
    for key, value in values.items():
        setattr(case, key, value)
    calendar = await _calendar_for(session, case, now)
    clock = clock_of(case)
    if "sla_target_minutes" in values and values["sla_target_minutes"] is None:
        # No target any more: the clock stops and nothing is due.
        case.sla_used_seconds, case.sla_running_since, case.sla_due_at = 0, None, None
    elif clock is not None:
        if "sla_target_minutes" in values and case.sla_running_since is None and case.sla_used_seconds == 0:
            clock = sla.start(clock.target, now)  # a target set on a case that had none starts its clock now
        _store_clock(case, sla.on_status(clock, case.status, calendar, now), calendar)
    if case.status != old_status:
        if case.status in sla.STOPPED_STATUSES and case.resolved_at is None:
            case.resolved_at = now
        elif case.status not in sla.STOPPED_STATUSES:
            case.resolved_at = None
        session.add(_change_activity(case, agent_id, now, f"Status {old_status} → {case.status}", old_status))
    await session.flush()
    await session.refresh(case)
    return case


async def escalate_breached(session: AsyncSession, now: dt.datetime) -> list[Case]:
    """Raise the escalation level of every case whose SLA has passed a new threshold, with an activity."""
    due = await session.scalars(
        select(Case)
        .where(Case.sla_due_at.is_not(None), Case.sla_due_at <= now, Case.escalation_level < sla.MAX_ESCALATION_LEVEL)
        .order_by(Case.sla_due_at)
        .limit(BATCH)
    )
    raised = []
    calendars: dict[int | None, Calendar] = {}
    for case in due.all():
        clock = clock_of(case)
        if clock is None:
            continue
        if case.calendar_id not in calendars:
            calendars[case.calendar_id] = await _calendar_for(session, case, now)
        level = clock.escalation_level(calendars[case.calendar_id], now)
        if level > case.escalation_level:
            previous = case.escalation_level
            # Conditional write: when several server processes run this pass, only one raises the level.
            changed = await session.execute(
                update(Case)
                .where(Case.id == case.id, Case.escalation_level == previous)
                .values(escalation_level=level)
                .execution_options(synchronize_session=False)
            )
            if changed.rowcount != 1:  # type: ignore[attr-defined]
                continue
            case.escalation_level = level
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
            raised.append(case)
    await session.flush()
    return raised


async def _calendar_id(session: AsyncSession, name: str) -> int:
    row = await calendar_by_name(session, name)
    if row is None:
        raise ValidationFailed.one("calendar", f"no calendar named {name!r}")
    return row.id


def _change_activity(case: Case, agent_id: int | None, now: dt.datetime, subject: str, old: str) -> Activity:
    details: dict[str, Any] = {"from": old, "to": case.status, "case_number": case.number}
    return Activity(
        type="case_change",
        channel="system",
        subject=f"Case {case.number}: {subject}",
        customer_id=case.customer_id,
        account_id=case.account_id,
        agent_id=agent_id,
        case_id=case.id,
        outcome=case.status,
        started_at=now,
        details=details,
    )
