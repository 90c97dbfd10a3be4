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
from contact_center.crm.catalog import price_lists, rules_of
from contact_center.crm.errors import Conflict, FieldError, NotFound, ValidationFailed
from contact_center.crm.phone_schemas import Strict
from contact_center.crm.records import get_or_404
from contact_center.crm.sales import update_opportunity
from contact_center.crm.schemas import Currency, Day, Id
from contact_center.domain.sales.pricing import (
    CatalogItem,
    PricingError,
    check_configuration,
    needs_approval,
    price,
    unit_price,
)
from contact_center.store.tables import Customer, Opportunity, Order, Product, Quote


class QuoteLineIn(Strict):
    product_id: Id
    quantity: Annotated[int, Field(ge=1, le=100_000)] = 1


class QuoteCreate(Strict):
    opportunity_id: Id
    lines: list[QuoteLineIn] = Field(min_length=1, max_length=200)
    discount_percent: Annotated[float, Field(ge=0, le=100)] = 0.0
    valid_until: Day | None = None
    currency: Currency | None = None  # None: the catalog's currency of the products


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
        "rules": {"requires": [], "excludes": [], "min_quantity": 1, "max_quantity": None} | dict(row.rules or {}),
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
        "version": row.version,
        "revises_id": row.revises_id,
    }


async def products(session: AsyncSession, *, active_only: bool) -> list[Product]:
    query = select(Product).order_by(Product.group, Product.name)
    if active_only:
        query = query.where(Product.active.is_(True))
    return list((await session.scalars(query)).all())


class QuoteRevision(Strict):
    """What a new version of a quote says: its lines, discount and validity (the opportunity stays)."""

    lines: list[QuoteLineIn] = Field(min_length=1, max_length=200)
    discount_percent: Annotated[float, Field(ge=0, le=100)] = 0.0
    valid_until: Day | None = None


async def revise_quote(session: AsyncSession, quote_id: int, data: QuoteRevision, *, may_approve: bool) -> Quote:
    """A new version of a draft quote, priced again from the catalog; the one it revises is superseded (kept, so
    what the customer was sent before stays on record). Only the latest draft may be revised."""
    old = await get_or_404(session, Quote, quote_id)
    if old.status == "superseded":
        latest = await session.scalar(select(Quote.id).where(Quote.revises_id == old.id))
        raise Conflict(f"quote {quote_id} was revised already: revise quote {latest}")
    if old.status != "draft":
        raise Conflict(f"quote {quote_id} is {old.status}: only a draft is revised")
    new = await create_quote(
        session,
        QuoteCreate(
            opportunity_id=old.opportunity_id,
            lines=data.lines,
            discount_percent=data.discount_percent,
            valid_until=data.valid_until,
            currency=old.currency,
        ),
        may_approve=may_approve,
    )
    new.version, new.revises_id, old.status = old.version + 1, old.id, "superseded"
    await session.flush()
    return new


async def create_quote(session: AsyncSession, data: QuoteCreate, *, may_approve: bool) -> Quote:
    """Price the lines in the quote's currency from the price list for the customer's segment, else the
    currency's list for everyone, else the catalog; refused by field: an unknown product, one with no price in
    that currency, lines that break a product's configuration rules, a discount over the limit without a
    supervisor."""
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
    catalog = [(found[line.product_id], line.quantity) for line in data.lines]
    currency = data.currency or catalog[0][0].currency
    customer = await session.get(Customer, opportunity.customer_id) if opportunity.customer_id else None
    segment = customer.segment if customer is not None else None
    lists = await price_lists(session, currency)
    configured = [
        (CatalogItem(p.id, p.sku, p.name, p.price_cents, p.currency, p.active, rules_of(p)), quantity)
        for p, quantity in catalog
    ]
    items, sources = [], []
    for n, (item, quantity) in enumerate(configured):
        try:
            unit, source = unit_price(item, currency, segment, lists)
        except PricingError as exc:
            errors.append(FieldError(f"lines[{n}].product_id", exc.reason))
            continue
        items.append((dataclasses.replace(item, price_cents=unit, currency=currency), quantity))
        sources.append(source)
    errors.extend(FieldError(f, reason) for f, reason in check_configuration(configured))
    if errors:
        raise ValidationFailed(errors)
    try:
        priced = price(items, data.discount_percent)
    except PricingError as exc:
        raise ValidationFailed.one(exc.field, exc.reason) from None
    row = Quote(
        opportunity_id=opportunity.id,
        customer_id=opportunity.customer_id,
        status="draft",
        currency=priced.currency,
        lines=[dataclasses.asdict(line) | {"price_list": src} for line, src in zip(priced.lines, sources, strict=True)],
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


def money(cents: int, currency: str) -> str:
    """12345, "USD" -> "1,234.50 USD" (what a printed quote shows)."""
    return f"{cents / 100:,.2f} {currency}"


async def printable(session: AsyncSession, quote_id: int) -> dict[str, Any]:
    """A quote as the customer reads it: who it is for, its lines and totals in their currency, its version."""
    row = await quote(session, quote_id)
    opportunity = await session.get(Opportunity, row.opportunity_id)
    customer = await session.get(Customer, row.customer_id) if row.customer_id is not None else None
    newer = await session.scalar(select(Quote.id).where(Quote.revises_id == row.id))
    return {
        "number": f"Q-{row.id:06d}",
        "version": row.version,
        "status": row.status,
        "superseded_by": newer,
        "customer": f"{customer.first_name} {customer.last_name}".strip() if customer is not None else "",
        "opportunity": opportunity.name if opportunity is not None else "",
        "issued_on": row.created_at.date().isoformat(),
        "valid_until": row.valid_until.isoformat() if row.valid_until else None,
        "lines": [
            {
                "sku": line["sku"],
                "name": line["name"],
                "quantity": line["quantity"],
                "unit_price": money(line["unit_price_cents"], row.currency),
                "total": money(line["line_total_cents"], row.currency),
            }
            for line in row.lines
        ],
        "subtotal": money(row.subtotal_cents, row.currency),
        "discount_percent": f"{row.discount_percent:g}" if row.discount_percent else "",
        "discount": money(row.subtotal_cents - row.total_cents, row.currency),
        "total": money(row.total_cents, row.currency),
    }
