"""The installed base: each customer's equipment, and the service contracts that cover it."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import BigInteger, Column, Date, ForeignKey, Index, Integer, String, Table, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from contact_center.domain.service.entitlements import serial_digits
from contact_center.store.tables.base import Base, Timestamps


def _digits_of_serial(context: Any) -> str:
    return serial_digits(str(context.get_current_parameters().get("serial") or ""))


class Equipment(Base, Timestamps):
    __tablename__ = "equipment"
    __table_args__ = (UniqueConstraint("model", "serial"),)  # a serial number is unique within its model
    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id", ondelete="CASCADE"), index=True)
    product_id: Mapped[int | None] = mapped_column(ForeignKey("products.id", ondelete="SET NULL"))
    model: Mapped[str] = mapped_column(String(100))
    serial: Mapped[str] = mapped_column(String(100))
    # Kept by the database layer from ``serial`` (the IVR finds a piece by the digits a caller keys).
    serial_digits: Mapped[str] = mapped_column(
        String(100), default=_digits_of_serial, onupdate=_digits_of_serial, index=True
    )
    installed_on: Mapped[dt.date | None] = mapped_column(Date)
    location: Mapped[str] = mapped_column(String(200), default="")


contract_equipment = Table(
    "contract_equipment",
    Base.metadata,
    Column("contract_id", Integer, ForeignKey("service_contracts.id", ondelete="CASCADE"), primary_key=True),
    Column("equipment_id", Integer, ForeignKey("equipment.id", ondelete="CASCADE"), primary_key=True),
)


class ServiceContract(Base, Timestamps):
    __tablename__ = "service_contracts"
    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id", ondelete="CASCADE"), index=True)
    tier: Mapped[str] = mapped_column(String(32))
    starts_on: Mapped[dt.date] = mapped_column(Date)
    ends_on: Mapped[dt.date] = mapped_column(Date)
    # Made before the contract ends (crm/installed_base.open_renewals): sales works the renewal as a deal.
    renewal_opportunity_id: Mapped[int | None] = mapped_column(
        ForeignKey("opportunities.id", ondelete="SET NULL", name="fk_service_contracts_renewal_opportunity")
    )


class WarrantyClaim(Base, Timestamps):
    """A claim under a piece of equipment's warranty: what went wrong, and what the warranty covered that day."""

    __tablename__ = "warranty_claims"
    __table_args__ = (Index("ix_warranty_claims_equipment", "equipment_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    equipment_id: Mapped[int] = mapped_column(ForeignKey("equipment.id", ondelete="CASCADE"))
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id", ondelete="CASCADE"))
    case_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id", ondelete="SET NULL"))
    problem: Mapped[str] = mapped_column(Text)
    covers: Mapped[str] = mapped_column(String(20))  # parts | labour | parts_and_labour
    claimed_on: Mapped[dt.date] = mapped_column(Date)
    created_by: Mapped[str] = mapped_column(String(100), default="")


class ContractTier(Base, Timestamps):
    """What a level of service contract gives: response and resolution targets on its hours of cover (a
    calendar; none: around the clock), technician visits included each contract year, its yearly price."""

    __tablename__ = "contract_tiers"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(32), unique=True)
    response_hours: Mapped[int] = mapped_column(Integer)
    resolution_hours: Mapped[int] = mapped_column(Integer)
    visits_per_year: Mapped[int] = mapped_column(Integer, default=0)
    calendar_id: Mapped[int | None] = mapped_column(ForeignKey("calendars.id", ondelete="SET NULL"))
    price_cents: Mapped[int] = mapped_column(BigInteger, default=0)
    currency: Mapped[str] = mapped_column(String(3), default="USD")
