"""The sales pipeline read for the forecast: each open or won opportunity as a ``Deal`` of the domain."""

from __future__ import annotations

from typing import Literal

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from contact_center.domain.sales.forecast import OPEN_STAGES, Deal
from contact_center.store.tables import Opportunity, Product, User

By = Literal["owner", "product_group"]


async def deals(session: AsyncSession, by: By) -> list[Deal]:
    owners = {u.id: u.username for u in (await session.scalars(select(User))).all()}
    groups = {sku: group for sku, group in (await session.execute(select(Product.sku, Product.group))).all()}
    rows = await session.scalars(select(Opportunity).where(Opportunity.stage.in_((*OPEN_STAGES, "won"))))
    out = []
    for o in rows.all():
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
