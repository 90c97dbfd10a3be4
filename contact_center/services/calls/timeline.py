"""The customer's timeline as a desktop sees it while a call is on: rows shaped like the customer 360's,
and what was appended since the call began (by anyone, on any node)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncConnection

from contact_center.crm.schemas import ActivityOut
from contact_center.crm.views import ACTIVITY_COLUMNS, jsonable
from contact_center.store.tables import Activity

# Rows written a little before the call was registered (the IVR activity, a clock a little behind) still count.
SLACK = dt.timedelta(seconds=5)
MAX_ROWS = 200


def activity_json(activity: Activity) -> dict[str, Any]:
    """An activity as the 360's ``activities`` rows have it (same keys, ISO times with Z)."""
    return jsonable({name: getattr(activity, name) for name in ActivityOut.model_fields})


async def appended_since(
    conn: AsyncConnection, customer_ids: Collection[int], since: dt.datetime
) -> list[dict[str, Any]]:
    """Activities of these customers created since ``since``: oldest first, at most ``MAX_ROWS``."""
    if not customer_ids:
        return []
    query = (
        select(*ACTIVITY_COLUMNS)
        .where(Activity.customer_id.in_(list(customer_ids)), Activity.created_at >= since - SLACK)
        .order_by(Activity.created_at, Activity.id)
        .limit(MAX_ROWS)
    )
    return [jsonable(dict(row)) for row in (await conn.execute(query)).mappings().all()]
