"""Sales: leads, opportunities, and the orders the IVR reports on."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import BigInteger, Date, ForeignKey, Index, Integer, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from contact_center.store.tables.base import Base, Timestamps
from contact_center.store.types import Json, UtcDateTime

LEAD_STATUSES = ("new", "contacted", "qualified", "disqualified", "converted")
LEAD_RATINGS = ("hot", "warm", "cold")
OPPORTUNITY_STAGES = ("prospecting", "qualification", "proposal", "negotiation", "won", "lost")
ORDER_STATUSES = ("pending", "processing", "shipped", "delivered", "cancelled", "returned")


class Lead(Base, Timestamps):
    __tablename__ = "leads"
    # The analytics read leads by when they came: the covering index holds what they count, the partial one
    # the few a check on entry flagged (its condition is crm/analytics.py's, word for word).
    __table_args__ = (
        Index("ix_leads_created", "created_at", "source", "rating", "status", "customer_id"),
        Index(
            "ix_leads_flagged",
            "created_at",
            "source",
            sqlite_where=text("json_array_length(checks) > 0"),
            postgresql_where=text("jsonb_array_length(checks) > 0"),
        ),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    first_name: Mapped[str] = mapped_column(String(100), default="")
    last_name: Mapped[str] = mapped_column(String(100))
    company: Mapped[str] = mapped_column(String(200), default="")
    email: Mapped[str | None] = mapped_column(String(200))
    phone: Mapped[str | None] = mapped_column(String(20), index=True)
    source: Mapped[str] = mapped_column(String(64), default="web")
    score: Mapped[int] = mapped_column(Integer, default=0)
    rating: Mapped[str] = mapped_column(String(8), default="cold")
    status: Mapped[str] = mapped_column(String(16), default="new")
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    customer_id: Mapped[int | None] = mapped_column(ForeignKey("customers.id", ondelete="SET NULL"))
    notes: Mapped[str] = mapped_column(Text, default="")
    campaign_id: Mapped[int | None] = mapped_column(  # the marketing campaign that brought the lead
        ForeignKey("marketing_campaigns.id", ondelete="SET NULL", name="fk_leads_campaign"), index=True
    )
    # What the checks on entry found ([{"code", "reason"}]): kept with the lead, never a reason to drop it.
    checks: Mapped[list[dict[str, str]]] = mapped_column(Json, default=list)


class Opportunity(Base, Timestamps):
    __tablename__ = "opportunities"
    __table_args__ = (
        Index("ix_opportunities_customer_stage", "customer_id", "stage"),
        # The analytics: deals by when they were opened, won deals by when they closed, open deals by when they
        # are expected to close; each with what its query sums, so a year of deals is read from the index.
        Index("ix_opportunities_created", "created_at", "stage", "amount_cents"),
        Index("ix_opportunities_closed", "closed_at", "stage", "amount_cents"),
        Index("ix_opportunities_stage_close", "stage", "expected_close", "amount_cents", "probability"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    customer_id: Mapped[int | None] = mapped_column(ForeignKey("customers.id", ondelete="SET NULL"))
    account_id: Mapped[int | None] = mapped_column(ForeignKey("accounts.id", ondelete="SET NULL"), index=True)
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    stage: Mapped[str] = mapped_column(String(20), default="prospecting")
    amount_cents: Mapped[int] = mapped_column(BigInteger, default=0)
    currency: Mapped[str] = mapped_column(String(3), default="USD")
    probability: Mapped[int] = mapped_column(Integer, default=10)
    expected_close: Mapped[dt.date | None] = mapped_column(Date)
    products: Mapped[list[Any]] = mapped_column(Json, default=list)
    # The day its owner was last told it is stalled (services/sales/watch.py); not a touch of the deal.
    stalled_told_on: Mapped[dt.date | None] = mapped_column(Date)
    closed_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)
    campaign_id: Mapped[int | None] = mapped_column(  # from the lead it was converted from
        ForeignKey("marketing_campaigns.id", ondelete="SET NULL", name="fk_opportunities_campaign"), index=True
    )


class Order(Base, Timestamps):
    __tablename__ = "orders"
    __table_args__ = (Index("ix_orders_customer_placed", "customer_id", "placed_at"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(32), unique=True)
    customer_id: Mapped[int | None] = mapped_column(ForeignKey("customers.id", ondelete="SET NULL"))
    status: Mapped[str] = mapped_column(String(16), default="pending")
    items: Mapped[list[Any]] = mapped_column(Json, default=list)
    total_cents: Mapped[int] = mapped_column(BigInteger, default=0)
    currency: Mapped[str] = mapped_column(String(3), default="USD")
    placed_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    shipped_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)
    delivered_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)
    carrier: Mapped[str | None] = mapped_column(String(64))
    tracking_number: Mapped[str | None] = mapped_column(String(64))
    notes: Mapped[str] = mapped_column(Text, default="")
