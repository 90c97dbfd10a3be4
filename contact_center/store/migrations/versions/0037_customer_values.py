"""customer values: each customer's last twelve months, worked out once a day for the profitability table

Revision ID: 0037
Revises: 0036
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from contact_center.store.types import UtcDateTime

revision = "0037"
down_revision = "0036"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "customer_values",
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column("revenue_cents", sa.BigInteger(), nullable=False),
        sa.Column("orders", sa.Integer(), nullable=False),
        sa.Column("service_cost_cents", sa.BigInteger(), nullable=False),
        sa.Column("contact_cost_cents", sa.BigInteger(), nullable=False),
        sa.Column("calls", sa.Integer(), nullable=False),
        sa.Column("profit_cents", sa.BigInteger(), nullable=False),
        sa.Column("computed_at", UtcDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["customer_id"], ["customers.id"], name=op.f("fk_customer_values_customer_id_customers"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("customer_id", name=op.f("pk_customer_values")),
    )
    op.create_index(op.f("ix_customer_values_profit_cents"), "customer_values", ["profit_cents"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_customer_values_profit_cents"), table_name="customer_values")
    op.drop_table("customer_values")
