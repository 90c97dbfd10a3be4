"""board alerts kept across reloads and restarts; a queue's service-level target and wait alert

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from contact_center.store.types import BigId, Json, UtcDateTime

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("queues") as batch:
        batch.add_column(sa.Column("sl_target", sa.Float(), nullable=False, server_default="0.8"))
        batch.add_column(sa.Column("alert_wait_seconds", sa.Integer(), nullable=True))
    op.create_table(
        "board_alerts",
        sa.Column("id", BigId, nullable=False),
        sa.Column("key", sa.String(length=200), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("queue", sa.String(length=64), nullable=True),
        sa.Column("agent_id", sa.String(length=64), nullable=True),
        sa.Column("call_id", sa.String(length=128), nullable=True),
        sa.Column("message", sa.String(length=500), nullable=False),
        sa.Column("value", sa.Float(), nullable=True),
        sa.Column("raised_at", UtcDateTime(), nullable=False),
        sa.Column("cleared_at", UtcDateTime(), nullable=True),
        sa.Column("acknowledged_by", sa.String(length=100), nullable=True),
        sa.Column("acknowledged_at", UtcDateTime(), nullable=True),
        sa.Column("details", Json, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_board_alerts")),
    )
    op.create_index("ix_board_alerts_open", "board_alerts", ["cleared_at", "key"], unique=False)
    op.create_index("ix_board_alerts_raised", "board_alerts", ["raised_at"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_board_alerts_raised", table_name="board_alerts")
    op.drop_index("ix_board_alerts_open", table_name="board_alerts")
    op.drop_table("board_alerts")
    with op.batch_alter_table("queues") as batch:
        batch.drop_column("alert_wait_seconds")
        batch.drop_column("sl_target")
