"""Which customers earn the business money and which cost more to serve than they bring, over the last twelve
months: revenue from their orders (cancelled and returned ones left out), less the cost of serving them —
technicians' labour on their completed service orders at an hourly cost plus the parts used at their price,
and their calls at a per-minute cost (``CC_SERVICE_HOUR_COST_CENTS``, ``CC_CONTACT_MINUTE_COST_CENTS``).

Grouping a year of orders, visits and calls by customer takes seconds on a million customers, so the office
watch works it out once a day into ``customer_values`` (``refresh``, one INSERT … SELECT in the database) and the
table reads the most and the least profitable from there, by an index (``top``)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import BigInteger, cast, delete, func, insert, literal, select, union_all
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from contact_center.store.portable_sql import epoch_seconds
from contact_center.store.tables import (
    Activity,
    Customer,
    CustomerValue,
    Order,
    Product,
    ServiceOrder,
    ServiceOrderPart,
)

WINDOW = dt.timedelta(days=365)
SHOWN = 25  # the most and the least profitable, each
CHUNK = 50_000  # customers worked out per transaction


@dataclass(frozen=True, slots=True)
class Costs:
    service_hour_cents: int
    contact_minute_cents: int

    def rule(self) -> str:
        return (
            f"Over the last twelve months: revenue of the customer's orders (not cancelled or returned), less the "
            f"cost to serve them — labour on their completed service orders at {self.service_hour_cents / 100:.2f} "
            f"an hour plus the parts used at their price, and their calls at {self.contact_minute_cents / 100:.2f} "
            f"a minute. Worked out once a day."
        )


DEFAULT_COSTS = Costs(service_hour_cents=6_000, contact_minute_cents=100)  # CC_SERVICE_HOUR_COST_CENTS, ...


async def refresh_once_a_day(sessions: async_sessionmaker[AsyncSession], now: dt.datetime, costs: Costs) -> int | None:
    """``refresh`` unless it was done today (UTC); None when it was."""
    async with sessions() as session:
        last = await session.scalar(select(func.max(CustomerValue.computed_at)))
    if last is not None and last.date() == now.date():
        return None
    return await refresh(sessions, now, costs)


async def refresh(
    sessions: async_sessionmaker[AsyncSession], now: dt.datetime, costs: Costs, chunk: int = CHUNK
) -> int:
    """Work out every customer's last twelve months again, ``chunk`` customers (by id) per transaction, so a
    writer waits for one chunk at most (on SQLite the whole of it would hold the one write lock for seconds);
    how many customers have figures."""
    async with sessions() as session:
        highest = int(await session.scalar(select(func.max(Customer.id))) or 0)
    for low in range(0, highest, chunk):
        async with sessions.begin() as session:
            await _refresh_ids(session, now, costs, low, low + chunk)
    async with sessions() as session:
        return int(await session.scalar(select(func.count()).select_from(CustomerValue)) or 0)


async def _refresh_ids(session: AsyncSession, now: dt.datetime, costs: Costs, low: int, high: int) -> None:
    """The customers with ids in (low, high]."""
    since = now - WINDOW
    zero = literal(0, BigInteger)

    def row(customer: Any, revenue: Any, orders: Any, minutes: Any, parts: Any, calls: Any, seconds: Any) -> Any:
        return (
            customer.label("customer_id"),
            revenue.label("revenue"),
            orders.label("orders"),
            minutes.label("minutes"),
            parts.label("parts"),
            calls.label("calls"),
            seconds.label("seconds"),
        )

    bought = select(*row(Order.customer_id, func.sum(Order.total_cents), func.count(), zero, zero, zero, zero)).where(
        Order.customer_id > low,
        Order.customer_id <= high,
        Order.placed_at >= since,
        Order.status.not_in(("cancelled", "returned")),
    )
    labour = select(
        *row(ServiceOrder.customer_id, zero, zero, func.sum(ServiceOrder.labour_minutes), zero, zero, zero)
    ).where(*_completed(low, high, since))
    parts = (
        select(
            *row(
                ServiceOrder.customer_id,
                zero,
                zero,
                zero,
                func.sum(ServiceOrderPart.quantity * Product.price_cents),
                zero,
                zero,
            )
        )
        .join(ServiceOrderPart, ServiceOrderPart.service_order_id == ServiceOrder.id)
        .join(Product, Product.id == ServiceOrderPart.product_id)
        .where(*_completed(low, high, since), ServiceOrderPart.state == "consumed")
    )
    talked = func.coalesce(
        func.sum(epoch_seconds(session, Activity.ended_at) - epoch_seconds(session, Activity.started_at)), 0
    )
    called = select(*row(Activity.customer_id, zero, zero, zero, zero, func.count(), talked)).where(
        Activity.customer_id > low, Activity.customer_id <= high, Activity.type == "call", Activity.started_at >= since
    )
    parts_of = union_all(
        bought.group_by(Order.customer_id),
        labour.group_by(ServiceOrder.customer_id),
        parts.group_by(ServiceOrder.customer_id),
        called.group_by(Activity.customer_id),
    ).subquery()
    minutes, seconds = func.sum(parts_of.c.minutes), func.sum(parts_of.c.seconds)
    revenue = func.sum(parts_of.c.revenue)
    # Whole cents, rounded down the same on both databases (integer division).
    service = _whole(minutes * costs.service_hour_cents // 60 + func.sum(parts_of.c.parts))
    contact = _whole(seconds * costs.contact_minute_cents // 60)
    totals = (
        select(
            parts_of.c.customer_id,
            revenue,
            func.sum(parts_of.c.orders),
            service,
            contact,
            func.sum(parts_of.c.calls),
            revenue - service - contact,
            literal(now, CustomerValue.computed_at.type),
        )
        .join(Customer, Customer.id == parts_of.c.customer_id)  # customers since deleted are left out
        .group_by(parts_of.c.customer_id)
    )
    await session.execute(
        delete(CustomerValue).where(CustomerValue.customer_id > low, CustomerValue.customer_id <= high)
    )
    columns = ("customer_id", "revenue_cents", "orders", "service_cost_cents", "contact_cost_cents", "calls")
    await session.execute(insert(CustomerValue).from_select([*columns, "profit_cents", "computed_at"], totals))


def _completed(low: int, high: int, since: dt.datetime) -> tuple[Any, ...]:
    return (
        ServiceOrder.customer_id > low,
        ServiceOrder.customer_id <= high,
        ServiceOrder.status == "completed",
        ServiceOrder.completed_at >= since,
    )


def _whole(value: Any) -> Any:
    return cast(value, BigInteger)


async def top(session: AsyncSession) -> tuple[list[dict[str, Any]], dt.datetime | None]:
    """The ``SHOWN`` most profitable customers and the ``SHOWN`` least, and when the figures were worked out."""
    columns = (
        CustomerValue.customer_id,
        Customer.first_name,
        Customer.last_name,
        CustomerValue.revenue_cents,
        CustomerValue.orders,
        CustomerValue.service_cost_cents,
        CustomerValue.contact_cost_cents,
        CustomerValue.calls,
        CustomerValue.profit_cents,
        CustomerValue.computed_at,
    )
    base = select(*columns).join(Customer, Customer.id == CustomerValue.customer_id)
    most = (await session.execute(base.order_by(CustomerValue.profit_cents.desc()).limit(SHOWN))).all()
    least = (await session.execute(base.order_by(CustomerValue.profit_cents).limit(SHOWN))).all()
    rows, seen = [], set()
    for found in (most, reversed(least)):  # one list, most profitable first (the two meet when few customers)
        for r in found:
            if r.customer_id in seen:
                continue
            seen.add(r.customer_id)
            rows.append(
                {
                    "customer_id": r.customer_id,
                    "name": f"{r.first_name} {r.last_name}".strip(),
                    "revenue_cents": r.revenue_cents,
                    "orders": r.orders,
                    "service_cost_cents": r.service_cost_cents,
                    "contact_cost_cents": r.contact_cost_cents,
                    "calls": r.calls,
                    "profit_cents": r.profit_cents,
                    "margin": r.profit_cents / r.revenue_cents if r.revenue_cents else None,
                }
            )
    computed = most[0].computed_at if most else None
    return rows, computed
