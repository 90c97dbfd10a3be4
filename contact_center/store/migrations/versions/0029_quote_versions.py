"""quote versions: a revised quote is a new version, the one it revises is superseded

Revision ID: 0029
Revises: 0028
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0029"
down_revision = "0028"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("quotes", schema=None) as batch_op:
        batch_op.add_column(sa.Column("version", sa.Integer(), nullable=False, server_default="1"))
        batch_op.add_column(sa.Column("revises_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key("fk_quotes_revises", "quotes", ["revises_id"], ["id"], ondelete="SET NULL")


def downgrade() -> None:
    with op.batch_alter_table("quotes", schema=None) as batch_op:
        batch_op.drop_constraint("fk_quotes_revises", type_="foreignkey")
        batch_op.drop_column("revises_id")
        batch_op.drop_column("version")
