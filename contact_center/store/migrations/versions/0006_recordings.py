"""recordings: sound files the server recorded, named by id and attached to their activity

Until now an activity's ``details.recording`` held a path that the recording route served, and a client
could write that path itself (issue 17). Recordings the server wrote move to their own table; an
activity names one by ``details.recording_id``. Only paths the server would have written are carried
over: a ``.wav`` named after the activity's interaction under ``recordings/`` or ``voicemail/``,
on a call or voicemail activity, the first such activity per file.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-06
"""

from __future__ import annotations

from pathlib import PurePath
from typing import Any

import sqlalchemy as sa
from alembic import op

from contact_center.store.types import BigId, Json, UtcDateTime

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

activities = sa.table(
    "activities",
    sa.column("id", BigId),
    sa.column("type", sa.String()),
    sa.column("interaction_id", sa.String()),
    sa.column("details", Json),
    sa.column("created_at", UtcDateTime()),
)


def upgrade() -> None:
    recordings = op.create_table(
        "recordings",
        sa.Column("id", BigId, nullable=False),
        sa.Column("activity_id", BigId, nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("path", sa.String(length=1024), nullable=False),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["activity_id"], ["activities.id"], name=op.f("fk_recordings_activity_id_activities"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_recordings")),
        sa.UniqueConstraint("activity_id", name=op.f("uq_recordings_activity_id")),
    )
    bind = op.get_bind()
    rows = bind.execute(
        sa.select(
            activities.c.id,
            activities.c.type,
            activities.c.interaction_id,
            activities.c.details,
            activities.c.created_at,
        )
        .where(activities.c.type.in_(("call", "voicemail")))
        .where(activities.c.details["recording"].as_string().is_not(None))
        .order_by(activities.c.id)
    ).all()
    claimed: set[str] = set()
    for row in rows:
        details: dict[str, Any] = dict(row.details or {})
        path = str(details.pop("recording"))
        if not _written_by_server(path, row.interaction_id) or path in claimed:
            continue
        claimed.add(path)
        result = bind.execute(
            recordings.insert().values(activity_id=row.id, kind=row.type, path=path, created_at=row.created_at)
        )
        key = result.inserted_primary_key
        assert key is not None
        details["recording_id"] = key[0]
        bind.execute(activities.update().where(activities.c.id == row.id).values(details=details))


def _written_by_server(path: str, interaction_id: str | None) -> bool:
    name = PurePath(path)
    return (
        interaction_id is not None
        and name.name == f"{interaction_id}.wav"
        and ".." not in name.parts
        and ("recordings" in name.parts or "voicemail" in name.parts)
    )


def downgrade() -> None:
    recordings = sa.table("recordings", sa.column("activity_id", BigId), sa.column("path", sa.String()))
    bind = op.get_bind()
    rows = bind.execute(
        sa.select(activities.c.id, activities.c.details, recordings.c.path).join(
            recordings, recordings.c.activity_id == activities.c.id
        )
    ).all()
    for row in rows:
        details = {key: value for key, value in (row.details or {}).items() if key != "recording_id"}
        details["recording"] = row.path
        bind.execute(activities.update().where(activities.c.id == row.id).values(details=details))
    op.drop_table("recordings")
