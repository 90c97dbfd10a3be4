"""What the analytics keep: the forecast a day at a time, and each customer's value over the last year."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import BigInteger, Date, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from contact_center.store.tables.base import Base
from contact_center.store.types import UtcDateTime


class ForecastSnapshot(Base):
    """The weighted forecast of one month as it stood on one day (the office watch takes one a day), so a
    month's forecast can be set beside what was won in it once the month is over."""

    __tablename__ = "forecast_snapshots"
    taken_on: Mapped[dt.date] = mapped_column(Date, primary_key=True)
    period: Mapped[str] = mapped_column(String(7), primary_key=True)  # YYYY-MM
    deals: Mapped[int] = mapped_column(Integer)
    pipeline_cents: Mapped[int] = mapped_column(BigInteger)
    weighted_cents: Mapped[int] = mapped_column(BigInteger)


class CustomerValue(Base):
    """A customer's last twelve months, worked out by the office watch once a day (``crm/profitability.py``): what
    they bought, what serving them cost, and the difference. Read by the analytics' profitability table, which
    would otherwise group a year of orders, visits and calls by customer on every look."""

    __tablename__ = "customer_values"
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id", ondelete="CASCADE"), primary_key=True)
    revenue_cents: Mapped[int] = mapped_column(BigInteger)
    orders: Mapped[int] = mapped_column(Integer)
    service_cost_cents: Mapped[int] = mapped_column(BigInteger)  # labour at the hourly cost, parts at their price
    contact_cost_cents: Mapped[int] = mapped_column(BigInteger)  # call minutes at the per-minute cost
    calls: Mapped[int] = mapped_column(Integer)
    profit_cents: Mapped[int] = mapped_column(BigInteger, index=True)
    computed_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)
