"""a campaign's own calling hours (the called person's local time), inside the law's 08:00-21:00

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0022"
down_revision = "0021"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("campaigns", schema=None) as batch_op:
        batch_op.add_column(sa.Column("call_from", sa.String(length=5), nullable=False, server_default="08:00"))
        batch_op.add_column(sa.Column("call_until", sa.String(length=5), nullable=False, server_default="21:00"))


def downgrade() -> None:
    with op.batch_alter_table("campaigns", schema=None) as batch_op:
        batch_op.drop_column("call_until")
        batch_op.drop_column("call_from")
