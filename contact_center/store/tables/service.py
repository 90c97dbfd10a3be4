"""Service: cases with SLA clocks, and the knowledge base."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from contact_center.store.tables.base import Base, Timestamps
from contact_center.store.types import Json, UtcDateTime

CASE_STATUSES = ("new", "open", "pending_customer", "resolved", "closed")
CASE_PRIORITIES = ("low", "normal", "high", "urgent")


class Case(Base, Timestamps):
    __tablename__ = "cases"
    __table_args__ = (
        Index("ix_cases_customer_status", "customer_id", "status"),
        # The analytics: cases by the day they were opened and the day they were resolved (with what tells whether
        # the SLA was met, so a year of cases is read from the index alone).
        Index("ix_cases_created", "created_at"),
        Index("ix_cases_resolved", "resolved_at", "sla_target_minutes", "sla_used_seconds"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[int | None] = mapped_column(Integer, unique=True)
    subject: Mapped[str] = mapped_column(String(300))
    description: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(20), default="new")
    priority: Mapped[str] = mapped_column(String(10), default="normal")
    category: Mapped[str] = mapped_column(String(64), default="general")
    customer_id: Mapped[int | None] = mapped_column(ForeignKey("customers.id", ondelete="SET NULL"))
    account_id: Mapped[int | None] = mapped_column(ForeignKey("accounts.id", ondelete="SET NULL"))
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    team_id: Mapped[int | None] = mapped_column(ForeignKey("teams.id", ondelete="SET NULL"), index=True)  # who works it
    calendar_id: Mapped[int | None] = mapped_column(ForeignKey("calendars.id", ondelete="SET NULL"))
    # SLA clock: business seconds used while running; running_since is NULL while paused or stopped.
    sla_target_minutes: Mapped[int | None] = mapped_column(Integer)
    sla_used_seconds: Mapped[int] = mapped_column(Integer, default=0)
    sla_running_since: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)
    sla_due_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime, index=True)
    # When the escalation level next rises (NULL while paused, stopped, at the top level or without a
    # target): the escalation pass reads only cases whose moment has come, so cases already escalated
    # and waiting for their next threshold never crowd out fresh breaches.
    sla_escalate_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime, index=True)
    escalation_level: Mapped[int] = mapped_column(Integer, default=0)
    first_responded_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)
    resolved_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)


class KbArticle(Base, Timestamps):
    """Full-text search lives beside it: an FTS5 table on SQLite, a tsvector index on PostgreSQL."""

    __tablename__ = "kb_articles"
    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text)
    category: Mapped[str] = mapped_column(String(64), default="general")
    tags: Mapped[list[str]] = mapped_column(Json, default=list)
    retired_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)  # kept for history, found no more
