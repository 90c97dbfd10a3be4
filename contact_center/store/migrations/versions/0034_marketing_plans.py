"""marketing plans: targets per period, product group and geography

Revision ID: 0034
Revises: 0033
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from contact_center.store.types import UtcDateTime

revision = "0034"
down_revision = "0033"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "marketing_plans",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("period_start", sa.Date(), nullable=False),
        sa.Column("period_end", sa.Date(), nullable=False),
        sa.Column("product_group", sa.String(length=64), nullable=True),
        sa.Column("geography", sa.String(length=2), nullable=True),
        sa.Column("target_leads", sa.Integer(), nullable=False),
        sa.Column("target_revenue_cents", sa.BigInteger(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("notes", sa.Text(), nullable=False),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.Column("updated_at", UtcDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_marketing_plans")),
    )


def downgrade() -> None:
    op.drop_table("marketing_plans")
