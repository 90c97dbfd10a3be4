"""Seeding entry points used by `serve` (first start) and `seed`.

First start happens in two steps, each its own transaction: the demo organisation with its users
(whose logins are handed out at once, before anything else can fail), then the customers. A marker
in the ``meta`` table says how far it got, so a start interrupted between the two finishes the
customers on the next start instead of leaving a database that is neither seeded nor told about.
"""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Callable

from sqlalchemy import delete, func, insert, select
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, AsyncSession

from contact_center.security import hash_password
from contact_center.seed.customers import SeedResult, seed_customers
from contact_center.seed.reference import DEMO_USERS, DemoLogin, has_reference_data, seed_reference
from contact_center.store.engine import session_factory
from contact_center.store.tables import Customer, MetaValue, User

FIRST_START_CUSTOMERS = 2000
DEMO_SEED_KEY = "demo_seed"
PENDING, DONE = "customers_pending", "done"


async def ensure_reference(engine: AsyncEngine, password: str | None = None) -> list[DemoLogin]:
    """Create the demo organisation when the database has no users yet; return new logins (else [])."""
    async with session_factory(engine).begin() as session:
        if await has_reference_data(session):
            return []
        return await seed_reference(session, password)


async def first_start(
    engine: AsyncEngine,
    now: dt.datetime,
    show_logins: Callable[[list[DemoLogin]], None],
    *,
    customers: int = FIRST_START_CUSTOMERS,
    announce: Callable[[int], None] | None = None,
    progress: Callable[[int], None] | None = None,
) -> SeedResult | None:
    """Seed a new database for the demo, or finish seeding one whose first start was interrupted.

    ``show_logins`` gets the demo logins as soon as their transaction has committed. Returns what
    was seeded, or None when the database needed nothing.
    """
    async with session_factory(engine).begin() as session:
        state = await _state(session)
        logins: list[DemoLogin] = []
        if state is None:
            if not await has_reference_data(session):
                logins = await seed_reference(session)
                state = PENDING
            elif await _half_seeded_before_markers(session):
                logins = await _new_demo_passwords(session)
                state = PENDING
            else:
                state = DONE  # users of someone's own making: not a demo database
            await _set_state(session, state, now)
    if logins:
        show_logins(logins)
    if state != PENDING:
        return None
    if announce:
        announce(customers)
    return await seed(engine, customers, now, progress=progress)


async def seed(
    engine: AsyncEngine,
    customers: int,
    now: dt.datetime,
    *,
    seed_value: int = 7,
    activities_per_customer: float = 6.0,
    progress: Callable[[int], None] | None = None,
    sample_every: int = 0,
) -> SeedResult:
    """Add customers in one transaction; it also marks the demo seeding done (a later start adds none)."""
    async with engine.begin() as conn:
        result = await seed_customers(
            conn,
            customers,
            now=now,
            seed=seed_value,
            activities_per_customer=activities_per_customer,
            progress=progress,
            sample_every=sample_every,
        )
        await _mark_done(conn, now)
        return result


async def demo_state(engine: AsyncEngine) -> str | None:
    async with session_factory(engine)() as session:
        return await _state(session)


async def _state(session: AsyncSession) -> str | None:
    row = await session.get(MetaValue, DEMO_SEED_KEY)
    return row.value if row is not None else None


async def _set_state(session: AsyncSession, value: str, now: dt.datetime) -> None:
    row = await session.get(MetaValue, DEMO_SEED_KEY)
    if row is None:
        session.add(MetaValue(key=DEMO_SEED_KEY, value=value, updated_at=now))
    else:
        row.value, row.updated_at = value, now
    await session.flush()


async def _mark_done(conn: AsyncConnection, now: dt.datetime) -> None:
    await conn.execute(delete(MetaValue).where(MetaValue.key == DEMO_SEED_KEY))
    await conn.execute(insert(MetaValue).values(key=DEMO_SEED_KEY, value=DONE, updated_at=now))


async def _half_seeded_before_markers(session: AsyncSession) -> bool:
    """A database from before the marker: demo users that never logged in, and not one customer."""
    if await session.scalar(select(func.count()).select_from(Customer)):
        return False
    names = [username for username, _role, _ext in DEMO_USERS]
    users = (await session.scalars(select(User).where(User.username.in_(names)))).all()
    return len(users) == len(names) and all(u.last_login_at is None for u in users)


async def _new_demo_passwords(session: AsyncSession) -> list[DemoLogin]:
    # Their passwords were made and never shown; nobody can be using them, so new ones are safe to print.
    logins = []
    for username, role, ext in DEMO_USERS:
        user = (await session.scalars(select(User).where(User.username == username))).one()
        secret = secrets.token_urlsafe(9)
        user.password_hash = hash_password(secret)
        logins.append(DemoLogin(username, role, secret, user.extension or ext))
    await session.flush()
    return logins


def print_logins(logins: list[DemoLogin], url: str) -> None:
    print("Demo logins (shown once; keep them or add users with `contact-center user add`):", flush=True)
    for login in logins:
        ext = f"  phone extension {login.extension}" if login.extension else ""
        print(f"  {login.role:<10} username {login.username:<11} password {login.password}{ext}", flush=True)
    print(f"Open {url}/ and log in.", flush=True)
