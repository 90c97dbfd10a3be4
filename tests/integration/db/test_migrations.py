"""The schema migrates up, down and up again on both backends, and matches the table definitions."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect
from sqlalchemy.ext.asyncio import AsyncEngine

from contact_center.store import migrate
from contact_center.store.tables import Base


async def test_down_and_up_again(engine: AsyncEngine) -> None:
    assert await migrate.current_revision(engine) == migrate.head_revision()
    await migrate.downgrade(engine, "base")
    assert await migrate.current_revision(engine) is None
    async with engine.connect() as conn:
        tables = await conn.run_sync(lambda c: inspect(c).get_table_names())
    assert set(tables) <= {"alembic_version"}
    await migrate.upgrade(engine)
    assert await migrate.current_revision(engine) == migrate.head_revision()


async def test_migrated_schema_matches_the_models(engine: AsyncEngine) -> None:
    def diff(conn: object) -> list[object]:
        context = MigrationContext.configure(conn, opts={"compare_type": True, "include_object": _include})  # type: ignore[arg-type]
        return compare_metadata(context, Base.metadata)

    async with engine.connect() as conn:
        assert await conn.run_sync(diff) == []


def _include(obj: object, name: str | None, type_: str, reflected: bool, compare_to: object) -> bool:
    # The knowledge base's search index lives outside the models on purpose: FTS5 tables on SQLite,
    # a generated tsvector column (and its index) on PostgreSQL.
    if type_ == "table" and name is not None and name.startswith("kb_articles_fts"):
        return False
    return not (name in ("search", "ix_kb_articles_search") and type_ in ("column", "index"))
