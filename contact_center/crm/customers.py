"""Customers: create and update with E.164 phones, search, lookup by caller number, and the customer 360."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession
from sqlalchemy.orm import selectinload

from contact_center.crm.errors import FieldError, NotFound, ValidationFailed
from contact_center.crm.phones import InvalidPhoneNumber, to_e164
from contact_center.crm.records import Page, check_references, like_prefix, page_by_id, parse_id
from contact_center.crm.schemas import CustomerCreate, CustomerUpdate, PhoneIn
from contact_center.crm.views import customers_by_e164
from contact_center.store.tables import Customer, Phone


def normalise_phones(phones: list[PhoneIn], region: str) -> list[tuple[str, str]]:
    """(e164, kind) pairs, duplicates dropped; every bad number is reported with its index."""
    result: list[tuple[str, str]] = []
    errors = []
    for i, phone in enumerate(phones):
        try:
            e164 = to_e164(phone.number, region)
        except InvalidPhoneNumber as exc:
            errors.append(FieldError(f"phones.{i}", str(exc)))
            continue
        if all(e164 != seen for seen, _ in result):
            result.append((e164, phone.kind))
    if errors:
        raise ValidationFailed(errors)
    return result


def with_phones() -> Any:
    return selectinload(Customer.phones)


async def get_customer(session: AsyncSession, customer_id: int) -> Customer:
    customer = await session.get(Customer, customer_id, options=[with_phones()])
    if customer is None:
        raise NotFound("customer", customer_id)
    return customer


async def create_customer(session: AsyncSession, data: CustomerCreate, region: str) -> Customer:
    phones = normalise_phones(data.phones, region)
    values = data.model_dump(exclude={"phones"})
    await check_references(session, values)
    customer = Customer(**values, phones=[Phone(e164=e, kind=k) for e, k in phones])
    session.add(customer)
    await session.flush()
    return await get_customer(session, customer.id)


async def update_customer(session: AsyncSession, customer_id: int, data: CustomerUpdate, region: str) -> Customer:
    customer = await get_customer(session, customer_id)
    values = data.model_dump(exclude_unset=True, exclude={"phones"})
    await check_references(session, values)
    for key, value in values.items():
        setattr(customer, key, value)
    if "phones" in data.model_fields_set:
        phones = normalise_phones(data.phones, region)
        customer.phones = [Phone(e164=e, kind=k) for e, k in phones]
    await session.flush()
    session.expire(customer)
    return await get_customer(session, customer_id)


async def find_by_phone(conn: AsyncConnection, raw: str, region: str) -> list[dict[str, Any]]:
    """Customers with this number (any common format), as JSON-ready rows."""
    try:
        e164 = to_e164(raw, region)
    except InvalidPhoneNumber as exc:
        raise ValidationFailed.one("phone", str(exc)) from None
    return await customers_by_e164(conn, e164)


async def search_customers(session: AsyncSession, q: str | None, cursor: int | None, limit: int) -> Page:
    query = select(Customer).options(with_phones())
    if q:
        term = q.strip()
        pattern = like_prefix(term)
        conditions: list[Any] = [
            func.lower(Customer.last_name).like(pattern, escape="\\"),
            func.lower(Customer.first_name).like(pattern, escape="\\"),
        ]
        if " " in term:
            first, _, last = term.partition(" ")
            conditions.append(
                (func.lower(Customer.first_name) == first.lower())
                & func.lower(Customer.last_name).like(like_prefix(last), escape="\\")
            )
        customer_id = parse_id(term)
        if customer_id is not None:
            conditions.append(Customer.id == customer_id)
        query = query.where(or_(*conditions))
    return await page_by_id(session, query, Customer.id, cursor, limit, newest_first=False)
