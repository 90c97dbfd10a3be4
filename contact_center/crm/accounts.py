"""Accounts (companies) with their own phone numbers (a switchboard identifies the company)."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from contact_center.crm.customers import normalise_phones
from contact_center.crm.errors import NotFound
from contact_center.crm.records import Page, check_references, like_prefix, page_by_id
from contact_center.crm.schemas import AccountCreate, AccountUpdate
from contact_center.store.tables import Account, Phone


async def get_account(session: AsyncSession, account_id: int) -> Account:
    account = await session.get(Account, account_id, options=[selectinload(Account.phones)])
    if account is None:
        raise NotFound("account", account_id)
    return account


async def create_account(session: AsyncSession, data: AccountCreate, region: str) -> Account:
    phones = normalise_phones(data.phones, region)
    values = data.model_dump(exclude={"phones"})
    await check_references(session, values)
    account = Account(**values, phones=[Phone(e164=e, kind=k) for e, k in phones])
    session.add(account)
    await session.flush()
    return await get_account(session, account.id)


async def update_account(session: AsyncSession, account_id: int, data: AccountUpdate, region: str) -> Account:
    account = await get_account(session, account_id)
    values = data.model_dump(exclude_unset=True, exclude={"phones"})
    await check_references(session, values)
    for key, value in values.items():
        setattr(account, key, value)
    if "phones" in data.model_fields_set:
        account.phones = [Phone(e164=e, kind=k) for e, k in normalise_phones(data.phones, region)]
    await session.flush()
    session.expire(account)
    return await get_account(session, account_id)


async def search_accounts(session: AsyncSession, q: str | None, cursor: int | None, limit: int) -> Page:
    query = select(Account).options(selectinload(Account.phones))
    if q:
        query = query.where(func.lower(Account.name).like(like_prefix(q.strip()), escape="\\"))
    return await page_by_id(session, query, Account.id, cursor, limit, newest_first=False)
