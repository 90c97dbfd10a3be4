"""dialing attempts (each record's history) and the do-not-call list

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from contact_center.store.types import BigId, UtcDateTime

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "dialing_attempts",
        sa.Column("id", BigId, nullable=False),
        sa.Column("record_id", BigId, nullable=False),
        sa.Column("campaign_id", sa.Integer(), nullable=False),
        sa.Column("call_id", sa.String(length=128), nullable=False),
        sa.Column("agent_id", sa.Integer(), nullable=True),
        sa.Column("at", UtcDateTime(), nullable=False),
        sa.Column("result", sa.String(length=32), nullable=False),
        sa.Column("disposition", sa.String(length=64), nullable=True),
        sa.ForeignKeyConstraint(
            ["record_id"],
            ["dialing_records.id"],
            name=op.f("fk_dialing_attempts_record_id_dialing_records"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["campaign_id"],
            ["campaigns.id"],
            name=op.f("fk_dialing_attempts_campaign_id_campaigns"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["agent_id"], ["users.id"], name=op.f("fk_dialing_attempts_agent_id_users"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_dialing_attempts")),
    )
    op.create_index("ix_dialing_attempts_record", "dialing_attempts", ["record_id"], unique=False)
    op.create_index("ix_dialing_attempts_at", "dialing_attempts", ["at"], unique=False)
    op.create_table(
        "dnc_numbers",
        sa.Column("number", sa.String(length=20), nullable=False),
        sa.Column("reason", sa.String(length=200), nullable=False),
        sa.Column("source", sa.String(length=300), nullable=False),
        sa.Column("added_by", sa.String(length=100), nullable=False),
        sa.Column("added_at", UtcDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("number", name=op.f("pk_dnc_numbers")),
    )


def downgrade() -> None:
    op.drop_table("dnc_numbers")
    op.drop_index("ix_dialing_attempts_at", table_name="dialing_attempts")
    op.drop_index("ix_dialing_attempts_record", table_name="dialing_attempts")
    op.drop_table("dialing_attempts")
