"""marketing campaigns with their costs and responses; leads and deals name the campaign that brought them

Revision ID: 0032
Revises: 0031
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from contact_center.store.types import UtcDateTime

revision = "0032"
down_revision = "0031"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "marketing_campaigns",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("product_group", sa.String(length=64), nullable=True),
        sa.Column("starts_on", sa.Date(), nullable=False),
        sa.Column("ends_on", sa.Date(), nullable=True),
        sa.Column("budget_cents", sa.BigInteger(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.Column("updated_at", UtcDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_marketing_campaigns")),
        sa.UniqueConstraint("name", name=op.f("uq_marketing_campaigns_name")),
    )
    op.create_table(
        "campaign_costs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("campaign_id", sa.Integer(), nullable=False),
        sa.Column("spent_on", sa.Date(), nullable=False),
        sa.Column("amount_cents", sa.BigInteger(), nullable=False),
        sa.Column("note", sa.String(length=300), nullable=False),
        sa.ForeignKeyConstraint(
            ["campaign_id"],
            ["marketing_campaigns.id"],
            name=op.f("fk_campaign_costs_campaign_id_marketing_campaigns"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_campaign_costs")),
    )
    op.create_index(op.f("ix_campaign_costs_campaign_id"), "campaign_costs", ["campaign_id"], unique=False)
    op.create_table(
        "campaign_responses",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("campaign_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("lead_id", sa.Integer(), nullable=True),
        sa.Column("customer_id", sa.Integer(), nullable=True),
        sa.Column("at", UtcDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["campaign_id"],
            ["marketing_campaigns.id"],
            name=op.f("fk_campaign_responses_campaign_id_marketing_campaigns"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["customer_id"],
            ["customers.id"],
            name=op.f("fk_campaign_responses_customer_id_customers"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["lead_id"], ["leads.id"], name=op.f("fk_campaign_responses_lead_id_leads"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_campaign_responses")),
    )
    op.create_index("ix_campaign_responses_campaign", "campaign_responses", ["campaign_id", "at"], unique=False)
    for table in ("leads", "opportunities"):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column("campaign_id", sa.Integer(), nullable=True))
            batch_op.create_index(op.f(f"ix_{table}_campaign_id"), ["campaign_id"], unique=False)
            batch_op.create_foreign_key(
                f"fk_{table}_campaign", "marketing_campaigns", ["campaign_id"], ["id"], ondelete="SET NULL"
            )


def downgrade() -> None:
    for table in ("opportunities", "leads"):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_constraint(f"fk_{table}_campaign", type_="foreignkey")
            batch_op.drop_index(op.f(f"ix_{table}_campaign_id"))
            batch_op.drop_column("campaign_id")
    op.drop_index("ix_campaign_responses_campaign", table_name="campaign_responses")
    op.drop_table("campaign_responses")
    op.drop_index(op.f("ix_campaign_costs_campaign_id"), table_name="campaign_costs")
    op.drop_table("campaign_costs")
    op.drop_table("marketing_campaigns")
