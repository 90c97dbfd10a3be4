"""Who changed what in the configuration, and what supervisors did: append-only."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import Index, String
from sqlalchemy.orm import Mapped, mapped_column

from contact_center.store.tables.base import Base, utcnow
from contact_center.store.types import BigId, Json, UtcDateTime


class AuditEntry(Base):
    """One administrative change or supervisor action; ``before``/``after`` are the record as JSON
    (null when it did not exist before, or no longer exists after)."""

    __tablename__ = "audit_log"
    __table_args__ = (Index("ix_audit_log_at", "at"),)
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(UtcDateTime, default=utcnow)
    actor: Mapped[str] = mapped_column(String(100))  # a username, or "cli:<user@host>" for config apply
    action: Mapped[str] = mapped_column(String(64))  # e.g. queue.create, queue.change, queue.remove
    target: Mapped[str] = mapped_column(String(200))  # e.g. queue:billing
    before: Mapped[dict[str, Any] | None] = mapped_column(Json)
    after: Mapped[dict[str, Any] | None] = mapped_column(Json)
