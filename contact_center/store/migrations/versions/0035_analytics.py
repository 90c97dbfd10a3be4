"""analytics: the forecast kept a day at a time, and the indexes the analytics pages read by

Revision ID: 0035
Revises: 0034
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0035"
down_revision = "0034"
branch_labels = None
depends_on = None

# Each holds what its query reads besides the range (covering): a year of rows is read from the index alone.
INDEXES = (
    ("ix_cases_created", "cases", ["created_at"]),
    ("ix_cases_resolved", "cases", ["resolved_at", "sla_target_minutes", "sla_used_seconds"]),
    ("ix_leads_created", "leads", ["created_at", "source", "rating", "status", "customer_id"]),
    ("ix_opportunities_closed", "opportunities", ["closed_at", "stage", "amount_cents"]),
    ("ix_opportunities_created", "opportunities", ["created_at", "stage", "amount_cents"]),
    ("ix_opportunities_stage_close", "opportunities", ["stage", "expected_close", "amount_cents", "probability"]),
)


def upgrade() -> None:
    op.create_table(
        "forecast_snapshots",
        sa.Column("taken_on", sa.Date(), nullable=False),
        sa.Column("period", sa.String(length=7), nullable=False),
        sa.Column("deals", sa.Integer(), nullable=False),
        sa.Column("pipeline_cents", sa.BigInteger(), nullable=False),
        sa.Column("weighted_cents", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("taken_on", "period", name=op.f("pk_forecast_snapshots")),
    )
    for name, table, columns in INDEXES:
        op.create_index(name, table, columns, unique=False)
    op.create_index(  # the leads a check on entry flagged: few, read on their own
        "ix_leads_flagged",
        "leads",
        ["created_at", "source"],
        unique=False,
        sqlite_where=sa.text("json_array_length(checks) > 0"),
        postgresql_where=sa.text("jsonb_array_length(checks) > 0"),
    )


def downgrade() -> None:
    op.drop_index("ix_leads_flagged", table_name="leads")
    for name, table, _ in reversed(INDEXES):
        op.drop_index(name, table_name=table)
    op.drop_table("forecast_snapshots")
