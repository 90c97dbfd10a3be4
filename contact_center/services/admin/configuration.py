"""The centre's configuration as one document: read from the database, checked, compared, applied.

``export`` (crm/configuration.py, where the records are read and written) gives every record of each kind in ``specs.KINDS`` (a YAML file of it is what
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
from sqlalchemy.ext.asyncio import AsyncSession

from contact_center.crm import configuration as rows
from contact_center.crm.config_specs import (
    KINDS,
    NEVER_REMOVED,
    CampaignSpec,
    QueueSpec,
    Spec,
    UserSpec,
)
from contact_center.crm.configuration import Document
from contact_center.crm.errors import Conflict, FieldError, NotFound, ValidationFailed
from contact_center.flows.yaml_lines import LineDict, LineList, YamlProblem, load_yaml
from contact_center.store.audit_log import record_change

KEY_FIELDS = {"dispositions": "code", "users": "username"}  # the rest are named by ``name``


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
                problems.append(
                    Problem(
                        file,
                        at,
                        f"{kind[:-1]} {item.get('name') or item.get('code') or index + 1}: {name}: {error['msg']}",
                    )
                )
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
                problems.append(
                    Problem(file, item.line_of(field), f"{_one(spec)} {spec.key}: no {kind[:-1]} {name!r} is {where}")
                )

    for spec, item in read.get("queues", []):
        assert isinstance(spec, QueueSpec)
        if spec.overflow_queue is not None and spec.overflow_queue not in listed["queues"]:
            problems.append(
                Problem(
                    file,
                    item.line_of("overflow_queue"),
                    f"queue {spec.name}: overflow_queue {spec.overflow_queue!r} is not in the file",
                )
            )
        check(spec, item, "calendar", "calendars", [spec.calendar] if spec.calendar else [])
    for spec, item in read.get("campaigns", []):
        assert isinstance(spec, CampaignSpec)
        check(spec, item, "queue", "queues", [spec.queue] if spec.queue else [])
        check(spec, item, "calendar", "calendars", [spec.calendar] if spec.calendar else [])
    for spec, item in read.get("users", []):
        assert isinstance(spec, UserSpec)
        check(spec, item, "team", "teams", [spec.team] if spec.team else [])
        check(spec, item, "skills", "skills", list(spec.skills))
        check(spec, item, "queues", "queues", list(spec.queues))
    return problems


def _one(spec: Spec) -> str:
    return "user" if isinstance(spec, UserSpec) else "campaign" if isinstance(spec, CampaignSpec) else "queue"


async def stored_names(session: AsyncSession) -> dict[str, set[str]]:
    """The names of every stored record, by kind (what a file that leaves a kind out may refer to)."""
    return {kind: {spec.key for spec in specs} for kind, specs in (await rows.export(session)).items()}


# --- comparing and applying ----------------------------------------------------------------------


async def plan(session: AsyncSession, document: Document) -> Plan:
    stored = await rows.export(session)
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
    stored = {kind: {s.key: s for s in specs} for kind, specs in (await rows.export(session)).items()}
    wanted = {kind: {s.key: s for s in specs} for kind, specs in document.items()}
    for kind, key in reversed(steps.remove):
        await rows.remove_row(session, kind, key)
        record_change(session, actor, f"{kind[:-1]}.remove", f"{kind[:-1]}:{key}", stored[kind][key], None, now)
    for kind in KINDS:
        changed = [k for c_kind, k in steps.create if c_kind == kind] + [
            k for c_kind, k, _ in steps.change if c_kind == kind
        ]
        for key in changed:
            await rows.store_row(session, kind, wanted[kind][key])
    await rows.link_queues(session, [wanted["queues"][k] for k in wanted.get("queues", {})])
    for kind, key in steps.create:
        record_change(session, actor, f"{kind[:-1]}.create", f"{kind[:-1]}:{key}", None, wanted[kind][key], now)
    for kind, key, _ in steps.change:
        before, after = stored[kind][key], wanted[kind][key]
        record_change(session, actor, f"{kind[:-1]}.change", f"{kind[:-1]}:{key}", before, after, now)
    await rows.bump_version(session, now)
    return steps


# --- one record at a time (the admin API) ---------------------------------------------------------


async def store_one(session: AsyncSession, kind: str, spec: Spec, *, create: bool, actor: str, now: datetime) -> None:
    """Create (``create``) or replace one record, checked and audited, in the caller's transaction."""
    stored = {s.key: s for s in (await rows.export(session))[kind]}
    before = stored.get(spec.key)
    if create and before is not None:
        raise Conflict(f"a {kind[:-1]} named {spec.key!r} exists already")
    if not create and before is None:
        raise NotFound(kind[:-1], spec.key)
    if isinstance(spec, QueueSpec):
        errors = []
        if spec.overflow_queue is not None and spec.overflow_queue not in {*stored, spec.key}:
            errors.append(FieldError("overflow_queue", f"no queue {spec.overflow_queue!r}"))
        if spec.calendar is not None and spec.calendar not in await rows.stored_calendar_names(session):
            errors.append(FieldError("calendar", f"no calendar {spec.calendar!r}"))
        if errors:
            raise ValidationFailed(errors)
    if isinstance(spec, CampaignSpec):
        errors = []
        if spec.queue is not None and spec.queue not in {q.key for q in (await rows.export(session))["queues"]}:
            errors.append(FieldError("queue", f"no queue {spec.queue!r}"))
        if spec.calendar is not None and spec.calendar not in await rows.stored_calendar_names(session):
            errors.append(FieldError("calendar", f"no calendar {spec.calendar!r}"))
        known = {d.key for d in (await rows.export(session))["dispositions"]}
        if unknown := sorted(set(spec.dispositions) - known):
            errors.append(FieldError("dispositions", f"no disposition {', '.join(map(repr, unknown))}"))
        if errors:
            raise ValidationFailed(errors)
    if isinstance(spec, UserSpec):
        if isinstance(before, UserSpec):
            _not_locking_out(actor, before, spec)
        await _check_user(session, spec)
    if before is not None and before.model_dump(mode="json") == spec.model_dump(mode="json"):
        return
    await rows.store_row(session, kind, spec)
    if isinstance(spec, QueueSpec):
        await rows.link_queues(session, [spec])
    action = "create" if before is None else "change"
    record_change(session, actor, f"{kind[:-1]}.{action}", f"{kind[:-1]}:{spec.key}", before, spec, now)
    await rows.bump_version(session, now)


async def remove_one(session: AsyncSession, kind: str, key: str, *, actor: str, now: datetime) -> None:
    """Remove one record, audited; refused (``Conflict``, naming who uses it) while others refer to it.
    A user is not removed but switched off (``active: false``): their history stays theirs."""
    document = await rows.export(session)
    before = {s.key: s for s in document[kind]}.get(key)
    if before is None:
        raise NotFound(kind[:-1], key)
    if isinstance(before, UserSpec):
        _not_locking_out(actor, before, before.model_copy(update={"active": False}))
        if before.active:
            after = before.model_copy(update={"active": False})
            await rows.store_user(session, after)
            record_change(session, actor, "user.deactivate", f"user:{key}", before, after, now)
            await rows.bump_version(session, now)
        return
    if isinstance(before, CampaignSpec) and await rows.campaign_has_records(session, key):
        raise Conflict(f"campaign {key!r} has a dialing list and its history: stop it instead")
    users = await rows.users_of(session, kind, key)
    queues = sorted(q.key for q in document["queues"] if q.key != key and key in _names_used(kind, q))
    campaigns = sorted(c.key for c in document["campaigns"] if key in _names_used(kind, c))
    if users or queues or campaigns:
        who = [f"queue {name}" for name in queues] + [f"campaign {name}" for name in campaigns]
        who += [f"user {name}" for name in users]
        raise Conflict(f"{kind[:-1]} {key!r} is still used by {', '.join(who[:10])}{' ...' if len(who) > 10 else ''}")
    await rows.remove_row(session, kind, key)
    record_change(session, actor, f"{kind[:-1]}.remove", f"{kind[:-1]}:{key}", before, None, now)
    await rows.bump_version(session, now)


async def one(session: AsyncSession, kind: str, key: str) -> Spec:
    found = {s.key: s for s in (await rows.export(session))[kind]}.get(key)
    if found is None:
        raise NotFound(kind[:-1], key)
    return found


def _not_locking_out(actor: str, before: UserSpec, after: UserSpec) -> None:
    """An admin cannot switch off their own account or take away their own admin role: a centre whose last
    admin did so could not be administered any more. Another admin can."""
    if before.username != actor:
        return
    if before.active and not after.active:
        raise ValidationFailed.one("active", "you cannot switch off your own account (another admin can)")
    if before.role == "admin" and after.role != "admin":
        raise ValidationFailed.one("role", "you cannot take away your own admin role (another admin can)")


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
        taken = await rows.extension_holder(session, spec.extension, spec.username)
        if taken is not None:
            raise Conflict(f"extension {spec.extension} already belongs to {taken}")


def _names_used(kind: str, queue: Spec) -> set[str]:
    """The records of ``kind`` a queue (or a campaign) refers to."""
    if isinstance(queue, CampaignSpec):
        named = {"queues": queue.queue, "calendars": queue.calendar}.get(kind)
        return {named} if named else set()
    assert isinstance(queue, QueueSpec)
    if kind == "skills":
        return set(queue.required_skills)
    if kind == "calendars":
        return {queue.calendar} if queue.calendar else set()
    if kind == "queues":
        return {queue.overflow_queue} if queue.overflow_queue else set()
    return set()


async def set_password(session: AsyncSession, username: str, password_hash: str, *, actor: str, now: datetime) -> int:
    """Store a new password (hashed by the caller, off the event loop); audited without the secret.
    Returns the user id."""
    user_id = await rows.set_password_hash(session, username, password_hash)
    record_change(session, actor, "user.password", f"user:{username}", None, None, now)
    return user_id
