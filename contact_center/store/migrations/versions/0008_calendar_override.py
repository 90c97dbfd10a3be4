"""calendar override: a supervisor's "open now" or "closed now" until a time, with a reason

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from contact_center.store.types import Json

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("calendars") as batch:
        batch.add_column(sa.Column("override", Json, nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("calendars") as batch:
        batch.drop_column("override")
