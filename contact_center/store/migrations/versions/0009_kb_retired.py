"""knowledge base: articles are retired (kept, found no more), not deleted

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from contact_center.store.types import UtcDateTime

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # A plain ADD COLUMN: SQLite keeps the table (and its full-text triggers) as it is.
    op.add_column("kb_articles", sa.Column("retired_at", UtcDateTime(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("kb_articles", recreate="never") as batch:
        batch.drop_column("retired_at")
