"""the renewal opportunity made for a service contract before it ends

Revision ID: 0025
Revises: 0024
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0025"
down_revision = "0024"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("service_contracts", schema=None) as batch_op:
        batch_op.add_column(sa.Column("renewal_opportunity_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            "fk_service_contracts_renewal_opportunity",
            "opportunities",
            ["renewal_opportunity_id"],
            ["id"],
            ondelete="SET NULL",
        )


def downgrade() -> None:
    with op.batch_alter_table("service_contracts", schema=None) as batch_op:
        batch_op.drop_constraint("fk_service_contracts_renewal_opportunity", type_="foreignkey")
        batch_op.drop_column("renewal_opportunity_id")
