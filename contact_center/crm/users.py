"""Users (agents, supervisors, admins), their queues and skills, and API tokens."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from contact_center.crm.errors import Conflict, NotFound, ValidationFailed
from contact_center.security import hash_password, new_token, token_digest
from contact_center.store.tables import ROLES, ApiToken, Queue, QueueMember, User


async def add_user(
    session: AsyncSession,
    username: str,
    role: str,
    password: str,
    *,
    display_name: str = "",
    extension: str | None = None,
    queues: str | list[str] | None = None,
) -> User:
    """Create a user; ``queues`` is "all", a list of queue names, or None (no membership)."""
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
    user = User(username=username, role=role, password_hash=password_hash, display_name=display_name or username,
                extension=extension)  # fmt: skip
    session.add(user)
    try:
        await session.flush()
    except IntegrityError:
        raise Conflict(f"user {username!r} or extension {extension} already exists") from None
    for queue in await _queues(session, queues):
        session.add(QueueMember(queue_id=queue.id, user_id=user.id, tier=1))
    await session.flush()
    return user


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


async def create_token(session: AsyncSession, username: str, name: str, now: dt.datetime) -> str:
    """A new bearer token for ``username``; only its digest is stored, so it is shown once."""
    user = await user_by_name(session, username)
    token = new_token("cc_")
    session.add(ApiToken(user_id=user.id, name=name or "cli", token_hash=token_digest(token), created_at=now))
    await session.flush()
    return token
