"""The schema migrates up, down and up again on both backends, and matches the table definitions."""

from __future__ import annotations

import datetime as dt
from typing import Any, cast

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Table, inspect, select, text
from sqlalchemy.ext.asyncio import AsyncEngine

from contact_center.store import migrate
from contact_center.store.tables import Account, Activity, Base, Case, Recording


async def test_down_and_up_again(engine: AsyncEngine) -> None:
    assert await migrate.current_revision(engine) == migrate.head_revision()
    await migrate.downgrade(engine, "base")
    assert await migrate.current_revision(engine) is None
    async with engine.connect() as conn:
        tables = await conn.run_sync(lambda c: inspect(c).get_table_names())
    assert set(tables) <= {"alembic_version"}
    await migrate.upgrade(engine)
    assert await migrate.current_revision(engine) == migrate.head_revision()


async def test_0003_keeps_existing_accounts_and_cases_and_fills_the_new_columns(engine: AsyncEngine) -> None:
    await migrate.downgrade(engine, "0002")
    async with engine.begin() as conn:
        await conn.execute(
            text(
                "INSERT INTO accounts (id, name, industry, website, segment, address, tags, created_at, updated_at) "
                "VALUES (1, 'Old Co', '', '', 'smb', '{}', '[]', '2026-01-01 00:00:00', '2026-01-01 00:00:00')"
            )
        )
        await conn.execute(
            text(
                "INSERT INTO cases (id, number, subject, description, status, priority, category, sla_target_minutes, "
                "sla_used_seconds, sla_due_at, escalation_level, created_at, updated_at) VALUES "
                "(1, 20001, 'Running', '', 'open', 'normal', 'general', 60, 0, '2026-01-01 01:00:00', 1, "
                "'2026-01-01 00:00:00', '2026-01-01 00:00:00'), "
                "(2, 20002, 'Paused', '', 'pending_customer', 'normal', 'general', 60, 0, NULL, 0, "
                "'2026-01-01 00:00:00', '2026-01-01 00:00:00')"
            )
        )
    await migrate.upgrade(engine)
    async with engine.connect() as conn:
        account = (await conn.execute(select(Account.name, Account.emails, Account.language, Account.vip))).one()
        assert tuple(account) == ("Old Co", [], "en", False)
        escalate_at = dict((await conn.execute(select(Case.id, Case.sla_escalate_at))).all())
        assert escalate_at == {1: dt.datetime(2026, 1, 1, 1, 0, tzinfo=dt.UTC), 2: None}
    await migrate.downgrade(engine, "0002")
    async with engine.connect() as conn:
        names = await conn.run_sync(lambda c: [col["name"] for col in inspect(c).get_columns("accounts")])
    assert "emails" not in names and "vip" not in names


async def test_migrated_schema_matches_the_models(engine: AsyncEngine) -> None:
    def diff(conn: object) -> list[object]:
        context = MigrationContext.configure(conn, opts={"compare_type": True, "include_object": _include})  # type: ignore[arg-type]
        differences: list[object] = compare_metadata(context, Base.metadata)
        return differences

    async with engine.connect() as conn:
        assert await conn.run_sync(diff) == []


def _include(obj: object, name: str | None, type_: str, reflected: bool, compare_to: object) -> bool:
    # The knowledge base's search index lives outside the models on purpose: FTS5 tables on SQLite,
    # a generated tsvector column (and its index) on PostgreSQL.
    if type_ == "table" and name is not None and name.startswith("kb_articles_fts"):
        return False
    return not (name in ("search", "ix_kb_articles_search") and type_ in ("column", "index"))


async def test_0006_moves_only_server_written_recordings_into_their_table(engine: AsyncEngine) -> None:
    await migrate.downgrade(engine, "0005")
    rows = [
        (1, "call", "c-1", {"recording": "/srv/var/recordings/2026/12/01/c-1.wav", "notes": ["kept"]}),
        (2, "voicemail", "c-2", {"recording": "var/voicemail/sales/c-2.wav", "mailbox": "sales"}),
        (3, "call", "c-3", {"recording": "var/contact_center.db"}),  # what a client wrote
        (4, "call", "c-1", {"recording": "/srv/var/recordings/2026/12/01/c-1.wav"}),  # a copy claiming c-1's file
        (5, "note", "c-5", {"recording": "var/recordings/c-5.wav"}),  # not a call
        (6, "call", "c-6", {"recording": "var/recordings/../secret_key/c-6.wav"}),
    ]
    activities = cast(Table, Activity.__table__)
    async with engine.begin() as conn:
        for id_, type_, interaction, details in rows:
            await conn.execute(
                activities.insert().values(
                    id=id_,
                    type=type_,
                    interaction_id=interaction,
                    details=details,
                    channel="phone",
                    subject="",
                    started_at=dt.datetime(2026, 12, 1, tzinfo=dt.UTC),
                    created_at=dt.datetime(2026, 12, 1, tzinfo=dt.UTC),
                )
            )
    await migrate.upgrade(engine)
    async with engine.connect() as conn:
        moved = {row.activity_id: (row.kind, row.path, row.id) for row in await conn.execute(select(Recording))}
        details = cast(Any, dict((await conn.execute(select(Activity.id, Activity.details))).all()))
    assert {k: v[:2] for k, v in moved.items()} == {
        1: ("call", "/srv/var/recordings/2026/12/01/c-1.wav"),
        2: ("voicemail", "var/voicemail/sales/c-2.wav"),
    }
    assert details[1] == {"recording_id": moved[1][2], "notes": ["kept"]}
    assert details[2] == {"recording_id": moved[2][2], "mailbox": "sales"}
    assert details[3] == {"recording": "var/contact_center.db"}  # left as it was, and served by nothing
    await migrate.downgrade(engine, "0005")
    async with engine.connect() as conn:
        back: dict[int, Any] = dict((await conn.execute(select(Activity.id, Activity.details))).all())
    assert back[1] == {"recording": "/srv/var/recordings/2026/12/01/c-1.wav", "notes": ["kept"]}
    assert back[2] == {"recording": "var/voicemail/sales/c-2.wav", "mailbox": "sales"}
