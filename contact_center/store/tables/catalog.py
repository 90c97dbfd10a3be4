"""What is sold and how it is quoted: products, and quotes that become sales orders."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import BigInteger, Boolean, Date, ForeignKey, Integer, Numeric, String, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column

from contact_center.store.tables.base import Base, Timestamps
from contact_center.store.types import Json

QUOTE_STATUSES = ("draft", "accepted", "rejected")


class Product(Base, Timestamps):
    __tablename__ = "products"
    id: Mapped[int] = mapped_column(primary_key=True)
    sku: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    group: Mapped[str] = mapped_column(String(64), default="general")  # product group (forecasts, plans)
    price_cents: Mapped[int] = mapped_column(BigInteger, default=0)
    currency: Mapped[str] = mapped_column(String(3), default="USD")
    warranty_months: Mapped[int] = mapped_column(Integer, default=0)  # equipment of this model: parts covered so long
    warranty_labour_months: Mapped[int] = mapped_column(Integer, default=0, server_default="0")  # ... and labour
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    # Configuration rules when quoted (domain/sales/pricing.Rules): {"requires": [sku], "excludes": [sku],
    # "min_quantity": n, "max_quantity": n}.
    rules: Mapped[dict[str, Any]] = mapped_column(Json, default=dict, server_default=text("'{}'"))


class PriceList(Base, Timestamps):
    """Unit prices in one currency, for one customer segment or (segment NULL) for every segment."""

    __tablename__ = "price_lists"
    __table_args__ = (UniqueConstraint("currency", "segment", name="currency_segment"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    currency: Mapped[str] = mapped_column(String(3))
    segment: Mapped[str | None] = mapped_column(String(32))


class PriceListItem(Base):
    __tablename__ = "price_list_items"
    price_list_id: Mapped[int] = mapped_column(ForeignKey("price_lists.id", ondelete="CASCADE"), primary_key=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id", ondelete="CASCADE"), primary_key=True)
    price_cents: Mapped[int] = mapped_column(BigInteger)


class Quote(Base, Timestamps):
    """A priced offer on an opportunity; ``lines`` keep each product's name and price as quoted."""

    __tablename__ = "quotes"
    id: Mapped[int] = mapped_column(primary_key=True)
    opportunity_id: Mapped[int] = mapped_column(ForeignKey("opportunities.id", ondelete="CASCADE"), index=True)
    customer_id: Mapped[int | None] = mapped_column(ForeignKey("customers.id", ondelete="SET NULL"))
    status: Mapped[str] = mapped_column(String(16), default="draft")
    currency: Mapped[str] = mapped_column(String(3), default="USD")
    lines: Mapped[list[Any]] = mapped_column(Json, default=list)
    discount_percent: Mapped[float] = mapped_column(Numeric(5, 2, asdecimal=False), default=0.0)
    subtotal_cents: Mapped[int] = mapped_column(BigInteger, default=0)
    total_cents: Mapped[int] = mapped_column(BigInteger, default=0)
    valid_until: Mapped[dt.date | None] = mapped_column(Date)
    order_id: Mapped[int | None] = mapped_column(ForeignKey("orders.id", ondelete="SET NULL"))
    # A revised quote is a new row: version n + 1 naming the one it revises, which is then "superseded".
    version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    revises_id: Mapped[int | None] = mapped_column(
        ForeignKey("quotes.id", ondelete="SET NULL", name="fk_quotes_revises")
    )
