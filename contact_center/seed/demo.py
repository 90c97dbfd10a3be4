"""Seeding entry points used by `serve` (first start) and `seed`."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from sqlalchemy.ext.asyncio import AsyncEngine

from contact_center.seed.customers import SeedResult, seed_customers
from contact_center.seed.reference import DemoLogin, has_reference_data, seed_reference
from contact_center.store.engine import session_factory

FIRST_START_CUSTOMERS = 2000


async def ensure_reference(engine: AsyncEngine, password: str | None = None) -> list[DemoLogin]:
    """Create the demo organisation when the database has no users yet; return new logins (else [])."""
    async with session_factory(engine).begin() as session:
        if await has_reference_data(session):
            return []
        return await seed_reference(session, password)


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
    async with engine.begin() as conn:
        return await seed_customers(conn, customers, now=now, seed=seed_value,
                                    activities_per_customer=activities_per_customer, progress=progress,
                                    sample_every=sample_every)  # fmt: skip


def print_logins(logins: list[DemoLogin], url: str) -> None:
    print("Demo logins (shown once; keep them or add users with `contact-center user add`):")
    for login in logins:
        ext = f"  phone extension {login.extension}" if login.extension else ""
        print(f"  {login.role:<10} username {login.username:<11} password {login.password}{ext}")
    print(f"Open {url}/ and log in.")
