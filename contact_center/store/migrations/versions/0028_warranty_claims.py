"""warranty by parts and labour; claims recorded against equipment

Revision ID: 0028
Revises: 0027
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from contact_center.store.types import UtcDateTime

revision = "0028"
down_revision = "0027"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("products", schema=None) as batch_op:
        batch_op.add_column(sa.Column("warranty_labour_months", sa.Integer(), nullable=False, server_default="0"))
    op.execute("UPDATE products SET warranty_labour_months = warranty_months")  # what warranty_months meant so far
    op.create_table(
        "warranty_claims",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("equipment_id", sa.Integer(), sa.ForeignKey("equipment.id", ondelete="CASCADE"), nullable=False),
        sa.Column("customer_id", sa.Integer(), sa.ForeignKey("customers.id", ondelete="CASCADE"), nullable=False),
        sa.Column("case_id", sa.Integer(), sa.ForeignKey("cases.id", ondelete="SET NULL"), nullable=True),
        sa.Column("problem", sa.Text(), nullable=False),
        sa.Column("covers", sa.String(length=20), nullable=False),
        sa.Column("claimed_on", sa.Date(), nullable=False),
        sa.Column("created_by", sa.String(length=100), nullable=False, server_default=""),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.Column("updated_at", UtcDateTime(), nullable=False),
    )
    op.create_index("ix_warranty_claims_equipment", "warranty_claims", ["equipment_id"])


def downgrade() -> None:
    op.drop_index("ix_warranty_claims_equipment", table_name="warranty_claims")
    op.drop_table("warranty_claims")
    with op.batch_alter_table("products", schema=None) as batch_op:
        batch_op.drop_column("warranty_labour_months")
