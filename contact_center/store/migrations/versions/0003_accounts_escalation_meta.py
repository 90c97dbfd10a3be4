"""accounts get emails, language and VIP; cases keep their next escalation time; a meta table

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-24
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from contact_center.store.types import Json, UtcDateTime

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("accounts", schema=None) as batch_op:
        batch_op.add_column(sa.Column("emails", Json, server_default=sa.text("'[]'"), nullable=False))
        batch_op.add_column(sa.Column("language", sa.String(length=16), server_default="en", nullable=False))
        batch_op.add_column(sa.Column("vip", sa.Boolean(), server_default=sa.false(), nullable=False))
    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.add_column(sa.Column("sla_escalate_at", UtcDateTime(), nullable=True))
        batch_op.create_index(batch_op.f("ix_cases_sla_escalate_at"), ["sla_escalate_at"], unique=False)
    # Running clocks below the top level are due for a look at their old due time; the first escalation
    # pass raises what is breached and moves every one of them to its real next threshold.
    op.execute("UPDATE cases SET sla_escalate_at = sla_due_at WHERE sla_due_at IS NOT NULL AND escalation_level < 3")
    op.create_table(
        "meta",
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("value", sa.String(length=200), nullable=False),
        sa.Column("updated_at", UtcDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_meta")),
    )


def downgrade() -> None:
    op.drop_table("meta")
    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_cases_sla_escalate_at"))
        batch_op.drop_column("sla_escalate_at")
    with op.batch_alter_table("accounts", schema=None) as batch_op:
        batch_op.drop_column("vip")
        batch_op.drop_column("language")
        batch_op.drop_column("emails")
