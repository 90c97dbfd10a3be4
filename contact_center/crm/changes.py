"""Changes to tracked fields of a record, written to the timeline as one activity per change set.

Cases, opportunities and leads call ``tracked_changes`` before they apply an update and, when
something tracked moved, add ``change_activity`` to the same session: the record and its history
are committed together or not at all.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from contact_center.store.tables import Activity

Changes = dict[str, dict[str, Any]]


def _plain(value: Any) -> Any:
    """A JSON value for the activity's details (dates as ISO text)."""
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    return value


def tracked_changes(row: Any, values: Mapping[str, Any], fields: Iterable[str]) -> Changes:
    """``{field: {"from": old, "to": new}}`` for each tracked field the update really changes."""
    changes: Changes = {}
    for name in fields:
        if name in values and getattr(row, name) != values[name]:
            changes[name] = {"from": _plain(getattr(row, name)), "to": _plain(values[name])}
    return changes


def describe(
    changes: Changes,
    labels: Mapping[str, str] | None = None,
    formats: Mapping[str, Callable[[Any], str]] | None = None,
) -> str:
    """``status open → resolved; priority normal → high`` for an activity's subject."""
    labels, formats = labels or {}, formats or {}

    def shown(name: str, value: Any) -> str:
        return "none" if value is None else formats.get(name, str)(value)

    return "; ".join(
        f"{labels.get(name, name.replace('_', ' '))} {shown(name, c['from'])} → {shown(name, c['to'])}"
        for name, c in changes.items()
    )


def change_activity(
    kind: str,
    subject: str,
    changes: Changes,
    *,
    agent_id: int | None,
    now: dt.datetime,
    outcome: str | None = None,
    extra: Mapping[str, Any] | None = None,
    **links: int | None,
) -> Activity:
    """A ``case_change`` / ``opportunity_change`` / ``lead_change`` activity; ``links`` are the *_id columns."""
    return Activity(
        type=kind,
        channel="system",
        subject=subject[:300],
        agent_id=agent_id,
        outcome=outcome,
        started_at=now,
        created_at=now,
        details={"changes": changes, **(extra or {})},
        **links,
    )
