"""contract tiers as records (hours of cover, targets, included visits, price), starting with the three the
code knew

Revision ID: 0033
Revises: 0032
Create Date: 2026-12-06
"""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from alembic import op

from contact_center.store.types import UtcDateTime

revision = "0033"
down_revision = "0032"
branch_labels = None
depends_on = None

# What basic, standard and premium meant in the code until now (domain/service/entitlements.TIERS then):
# existing contracts keep exactly these terms, around the clock, until an admin changes them.
STARTING = (("basic", 48, 120, 1), ("standard", 24, 72, 2), ("premium", 4, 24, 4))


def upgrade() -> None:
    tiers = op.create_table(
        "contract_tiers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=32), nullable=False),
        sa.Column("response_hours", sa.Integer(), nullable=False),
        sa.Column("resolution_hours", sa.Integer(), nullable=False),
        sa.Column("visits_per_year", sa.Integer(), nullable=False),
        sa.Column("calendar_id", sa.Integer(), nullable=True),
        sa.Column("price_cents", sa.BigInteger(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.Column("updated_at", UtcDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["calendar_id"], ["calendars.id"], name=op.f("fk_contract_tiers_calendar_id_calendars"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_contract_tiers")),
        sa.UniqueConstraint("name", name=op.f("uq_contract_tiers_name")),
    )
    now = dt.datetime.now(dt.UTC)
    op.bulk_insert(
        tiers,
        [
            {
                "name": name,
                "response_hours": response,
                "resolution_hours": resolution,
                "visits_per_year": visits,
                "calendar_id": None,
                "price_cents": 0,
                "currency": "USD",
                "created_at": now,
                "updated_at": now,
            }
            for name, response, resolution, visits in STARTING
        ],
    )


def downgrade() -> None:
    op.drop_table("contract_tiers")
