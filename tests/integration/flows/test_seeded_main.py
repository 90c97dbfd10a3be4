"""The main line against what `contact-center seed` makes: the demo organisation and its well-known caller."""

from __future__ import annotations

import datetime as dt
import shutil
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from contact_center.domain.ivr.model import FlowSet
from contact_center.flows.dry_run import Transcript, parse_digits, simulate
from contact_center.flows.lookups import normalize_number
from contact_center.flows.sql_directory import SqlDirectory
from contact_center.flows.validator import validate_paths
from contact_center.seed.demo import ensure_reference, seed
from contact_center.services.admin import overrides
from contact_center.store.engine import engine_for_url, session_factory

ROOT = Path(__file__).parents[3]
OPEN = dt.datetime(2026, 3, 9, 15, 0, tzinfo=dt.UTC)  # Monday 10:00 in New York
MARIA = "(415) 555-0142"  # the seed's first customer, for the quick start and the docs


@pytest.fixture
async def directory(sqlite_template: Path, tmp_path: Path) -> AsyncIterator[SqlDirectory]:
    path = tmp_path / "seeded.db"
    shutil.copy(sqlite_template, path)
    engine = engine_for_url(f"sqlite+aiosqlite:///{path}")
    await ensure_reference(engine, password="demo-password-1")
    await seed(engine, 40, OPEN)
    yield SqlDirectory(session_factory(engine))
    await engine.dispose()


async def call(directory: SqlDirectory, caller: str, digits: str, at: dt.datetime = OPEN) -> Transcript:
    flows = FlowSet.of(*validate_paths([ROOT / "ivr_flows"]).flows.values())
    return await simulate(flows, "main", directory, caller=normalize_number(caller), digits=parse_digits(digits), at=at)


async def test_maria_garcia_is_known_and_hears_her_latest_order(directory: SqlDirectory) -> None:
    t = await call(directory, MARIA, "1,1,0")
    assert t.prompts[0] == "Welcome back to Acme, Maria."
    manager = t.variables["account_manager.name"]
    assert f"To reach your account manager, {manager}, press 9 at the main menu." in t.prompts
    latest = await directory.orders_of_customer(int(t.variables["customer.id"] or 0), limit=1)
    spoken = " ".join(latest[0].number)
    assert t.prompts[3].startswith(f"Your most recent order is number {spoken}.")
    assert f"Your order {spoken} shipped on" in t.prompts[4]  # placed two days before: shipped
    assert t.result["action"] == "queue" and t.result["queue"] == "general"
    assert t.result["priority"] == 10  # the seed makes her a VIP
    assert t.result["data"] == {"topic": "order", "order_number": latest[0].number, "order_status": "shipped"}
    t = await call(directory, MARIA, "9")
    assert t.result["agent"] == t.variables["account_manager.username"] and t.result["priority"] == 20


async def test_an_unknown_caller_chooses_a_language_and_reaches_an_agent(directory: SqlDirectory) -> None:
    t = await call(directory, "+1 212 555 0199", "2,1,999999#,2")
    assert t.prompts[0].startswith("Welcome to Acme support.")
    assert t.variables["customer.found"] is False and t.variables["language"] == "es"
    assert "Lo siento, no encontré el pedido 9 9 9 9 9 9." in t.prompts
    assert t.result == {
        "action": "queue",
        "queue": "general",
        "priority": 0,
        "skills": ["spanish"],
        "agent": None,
        "data": {"topic": "general"},
    }


async def test_on_a_sunday_night_the_line_is_closed_until_a_supervisor_opens_it(directory: SqlDirectory) -> None:
    """The README's walk-through at any hour: closed by the hours, open with an override, closed again after."""
    sunday_night = dt.datetime(2026, 3, 16, 3, 30, tzinfo=dt.UTC)  # Sunday 23:30 in New York
    closed = await call(directory, MARIA, "1,1,0", at=sunday_night)
    assert closed.result["action"] != "queue"
    async with directory.sessions.begin() as session:
        await overrides.set_override(
            session,
            "support-hours",
            "open",
            sunday_night + dt.timedelta(hours=1),
            "trying the walk-through",
            actor="sue",
            now=sunday_night,
        )
    opened = await call(directory, MARIA, "1,1,0", at=sunday_night + dt.timedelta(minutes=5))
    assert opened.result["action"] == "queue" and opened.result["queue"] == "general"
    later = await call(directory, MARIA, "1,1,0", at=sunday_night + dt.timedelta(hours=2))
    assert later.result["action"] == closed.result["action"]  # the override ran out: the hours again
