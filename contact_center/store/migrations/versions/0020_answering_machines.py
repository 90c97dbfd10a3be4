"""what a campaign does when a machine answers, what it says to it, retry delays by outcome, and what a
disposition makes of a tele-sales lead

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from contact_center.store.types import Json

revision = "0020"
down_revision = "0019"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("campaigns", schema=None) as batch_op:
        batch_op.add_column(sa.Column("answering_machine", sa.String(length=16), nullable=False, server_default="off"))
        batch_op.add_column(sa.Column("machine_message", sa.Text(), nullable=False, server_default=""))
        batch_op.add_column(sa.Column("retry_minutes_by_outcome", Json, server_default=sa.text("'{}'"), nullable=False))

    with op.batch_alter_table("disposition_codes", schema=None) as batch_op:
        batch_op.add_column(sa.Column("lead_status", sa.String(length=16), nullable=True))
    codes = sa.table("disposition_codes", sa.column("code", sa.String), sa.column("lead_status", sa.String))
    for code, status in (
        ("sale", "converted"),
        ("callback_scheduled", "hot"),
        ("voicemail_left", "warm"),
        ("no_sale", "cold"),
    ):
        op.execute(codes.update().where(codes.c.code == code).values(lead_status=status))


def downgrade() -> None:
    with op.batch_alter_table("disposition_codes", schema=None) as batch_op:
        batch_op.drop_column("lead_status")
    with op.batch_alter_table("campaigns", schema=None) as batch_op:
        batch_op.drop_column("retry_minutes_by_outcome")
        batch_op.drop_column("machine_message")
        batch_op.drop_column("answering_machine")
