"""The centre's configuration as stored: every record of each kind read as its spec, one record written
or removed, queue links, users' memberships, and the configuration version running servers poll.

What a configuration file means, and how it is compared and applied, is ``services/admin/configuration.py``.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from contact_center.crm.config_specs import (
    CalendarSpec,
    CampaignSpec,
    DispositionSpec,
    QueueSpec,
    SkillSpec,
    Spec,
    TeamSpec,
    UserSpec,
)
from contact_center.crm.errors import NotFound
from contact_center.store.tables import (
    AgentSkill,
    Calendar,
    Campaign,
    DialingRecord,
    DispositionCode,
    MetaValue,
    Queue,
    QueueMember,
    Skill,
    Team,
    User,
)

# Bumped by every applied change; running servers poll it and reload routing's queues when it moves.
CONFIG_VERSION_KEY = "config_version"

Document = dict[str, list[Spec]]


async def export(session: AsyncSession) -> Document:
    calendars = {c.id: c.name for c in (await session.scalars(select(Calendar))).all()}
    queues = (await session.scalars(select(Queue).order_by(Queue.name))).all()
    queue_names = {q.id: q.name for q in queues}
    return {
        "skills": [
            SkillSpec(name=s.name, description=s.description)
            for s in (await session.scalars(select(Skill).order_by(Skill.name))).all()
        ],
        "teams": [TeamSpec(name=t.name) for t in (await session.scalars(select(Team).order_by(Team.name))).all()],
        "calendars": [
            CalendarSpec.model_construct(
                name=c.name,
                timezone=c.timezone,
                weekly_hours=c.weekly_hours or {},
                holiday_country=c.holiday_country,
                holidays=c.holidays or {},
                exceptions=c.exceptions or {},
            )
            for c in (await session.scalars(select(Calendar).order_by(Calendar.name))).all()
        ],
        "dispositions": [
            DispositionSpec(code=d.code, label=d.label, category=d.category, active=d.active, lead_status=d.lead_status)
            for d in (await session.scalars(select(DispositionCode).order_by(DispositionCode.code))).all()
        ],
        "queues": [_queue_spec(q, queue_names, calendars) for q in queues],
        "campaigns": [
            _campaign_spec(c, queue_names, calendars)
            for c in (await session.scalars(select(Campaign).order_by(Campaign.name))).all()
        ],
        "users": await _user_specs(session, queue_names),
    }


async def _user_specs(session: AsyncSession, queue_names: Mapping[int, str]) -> list[Spec]:
    teams = {t.id: t.name for t in (await session.scalars(select(Team))).all()}
    skills: dict[int, dict[str, int]] = {}
    for user_id, name, level in (
        await session.execute(select(AgentSkill.user_id, Skill.name, AgentSkill.level).join(Skill))
    ).all():
        skills.setdefault(user_id, {})[name] = level
    tiers: dict[int, dict[str, int]] = {}
    for user_id, queue_id, tier in (
        await session.execute(select(QueueMember.user_id, QueueMember.queue_id, QueueMember.tier))
    ).all():
        tiers.setdefault(user_id, {})[queue_names[queue_id]] = tier
    specs: list[Spec] = []
    for u in (await session.scalars(select(User).order_by(User.username))).all():
        values: dict[str, Any] = {
            "username": u.username,
            "display_name": u.display_name,
            "role": u.role,
            "extension": u.extension,
            "team": teams.get(u.team_id) if u.team_id else None,
            "active": u.active,
            "skills": dict(sorted(skills.get(u.id, {}).items())),
            "queues": dict(sorted(tiers.get(u.id, {}).items())),
        }
        specs.append(UserSpec.model_construct(**values))
    return specs


def _campaign_spec(row: Campaign, queue_names: Mapping[int, str], calendars: Mapping[int, str]) -> CampaignSpec:
    values: dict[str, Any] = {
        "name": row.name,
        "mode": row.mode,
        "queue": queue_names.get(row.queue_id) if row.queue_id else None,
        "calendar": calendars.get(row.calendar_id) if row.calendar_id else None,
        "caller_id": row.caller_id,
        "max_attempts": row.max_attempts,
        "retry_minutes": row.retry_minutes,
        "retry_minutes_by_outcome": dict(row.retry_minutes_by_outcome or {}),
        "max_abandon_rate": row.max_abandon_rate,
        "script": row.script,
        "answering_machine": row.answering_machine,
        "machine_message": row.machine_message,
        "abandon_message": row.abandon_message,
        "target_abandon_rate": row.target_abandon_rate,
        "dispositions": list(row.dispositions or []),
        "call_from": row.call_from,
        "call_until": row.call_until,
        "starts_at": row.starts_at,
        "ends_at": row.ends_at,
    }
    return CampaignSpec.model_construct(**values)  # as stored, even what a file would refuse


def _queue_spec(row: Queue, queue_names: Mapping[int, str], calendars: Mapping[int, str]) -> QueueSpec:
    # Built without validation: what is stored is exported as it is, even if routing refuses it.
    return QueueSpec.model_construct(
        name=row.name,
        display_name=row.display_name,
        strategy=row.strategy,
        sl_threshold_seconds=row.sl_threshold_seconds,
        sl_target=row.sl_target,
        alert_wait_seconds=row.alert_wait_seconds,
        alert_not_ready_seconds=row.alert_not_ready_seconds,
        alert_wrap_up_seconds=row.alert_wrap_up_seconds,
        hold_music=row.hold_music,
        announcement=row.announcement,
        announce_every_seconds=row.announce_every_seconds,
        announce_position=row.announce_position,
        ring_timeout_seconds=row.ring_timeout_seconds,
        wrapup_seconds=row.wrapup_seconds,
        max_wait_seconds=row.max_wait_seconds,
        max_length=row.max_length,
        exit_action=row.exit_action or {},
        required_skills=row.required_skills or {},
        escalation=row.escalation or [],
        default_priority=row.default_priority,
        reoffer_delay_seconds=row.reoffer_delay_seconds,
        preferred_wait_seconds=row.preferred_wait_seconds,
        overflow_queue=queue_names.get(row.overflow_queue_id) if row.overflow_queue_id else None,
        calendar=calendars.get(row.calendar_id) if row.calendar_id else None,
    )


async def stored_calendar_names(session: AsyncSession) -> set[str]:
    return set((await session.scalars(select(Calendar.name))).all())


async def bump_version(session: AsyncSession, now: datetime) -> None:
    row = await session.get(MetaValue, CONFIG_VERSION_KEY)
    if row is None:
        session.add(MetaValue(key=CONFIG_VERSION_KEY, value="1", updated_at=now))
    else:
        row.value, row.updated_at = str(int(row.value) + 1), now
    await session.flush()


_TABLES: dict[str, tuple[Any, Any]] = {
    "skills": (Skill, Skill.name),
    "teams": (Team, Team.name),
    "calendars": (Calendar, Calendar.name),
    "dispositions": (DispositionCode, DispositionCode.code),
    "queues": (Queue, Queue.name),
    "campaigns": (Campaign, Campaign.name),
}


async def remove_row(session: AsyncSession, kind: str, key: str) -> None:
    table, column = _TABLES[kind]
    await session.execute(delete(table).where(column == key))


async def store_row(session: AsyncSession, kind: str, spec: Spec) -> None:
    """Create or change one record (queue references to other queues are set by ``_link_queues``)."""
    if isinstance(spec, UserSpec):
        await store_user(session, spec)
        return
    table, column = _TABLES[kind]
    values = spec.model_dump()
    if isinstance(spec, QueueSpec | CampaignSpec):
        calendar = values.pop("calendar")
        values["calendar_id"] = (
            await session.scalar(select(Calendar.id).where(Calendar.name == calendar)) if calendar else None
        )
    if isinstance(spec, QueueSpec):
        values.pop("overflow_queue")
    if isinstance(spec, CampaignSpec):
        queue = values.pop("queue")
        values["queue_id"] = await session.scalar(select(Queue.id).where(Queue.name == queue)) if queue else None
    row = (await session.scalars(select(table).where(column == spec.key))).first()
    if row is None:
        session.add(table(**values))
    else:
        for name, value in values.items():
            setattr(row, name, value)
    await session.flush()


async def store_user(session: AsyncSession, spec: UserSpec) -> None:
    """The user's row, team, skills and queue memberships as the spec says (the password is left alone)."""
    team_id = await session.scalar(select(Team.id).where(Team.name == spec.team)) if spec.team else None
    user = (await session.scalars(select(User).where(User.username == spec.username))).first()
    if user is None:
        user = User(username=spec.username, password_hash=None)
        session.add(user)
    user.display_name = spec.display_name or spec.username
    user.role, user.extension, user.team_id, user.active = spec.role, spec.extension, team_id, spec.active
    await session.flush()
    await session.execute(delete(AgentSkill).where(AgentSkill.user_id == user.id))
    await session.execute(delete(QueueMember).where(QueueMember.user_id == user.id))
    skill_ids: dict[str, int] = {name: id_ for name, id_ in (await session.execute(select(Skill.name, Skill.id))).all()}
    queue_ids: dict[str, int] = {name: id_ for name, id_ in (await session.execute(select(Queue.name, Queue.id))).all()}
    for name, level in spec.skills.items():
        session.add(AgentSkill(user_id=user.id, skill_id=skill_ids[name], level=level))
    for name, tier in spec.queues.items():
        session.add(QueueMember(user_id=user.id, queue_id=queue_ids[name], tier=tier))
    await session.flush()


async def link_queues(session: AsyncSession, specs: list[Spec]) -> None:
    ids: dict[str, int] = {name: id_ for name, id_ in (await session.execute(select(Queue.name, Queue.id))).all()}
    for spec in specs:
        assert isinstance(spec, QueueSpec)
        row = (await session.scalars(select(Queue).where(Queue.name == spec.name))).one()
        row.overflow_queue_id = ids.get(spec.overflow_queue) if spec.overflow_queue else None
    await session.flush()


async def users_of(session: AsyncSession, kind: str, key: str) -> list[str]:
    """Users (by username) whose settings name the record: their skills, team or queue memberships."""
    if kind == "skills":
        query = select(User.username).join(AgentSkill, AgentSkill.user_id == User.id).join(Skill)
        query = query.where(Skill.name == key)
    elif kind == "teams":
        query = select(User.username).join(Team, Team.id == User.team_id).where(Team.name == key)
    else:
        return []
    return sorted((await session.scalars(query.order_by(User.username))).all())


async def campaign_has_records(session: AsyncSession, name: str) -> bool:
    query = select(DialingRecord.id).join(Campaign, Campaign.id == DialingRecord.campaign_id)
    return await session.scalar(query.where(Campaign.name == name).limit(1)) is not None


async def extension_holder(session: AsyncSession, extension: str, besides: str) -> str | None:
    """Who else (by username) has this extension."""
    return await session.scalar(select(User.username).where(User.extension == extension, User.username != besides))


async def set_password_hash(session: AsyncSession, username: str, password_hash: str) -> int:
    """The user's new password hash stored; their id."""
    user = (await session.scalars(select(User).where(User.username == username))).first()
    if user is None:
        raise NotFound("user", username)
    user.password_hash = password_hash
    await session.flush()
    return user.id


async def user_id(session: AsyncSession, username: str) -> int:
    found = await session.scalar(select(User.id).where(User.username == username))
    if found is None:
        raise NotFound("user", username)
    return int(found)


async def username_of(session: AsyncSession, user_id: int) -> str:
    found = await session.scalar(select(User.username).where(User.id == user_id))
    if found is None:
        raise NotFound("user", user_id)
    return str(found)
