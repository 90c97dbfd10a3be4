"""The centre's configuration as one document: read from the database, checked, compared, applied.

``export`` gives every record of each kind in ``specs.KINDS`` (a YAML file of it is what
``contact-center config export`` prints). ``read_document`` checks a file and names each problem as
``FILE:LINE: reason``. ``plan`` compares a document with the database; ``apply`` makes the database say
what the document says, in the caller's transaction, with an audit entry for each change. A kind the
document leaves out is left alone; a kind it lists is the whole truth (records it omits are removed).
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from pydantic import ValidationError
from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from contact_center.crm.errors import Conflict, FieldError, NotFound, ValidationFailed
from contact_center.flows.yaml_lines import LineDict, LineList, YamlProblem, load_yaml
from contact_center.services.admin.specs import (
    KINDS,
    NEVER_REMOVED,
    CalendarSpec,
    DispositionSpec,
    QueueSpec,
    SkillSpec,
    Spec,
    TeamSpec,
    UserSpec,
)
from contact_center.store.audit_log import record_change
from contact_center.store.tables import (
    AgentSkill,
    Calendar,
    DispositionCode,
    MetaValue,
    Queue,
    QueueMember,
    Skill,
    Team,
    User,
)

KEY_FIELDS = {"dispositions": "code", "users": "username"}  # the rest are named by ``name``
# Bumped by every applied change; running servers poll it and reload routing's queues when it moves.
CONFIG_VERSION_KEY = "config_version"

Document = dict[str, list[Spec]]


@dataclass(frozen=True)
class Problem:
    file: str
    line: int
    reason: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.reason}"


class DocumentRefused(ValueError):
    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("\n".join(str(p) for p in problems))
        self.problems = problems


@dataclass
class Plan:
    create: list[tuple[str, str]] = field(default_factory=list)  # (kind, key)
    change: list[tuple[str, str, list[str]]] = field(default_factory=list)  # (kind, key, fields that differ)
    remove: list[tuple[str, str]] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not (self.create or self.change or self.remove)

    def lines(self) -> list[str]:
        out = [f"+ {kind[:-1]} {key}" for kind, key in self.create]
        out += [f"~ {kind[:-1]} {key}: {', '.join(fields)}" for kind, key, fields in self.change]
        out += [f"- {kind[:-1]} {key}" for kind, key in self.remove]
        return out


# --- reading what is stored -----------------------------------------------------------------


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
            DispositionSpec(code=d.code, label=d.label, category=d.category, active=d.active)
            for d in (await session.scalars(select(DispositionCode).order_by(DispositionCode.code))).all()
        ],
        "queues": [_queue_spec(q, queue_names, calendars) for q in queues],
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


def _queue_spec(row: Queue, queue_names: Mapping[int, str], calendars: Mapping[int, str]) -> QueueSpec:
    # Built without validation: what is stored is exported as it is, even if routing refuses it.
    return QueueSpec.model_construct(
        name=row.name,
        display_name=row.display_name,
        strategy=row.strategy,
        sl_threshold_seconds=row.sl_threshold_seconds,
        sl_target=row.sl_target,
        alert_wait_seconds=row.alert_wait_seconds,
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


def to_plain(document: Document) -> dict[str, list[dict[str, Any]]]:
    """JSON/YAML-ready: every field of every record, in a stable order."""
    return {kind: [spec.model_dump(mode="json") for spec in document[kind]] for kind in KINDS if kind in document}


# --- reading a file ----------------------------------------------------------------------------


def read_document(text: str, file: str, *, stored: Mapping[str, Collection[str]] | None = None) -> Document:
    """The document in ``text``; every problem found, as ``FILE:LINE: reason``, in ``DocumentRefused``.

    What a record names (a queue's calendar, a user's team, skills and queues) must be in the file when
    it lists that kind, else among the ``stored`` names of that kind (``stored_names``)."""
    try:
        raw, duplicates = load_yaml(text)
    except YamlProblem as exc:
        raise DocumentRefused([Problem(file, exc.line, exc.message)]) from None
    problems = [Problem(file, line, message) for line, message in duplicates]
    if raw is None:
        raw = LineDict()
        raw.line, raw.key_lines = 1, {}
    if not isinstance(raw, LineDict):
        raise DocumentRefused([Problem(file, getattr(raw, "line", 1), "the file must be a mapping of kinds")])
    document: Document = {}
    read: dict[str, list[tuple[Spec, LineDict]]] = {}
    listed: dict[str, set[str]] = {}
    for kind, items in raw.items():
        line = raw.line_of(kind)
        if kind not in KINDS:
            problems.append(Problem(file, line, f"unknown kind {kind!r} (use {', '.join(KINDS)})"))
            continue
        if items is None:
            items = LineList()
            items.line, items.item_lines = line, []
        if not isinstance(items, LineList):
            problems.append(Problem(file, line, f"{kind} must be a list"))
            continue
        pairs = _read_items(kind, items, file, problems)
        document[kind] = [spec for spec, _ in pairs]
        read[kind] = pairs
        # What the file names, valid or not: a record refused for its own fields is not also "missing".
        listed[kind] = {str(i.get(KEY_FIELDS.get(kind, "name"))) for i in items if isinstance(i, LineDict)}
    problems += _references(listed, read, file, stored or {})
    if problems:
        raise DocumentRefused(sorted(problems, key=lambda p: p.line))
    return document


def _read_items(kind: str, items: LineList, file: str, problems: list[Problem]) -> list[tuple[Spec, LineDict]]:
    specs: list[tuple[Spec, LineDict]] = []
    seen: dict[str, int] = {}
    for index, item in enumerate(items):
        line = items.line_of(index)
        if not isinstance(item, LineDict):
            problems.append(Problem(file, line, f"each of {kind} must be a mapping"))
            continue
        try:
            spec = KINDS[kind].model_validate(dict(item))
        except ValidationError as exc:
            for error in exc.errors():
                where = error["loc"][0] if error["loc"] else None
                at = item.line_of(where) if where is not None else item.line
                name = ".".join(str(p) for p in error["loc"]) or kind[:-1]
                problems.append(Problem(file, at, f"{kind[:-1]} {item.get('name') or item.get('code') or index + 1}: "
                                                  f"{name}: {error['msg']}"))  # fmt: skip
            continue
        if spec.key in seen:
            problems.append(
                Problem(file, line, f"{kind[:-1]} {spec.key!r} appears twice (first on line {seen[spec.key]})")
            )
            continue
        seen[spec.key] = line
        specs.append((spec, item))
    return specs


def _references(
    listed: Mapping[str, set[str]],
    read: Mapping[str, list[tuple[Spec, LineDict]]],
    file: str,
    stored: Mapping[str, Collection[str]],
) -> list[Problem]:
    """Records name others (a queue its calendar and overflow queue, a user their team, skills and queues);
    each named record must be in the file, or already stored when the file does not list its kind."""
    problems: list[Problem] = []

    def names(kind: str) -> tuple[set[str], str]:
        if kind in listed:
            return listed[kind], "in the file"
        return set(stored.get(kind, ())), "stored"

    def check(spec: Spec, item: LineDict, field: str, kind: str, wanted: Collection[str]) -> None:
        known, where = names(kind)
        for name in wanted:
            if name not in known:
                problems.append(Problem(file, item.line_of(field),
                                        f"{_one(spec)} {spec.key}: no {kind[:-1]} {name!r} is {where}"))  # fmt: skip

    for spec, item in read.get("queues", []):
        assert isinstance(spec, QueueSpec)
        if spec.overflow_queue is not None and spec.overflow_queue not in listed["queues"]:
            problems.append(Problem(file, item.line_of("overflow_queue"),
                                    f"queue {spec.name}: overflow_queue {spec.overflow_queue!r} is not in the file"))  # fmt: skip
        check(spec, item, "calendar", "calendars", [spec.calendar] if spec.calendar else [])
    for spec, item in read.get("users", []):
        assert isinstance(spec, UserSpec)
        check(spec, item, "team", "teams", [spec.team] if spec.team else [])
        check(spec, item, "skills", "skills", list(spec.skills))
        check(spec, item, "queues", "queues", list(spec.queues))
    return problems


def _one(spec: Spec) -> str:
    return "user" if isinstance(spec, UserSpec) else "queue"


async def stored_names(session: AsyncSession) -> dict[str, set[str]]:
    """The names of every stored record, by kind (what a file that leaves a kind out may refer to)."""
    return {kind: {spec.key for spec in specs} for kind, specs in (await export(session)).items()}


async def stored_calendar_names(session: AsyncSession) -> set[str]:
    return set((await session.scalars(select(Calendar.name))).all())


# --- comparing and applying ----------------------------------------------------------------------


async def plan(session: AsyncSession, document: Document) -> Plan:
    stored = await export(session)
    out = Plan()
    for kind in KINDS:
        if kind not in document:
            continue
        old = {spec.key: spec.model_dump(mode="json") for spec in stored[kind]}
        new = {spec.key: spec.model_dump(mode="json") for spec in document[kind]}
        for key, values in new.items():
            if key not in old:
                out.create.append((kind, key))
            elif values != old[key]:
                out.change.append((kind, key, sorted(f for f in values if values[f] != old[key].get(f))))
        if kind not in NEVER_REMOVED:
            out.remove += [(kind, key) for key in old if key not in new]
    return out


async def apply(session: AsyncSession, document: Document, *, actor: str, now: datetime) -> Plan:
    """Make the stored configuration what ``document`` says, in the caller's transaction; returns the plan."""
    steps = await plan(session, document)
    if steps.empty:
        return steps
    stored = {kind: {s.key: s for s in specs} for kind, specs in (await export(session)).items()}
    wanted = {kind: {s.key: s for s in specs} for kind, specs in document.items()}
    for kind, key in reversed(steps.remove):
        await _remove(session, kind, key)
        record_change(session, actor, f"{kind[:-1]}.remove", f"{kind[:-1]}:{key}", stored[kind][key], None, now)
    for kind in KINDS:
        changed = [k for c_kind, k in steps.create if c_kind == kind] + [
            k for c_kind, k, _ in steps.change if c_kind == kind
        ]
        for key in changed:
            await _store(session, kind, wanted[kind][key])
    await _link_queues(session, [wanted["queues"][k] for k in wanted.get("queues", {})])
    for kind, key in steps.create:
        record_change(session, actor, f"{kind[:-1]}.create", f"{kind[:-1]}:{key}", None, wanted[kind][key], now)
    for kind, key, _ in steps.change:
        before, after = stored[kind][key], wanted[kind][key]
        record_change(session, actor, f"{kind[:-1]}.change", f"{kind[:-1]}:{key}", before, after, now)
    await bump_version(session, now)
    return steps


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
}


async def _remove(session: AsyncSession, kind: str, key: str) -> None:
    table, column = _TABLES[kind]
    await session.execute(delete(table).where(column == key))


async def _store(session: AsyncSession, kind: str, spec: Spec) -> None:
    """Create or change one record (queue references to other queues are set by ``_link_queues``)."""
    if isinstance(spec, UserSpec):
        await _store_user(session, spec)
        return
    table, column = _TABLES[kind]
    values = spec.model_dump()
    if isinstance(spec, QueueSpec):
        values.pop("overflow_queue")
        calendar = values.pop("calendar")
        values["calendar_id"] = (
            await session.scalar(select(Calendar.id).where(Calendar.name == calendar)) if calendar else None
        )
    row = (await session.scalars(select(table).where(column == spec.key))).first()
    if row is None:
        session.add(table(**values))
    else:
        for name, value in values.items():
            setattr(row, name, value)
    await session.flush()


async def _store_user(session: AsyncSession, spec: UserSpec) -> None:
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


async def _link_queues(session: AsyncSession, specs: list[Spec]) -> None:
    ids: dict[str, int] = {name: id_ for name, id_ in (await session.execute(select(Queue.name, Queue.id))).all()}
    for spec in specs:
        assert isinstance(spec, QueueSpec)
        row = (await session.scalars(select(Queue).where(Queue.name == spec.name))).one()
        row.overflow_queue_id = ids.get(spec.overflow_queue) if spec.overflow_queue else None
    await session.flush()


# --- one record at a time (the admin API) ---------------------------------------------------------


async def store_one(session: AsyncSession, kind: str, spec: Spec, *, create: bool, actor: str, now: datetime) -> None:
    """Create (``create``) or replace one record, checked and audited, in the caller's transaction."""
    stored = {s.key: s for s in (await export(session))[kind]}
    before = stored.get(spec.key)
    if create and before is not None:
        raise Conflict(f"a {kind[:-1]} named {spec.key!r} exists already")
    if not create and before is None:
        raise NotFound(kind[:-1], spec.key)
    if isinstance(spec, QueueSpec):
        errors = []
        if spec.overflow_queue is not None and spec.overflow_queue not in {*stored, spec.key}:
            errors.append(FieldError("overflow_queue", f"no queue {spec.overflow_queue!r}"))
        if spec.calendar is not None and spec.calendar not in await stored_calendar_names(session):
            errors.append(FieldError("calendar", f"no calendar {spec.calendar!r}"))
        if errors:
            raise ValidationFailed(errors)
    if isinstance(spec, UserSpec):
        await _check_user(session, spec)
    if before is not None and before.model_dump(mode="json") == spec.model_dump(mode="json"):
        return
    await _store(session, kind, spec)
    if isinstance(spec, QueueSpec):
        await _link_queues(session, [spec])
    action = "create" if before is None else "change"
    record_change(session, actor, f"{kind[:-1]}.{action}", f"{kind[:-1]}:{spec.key}", before, spec, now)
    await bump_version(session, now)


async def remove_one(session: AsyncSession, kind: str, key: str, *, actor: str, now: datetime) -> None:
    """Remove one record, audited; refused (``Conflict``, naming who uses it) while others refer to it.
    A user is not removed but switched off (``active: false``): their history stays theirs."""
    document = await export(session)
    before = {s.key: s for s in document[kind]}.get(key)
    if before is None:
        raise NotFound(kind[:-1], key)
    if isinstance(before, UserSpec):
        if before.active:
            after = before.model_copy(update={"active": False})
            await _store_user(session, after)
            record_change(session, actor, "user.deactivate", f"user:{key}", before, after, now)
            await bump_version(session, now)
        return
    users = await _users_of(session, kind, key)
    queues = sorted(q.key for q in document["queues"] if q.key != key and key in _names_used(kind, q))
    if users or queues:
        who = [f"queue {name}" for name in queues] + [f"user {name}" for name in users]
        raise Conflict(f"{kind[:-1]} {key!r} is still used by {', '.join(who[:10])}{' ...' if len(who) > 10 else ''}")
    await _remove(session, kind, key)
    record_change(session, actor, f"{kind[:-1]}.remove", f"{kind[:-1]}:{key}", before, None, now)
    await bump_version(session, now)


async def one(session: AsyncSession, kind: str, key: str) -> Spec:
    found = {s.key: s for s in (await export(session))[kind]}.get(key)
    if found is None:
        raise NotFound(kind[:-1], key)
    return found


async def _check_user(session: AsyncSession, spec: UserSpec) -> None:
    """What a user names must exist, and their extension must be theirs alone."""
    stored = await stored_names(session)
    errors = []
    if spec.team is not None and spec.team not in stored["teams"]:
        errors.append(FieldError("team", f"no team {spec.team!r}"))
    for kind, named in (("skills", spec.skills), ("queues", spec.queues)):
        unknown = sorted(set(named) - stored[kind])
        if unknown:
            errors.append(FieldError(kind, f"no {kind[:-1]} {', '.join(map(repr, unknown))}"))
    if errors:
        raise ValidationFailed(errors)
    if spec.extension is not None:
        taken = await session.scalar(
            select(User.username).where(User.extension == spec.extension, User.username != spec.username)
        )
        if taken is not None:
            raise Conflict(f"extension {spec.extension} already belongs to {taken}")


def _names_used(kind: str, queue: Spec) -> set[str]:
    """The records of ``kind`` a queue refers to."""
    assert isinstance(queue, QueueSpec)
    if kind == "skills":
        return set(queue.required_skills)
    if kind == "calendars":
        return {queue.calendar} if queue.calendar else set()
    if kind == "queues":
        return {queue.overflow_queue} if queue.overflow_queue else set()
    return set()


async def _users_of(session: AsyncSession, kind: str, key: str) -> list[str]:
    """Users (by username) whose settings name the record: their skills, team or queue memberships."""
    if kind == "skills":
        query = select(User.username).join(AgentSkill, AgentSkill.user_id == User.id).join(Skill)
        query = query.where(Skill.name == key)
    elif kind == "teams":
        query = select(User.username).join(Team, Team.id == User.team_id).where(Team.name == key)
    else:
        return []
    return sorted((await session.scalars(query.order_by(User.username))).all())


async def set_password(session: AsyncSession, username: str, password_hash: str, *, actor: str, now: datetime) -> int:
    """Store a new password (hashed by the caller, off the event loop); audited without the secret.
    Returns the user id."""
    user = (await session.scalars(select(User).where(User.username == username))).first()
    if user is None:
        raise NotFound("user", username)
    user.password_hash = password_hash
    record_change(session, actor, "user.password", f"user:{username}", None, None, now)
    await session.flush()
    return user.id


async def user_id(session: AsyncSession, username: str) -> int:
    found = await session.scalar(select(User.id).where(User.username == username))
    if found is None:
        raise NotFound("user", username)
    return int(found)
