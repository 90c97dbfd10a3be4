"""Knowledge-base search: FTS5 on SQLite, tsvector on PostgreSQL, ranked best first."""

from __future__ import annotations

import re

from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncSession

from contact_center.store.tables import KbArticle

_WORD = re.compile(r"\w+", re.UNICODE)


def _fts5_query(q: str) -> str:
    # Quote every word so user text can never be read as FTS5 syntax; prefix-match the last one.
    words = _WORD.findall(q)
    if not words:
        return ""
    quoted = [f'"{w}"' for w in words]
    quoted[-1] += "*"
    return " ".join(quoted)


async def search_articles(session: AsyncSession, q: str, limit: int = 10) -> list[KbArticle]:
    dialect = session.get_bind().dialect.name
    if dialect == "sqlite":
        match = _fts5_query(q)
        if not match:
            return []
        ids_sql = text(
            "SELECT rowid FROM kb_articles_fts WHERE kb_articles_fts MATCH :q "
            "ORDER BY bm25(kb_articles_fts, 5.0, 1.0, 2.0) LIMIT :n"
        )
        ids = [r[0] for r in (await session.execute(ids_sql, {"q": match, "n": _room(limit)})).all()]
    else:
        words = _WORD.findall(q)
        if not words:
            return []
        ids_sql = text(
            "SELECT id FROM kb_articles, to_tsquery('english', :q) query WHERE search @@ query "
            "ORDER BY ts_rank(search, query) DESC LIMIT :n"
        )
        tsquery = " & ".join([*words[:-1], words[-1] + ":*"])
        ids = [r[0] for r in (await session.execute(ids_sql, {"q": tsquery, "n": _room(limit)})).all()]
    if not ids:
        return []
    query = select(KbArticle).where(KbArticle.id.in_(ids), KbArticle.retired_at.is_(None))  # retired: not found
    rows = {a.id: a for a in (await session.scalars(query)).all()}
    return [rows[i] for i in ids if i in rows][:limit]


def _room(limit: int) -> int:
    """Ask the index for more than wanted: retired articles are dropped after it answers."""
    return limit * 2 + 10
