"""Customers: create and update with E.164 phones, search, lookup by caller number, and the customer 360."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from contact_center.crm.errors import FieldError, NotFound, ValidationFailed
from contact_center.crm.phones import InvalidPhoneNumber, to_e164
from contact_center.crm.records import Page, check_references, page_by_id
from contact_center.crm.schemas import CustomerCreate, CustomerUpdate, PhoneIn
from contact_center.store.tables import Account, Activity, Case, Customer, Opportunity, Order, Phone

OPEN_CASE_STATUSES = ("new", "open", "pending_customer")
OPEN_STAGES = ("prospecting", "qualification", "proposal", "negotiation")
TIMELINE_LENGTH = 20
RECENT_ORDERS = 5


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


async def find_by_phone(session: AsyncSession, raw: str, region: str) -> list[Customer]:
    """Customers with this number (any common format), directly or through their account's phones."""
    try:
        e164 = to_e164(raw, region)
    except InvalidPhoneNumber as exc:
        raise ValidationFailed.one("phone", str(exc)) from None
    return await find_by_e164(session, e164)


async def find_by_e164(session: AsyncSession, e164: str) -> list[Customer]:
    direct = select(Phone.customer_id).where(Phone.e164 == e164, Phone.customer_id.is_not(None))
    customers = list(
        (
            await session.scalars(
                select(Customer).where(Customer.id.in_(direct)).options(with_phones()).order_by(Customer.id)
            )
        ).all()
    )
    if customers:
        return customers
    # A company's switchboard number identifies the account; offer its people.
    via_account = select(Phone.account_id).where(Phone.e164 == e164, Phone.account_id.is_not(None))
    query = (
        select(Customer)
        .where(Customer.account_id.in_(via_account))
        .options(with_phones())
        .order_by(Customer.id)
        .limit(20)
    )
    return list((await session.scalars(query)).all())


async def search_customers(session: AsyncSession, q: str | None, cursor: int | None, limit: int) -> Page:
    query = select(Customer).options(with_phones())
    if q:
        term = q.strip()
        pattern = f"{term.lower()}%"
        conditions: list[Any] = [
            func.lower(Customer.last_name).like(pattern),
            func.lower(Customer.first_name).like(pattern),
        ]
        if " " in term:
            first, _, last = term.partition(" ")
            conditions.append(
                (func.lower(Customer.first_name) == first.lower())
                & func.lower(Customer.last_name).like(f"{last.lower()}%")
            )
        if term.isdigit():
            conditions.append(Customer.id == int(term))
        query = query.where(or_(*conditions))
    return await page_by_id(session, query, Customer.id, cursor, limit, newest_first=False)


@dataclass(frozen=True)
class Customer360:
    customer: Customer
    account: Account | None
    activities: list[Activity]
    open_cases: list[Case]
    open_opportunities: list[Opportunity]
    recent_orders: list[Order]


async def customer_360(session: AsyncSession, customer_id: int) -> Customer360:
    """Everything the screen-pop shows, each part a single indexed query."""
    customer = await get_customer(session, customer_id)
    account = (
        await session.get(Account, customer.account_id, options=[selectinload(Account.phones)])
        if customer.account_id
        else None
    )
    activities = await session.scalars(
        select(Activity)
        .where(Activity.customer_id == customer_id)
        .order_by(Activity.started_at.desc(), Activity.id.desc())
        .limit(TIMELINE_LENGTH)
    )
    cases = await session.scalars(
        select(Case)
        .where(Case.customer_id == customer_id, Case.status.in_(OPEN_CASE_STATUSES))
        .order_by(Case.sla_due_at.is_(None), Case.sla_due_at, Case.id)
    )
    opportunities = await session.scalars(
        select(Opportunity)
        .where(Opportunity.customer_id == customer_id, Opportunity.stage.in_(OPEN_STAGES))
        .order_by(Opportunity.expected_close.is_(None), Opportunity.expected_close)
    )
    orders = await session.scalars(
        select(Order).where(Order.customer_id == customer_id).order_by(Order.placed_at.desc()).limit(RECENT_ORDERS)
    )
    return Customer360(
        customer=customer,
        account=account,
        activities=list(activities.all()),
        open_cases=list(cases.all()),
        open_opportunities=list(opportunities.all()),
        recent_orders=list(orders.all()),
    )
