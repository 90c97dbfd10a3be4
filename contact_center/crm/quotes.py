"""The catalog and quotes: a quote priced from the catalog on an opportunity; accepted, it becomes a sales
order in one step and the opportunity is won (on its timeline)."""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Annotated, Any

from pydantic import Field
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from contact_center.crm import webhooks
from contact_center.crm.errors import Conflict, FieldError, NotFound, ValidationFailed
from contact_center.crm.phone_schemas import Strict
from contact_center.crm.records import get_or_404
from contact_center.crm.sales import update_opportunity
from contact_center.crm.schemas import Day, Id
from contact_center.domain.sales.pricing import CatalogItem, PricingError, needs_approval, price
from contact_center.store.tables import Opportunity, Order, Product, Quote


class QuoteLineIn(Strict):
    product_id: Id
    quantity: Annotated[int, Field(ge=1, le=100_000)] = 1


class QuoteCreate(Strict):
    opportunity_id: Id
    lines: list[QuoteLineIn] = Field(min_length=1, max_length=200)
    discount_percent: Annotated[float, Field(ge=0, le=100)] = 0.0
    valid_until: Day | None = None


def product_json(row: Product) -> dict[str, Any]:
    return {
        "id": row.id,
        "sku": row.sku,
        "name": row.name,
        "group": row.group,
        "price_cents": row.price_cents,
        "currency": row.currency,
        "warranty_months": row.warranty_months,
        "active": row.active,
    }


def quote_json(row: Quote) -> dict[str, Any]:
    return {
        "id": row.id,
        "opportunity_id": row.opportunity_id,
        "customer_id": row.customer_id,
        "status": row.status,
        "currency": row.currency,
        "lines": row.lines,
        "discount_percent": row.discount_percent,
        "subtotal_cents": row.subtotal_cents,
        "total_cents": row.total_cents,
        "total": row.total_cents / 100,
        "valid_until": row.valid_until.isoformat() if row.valid_until else None,
        "order_id": row.order_id,
    }


async def products(session: AsyncSession, *, active_only: bool) -> list[Product]:
    query = select(Product).order_by(Product.group, Product.name)
    if active_only:
        query = query.where(Product.active.is_(True))
    return list((await session.scalars(query)).all())


async def create_quote(session: AsyncSession, data: QuoteCreate, *, may_approve: bool) -> Quote:
    """Price the lines from the catalog (refused by field: an unknown product, mixed currencies, a discount
    over the limit without a supervisor)."""
    opportunity = await session.get(Opportunity, data.opportunity_id)
    errors: list[FieldError] = []
    if opportunity is None:
        errors.append(FieldError("opportunity_id", f"no opportunity {data.opportunity_id}"))
    wanted = {line.product_id for line in data.lines}
    found = {p.id: p for p in (await session.scalars(select(Product).where(Product.id.in_(wanted)))).all()}
    for n, line in enumerate(data.lines):
        if line.product_id not in found:
            errors.append(FieldError(f"lines[{n}].product_id", f"no product {line.product_id}"))
    if needs_approval(data.discount_percent) and not may_approve:
        errors.append(FieldError("discount_percent", "above 15 % a supervisor gives the discount"))
    if errors:
        raise ValidationFailed(errors)
    assert opportunity is not None
    items = [
        (CatalogItem(p.id, p.sku, p.name, p.price_cents, p.currency, p.active), line.quantity)
        for line in data.lines
        for p in [found[line.product_id]]
    ]
    try:
        priced = price(items, data.discount_percent)
    except PricingError as exc:
        raise ValidationFailed.one(exc.field, exc.reason) from None
    row = Quote(
        opportunity_id=opportunity.id,
        customer_id=opportunity.customer_id,
        status="draft",
        currency=priced.currency,
        lines=[dataclasses.asdict(line) for line in priced.lines],
        discount_percent=priced.discount_percent,
        subtotal_cents=priced.subtotal_cents,
        total_cents=priced.total_cents,
        valid_until=data.valid_until,
    )
    session.add(row)
    await session.flush()
    return row


async def accept_quote(session: AsyncSession, quote_id: int, agent_id: int | None, now: dt.datetime) -> Order:
    """The quote becomes a sales order, the opportunity is won at the quote's total; all or nothing."""
    quote = await get_or_404(session, Quote, quote_id)
    if quote.status != "draft":
        raise Conflict(f"quote {quote_id} is {quote.status} already (order {quote.order_id})")
    if quote.valid_until is not None and quote.valid_until < now.date():
        raise Conflict(f"quote {quote_id} expired on {quote.valid_until.isoformat()}")
    order = Order(
        number=f"SQ-{quote.id:06d}",
        customer_id=quote.customer_id,
        status="pending",
        items=quote.lines,
        total_cents=quote.total_cents,
        currency=quote.currency,
        placed_at=now,
        notes=f"from quote {quote.id}",
    )
    session.add(order)
    await session.flush()
    quote.status, quote.order_id = "accepted", order.id
    await update_opportunity(
        session, quote.opportunity_id, {"stage": "won", "amount_cents": quote.total_cents}, agent_id, now
    )
    await webhooks.enqueue(session, "order.created", order_event(order, quote), now)  # the back office takes it
    return order


def order_event(order: Order, quote: Quote | None = None) -> dict[str, Any]:
    return {
        "order_id": order.id,
        "number": order.number,
        "customer_id": order.customer_id,
        "items": order.items,
        "total_cents": order.total_cents,
        "currency": order.currency,
        "quote_id": quote.id if quote is not None else None,
        "opportunity_id": quote.opportunity_id if quote is not None else None,
    }


async def quote(session: AsyncSession, quote_id: int) -> Quote:
    found = await session.get(Quote, quote_id)
    if found is None:
        raise NotFound("quote", quote_id)
    return found
