"""Customers: create and update with E.164 phones, search, lookup by caller number, and the customer 360."""

from __future__ import annotations

from typing import Any

from sqlalchemy import String, cast, func, or_, select
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession
from sqlalchemy.orm import selectinload

from contact_center.crm.errors import ValidationFailed
from contact_center.crm.phone_owners import create_with_phones, get_with_phones, update_with_phones
from contact_center.crm.phones import InvalidPhoneNumber, to_e164
from contact_center.crm.records import Page, like_prefix, page_by_id, parse_id
from contact_center.crm.schemas import CustomerCreate, CustomerUpdate
from contact_center.crm.views import customers_by_e164
from contact_center.store.tables import Customer


def with_phones() -> Any:
    return selectinload(Customer.phones)


async def get_customer(session: AsyncSession, customer_id: int) -> Customer:
    return await get_with_phones(session, Customer, customer_id)


async def create_customer(session: AsyncSession, data: CustomerCreate, region: str) -> Customer:
    return await create_with_phones(session, Customer, data, region)


async def update_customer(session: AsyncSession, customer_id: int, data: CustomerUpdate, region: str) -> Customer:
    return await update_with_phones(session, Customer, customer_id, data, region)


def _plus_from_query(raw: str) -> str:
    """``?phone=+4420…`` sent unencoded arrives as `` 4420…`` (a + in a query string means a space)."""
    if len(raw) > 1 and raw[0] == " " and raw[1].isdigit():
        return "+" + raw[1:]
    return raw


async def find_by_phone(conn: AsyncConnection, raw: str, region: str) -> list[dict[str, Any]]:
    """Customers with this number (any common format), as JSON-ready rows."""
    raw = _plus_from_query(raw)
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


async def customer_with_email(session: AsyncSession, email: str) -> int | None:
    """The id of a customer who has this e-mail (any case), or None. E-mails are a JSON list per customer:
    matched as a quoted item of it."""
    wanted = email.strip().lower()
    if not wanted or '"' in wanted:
        return None
    literal = wanted.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")  # LIKE's wildcards, taken as text
    text = func.lower(cast(Customer.emails, String))
    return await session.scalar(select(Customer.id).where(text.like(f'%"{literal}"%', escape="\\")).limit(1))
