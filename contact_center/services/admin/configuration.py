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
from contact_center.services.admin.audit import record_change
from contact_center.services.admin.specs import (
    KINDS,
    CalendarSpec,
    DispositionSpec,
    QueueSpec,
    SkillSpec,
    Spec,
    TeamSpec,
)
from contact_center.store.tables import AgentSkill, Calendar, DispositionCode, MetaValue, Queue, Skill, Team, User

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
    }


def _queue_spec(row: Queue, queue_names: Mapping[int, str], calendars: Mapping[int, str]) -> QueueSpec:
    # Built without validation: what is stored is exported as it is, even if routing refuses it.
    return QueueSpec.model_construct(
        name=row.name,
        display_name=row.display_name,
        strategy=row.strategy,
        sl_threshold_seconds=row.sl_threshold_seconds,
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


def read_document(text: str, file: str, *, stored_calendars: Collection[str] = ()) -> Document:
    """The document in ``text``; every problem found, as ``FILE:LINE: reason``, in ``DocumentRefused``.

    A queue's calendar must be in the file when it lists calendars, else among ``stored_calendars``."""
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
    read_queues: list[tuple[QueueSpec, LineDict]] = []
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
        if kind == "queues":
            read_queues = [(spec, item) for spec, item in pairs if isinstance(spec, QueueSpec)]
    problems += _references(document, read_queues, file, stored_calendars)
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
    document: Document, queues: list[tuple[QueueSpec, LineDict]], file: str, stored_calendars: Collection[str]
) -> list[Problem]:
    """Queues name calendars and overflow queues; they must be in the file or already stored."""
    problems: list[Problem] = []
    queue_names = {spec.key for spec, _ in queues}
    in_file = "calendars" in document
    calendar_names = {c.key for c in document["calendars"]} if in_file else set(stored_calendars)
    for spec, item in queues:
        if spec.overflow_queue is not None and spec.overflow_queue not in queue_names:
            problems.append(Problem(file, item.line_of("overflow_queue"),
                                    f"queue {spec.name}: overflow_queue {spec.overflow_queue!r} is not in the file"))  # fmt: skip
        if spec.calendar is not None and spec.calendar not in calendar_names:
            where = "in the file" if in_file else "stored"
            problems.append(Problem(file, item.line_of("calendar"),
                                    f"queue {spec.name}: no calendar {spec.calendar!r} is {where}"))  # fmt: skip
    return problems


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
    if before is not None and before.model_dump(mode="json") == spec.model_dump(mode="json"):
        return
    await _store(session, kind, spec)
    if isinstance(spec, QueueSpec):
        await _link_queues(session, [spec])
    action = "create" if before is None else "change"
    record_change(session, actor, f"{kind[:-1]}.{action}", f"{kind[:-1]}:{spec.key}", before, spec, now)
    await bump_version(session, now)


async def remove_one(session: AsyncSession, kind: str, key: str, *, actor: str, now: datetime) -> None:
    """Remove one record, audited; refused (``Conflict``, naming who uses it) while others refer to it."""
    document = await export(session)
    before = {s.key: s for s in document[kind]}.get(key)
    if before is None:
        raise NotFound(kind[:-1], key)
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
