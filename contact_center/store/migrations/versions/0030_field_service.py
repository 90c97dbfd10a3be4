"""field service: technicians, appointments (one row per booked quarter hour), service orders and their
parts, parts stock per location, maintenance plans

Revision ID: 0030
Revises: 0029
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from contact_center.store.types import Json, UtcDateTime

revision = "0030"
down_revision = "0029"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # The digits of each serial number, indexed: the IVR finds a piece by the digits a caller keys.
    with op.batch_alter_table("equipment", schema=None) as batch_op:
        batch_op.add_column(sa.Column("serial_digits", sa.String(length=100), nullable=False, server_default=""))
    equipment = sa.table(
        "equipment",
        sa.column("id", sa.Integer()),
        sa.column("serial", sa.String()),
        sa.column("serial_digits", sa.String()),
    )
    connection = op.get_bind()
    for row_id, serial in connection.execute(sa.select(equipment.c.id, equipment.c.serial)).all():
        digits = "".join(ch for ch in serial if ch.isdigit())
        connection.execute(equipment.update().where(equipment.c.id == row_id).values(serial_digits=digits))
    op.create_index(op.f("ix_equipment_serial_digits"), "equipment", ["serial_digits"], unique=False)
    op.create_table(
        "stock_levels",
        sa.Column("location", sa.String(length=64), nullable=False),
        sa.Column("product_id", sa.Integer(), nullable=False),
        sa.Column("on_hand", sa.Integer(), nullable=False),
        sa.Column("reserved", sa.Integer(), nullable=False),
        sa.CheckConstraint("reserved >= 0 AND reserved <= on_hand", name=op.f("ck_stock_levels_reserved")),
        sa.ForeignKeyConstraint(
            ["product_id"], ["products.id"], name=op.f("fk_stock_levels_product_id_products"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("location", "product_id", name=op.f("pk_stock_levels")),
    )
    op.create_table(
        "technicians",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("skills", Json, nullable=False),
        sa.Column("territories", Json, nullable=False),
        sa.Column("calendar_id", sa.Integer(), nullable=True),
        sa.Column("home_location", sa.String(length=64), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.Column("updated_at", UtcDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["calendar_id"], ["calendars.id"], name=op.f("fk_technicians_calendar_id_calendars"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_technicians_user_id_users"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_technicians")),
        sa.UniqueConstraint("name", name=op.f("uq_technicians_name")),
    )
    op.create_table(
        "maintenance_plans",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column("contract_id", sa.Integer(), nullable=True),
        sa.Column("equipment_id", sa.Integer(), nullable=True),
        sa.Column("work", sa.Text(), nullable=False),
        sa.Column("skill", sa.String(length=64), nullable=False),
        sa.Column("every_months", sa.Integer(), nullable=False),
        sa.Column("next_due_on", sa.Date(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.Column("updated_at", UtcDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["contract_id"],
            ["service_contracts.id"],
            name=op.f("fk_maintenance_plans_contract_id_service_contracts"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["customer_id"],
            ["customers.id"],
            name=op.f("fk_maintenance_plans_customer_id_customers"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["equipment_id"],
            ["equipment.id"],
            name=op.f("fk_maintenance_plans_equipment_id_equipment"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_maintenance_plans")),
    )
    op.create_index(op.f("ix_maintenance_plans_customer_id"), "maintenance_plans", ["customer_id"], unique=False)
    op.create_table(
        "service_orders",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=True),
        sa.Column("equipment_id", sa.Integer(), nullable=True),
        sa.Column("plan_id", sa.Integer(), nullable=True),
        sa.Column("work", sa.Text(), nullable=False),
        sa.Column("skill", sa.String(length=64), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=True),
        sa.Column("labour_minutes", sa.Integer(), nullable=False),
        sa.Column("completed_at", UtcDateTime(), nullable=True),
        sa.Column("created_by", sa.String(length=100), nullable=False),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.Column("updated_at", UtcDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"], ["cases.id"], name=op.f("fk_service_orders_case_id_cases"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["customer_id"], ["customers.id"], name=op.f("fk_service_orders_customer_id_customers"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["equipment_id"],
            ["equipment.id"],
            name=op.f("fk_service_orders_equipment_id_equipment"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["plan_id"],
            ["maintenance_plans.id"],
            name=op.f("fk_service_orders_plan_id_maintenance_plans"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_service_orders")),
    )
    op.create_index(op.f("ix_service_orders_case_id"), "service_orders", ["case_id"], unique=False)
    op.create_index("ix_service_orders_customer", "service_orders", ["customer_id"], unique=False)
    op.create_table(
        "appointments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column("technician_id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=True),
        sa.Column("service_order_id", sa.Integer(), nullable=True),
        sa.Column("skill", sa.String(length=64), nullable=False),
        sa.Column("starts_at", UtcDateTime(), nullable=False),
        sa.Column("ends_at", UtcDateTime(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("booked_by", sa.String(length=100), nullable=False),
        sa.Column("included_by_contract_id", sa.Integer(), nullable=True),
        sa.Column("notes", sa.Text(), nullable=False),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.Column("updated_at", UtcDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["included_by_contract_id"],
            ["service_contracts.id"],
            name="fk_appointments_included_contract",
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["case_id"], ["cases.id"], name=op.f("fk_appointments_case_id_cases"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["customer_id"], ["customers.id"], name=op.f("fk_appointments_customer_id_customers"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["service_order_id"],
            ["service_orders.id"],
            name=op.f("fk_appointments_service_order_id_service_orders"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["technician_id"],
            ["technicians.id"],
            name=op.f("fk_appointments_technician_id_technicians"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_appointments")),
    )
    op.create_index("ix_appointments_customer", "appointments", ["customer_id", "starts_at"], unique=False)
    op.create_index("ix_appointments_technician_start", "appointments", ["technician_id", "starts_at"], unique=False)
    op.create_table(
        "service_order_parts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("service_order_id", sa.Integer(), nullable=False),
        sa.Column("product_id", sa.Integer(), nullable=False),
        sa.Column("location", sa.String(length=64), nullable=False),
        sa.Column("quantity", sa.Integer(), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.CheckConstraint("quantity > 0", name=op.f("ck_service_order_parts_quantity")),
        sa.ForeignKeyConstraint(
            ["product_id"],
            ["products.id"],
            name=op.f("fk_service_order_parts_product_id_products"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["service_order_id"],
            ["service_orders.id"],
            name=op.f("fk_service_order_parts_service_order_id_service_orders"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_service_order_parts")),
    )
    op.create_index(
        op.f("ix_service_order_parts_service_order_id"), "service_order_parts", ["service_order_id"], unique=False
    )
    op.create_table(
        "technician_quarters",
        sa.Column("technician_id", sa.Integer(), nullable=False),
        sa.Column("starts_at", UtcDateTime(), nullable=False),
        sa.Column("appointment_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["appointment_id"],
            ["appointments.id"],
            name=op.f("fk_technician_quarters_appointment_id_appointments"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["technician_id"],
            ["technicians.id"],
            name=op.f("fk_technician_quarters_technician_id_technicians"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("technician_id", "starts_at", name=op.f("pk_technician_quarters")),
    )
    op.create_index(
        op.f("ix_technician_quarters_appointment_id"), "technician_quarters", ["appointment_id"], unique=False
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_equipment_serial_digits"), table_name="equipment")
    with op.batch_alter_table("equipment", schema=None) as batch_op:
        batch_op.drop_column("serial_digits")
    op.drop_table("technician_quarters")
    op.drop_table("service_order_parts")
    op.drop_table("appointments")
    op.drop_table("service_orders")
    op.drop_table("maintenance_plans")
    op.drop_table("technicians")
    op.drop_table("stock_levels")
