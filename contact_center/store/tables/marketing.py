"""Marketing campaigns: what each cost, who responded, and (through the leads and deals they brought) what
they earned."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import BigInteger, Date, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from contact_center.store.tables.base import Base, Timestamps
from contact_center.store.types import BigId, Json, UtcDateTime

MARKETING_CHANNELS = ("email", "phone", "event", "web", "print", "social", "other")
RESPONSE_KINDS = ("replied", "clicked", "registered", "attended", "called", "visited", "other")
SEGMENT_KINDS = ("customers", "leads")
MAIL_STATUSES = ("listed", "queued", "sent", "failed", "opted_out")


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
    # The e-mail its target list is sent (channel email), once written; sent to each target once.
    mail_subject: Mapped[str | None] = mapped_column(String(200))
    mail_body: Mapped[str | None] = mapped_column(Text)


class Segment(Base, Timestamps):
    """A saved filter over customers or leads (``crm/segments.py`` says which fields it may hold)."""

    __tablename__ = "segments"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    kind: Mapped[str] = mapped_column(String(16))  # customers | leads
    filter: Mapped[dict[str, Any]] = mapped_column(Json, default=dict)


class CampaignTarget(Base):
    """One person on a campaign's target list (taken from a segment when the list was made), and what the
    campaign did with them: e-mailed, put on a dialer list, or left out because they opted out."""

    __tablename__ = "campaign_targets"
    __table_args__ = (
        UniqueConstraint("campaign_id", "member"),  # each person once per campaign
        Index("ix_campaign_targets_mail", "campaign_id", "mail_status"),
    )
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("marketing_campaigns.id", ondelete="CASCADE"))
    member: Mapped[str] = mapped_column(String(32))  # customer:12 | lead:7
    customer_id: Mapped[int | None] = mapped_column(ForeignKey("customers.id", ondelete="CASCADE"))
    lead_id: Mapped[int | None] = mapped_column(ForeignKey("leads.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(200), default="")
    email: Mapped[str | None] = mapped_column(String(200))
    phone: Mapped[str | None] = mapped_column(String(20))  # E.164
    # listed -> queued -> sent | failed | opted_out (an address that asked for no more e-mail is never sent one)
    mail_status: Mapped[str] = mapped_column(String(16), default="listed")
    mailed_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)
    mail_error: Mapped[str | None] = mapped_column(String(300))


class EmailOptOut(Base):
    """An address that asked for no more marketing e-mail (its unsubscribe link): honoured by every campaign."""

    __tablename__ = "email_opt_outs"
    email: Mapped[str] = mapped_column(String(200), primary_key=True)  # lower-case
    at: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    campaign_id: Mapped[int | None] = mapped_column(ForeignKey("marketing_campaigns.id", ondelete="SET NULL"))


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
