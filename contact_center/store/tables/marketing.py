"""Marketing campaigns: what each cost, who responded, and (through the leads and deals they brought) what
they earned."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import BigInteger, Date, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from contact_center.store.tables.base import Base, Timestamps
from contact_center.store.types import UtcDateTime

MARKETING_CHANNELS = ("email", "phone", "event", "web", "print", "social", "other")
RESPONSE_KINDS = ("replied", "clicked", "registered", "attended", "called", "visited", "other")


class MarketingCampaign(Base, Timestamps):
    __tablename__ = "marketing_campaigns"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    channel: Mapped[str] = mapped_column(String(16))
    product_group: Mapped[str | None] = mapped_column(String(64))
    starts_on: Mapped[dt.date] = mapped_column(Date)
    ends_on: Mapped[dt.date | None] = mapped_column(Date)
    budget_cents: Mapped[int] = mapped_column(BigInteger, default=0)
    currency: Mapped[str] = mapped_column(String(3), default="USD")
    description: Mapped[str] = mapped_column(Text, default="")


class CampaignCost(Base):
    __tablename__ = "campaign_costs"
    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("marketing_campaigns.id", ondelete="CASCADE"), index=True)
    spent_on: Mapped[dt.date] = mapped_column(Date)
    amount_cents: Mapped[int] = mapped_column(BigInteger)
    note: Mapped[str] = mapped_column(String(300), default="")


class CampaignResponse(Base):
    """Someone answered the campaign (a reply, a click, a sign-up, a visit): a lead or a customer."""

    __tablename__ = "campaign_responses"
    __table_args__ = (Index("ix_campaign_responses_campaign", "campaign_id", "at"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("marketing_campaigns.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(16))
    lead_id: Mapped[int | None] = mapped_column(ForeignKey("leads.id", ondelete="SET NULL"))
    customer_id: Mapped[int | None] = mapped_column(ForeignKey("customers.id", ondelete="SET NULL"))
    at: Mapped[dt.datetime] = mapped_column(UtcDateTime)


class MarketingPlan(Base, Timestamps):
    """Targets for a period, a product group and a geography (both optional: all), with what is meant in words."""

    __tablename__ = "marketing_plans"
    id: Mapped[int] = mapped_column(primary_key=True)
    period_start: Mapped[dt.date] = mapped_column(Date)
    period_end: Mapped[dt.date] = mapped_column(Date)
    product_group: Mapped[str | None] = mapped_column(String(64))
    geography: Mapped[str | None] = mapped_column(String(2))  # a customer's country (ISO 3166 alpha-2)
    target_leads: Mapped[int] = mapped_column(Integer, default=0)
    target_revenue_cents: Mapped[int] = mapped_column(BigInteger, default=0)
    currency: Mapped[str] = mapped_column(String(3), default="USD")
    notes: Mapped[str] = mapped_column(Text, default="")  # the qualitative part of the plan
