"""a queue's own hold music, entry announcement and how often the place in line is said

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("queues", schema=None) as batch_op:
        batch_op.add_column(sa.Column("hold_music", sa.String(length=300), nullable=True))
        batch_op.add_column(sa.Column("announcement", sa.Text(), server_default="", nullable=False))
        batch_op.add_column(sa.Column("announce_every_seconds", sa.Integer(), server_default="30", nullable=False))
        batch_op.add_column(sa.Column("announce_position", sa.Boolean(), server_default=sa.true(), nullable=False))


def downgrade() -> None:
    with op.batch_alter_table("queues", schema=None) as batch_op:
        batch_op.drop_column("announce_position")
        batch_op.drop_column("announce_every_seconds")
        batch_op.drop_column("announcement")
        batch_op.drop_column("hold_music")
