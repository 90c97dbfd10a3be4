"""segments, campaign target lists, e-mail opt-outs, and the e-mail a campaign sends

Revision ID: 0036
Revises: 0035
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from contact_center.store.types import BigId, Json, UtcDateTime

revision = "0036"
down_revision = "0035"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "segments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("filter", Json, nullable=False),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.Column("updated_at", UtcDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_segments")),
        sa.UniqueConstraint("name", name=op.f("uq_segments_name")),
    )
    op.create_table(
        "email_opt_outs",
        sa.Column("email", sa.String(length=200), nullable=False),
        sa.Column("at", UtcDateTime(), nullable=False),
        sa.Column("campaign_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["campaign_id"],
            ["marketing_campaigns.id"],
            name=op.f("fk_email_opt_outs_campaign_id_marketing_campaigns"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("email", name=op.f("pk_email_opt_outs")),
    )
    op.create_table(
        "campaign_targets",
        sa.Column("id", BigId, nullable=False),
        sa.Column("campaign_id", sa.Integer(), nullable=False),
        sa.Column("member", sa.String(length=32), nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=True),
        sa.Column("lead_id", sa.Integer(), nullable=True),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("email", sa.String(length=200), nullable=True),
        sa.Column("phone", sa.String(length=20), nullable=True),
        sa.Column("mail_status", sa.String(length=16), nullable=False),
        sa.Column("mailed_at", UtcDateTime(), nullable=True),
        sa.Column("mail_error", sa.String(length=300), nullable=True),
        sa.ForeignKeyConstraint(
            ["campaign_id"],
            ["marketing_campaigns.id"],
            name=op.f("fk_campaign_targets_campaign_id_marketing_campaigns"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["customer_id"],
            ["customers.id"],
            name=op.f("fk_campaign_targets_customer_id_customers"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["lead_id"], ["leads.id"], name=op.f("fk_campaign_targets_lead_id_leads"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_campaign_targets")),
        sa.UniqueConstraint("campaign_id", "member", name=op.f("uq_campaign_targets_campaign_id_member")),
    )
    op.create_index("ix_campaign_targets_mail", "campaign_targets", ["campaign_id", "mail_status"], unique=False)
    with op.batch_alter_table("marketing_campaigns") as batch:
        batch.add_column(sa.Column("mail_subject", sa.String(length=200), nullable=True))
        batch.add_column(sa.Column("mail_body", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("marketing_campaigns") as batch:
        batch.drop_column("mail_body")
        batch.drop_column("mail_subject")
    op.drop_index("ix_campaign_targets_mail", table_name="campaign_targets")
    op.drop_table("campaign_targets")
    op.drop_table("email_opt_outs")
    op.drop_table("segments")
