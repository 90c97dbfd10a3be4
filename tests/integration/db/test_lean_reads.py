"""The call path's lean SQLite reader answers exactly what the async engine answers, for every customer."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from contact_center.crm.views import CALL_PATH_STATEMENTS, callers_by_e164, customer_360, customers_by_e164
from contact_center.seed.demo import ensure_reference, seed
from contact_center.store.engine import engine_for_url
from contact_center.store.lean_reads import SqliteRows
from contact_center.store.tables import Account, Customer, Phone


@pytest.fixture
def sqlite_file(sqlite_template: Path, tmp_path: Path) -> Path:
    """A migrated SQLite file (the lean reader is SQLite's; PostgreSQL reads through the engine)."""
    path = tmp_path / "lean.db"
    shutil.copy(sqlite_template, path)
    return path


async def test_the_lean_reader_gives_the_same_rows_as_the_engine(sqlite_file: Path, clock: Any) -> None:
    engine: AsyncEngine = engine_for_url(f"sqlite+aiosqlite:///{sqlite_file}")
    try:
        await ensure_reference(engine, password="demo-password-1")
        await seed(engine, 150, clock.now())
        lean = SqliteRows(sqlite_file, CALL_PATH_STATEMENTS)
        async with engine.connect() as conn:
            customer_ids = list((await conn.scalars(select(Customer.id))).all())
            numbers = list((await conn.scalars(select(Phone.e164))).all())
            account_numbers = list((await conn.scalars(select(Phone.e164).where(Phone.account_id.is_not(None)))).all())
            assert account_numbers and (await conn.scalar(select(Account.id))) is not None
            for number in [*numbers, *account_numbers, "+15550000000"]:
                callers = await callers_by_e164(lean, number)
                assert callers == await callers_by_e164(conn, number), number
                assert await customers_by_e164(lean, number) == await customers_by_e164(conn, number), number
                # A caller's match is the same person as the API's look-up finds, briefly.
                brief = ("id", "first_name", "last_name", "account_id", "phones")
                assert callers == [{k: c[k] for k in brief} for c in await customers_by_e164(conn, number)], number
            for customer_id in customer_ids:
                assert await customer_360(lean, customer_id) == await customer_360(conn, customer_id), customer_id
        lean.close()
    finally:
        await engine.dispose()
