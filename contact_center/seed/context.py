"""What every part of the synthetic data shares while it is made: ids, randomness, the clock, the calendar."""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field
from typing import Any

from contact_center.domain.calendar import Calendar
from contact_center.seed.countries import City, Country, phone_for

Rows = dict[str, list[dict[str, Any]]]
TABLES = ("customers", "accounts", "phones", "orders", "cases", "opportunities", "leads", "activities")
# Bulk inserts take the keys of their first row: every activity row carries all of these.
ACTIVITY_KEYS: dict[str, Any] = {
    "channel": "phone",
    "direction": None,
    "subject": "",
    "customer_id": None,
    "account_id": None,
    "agent_id": None,
    "case_id": None,
    "opportunity_id": None,
    "lead_id": None,
    "interaction_id": None,
    "queue": None,
    "disposition": None,
    "outcome": None,
    "ended_at": None,
    "details": {},
}
KNOWN_CALLER = "+14155550142"  # Maria Garcia, the caller the README and the demo rely on


@dataclass
class Ids:
    next: dict[str, int]

    def take(self, table: str) -> int:
        value = self.next[table]
        self.next[table] = value + 1
        return value


@dataclass
class SeedContext:
    rng: random.Random
    now: dt.datetime
    ids: Ids
    agents: list[int | None]
    calendar_id: int | None
    calendar: Calendar
    rows: Rows = field(default_factory=lambda: {name: [] for name in TABLES})
    numbers: set[str] = field(default_factory=lambda: {KNOWN_CALLER})

    def agent(self) -> int | None:
        return self.rng.choice(self.agents)

    def number(self, country: Country, city: City, kind: str = "mobile") -> str:
        """A number nobody else in this run has (a lookup should find one customer), when the range allows."""
        for _ in range(20):
            candidate = phone_for(country, city, self.rng, kind)
            if candidate not in self.numbers:
                break
        self.numbers.add(candidate)
        return candidate

    def between(self, start: dt.datetime, end: dt.datetime) -> dt.datetime:
        span = max(0, int((end - start).total_seconds()))
        return start + dt.timedelta(seconds=self.rng.randrange(span + 1))

    def activity(self, type_: str, started: dt.datetime, **values: Any) -> dict[str, Any]:
        row = {
            **ACTIVITY_KEYS,
            **values,
            "id": self.ids.take("activities"),
            "type": type_,
            "started_at": started,
            "created_at": values.get("created_at", started),
        }
        if row["details"] is ACTIVITY_KEYS["details"]:
            row["details"] = {}
        self.rows["activities"].append(row)
        return row

    def flush_rows(self) -> Rows:
        rows, self.rows = self.rows, {name: [] for name in TABLES}
        return rows
