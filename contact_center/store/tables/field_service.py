"""Field service: technicians and their appointments, service orders with the parts they use, parts stock
per location, and preventive maintenance plans."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Boolean, CheckConstraint, Date, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from contact_center.store.tables.base import Base, Timestamps
from contact_center.store.types import Json, UtcDateTime

APPOINTMENT_STATUSES = ("booked", "cancelled", "done")
SERVICE_ORDER_STATUSES = ("open", "scheduled", "completed", "cancelled")
PART_STATES = ("reserved", "consumed", "released")


class Technician(Base, Timestamps):
    __tablename__ = "technicians"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    skills: Mapped[list[str]] = mapped_column(Json, default=list)
    territories: Mapped[list[str]] = mapped_column(Json, default=list)  # postal prefixes, cities, regions, countries
    calendar_id: Mapped[int | None] = mapped_column(ForeignKey("calendars.id", ondelete="SET NULL"))  # working hours
    home_location: Mapped[str] = mapped_column(String(64), default="")  # the stock location the van draws on
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class Appointment(Base, Timestamps):
    __tablename__ = "appointments"
    __table_args__ = (
        Index("ix_appointments_technician_start", "technician_id", "starts_at"),
        Index("ix_appointments_customer", "customer_id", "starts_at"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id", ondelete="CASCADE"))
    technician_id: Mapped[int] = mapped_column(ForeignKey("technicians.id", ondelete="RESTRICT"))
    case_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id", ondelete="SET NULL"))
    service_order_id: Mapped[int | None] = mapped_column(ForeignKey("service_orders.id", ondelete="SET NULL"))
    skill: Mapped[str] = mapped_column(String(64))
    starts_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    ends_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    status: Mapped[str] = mapped_column(String(16), default="booked")
    booked_by: Mapped[str] = mapped_column(String(100), default="")  # a username, or "portal"
    # Within the visits the customer's contract includes this contract year (else the visit is charged).
    included_by_contract_id: Mapped[int | None] = mapped_column(
        ForeignKey("service_contracts.id", ondelete="SET NULL", name="fk_appointments_included_contract")
    )
    notes: Mapped[str] = mapped_column(Text, default="")


class TechnicianQuarter(Base):
    """One quarter hour a technician is booked (domain/service/scheduling.GRID): the primary key makes an
    overlapping second booking fail to write, on every database and from every node."""

    __tablename__ = "technician_quarters"
    technician_id: Mapped[int] = mapped_column(ForeignKey("technicians.id", ondelete="CASCADE"), primary_key=True)
    starts_at: Mapped[dt.datetime] = mapped_column(UtcDateTime, primary_key=True)
    appointment_id: Mapped[int] = mapped_column(ForeignKey("appointments.id", ondelete="CASCADE"), index=True)


class ServiceOrder(Base, Timestamps):
    """Work to do for a customer, from a case or a maintenance plan: a visit, parts, labour booked."""

    __tablename__ = "service_orders"
    __table_args__ = (Index("ix_service_orders_customer", "customer_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id", ondelete="CASCADE"))
    case_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id", ondelete="SET NULL"), index=True)
    equipment_id: Mapped[int | None] = mapped_column(ForeignKey("equipment.id", ondelete="SET NULL"))
    plan_id: Mapped[int | None] = mapped_column(ForeignKey("maintenance_plans.id", ondelete="SET NULL"))
    work: Mapped[str] = mapped_column(Text)
    skill: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(16), default="open")
    due_on: Mapped[dt.date | None] = mapped_column(Date)
    labour_minutes: Mapped[int] = mapped_column(Integer, default=0)
    completed_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)
    created_by: Mapped[str] = mapped_column(String(100), default="")


class ServiceOrderPart(Base):
    __tablename__ = "service_order_parts"
    __table_args__ = (CheckConstraint("quantity > 0", name="quantity"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    service_order_id: Mapped[int] = mapped_column(ForeignKey("service_orders.id", ondelete="CASCADE"), index=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id", ondelete="RESTRICT"))
    location: Mapped[str] = mapped_column(String(64))
    quantity: Mapped[int] = mapped_column(Integer)
    state: Mapped[str] = mapped_column(String(16), default="reserved")


class StockLevel(Base):
    """Parts at a location (a warehouse, a van): on hand, and how many of those orders have reserved."""

    __tablename__ = "stock_levels"
    __table_args__ = (CheckConstraint("reserved >= 0 AND reserved <= on_hand", name="reserved"),)
    location: Mapped[str] = mapped_column(String(64), primary_key=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id", ondelete="CASCADE"), primary_key=True)
    on_hand: Mapped[int] = mapped_column(Integer, default=0)
    reserved: Mapped[int] = mapped_column(Integer, default=0)


class MaintenancePlan(Base, Timestamps):
    """Preventive maintenance: a service order for this work every so many months, made ahead of its date."""

    __tablename__ = "maintenance_plans"
    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id", ondelete="CASCADE"), index=True)
    contract_id: Mapped[int | None] = mapped_column(ForeignKey("service_contracts.id", ondelete="CASCADE"))
    equipment_id: Mapped[int | None] = mapped_column(ForeignKey("equipment.id", ondelete="CASCADE"))
    work: Mapped[str] = mapped_column(Text)
    skill: Mapped[str] = mapped_column(String(64))
    every_months: Mapped[int] = mapped_column(Integer)
    next_due_on: Mapped[dt.date] = mapped_column(Date)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
