"""The catalog as administered: products with their configuration rules, and price lists by currency and
customer segment. Quotes read both (crm/quotes.py, domain/sales/pricing.py)."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import Field, StringConstraints, model_validator
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from contact_center.crm.errors import Conflict, FieldError, NotFound, ValidationFailed
from contact_center.crm.phone_schemas import Strict
from contact_center.crm.schemas import NON_BLANK, Currency, Id
from contact_center.domain.sales.pricing import PriceList as DomainPriceList
from contact_center.domain.sales.pricing import Rules
from contact_center.store.tables import PriceList, PriceListItem, Product

Sku = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=64), NON_BLANK]
Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200), NON_BLANK]
Cents = Annotated[int, Field(ge=0, le=10**12)]
Months = Annotated[int, Field(ge=0, le=600)]
Quantity = Annotated[int, Field(ge=1, le=100_000)]


class RulesIn(Strict):
    requires: list[Sku] = Field(default_factory=list, max_length=50)
    excludes: list[Sku] = Field(default_factory=list, max_length=50)
    min_quantity: Quantity = 1
    max_quantity: Quantity | None = None

    @model_validator(mode="after")
    def _in_order(self) -> RulesIn:
        if self.max_quantity is not None and self.max_quantity < self.min_quantity:
            raise ValueError("max_quantity is below min_quantity")
        if set(self.requires) & set(self.excludes):
            raise ValueError("a product cannot both require and exclude the same SKU")
        return self


class ProductCreate(Strict):
    sku: Sku
    name: Name
    group: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=64), NON_BLANK] = "general"
    price_cents: Cents
    currency: Currency = "USD"
    warranty_months: Months = 0
    warranty_labour_months: Months = 0
    rules: RulesIn = Field(default_factory=RulesIn)


class PriceIn(Strict):
    product_id: Id
    price_cents: Cents


class PriceListCreate(Strict):
    name: Name
    currency: Currency
    segment: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=32), NON_BLANK] | None = (
        None
    )
    prices: list[PriceIn] = Field(min_length=1, max_length=10_000)


def rules_of(row: Product) -> Rules:
    raw = row.rules or {}
    return Rules(
        requires=frozenset(raw.get("requires") or ()),
        excludes=frozenset(raw.get("excludes") or ()),
        min_quantity=int(raw.get("min_quantity") or 1),
        max_quantity=int(raw["max_quantity"]) if raw.get("max_quantity") else None,
    )


async def _check_rules(session: AsyncSession, sku: str, rules: RulesIn, prefix: str) -> None:
    named = set(rules.requires) | set(rules.excludes)
    known = set((await session.scalars(select(Product.sku).where(Product.sku.in_(named)))).all()) if named else set()
    errors = []
    for kind in ("requires", "excludes"):
        for n, other in enumerate(getattr(rules, kind)):
            if other == sku:
                errors.append(FieldError(f"{prefix}{kind}[{n}]", "a product cannot name itself"))
            elif other not in known:
                errors.append(FieldError(f"{prefix}{kind}[{n}]", f"no product with SKU {other!r}"))
    if errors:
        raise ValidationFailed(errors)


async def add_product(session: AsyncSession, data: ProductCreate) -> Product:
    if await session.scalar(select(Product.id).where(Product.sku == data.sku)) is not None:
        raise Conflict(f"a product with SKU {data.sku!r} exists already")
    await _check_rules(session, data.sku, data.rules, "rules.")
    row = Product(
        sku=data.sku,
        name=data.name,
        group=data.group,
        price_cents=data.price_cents,
        currency=data.currency,
        warranty_months=data.warranty_months,
        warranty_labour_months=data.warranty_labour_months,
        active=True,
        rules=data.rules.model_dump(),
    )
    session.add(row)
    await session.flush()
    return row


async def set_rules(session: AsyncSession, product_id: int, data: RulesIn) -> Product:
    row = await session.get(Product, product_id)
    if row is None:
        raise NotFound("product", product_id)
    await _check_rules(session, row.sku, data, "")
    row.rules = data.model_dump()
    await session.flush()
    return row


async def add_price_list(session: AsyncSession, data: PriceListCreate) -> dict[str, Any]:
    same = select(PriceList).where(PriceList.currency == data.currency)
    same = same.where(PriceList.segment.is_(None) if data.segment is None else PriceList.segment == data.segment)
    clash = (await session.scalars(same)).first()
    if clash is not None:
        who = f"segment {data.segment!r}" if data.segment else "every segment"
        raise Conflict(
            f"price list {clash.name!r} prices {data.currency} for {who} already",
            {"type": "price_list", "id": clash.id},
        )
    if await session.scalar(select(PriceList.id).where(PriceList.name == data.name)) is not None:
        raise Conflict(f"a price list named {data.name!r} exists already")
    wanted = [p.product_id for p in data.prices]
    found = set((await session.scalars(select(Product.id).where(Product.id.in_(wanted)))).all())
    errors = [
        FieldError(f"prices[{n}].product_id", f"no product {p.product_id}")
        for n, p in enumerate(data.prices)
        if p.product_id not in found
    ]
    seen: set[int] = set()
    for n, p in enumerate(data.prices):
        if p.product_id in seen:
            errors.append(FieldError(f"prices[{n}].product_id", f"product {p.product_id} is priced twice"))
        seen.add(p.product_id)
    if errors:
        raise ValidationFailed(errors)
    row = PriceList(name=data.name, currency=data.currency, segment=data.segment)
    session.add(row)
    await session.flush()
    session.add_all(
        PriceListItem(price_list_id=row.id, product_id=p.product_id, price_cents=p.price_cents) for p in data.prices
    )
    await session.flush()
    return price_list_json(row, {p.product_id: p.price_cents for p in data.prices})


def price_list_json(row: PriceList, prices: dict[int, int]) -> dict[str, Any]:
    return {
        "id": row.id,
        "name": row.name,
        "currency": row.currency,
        "segment": row.segment,
        "prices": [{"product_id": k, "price_cents": v} for k, v in sorted(prices.items())],
    }


async def price_lists(session: AsyncSession, currency: str | None = None) -> list[DomainPriceList]:
    query = select(PriceList).order_by(PriceList.id)
    if currency is not None:
        query = query.where(PriceList.currency == currency)
    lists = (await session.scalars(query)).all()
    if not lists:
        return []
    items = (
        await session.scalars(select(PriceListItem).where(PriceListItem.price_list_id.in_([pl.id for pl in lists])))
    ).all()
    prices: dict[int, dict[int, int]] = {pl.id: {} for pl in lists}
    for item in items:
        prices[item.price_list_id][item.product_id] = item.price_cents
    return [DomainPriceList(pl.name, pl.currency, pl.segment, prices[pl.id]) for pl in lists]


async def price_lists_json(session: AsyncSession) -> list[dict[str, Any]]:
    rows = (await session.scalars(select(PriceList).order_by(PriceList.currency, PriceList.name))).all()
    domain = {pl.name: pl for pl in await price_lists(session)}
    return [price_list_json(row, dict(domain[row.name].prices)) for row in rows]
