"""a campaign's abandonment target (below its cap) and its disposition set; a priority for each record of a list

Revision ID: 0027
Revises: 0026
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from contact_center.store.types import Json

revision = "0027"
down_revision = "0026"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("campaigns", schema=None) as batch_op:
        batch_op.add_column(sa.Column("target_abandon_rate", sa.Float(), nullable=False, server_default="0.025"))
        batch_op.add_column(sa.Column("dispositions", Json, server_default=sa.text("'[]'"), nullable=False))
    with op.batch_alter_table("dialing_records", schema=None) as batch_op:
        batch_op.add_column(sa.Column("priority", sa.Integer(), nullable=False, server_default="0"))


def downgrade() -> None:
    with op.batch_alter_table("dialing_records", schema=None) as batch_op:
        batch_op.drop_column("priority")
    with op.batch_alter_table("campaigns", schema=None) as batch_op:
        batch_op.drop_column("dispositions")
        batch_op.drop_column("target_abandon_rate")
