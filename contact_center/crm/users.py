"""Users (agents, supervisors, admins), their queues and skills, and API tokens."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from contact_center.crm.errors import Conflict, NotFound, ValidationFailed
from contact_center.security import hash_password, new_token, token_digest
from contact_center.store.tables import ROLES, AgentSkill, ApiToken, Queue, QueueMember, Skill, User


async def add_user(
    session: AsyncSession,
    username: str,
    role: str,
    password: str,
    *,
    display_name: str = "",
    extension: str | None = None,
    queues: str | list[str] | None = None,
    skills: Mapping[str, int] | None = None,
) -> User:
    """Create a user; ``queues`` is "all", a list of queue names, or None (no membership).

    ``skills`` maps skill names to levels (1-10). Left out for an agent who joins queues, they get what
    those queues require and every other skill at level 1, so calls reach them from the first day
    (the IVR asks at least level 1 of the caller's language); ``{}`` means no skills at all."""
    if role not in ROLES:
        raise ValidationFailed.one("role", f"must be one of {', '.join(ROLES)}")
    if not username or len(username) > 64 or not username.replace(".", "").replace("-", "").replace("_", "").isalnum():
        raise ValidationFailed.one("username", "use 1-64 letters, digits, '.', '-' or '_'")
    if extension is not None and not extension.isdigit():
        raise ValidationFailed.one("extension", "a SIP extension is digits only, e.g. 2001")
    try:
        password_hash = hash_password(password)
    except ValueError as exc:
        raise ValidationFailed.one("password", str(exc)) from None
    if (await session.scalars(select(User.id).where(User.username == username))).first() is not None:
        raise Conflict(f"user {username!r} already exists")
    if extension and (await session.scalars(select(User.username).where(User.extension == extension))).first():
        raise Conflict(f"extension {extension} already belongs to another user")
    user = User(
        username=username,
        role=role,
        password_hash=password_hash,
        display_name=display_name or username,
        extension=extension,
    )
    session.add(user)
    try:
        await session.flush()
    except IntegrityError:
        raise Conflict(f"user {username!r} or extension {extension} already exists") from None
    joined = await _queues(session, queues)
    for queue in joined:
        session.add(QueueMember(queue_id=queue.id, user_id=user.id, tier=1))
    known = {name: skill_id for skill_id, name in (await session.execute(select(Skill.id, Skill.name))).all()}
    if skills is None:
        skills = _starting_skills(known, joined) if role == "agent" and joined else {}
    for name, level in (await _checked_skills(skills, known)).items():
        session.add(AgentSkill(user_id=user.id, skill_id=known[name], level=level))
    await session.flush()
    return user


def _starting_skills(known: Mapping[str, int], joined: list[Queue]) -> dict[str, int]:
    levels = dict.fromkeys(known, 1)
    for queue in joined:
        for name, level in (queue.required_skills or {}).items():
            if name in levels:
                levels[name] = max(levels[name], int(level))
    return levels


async def _checked_skills(skills: Mapping[str, int], known: Mapping[str, int]) -> dict[str, int]:
    unknown = sorted(set(skills) - set(known))
    if unknown:
        raise ValidationFailed.one(
            "skills", f"unknown skill(s) {', '.join(unknown)} (known: {', '.join(sorted(known)) or 'none yet'})"
        )
    bad = [f"{name}={level}" for name, level in skills.items() if not isinstance(level, int) or not 1 <= level <= 10]
    if bad:
        raise ValidationFailed.one("skills", f"levels run from 1 to 10, got {', '.join(bad)}")
    return dict(skills)


async def _queues(session: AsyncSession, queues: str | list[str] | None) -> list[Queue]:
    if queues is None:
        return []
    if queues == "all":
        return list((await session.scalars(select(Queue).order_by(Queue.id))).all())
    names = [queues] if isinstance(queues, str) else queues
    found = {q.name: q for q in (await session.scalars(select(Queue).where(Queue.name.in_(names)))).all()}
    missing = [n for n in names if n not in found]
    if missing:
        known = ", ".join(sorted((await session.scalars(select(Queue.name))).all())) or "none yet"
        raise ValidationFailed.one("queues", f"unknown queue(s) {', '.join(missing)} (known: {known})")
    return [found[n] for n in names]


async def user_by_name(session: AsyncSession, username: str) -> User:
    user = (await session.scalars(select(User).where(User.username == username))).first()
    if user is None:
        raise NotFound("user", username)
    return user


async def create_token(
    session: AsyncSession, username: str, name: str, now: dt.datetime, *, read_only: bool = False
) -> str:
    """A new bearer token for ``username``; only its digest is stored, so it is shown once. A read-only
    token reads (GET) whatever its user may read, and writes nothing (a wallboard's)."""
    user = await user_by_name(session, username)
    token = new_token("cc_")
    session.add(
        ApiToken(
            user_id=user.id, name=name or "cli", token_hash=token_digest(token), created_at=now, read_only=read_only
        )
    )
    await session.flush()
    return token
