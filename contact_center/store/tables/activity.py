"""The timeline: one append-only log of every interaction with a customer."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from contact_center.store.tables.base import Base, utcnow
from contact_center.store.types import BigId, Json, UtcDateTime

ACTIVITY_TYPES = (
    "call",
    "ivr",
    "note",
    "email",
    "meeting",
    "task",
    "dial_attempt",
    "voicemail",
    "callback",
    "sms",
    "chat",
    "case_change",
    "opportunity_change",
    "lead_change",
    "escalation",
    "warranty_claim",
    "appointment",
    "service_order",
)


class Activity(Base):
    """Never updated or deleted: corrections are new activities that refer to the old one."""

    __tablename__ = "activities"
    __table_args__ = (
        Index("ix_activities_customer_started", "customer_id", "started_at"),
        Index("ix_activities_account_started", "account_id", "started_at"),
    )
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    type: Mapped[str] = mapped_column(String(32))
    channel: Mapped[str] = mapped_column(String(16), default="phone")
    direction: Mapped[str | None] = mapped_column(String(16))
    subject: Mapped[str] = mapped_column(String(300), default="")
    customer_id: Mapped[int | None] = mapped_column(ForeignKey("customers.id", ondelete="SET NULL"))
    account_id: Mapped[int | None] = mapped_column(ForeignKey("accounts.id", ondelete="SET NULL"))
    agent_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    case_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id", ondelete="SET NULL"), index=True)
    opportunity_id: Mapped[int | None] = mapped_column(ForeignKey("opportunities.id", ondelete="SET NULL"))
    lead_id: Mapped[int | None] = mapped_column(ForeignKey("leads.id", ondelete="SET NULL"))
    interaction_id: Mapped[str | None] = mapped_column(String(64), index=True)
    queue: Mapped[str | None] = mapped_column(String(64))
    disposition: Mapped[str | None] = mapped_column(String(64))
    outcome: Mapped[str | None] = mapped_column(String(64))
    started_at: Mapped[dt.datetime] = mapped_column(UtcDateTime, default=utcnow)
    ended_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)
    details: Mapped[dict[str, Any]] = mapped_column(Json, default=dict)
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime, default=utcnow)


class Recording(Base):
    """A sound file the server recorded (a call or a voicemail), attached to the activity it wrote with it.

    Clients name a recording only through its activity; the path is the server's own and never comes
    from a request, so no request can make the server read a file it did not record.
    """

    __tablename__ = "recordings"
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    activity_id: Mapped[int] = mapped_column(ForeignKey("activities.id", ondelete="CASCADE"), unique=True)
    kind: Mapped[str] = mapped_column(String(16))  # "call" or "voicemail"
    path: Mapped[str] = mapped_column(String(1024))
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime, default=utcnow)
