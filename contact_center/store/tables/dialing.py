"""Dialing lists: the numbers a campaign calls, one row each, with where each stands."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from contact_center.store.tables.base import Base, utcnow
from contact_center.store.types import BigId, Json, UtcDateTime

RECORD_STATUSES = ("new", "dialing", "retry", "done", "dnc", "failed")


class DialingRecord(Base):
    __tablename__ = "dialing_records"
    __table_args__ = (
        UniqueConstraint("campaign_id", "number"),  # one row per number and campaign: lists are de-duplicated
        Index("ix_dialing_records_next", "campaign_id", "status", "next_at"),
    )
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id", ondelete="CASCADE"))
    number: Mapped[str] = mapped_column(String(20))  # E.164
    first_name: Mapped[str] = mapped_column(String(100), default="")
    last_name: Mapped[str] = mapped_column(String(100), default="")
    customer_id: Mapped[int | None] = mapped_column(ForeignKey("customers.id", ondelete="SET NULL"))
    status: Mapped[str] = mapped_column(String(16), default="new")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)
    data: Mapped[dict[str, Any]] = mapped_column(Json, default=dict)  # the list's other columns
    priority: Mapped[int] = mapped_column(Integer, default=0, server_default="0")  # higher is dialled first
    source: Mapped[str] = mapped_column(String(300), default="")  # FILE:LINE it came from
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime, default=utcnow)


class DialingAttempt(Base):
    """One attempt at a record: what the customer's phone did, and the disposition when they answered."""

    __tablename__ = "dialing_attempts"
    __table_args__ = (Index("ix_dialing_attempts_record", "record_id"), Index("ix_dialing_attempts_at", "at"))
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    record_id: Mapped[int] = mapped_column(BigId, ForeignKey("dialing_records.id", ondelete="CASCADE"))
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id", ondelete="CASCADE"))
    call_id: Mapped[str] = mapped_column(String(128))
    agent_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    at: Mapped[dt.datetime] = mapped_column(UtcDateTime, default=utcnow)
    result: Mapped[str] = mapped_column(String(32), default="dialing")
    disposition: Mapped[str | None] = mapped_column(String(64))


class DncNumber(Base):
    """A number nobody may call: set by a disposition, by hand, or from an imported do-not-call file."""

    __tablename__ = "dnc_numbers"
    number: Mapped[str] = mapped_column(String(20), primary_key=True)  # E.164
    reason: Mapped[str] = mapped_column(String(200), default="")
    source: Mapped[str] = mapped_column(String(300), default="")  # disposition, manual, or FILE:LINE
    added_by: Mapped[str] = mapped_column(String(100), default="")
    added_at: Mapped[dt.datetime] = mapped_column(UtcDateTime, default=utcnow)
