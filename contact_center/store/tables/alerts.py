"""The board's alerts: raised, cleared when their condition stops holding, acknowledged by a supervisor."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import Float, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from contact_center.store.tables.base import Base, utcnow
from contact_center.store.types import BigId, Json, UtcDateTime


class BoardAlert(Base):
    """One alert. ``key`` names the condition (``longest_wait:billing``); while ``cleared_at`` is null
    the condition still holds (or, for a routing rule's alert, nobody has acknowledged it yet)."""

    __tablename__ = "board_alerts"
    __table_args__ = (Index("ix_board_alerts_open", "cleared_at", "key"), Index("ix_board_alerts_raised", "raised_at"))
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    key: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(32))
    queue: Mapped[str | None] = mapped_column(String(64))
    agent_id: Mapped[str | None] = mapped_column(String(64))
    call_id: Mapped[str | None] = mapped_column(String(128))
    message: Mapped[str] = mapped_column(String(500))
    value: Mapped[float | None] = mapped_column(Float)
    raised_at: Mapped[dt.datetime] = mapped_column(UtcDateTime, default=utcnow)
    cleared_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)
    acknowledged_by: Mapped[str | None] = mapped_column(String(100))
    acknowledged_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)
    details: Mapped[dict[str, Any]] = mapped_column(Json, default=dict)
