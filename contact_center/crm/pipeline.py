"""The open sales pipeline as ``Deal``s of the domain, for the stalled list; and the deals whose owners are to be
told they stalled. (The forecast is summed in the database: crm/analytics.forecast_by.)"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from contact_center.domain.sales.forecast import OPEN_STAGES, Deal, stall_reason
from contact_center.store.tables import Opportunity, User


async def open_deals(session: AsyncSession) -> list[Deal]:
    """The open deals, each under its owner's username (``(none)`` without one): what the stalled list reads."""
    owners = {u.id: u.username for u in (await session.scalars(select(User))).all()}
    query = select(
        Opportunity.id,
        Opportunity.stage,
        Opportunity.amount_cents,
        Opportunity.probability,
        Opportunity.expected_close,
        Opportunity.owner_id,
        Opportunity.updated_at,
    ).where(Opportunity.stage.in_(OPEN_STAGES))
    return [
        Deal(
            id=o.id,
            stage=o.stage,
            amount_cents=o.amount_cents,
            probability=o.probability,
            expected_close=o.expected_close,
            owner=owners.get(o.owner_id, "(none)") if o.owner_id else "(none)",
            last_touched=o.updated_at.date(),
        )
        for o in await session.execute(query)
    ]


async def newly_stalled(session: AsyncSession, today: dt.date) -> list[dict[str, Any]]:
    """Open deals with an owner that stalled since their owner was last told (``stall_reason``), each marked
    told today, as what the owner is told (``owner_id``, the deal, ``reason``). Marking is not a touch of the
    deal: its ``updated_at`` stays as it was."""
    query = select(Opportunity).where(Opportunity.stage.in_(OPEN_STAGES), Opportunity.owner_id.is_not(None))
    found = []
    for row in (await session.scalars(query)).all():
        touched = row.updated_at.date()
        deal = Deal(row.id, row.stage, row.amount_cents, row.probability, row.expected_close, "", touched)
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
