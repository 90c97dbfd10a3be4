"""First start: demo logins are shown the moment they exist, and an interrupted seeding finishes next time."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncEngine

from contact_center.security import verify_password
from contact_center.seed.demo import DONE, PENDING, demo_state, ensure_reference, first_start
from contact_center.seed.reference import DemoLogin
from contact_center.store.engine import session_factory
from contact_center.store.tables import Customer, User


async def count_customers(engine: AsyncEngine) -> int:
    async with session_factory(engine)() as session:
        return int(await session.scalar(select(func.count()).select_from(Customer)) or 0)


async def logins_work(engine: AsyncEngine, logins: list[DemoLogin]) -> bool:
    async with session_factory(engine)() as session:
        for login in logins:
            user = (await session.scalars(select(User).where(User.username == login.username))).one()
            if not verify_password(user.password_hash, login.password):
                return False
    return True


def fail_seeding(_done: int) -> None:
    raise RuntimeError("disk full")


async def test_logins_are_shown_before_seeding_and_an_interrupted_seed_finishes_next_start(
    engine: AsyncEngine, clock: Any
) -> None:
    shown: list[list[DemoLogin]] = []
    with pytest.raises(RuntimeError, match="disk full"):
        await first_start(engine, clock.now(), shown.append, customers=40, progress=fail_seeding)
    assert [[login.username for login in batch] for batch in shown] == [["agent", "supervisor", "admin"]]
    assert await logins_work(engine, shown[0])
    assert await count_customers(engine) == 0 and await demo_state(engine) == PENDING

    result = await first_start(engine, clock.now(), shown.append, customers=40)
    assert result is not None and result.customers == 40
    assert len(shown) == 1  # the logins shown before still work; nothing new to show
    assert await logins_work(engine, shown[0])
    assert await count_customers(engine) == 40 and await demo_state(engine) == DONE

    assert await first_start(engine, clock.now(), shown.append, customers=40) is None
    assert await count_customers(engine) == 40


async def test_a_database_half_seeded_before_the_marker_gets_customers_and_new_logins(
    engine: AsyncEngine, clock: Any
) -> None:
    await ensure_reference(engine)  # what the old first start committed before its seeding failed
    shown: list[list[DemoLogin]] = []
    result = await first_start(engine, clock.now(), shown.append, customers=30)
    assert result is not None and result.customers == 30
    assert len(shown) == 1 and await logins_work(engine, shown[0])


async def test_a_database_with_its_own_users_is_not_seeded(engine: AsyncEngine, clock: Any, make_user: Any) -> None:
    await make_user("ops", "admin")
    shown: list[list[DemoLogin]] = []
    assert await first_start(engine, clock.now(), shown.append, customers=30) is None
    assert shown == [] and await count_customers(engine) == 0 and await demo_state(engine) == DONE


async def test_demo_users_who_logged_in_are_never_given_new_passwords(engine: AsyncEngine, clock: Any) -> None:
    await ensure_reference(engine, password="demo-password-1")
    async with session_factory(engine).begin() as session:
        await session.execute(update(User).where(User.username == "agent").values(last_login_at=clock.now()))
    shown: list[list[DemoLogin]] = []
    assert await first_start(engine, clock.now(), shown.append, customers=30) is None
    assert shown == [] and await count_customers(engine) == 0
