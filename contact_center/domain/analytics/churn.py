"""Which customers may be about to leave (pure): a named rule over their recent case and contact history.

Scored over the last ``WINDOW_DAYS`` days, points add up; the page names the rule (``RULE``) so a supervisor
knows why a customer is on the list, and each row carries its reasons."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

WINDOW_DAYS = 90
LAPSED_AFTER_DAYS = 180
LISTED_FROM = 35  # points: below this a customer is not on the list
HIGH_FROM = 60
RULE = (
    f"Customers with a case in the last {WINDOW_DAYS} days, scored: 3 or more cases +30 (2 cases +20); a case "
    f"past its SLA +25; a call they abandoned in the queue +15; a call escalated +10; no order for "
    f"{LAPSED_AFTER_DAYS} days after ordering before +20. Listed from {LISTED_FROM} points, high from {HIGH_FROM}."
)


@dataclass(frozen=True, slots=True)
class History:
    cases: int  # opened in the window
    past_sla: int  # of those, resolved after their SLA or open past it
    abandoned_calls: int  # in the window
    escalated_calls: int  # in the window
    last_order_at: dt.datetime | None  # ever


@dataclass(frozen=True, slots=True)
class Risk:
    score: int
    level: str  # high | medium | low
    reasons: tuple[str, ...]


def case_points(cases: int, past_sla: int) -> int:
    """The part of the score cases alone give (what the candidates are ranked by before the rest is read)."""
    return (30 if cases >= 3 else 20 if cases == 2 else 0) + (25 if past_sla else 0)


def risk(history: History, now: dt.datetime) -> Risk:
    reasons: list[str] = []
    if history.cases >= 2:
        reasons.append(f"{history.cases} cases in {WINDOW_DAYS} days")
    if history.past_sla:
        reasons.append(f"{history.past_sla} past its SLA" if history.past_sla == 1 else f"{history.past_sla} past SLA")
    score = case_points(history.cases, history.past_sla)
    if history.abandoned_calls:
        score += 15
        reasons.append(f"abandoned {history.abandoned_calls} call(s) in the queue")
    if history.escalated_calls:
        score += 10
        reasons.append(f"{history.escalated_calls} call(s) escalated")
    if history.last_order_at is not None and now - history.last_order_at > dt.timedelta(days=LAPSED_AFTER_DAYS):
        score += 20
        reasons.append(f"no order since {history.last_order_at.date().isoformat()}")
    level = "high" if score >= HIGH_FROM else "medium" if score >= LISTED_FROM else "low"
    return Risk(score, level, tuple(reasons))
