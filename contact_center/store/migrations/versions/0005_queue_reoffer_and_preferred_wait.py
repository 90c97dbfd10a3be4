"""queues: how long a turned-down call skips that agent, and how long a call waits for the agent it named

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("queues", schema=None) as batch_op:
        batch_op.add_column(sa.Column("reoffer_delay_seconds", sa.Integer(), server_default="30", nullable=False))
        batch_op.add_column(sa.Column("preferred_wait_seconds", sa.Integer(), server_default="30", nullable=False))


def downgrade() -> None:
    with op.batch_alter_table("queues", schema=None) as batch_op:
        batch_op.drop_column("preferred_wait_seconds")
        batch_op.drop_column("reoffer_delay_seconds")
