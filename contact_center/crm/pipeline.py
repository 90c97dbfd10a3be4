"""The sales pipeline read for the forecast: each open or won opportunity as a ``Deal`` of the domain; and the
deals whose owners are to be told they stalled."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from sqlalchemy import and_, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from contact_center.domain.sales.forecast import OPEN_STAGES, Deal, stall_reason
from contact_center.store.tables import Opportunity, Product, User

By = Literal["owner", "product_group"]


async def deals(session: AsyncSession, by: By, first: dt.date | None = None, last: dt.date | None = None) -> list[Deal]:
    """Open and won deals as the forecast counts them; with ``first`` and ``last``, only those it counts in
    [first, last] (open ones expected to close then, won ones closed then), chosen in the database."""
    owners = {u.id: u.username for u in (await session.scalars(select(User))).all()}
    groups = {sku: group for sku, group in (await session.execute(select(Product.sku, Product.group))).all()}
    query = select(
        Opportunity.id,
        Opportunity.stage,
        Opportunity.amount_cents,
        Opportunity.probability,
        Opportunity.expected_close,
        Opportunity.closed_at,
        Opportunity.owner_id,
        Opportunity.products,
        Opportunity.updated_at,
    )
    if first is not None and last is not None:
        start = dt.datetime.combine(first, dt.time(), dt.UTC)
        end = dt.datetime.combine(last + dt.timedelta(days=1), dt.time(), dt.UTC)
        query = query.where(
            or_(
                and_(Opportunity.stage.in_(OPEN_STAGES), Opportunity.expected_close.between(first, last)),
                and_(Opportunity.stage == "won", Opportunity.closed_at >= start, Opportunity.closed_at < end),
            )
        )
    else:
        query = query.where(Opportunity.stage.in_((*OPEN_STAGES, "won")))
    out = []
    for o in await session.execute(query):
        if by == "owner":
            keys: tuple[str, ...] = (owners.get(o.owner_id, "(none)") if o.owner_id else "(none)",)
        else:
            keys = tuple(sorted({groups.get(str(p.get("sku")), "(none)") for p in o.products or []})) or ("(none)",)
        out.append(
            Deal(
                id=o.id,
                stage=o.stage,
                amount_cents=o.amount_cents,
                probability=o.probability,
                expected_close=o.expected_close,
                closed_on=o.closed_at.date() if o.closed_at else None,
                keys=keys,
                last_touched=o.updated_at.date(),
            )
        )
    return out


async def newly_stalled(session: AsyncSession, today: dt.date) -> list[dict[str, Any]]:
    """Open deals with an owner that stalled since their owner was last told (``stall_reason``), each marked
    told today, as what the owner is told (``owner_id``, the deal, ``reason``). Marking is not a touch of the
    deal: its ``updated_at`` stays as it was."""
    query = select(Opportunity).where(Opportunity.stage.in_(OPEN_STAGES), Opportunity.owner_id.is_not(None))
    found = []
    for row in (await session.scalars(query)).all():
        touched = row.updated_at.date()
        deal = Deal(row.id, row.stage, row.amount_cents, row.probability, row.expected_close, None, (), touched)
        reason = stall_reason(deal, today)
        if reason is None or (row.stalled_told_on is not None and row.stalled_told_on >= touched):
            continue
        await session.execute(
            update(Opportunity)
            .where(Opportunity.id == row.id)
            .values(stalled_told_on=today, updated_at=Opportunity.updated_at)
        )
        found.append(
            {
                "owner_id": row.owner_id,
                "opportunity_id": row.id,
                "name": row.name,
                "stage": row.stage,
                "amount_cents": row.amount_cents,
                "currency": row.currency,
                "expected_close": row.expected_close.isoformat() if row.expected_close else None,
                "reason": reason,
            }
        )
    return found
