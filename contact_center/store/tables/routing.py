"""The routing event log: every ACD event in order, so metrics survive restarts and drill down to calls."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import Float, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from contact_center.store.tables.base import Base
from contact_center.store.types import BigId, Json, UtcDateTime


class AcdEventRow(Base):
    __tablename__ = "acd_events"
    __table_args__ = (Index("ix_acd_events_at", "at_seconds"), Index("ix_acd_events_call", "call_id"))
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    at_seconds: Mapped[float] = mapped_column(Float)
    kind: Mapped[str] = mapped_column(String(40))
    call_id: Mapped[str | None] = mapped_column(String(64))
    agent_id: Mapped[str | None] = mapped_column(String(64))
    data: Mapped[dict[str, Any]] = mapped_column(Json)
