"""Customers (people), accounts (companies) and the phone numbers that find them."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Boolean, CheckConstraint, ForeignKey, Index, String, false, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from contact_center.store.tables.base import Base, Timestamps
from contact_center.store.types import Json


class Account(Base, Timestamps):
    __tablename__ = "accounts"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), index=True)
    industry: Mapped[str] = mapped_column(String(100), default="")
    website: Mapped[str] = mapped_column(String(200), default="")
    segment: Mapped[str] = mapped_column(String(32), default="standard")
    timezone: Mapped[str | None] = mapped_column(String(64))
    address: Mapped[dict[str, Any]] = mapped_column(Json, default=dict)
    tags: Mapped[list[str]] = mapped_column(Json, default=list)
    # Added in 0003; the server defaults fill rows written by plain SQL (bulk loads) and older rows.
    emails: Mapped[list[str]] = mapped_column(Json, default=list, server_default=text("'[]'"))
    language: Mapped[str] = mapped_column(String(16), default="en", server_default="en")
    vip: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    phones: Mapped[list[Phone]] = relationship(
        back_populates="account", lazy="raise", cascade="all, delete-orphan", order_by="Phone.id"
    )


class Customer(Base, Timestamps):
    __tablename__ = "customers"
    __table_args__ = (Index("ix_customers_name", "last_name", "first_name"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    first_name: Mapped[str] = mapped_column(String(100))
    last_name: Mapped[str] = mapped_column(String(100))
    account_id: Mapped[int | None] = mapped_column(ForeignKey("accounts.id", ondelete="SET NULL"), index=True)
    emails: Mapped[list[str]] = mapped_column(Json, default=list)
    address: Mapped[dict[str, Any]] = mapped_column(Json, default=dict)
    country: Mapped[str | None] = mapped_column(String(2))
    timezone: Mapped[str | None] = mapped_column(String(64))
    language: Mapped[str] = mapped_column(String(16), default="en")
    tags: Mapped[list[str]] = mapped_column(Json, default=list)
    vip: Mapped[bool] = mapped_column(Boolean, default=False)
    segment: Mapped[str] = mapped_column(String(32), default="standard")
    account_manager_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    phones: Mapped[list[Phone]] = relationship(
        back_populates="customer", lazy="raise", cascade="all, delete-orphan", order_by="Phone.id"
    )


class Phone(Base):
    """A number in E.164, belonging to a customer or an account; the index behind caller lookup."""

    __tablename__ = "phones"
    __table_args__ = (
        CheckConstraint("customer_id IS NOT NULL OR account_id IS NOT NULL", name="has_owner"),
        Index("ix_phones_e164", "e164"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    e164: Mapped[str] = mapped_column(String(20))
    kind: Mapped[str] = mapped_column(String(16), default="mobile")
    customer_id: Mapped[int | None] = mapped_column(ForeignKey("customers.id", ondelete="CASCADE"), index=True)
    account_id: Mapped[int | None] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"), index=True)
    customer: Mapped[Customer | None] = relationship(back_populates="phones", lazy="raise")
    account: Mapped[Account | None] = relationship(back_populates="phones", lazy="raise")

    @property
    def number(self) -> str:
        """The number as the API accepts it (``{"number": …}``), so an output phone is valid input again."""
        return self.e164
