"""Callbacks promised for a time: an agent scheduled one at wrap-up, or an attempt found nobody home."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from contact_center.store.tables.base import Base, Timestamps
from contact_center.store.types import UtcDateTime

CALLBACK_STATUSES = ("scheduled", "queued", "done", "failed", "canceled")


class ScheduledCallback(Base, Timestamps):
    """``scheduled`` until due; ``queued`` while it waits in routing for an agent; then ``done`` (the customer
    answered), ``failed`` (no attempt left) or ``canceled``. A failed attempt moves ``due_at`` on."""

    __tablename__ = "scheduled_callbacks"
    __table_args__ = (Index("ix_scheduled_callbacks_status_due", "status", "due_at"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int | None] = mapped_column(ForeignKey("customers.id", ondelete="SET NULL"), index=True)
    number: Mapped[str] = mapped_column(String(32))
    queue: Mapped[str] = mapped_column(String(64), default="general")
    due_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    status: Mapped[str] = mapped_column(String(16), default="scheduled")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    max_attempts: Mapped[int] = mapped_column(Integer, default=3)
    agent_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))  # who should call
    interaction_id: Mapped[str | None] = mapped_column(String(64))  # the call it was promised on
    activity_id: Mapped[int | None] = mapped_column(ForeignKey("activities.id", ondelete="SET NULL"))
    last_result: Mapped[str | None] = mapped_column(String(64))
