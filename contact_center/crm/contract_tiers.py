"""Contract tiers as administered: what each level of service contract gives (response and resolution targets
on its hours of cover, visits included each contract year, its price). Cases, contracts and bookings read
them from here."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from pydantic import Field, StringConstraints
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from contact_center.crm.calendars import calendar_by_name
from contact_center.crm.errors import ValidationFailed
from contact_center.crm.phone_schemas import Strict
from contact_center.crm.schemas import Currency
from contact_center.domain.service.entitlements import Tier
from contact_center.store.tables import Calendar, ContractTier, ServiceContract

TierName = Annotated[str, StringConstraints(strip_whitespace=True, pattern=r"^[a-z0-9][a-z0-9_-]{0,31}$")]
Hours = Annotated[int, Field(ge=1, le=24 * 365)]


class TierIn(Strict):
    response_hours: Hours
    resolution_hours: Hours
    visits_per_year: Annotated[int, Field(ge=0, le=365)] = 0
    cover_calendar: Annotated[str, StringConstraints(min_length=1, max_length=64)] | None = None  # None: always
    price_cents: Annotated[int, Field(ge=0, le=10**12)] = 0
    currency: Currency = "USD"


def _domain(row: ContractTier, calendar: str | None) -> Tier:
    return Tier(
        row.name,
        row.response_hours,
        row.resolution_hours,
        row.visits_per_year,
        cover_calendar=calendar,
        price_cents=row.price_cents,
        currency=row.currency,
    )


def tier_json(tier: Tier) -> dict[str, Any]:
    return {
        "name": tier.name,
        "response_hours": tier.response_hours,
        "resolution_hours": tier.resolution_hours,
        "visits_per_year": tier.visits_per_year,
        "cover_calendar": tier.cover_calendar,
        "price_cents": tier.price_cents,
        "currency": tier.currency,
    }


async def tiers(session: AsyncSession) -> dict[str, Tier]:
    rows = await session.execute(
        select(ContractTier, Calendar.name)
        .outerjoin(Calendar, Calendar.id == ContractTier.calendar_id)
        .order_by(ContractTier.response_hours.desc(), ContractTier.name)
    )
    return {t.name: _domain(t, calendar) for t, calendar in rows.all()}


async def tier(session: AsyncSession, name: str) -> Tier | None:
    return (await tiers(session)).get(name)


async def known_tier(session: AsyncSession, name: str, field: str = "tier") -> Tier:
    """The named tier, or 422 naming the ones there are."""
    found = await tiers(session)
    if name not in found:
        raise ValidationFailed.one(field, f"no contract tier {name!r} (there are {', '.join(found) or 'none'})")
    return found[name]


async def put(session: AsyncSession, name: str, data: TierIn) -> Tier:
    """Make the tier or change it; contracts of the tier get the new terms from now on."""
    calendar_id = None
    if data.cover_calendar is not None:
        calendar = await calendar_by_name(session, data.cover_calendar)
        if calendar is None:
            raise ValidationFailed.one("cover_calendar", f"no calendar named {data.cover_calendar!r}")
        calendar_id = calendar.id
    if data.resolution_hours < data.response_hours:
        raise ValidationFailed.one("resolution_hours", "is shorter than response_hours")
    row = (await session.scalars(select(ContractTier).where(ContractTier.name == name))).first()
    if row is None:
        row = ContractTier(name=name)
        session.add(row)
    row.response_hours, row.resolution_hours = data.response_hours, data.resolution_hours
    row.visits_per_year, row.calendar_id = data.visits_per_year, calendar_id
    row.price_cents, row.currency = data.price_cents, data.currency
    await session.flush()
    return _domain(row, data.cover_calendar)


async def in_force(session: AsyncSession, customer_id: int, day: dt.date) -> list[tuple[ServiceContract, Tier]]:
    """The customer's contracts in force on ``day`` with their tiers, the best cover (fastest response) first."""
    found = await tiers(session)
    rows = (
        await session.scalars(
            select(ServiceContract).where(
                ServiceContract.customer_id == customer_id,
                ServiceContract.starts_on <= day,
                ServiceContract.ends_on >= day,
            )
        )
    ).all()
    pairs = [(c, found[c.tier]) for c in rows if c.tier in found]
    return sorted(pairs, key=lambda pair: (pair[1].response_hours, -pair[0].ends_on.toordinal()))
