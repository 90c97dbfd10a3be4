"""Fixtures shared by all tests: databases on both backends, the app, users and logins."""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import os
import shutil
import uuid
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import asyncpg
import pytest
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine

from contact_center.clock import FixedClock
from contact_center.config import Settings
from contact_center.store import migrate
from contact_center.store.engine import dispose, engine_for_url

from .smtp_server import Inbox, local_smtp

POSTGRES_URL = os.environ.get("CC_TEST_POSTGRES_URL", "postgresql+asyncpg://postgres@127.0.0.1:5432/postgres")
REDIS_URL = os.environ.get("CC_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
# Unique per run: two test runs on one server must not drop each other's template.
TEMPLATE_DB = f"cc_test_template_{uuid.uuid4().hex[:8]}"
# A Monday, 10:00 in New York: inside the demo calendars' opening hours.
T0 = dt.datetime(2026, 11, 23, 15, 0, tzinfo=dt.UTC)


def _pg_dsn(database: str) -> str:
    url = make_url(POSTGRES_URL).set(drivername="postgresql", database=database)
    return url.render_as_string(hide_password=False)


async def _pg_admin(sql: str) -> None:
    conn = await asyncpg.connect(_pg_dsn(make_url(POSTGRES_URL).database or "postgres"))
    try:
        await conn.execute(sql)
    finally:
        await conn.close()


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One migrated SQLite file; each test gets a copy (migrating per test would dominate run time)."""
    path = tmp_path_factory.mktemp("template") / "template.db"

    async def build() -> None:
        engine = engine_for_url(f"sqlite+aiosqlite:///{path}")
        await migrate.upgrade(engine)
        await engine.dispose()

    asyncio.run(build())
    return path


@pytest.fixture(scope="session")
def postgres_template() -> Iterator[str]:
    """One migrated PostgreSQL database used as the TEMPLATE of each test's own database."""

    async def build() -> None:
        await _pg_admin(f"DROP DATABASE IF EXISTS {TEMPLATE_DB}")
        await _pg_admin(f"CREATE DATABASE {TEMPLATE_DB}")
        engine = engine_for_url(make_url(POSTGRES_URL).set(database=TEMPLATE_DB).render_as_string(False))
        await migrate.upgrade(engine)
        await engine.dispose()

    asyncio.run(build())
    yield TEMPLATE_DB
    asyncio.run(_pg_admin(f"DROP DATABASE IF EXISTS {TEMPLATE_DB}"))


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A fresh, migrated database per test, on SQLite and on PostgreSQL."""
    if request.param == "sqlite":
        path = tmp_path / "cc.db"
        shutil.copy(request.getfixturevalue("sqlite_template"), path)
        yield f"sqlite+aiosqlite:///{path}"
        return
    with postgres_database(request.getfixturevalue("postgres_template")) as url:
        yield url


@contextlib.contextmanager
def postgres_database(template: str) -> Iterator[str]:
    """A fresh PostgreSQL database made from the migrated template, dropped afterwards: its URL."""
    name = f"cc_test_{uuid.uuid4().hex[:12]}"
    asyncio.run(_pg_admin(f"CREATE DATABASE {name} TEMPLATE {template}"))
    try:
        yield make_url(POSTGRES_URL).set(database=name).render_as_string(hide_password=False)
    finally:
        asyncio.run(_pg_admin(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))


@pytest.fixture
async def engine(database_url: str) -> AsyncIterator[AsyncEngine]:
    engine = engine_for_url(database_url)
    yield engine
    await dispose(engine)


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(T0)


@pytest.fixture
def settings(database_url: str, tmp_path: Path) -> Settings:
    return Settings(database_url=database_url, secret_key="test-secret", var_dir=tmp_path / "var", seed_demo=False)


@dataclass
class Login:
    username: str
    password: str
    user_id: int
    csrf: str | None = None
    token: str | None = None

    def headers(self) -> dict[str, str]:
        if self.token:
            return {"Authorization": f"Bearer {self.token}"}
        return {"X-CSRF-Token": self.csrf or ""}


@pytest.fixture
async def app_client(engine: AsyncEngine, aiohttp_client: Any, settings: Settings, clock: FixedClock) -> Any:
    # ``engine`` first: fixtures are torn down in reverse, so the app (closed with aiohttp_client) stops before
    # its engine is let go, not while its background passes still use it.
    from contact_center.app import create_app

    app = create_app(settings, clock=clock, engine=engine)
    return await aiohttp_client(app)


@pytest.fixture
async def make_user(engine: AsyncEngine) -> Any:
    from contact_center.crm.users import add_user
    from contact_center.store.engine import session_factory

    async def make(username: str, role: str = "agent", password: str = "correct horse battery", **kw: Any) -> Login:
        async with session_factory(engine).begin() as session:
            user = await add_user(session, username, role, password, **kw)
            return Login(username, password, user.id)

    return make


@pytest.fixture
async def token_for(engine: AsyncEngine, clock: FixedClock) -> Any:
    from contact_center.crm.users import create_token
    from contact_center.store.engine import session_factory

    async def make(login: Login) -> Login:
        async with session_factory(engine).begin() as session:
            login.token = await create_token(session, login.username, "test", clock.now())
        return login

    return make


@pytest.fixture
async def agent(make_user: Any, token_for: Any) -> Login:
    """An agent acting through an API token."""
    login: Login = await token_for(await make_user("alice", "agent"))
    return login


@pytest.fixture
async def admin(make_user: Any, token_for: Any) -> Login:
    login: Login = await token_for(await make_user("root", "admin"))
    return login


@pytest.fixture
def smtp() -> Iterator[tuple[Inbox, int]]:
    """A local SMTP server (aiosmtpd) and its port; what it received is in the inbox."""
    yield from local_smtp()
