"""how long an agent of a queue may stay not ready, or in wrap-up, before the board alerts (None: the
centre's limits)

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0021"
down_revision = "0020"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("queues", schema=None) as batch_op:
        batch_op.add_column(sa.Column("alert_not_ready_seconds", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("alert_wrap_up_seconds", sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("queues", schema=None) as batch_op:
        batch_op.drop_column("alert_wrap_up_seconds")
        batch_op.drop_column("alert_not_ready_seconds")
