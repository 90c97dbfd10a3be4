"""the customer portal's one-time sign-in links and sessions

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from contact_center.store.types import UtcDateTime

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "portal_links",
        sa.Column("token_digest", sa.String(length=64), nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column("email", sa.String(length=200), nullable=False),
        sa.Column("expires_at", UtcDateTime(), nullable=False),
        sa.Column("used_at", UtcDateTime(), nullable=True),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["customer_id"], ["customers.id"], name=op.f("fk_portal_links_customer_id_customers"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("token_digest", name=op.f("pk_portal_links")),
    )
    op.create_index(op.f("ix_portal_links_customer_id"), "portal_links", ["customer_id"], unique=False)
    op.create_table(
        "portal_sessions",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column("expires_at", UtcDateTime(), nullable=False),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["customer_id"],
            ["customers.id"],
            name=op.f("fk_portal_sessions_customer_id_customers"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_portal_sessions")),
    )
    op.create_index(op.f("ix_portal_sessions_customer_id"), "portal_sessions", ["customer_id"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_portal_sessions_customer_id"), table_name="portal_sessions")
    op.drop_table("portal_sessions")
    op.drop_index(op.f("ix_portal_links_customer_id"), table_name="portal_links")
    op.drop_table("portal_links")
