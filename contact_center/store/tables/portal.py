"""The customer portal's sign-in: one-time links sent by e-mail, and the sessions they open."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from contact_center.store.tables.base import Base, utcnow
from contact_center.store.types import UtcDateTime


class PortalLink(Base):
    """A one-time sign-in link (only its digest is kept): valid until ``expires_at``, once."""

    __tablename__ = "portal_links"
    token_digest: Mapped[str] = mapped_column(String(64), primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id", ondelete="CASCADE"), index=True)
    email: Mapped[str] = mapped_column(String(200))
    expires_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    used_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime, default=utcnow)


class PortalSession(Base):
    __tablename__ = "portal_sessions"
    id: Mapped[str] = mapped_column(String(64), primary_key=True)  # the cookie's digest
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id", ondelete="CASCADE"), index=True)
    expires_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime, default=utcnow)
