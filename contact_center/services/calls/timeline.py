"""The customer's timeline as a desktop sees it: rows shaped like the customer 360's ``activities``."""

from __future__ import annotations

from typing import Any

from contact_center.crm.schemas import ActivityOut
from contact_center.crm.views import jsonable


def activity_json(row: dict[str, Any]) -> dict[str, Any]:
    """A written activity (its columns) as the 360's ``activities`` rows have it (same keys, ISO times with Z)."""
    return jsonable({name: row.get(name) for name in ActivityOut.model_fields})
