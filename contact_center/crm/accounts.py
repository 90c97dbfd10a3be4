"""Accounts (companies) with their own phone numbers (a switchboard identifies the company)."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from contact_center.crm.phone_owners import create_with_phones, get_with_phones, update_with_phones
from contact_center.crm.records import Page, like_prefix, page_by_id
from contact_center.crm.schemas import AccountCreate, AccountUpdate
from contact_center.store.tables import Account


async def get_account(session: AsyncSession, account_id: int) -> Account:
    return await get_with_phones(session, Account, account_id)


async def create_account(session: AsyncSession, data: AccountCreate, region: str) -> Account:
    return await create_with_phones(session, Account, data, region)


async def update_account(session: AsyncSession, account_id: int, data: AccountUpdate, region: str) -> Account:
    return await update_with_phones(session, Account, account_id, data, region)


async def search_accounts(session: AsyncSession, q: str | None, cursor: int | None, limit: int) -> Page:
    query = select(Account).options(selectinload(Account.phones))
    if q:
        query = query.where(func.lower(Account.name).like(like_prefix(q.strip()), escape="\\"))
    return await page_by_id(session, query, Account.id, cursor, limit, newest_first=False)
