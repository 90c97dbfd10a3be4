"""routing event log

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from contact_center.store.types import BigId, Json, UtcDateTime

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "acd_events",
        sa.Column("id", BigId, nullable=False),
        sa.Column("at", UtcDateTime(), nullable=False),
        sa.Column("at_seconds", sa.Float(), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("call_id", sa.String(length=64), nullable=True),
        sa.Column("agent_id", sa.String(length=64), nullable=True),
        sa.Column("data", Json, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_acd_events")),
    )
    op.create_index("ix_acd_events_at", "acd_events", ["at_seconds"])
    op.create_index("ix_acd_events_call", "acd_events", ["call_id"])


def downgrade() -> None:
    op.drop_index("ix_acd_events_call", table_name="acd_events")
    op.drop_index("ix_acd_events_at", table_name="acd_events")
    op.drop_table("acd_events")
