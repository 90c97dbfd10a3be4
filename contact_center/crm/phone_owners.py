"""Create and update for records that own phone numbers (customers and accounts)."""

from __future__ import annotations

from typing import Any, TypeVar

from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from contact_center.crm.errors import FieldError, NotFound, ValidationFailed
from contact_center.crm.phone_schemas import PhoneIn
from contact_center.crm.phones import InvalidPhoneNumber, to_e164
from contact_center.crm.records import check_references
from contact_center.crm.schemas import AccountCreate, CustomerCreate
from contact_center.store.tables import Account, Customer, Phone

Owner = TypeVar("Owner", Customer, Account)


def normalise_phones(phones: list[PhoneIn], region: str) -> list[Phone]:
    """Phones in E.164, duplicates dropped; every bad number is reported with its index."""
    result: dict[str, Phone] = {}
    errors = []
    for i, phone in enumerate(phones):
        try:
            e164 = to_e164(phone.number, region)
        except InvalidPhoneNumber as exc:
            errors.append(FieldError(f"phones.{i}", str(exc)))
            continue
        result.setdefault(e164, Phone(e164=e164, kind=phone.kind))
    if errors:
        raise ValidationFailed(errors)
    return list(result.values())


async def get_with_phones(session: AsyncSession, table: type[Owner], record_id: int) -> Owner:
    row = await session.get(table, record_id, options=[selectinload(table.phones)])
    if row is None:
        raise NotFound(table.__tablename__.rstrip("s"), record_id)
    return row


async def create_with_phones(
    session: AsyncSession, table: type[Owner], data: CustomerCreate | AccountCreate, region: str
) -> Owner:
    phones = normalise_phones(data.phones, region)
    values: dict[str, Any] = data.model_dump(exclude={"phones"})
    await check_references(session, values)
    row = table(**values, phones=phones)
    session.add(row)
    await session.flush()
    return await get_with_phones(session, table, row.id)


async def update_with_phones(
    session: AsyncSession, table: type[Owner], record_id: int, data: CustomerCreate | AccountCreate, region: str
) -> Owner:
    """Change the named fields; ``phones``, when given, replaces the whole list."""
    row = await get_with_phones(session, table, record_id)
    values = data.model_dump(exclude_unset=True, exclude={"phones"})
    await check_references(session, values)
    for key, value in values.items():
        setattr(row, key, value)
    if "phones" in data.model_fields_set:
        row.phones = normalise_phones(data.phones, region)
    await session.flush()
    session.expire(row)
    return await get_with_phones(session, table, record_id)
