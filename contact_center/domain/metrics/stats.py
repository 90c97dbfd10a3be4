"""Queue figures with stated definitions (docs/routing.md), computed from contacts.

A contact's outcome figures (offered, answered, abandoned, waits, service level) count in
the window that holds its outcome instant; its handling figures (handled, talk, hold,
wrap-up, AHT) in the window that holds the instant its handling completed
(``Contact.handled_at``). Neither changes afterwards, so a closed 15-minute interval is
final. The service-level threshold T is the contact's queue's own (``MetricsConfig.thresholds``),
so agent and team figures use each call's queue's T. Every figure is a function of a list of
contacts, and ``select`` returns that list: any number can be drilled down to the calls behind it.
"""

from __future__ import annotations

import bisect
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal, get_args

from contact_center.domain.metrics.contacts import Contact

SlFormula = Literal["answered_plus_late_abandons", "offered", "answered", "abandons_within_count_as_met"]
SL_FORMULAS: tuple[str, ...] = get_args(SlFormula)
GroupBy = Literal["queue", "agent", "team"]
GROUPS: tuple[str, ...] = get_args(GroupBy)
Window = tuple[float, float]  # [start, end)


@dataclass(frozen=True, slots=True)
class MetricsConfig:
    sl_threshold_seconds: float = 20.0  # T of a queue missing from ``thresholds``
    short_abandon_seconds: float = 5.0  # abandons faster than this are not counted against the queue
    sl_formula: SlFormula = "answered_plus_late_abandons"
    thresholds: Mapping[str, float] = field(default_factory=dict)  # queue -> its own T

    def __post_init__(self) -> None:
        if self.sl_formula not in SL_FORMULAS:
            raise ValueError(f"unknown service-level formula {self.sl_formula!r}; one of {SL_FORMULAS}")

    def threshold(self, queue_id: str) -> float:
        return self.thresholds.get(queue_id, self.sl_threshold_seconds)


@dataclass(frozen=True, slots=True)
class QueueStats:
    offered: int  # every visit with an outcome in the window (short abandons included)
    answered: int
    abandoned: int  # abandons at or after the short-abandon threshold
    short_abandoned: int
    exited: int  # voicemail / disconnect after max wait or a full queue
    canceled: int  # callbacks the customer no longer wanted
    answered_within_threshold: int
    abandoned_within_threshold: int  # not short, but before the threshold
    abandoned_after_threshold: int
    exited_after_threshold: int
    service_level: float | None  # None when the denominator is 0
    asa_seconds: float | None
    average_wait_seconds: float | None  # answered and abandoned (short ones excluded)
    longest_wait_seconds: float
    handled: int  # answered visits whose conversation ended
    aht_seconds: float | None  # (talk + hold + wrap) / handled
    talk_seconds: float
    hold_seconds: float
    wrap_seconds: float
    waited: int  # visits that had to wait at all (wait > 0)

    @property
    def abandon_rate(self) -> float | None:
        total = self.abandoned + self.short_abandoned
        return None if self.offered == 0 else total / self.offered


def _inside(instant: float | None, window: Window | None) -> bool:
    if instant is None:
        return False
    return window is None or window[0] <= instant < window[1]


def compute(contacts: Iterable[Contact], config: MetricsConfig, window: Window | None = None) -> QueueStats:
    """Figures of ``contacts``; with ``window``, only the outcomes and completed handlings inside it count."""
    short = config.short_abandon_seconds
    offered = answered = abandoned = short_ab = exited = canceled = 0
    ans_within = ab_within = ab_after = ex_after = handled = waited = 0
    wait_answered = wait_all = longest = talk = hold = wrap = 0.0
    for c in contacts:
        if _inside(c.handled_at, window):
            handled += 1
            talk += c.talk_seconds
            hold += c.hold_seconds
            wrap += c.wrap_seconds
        if c.outcome == "waiting" or not _inside(c.outcome_at, window):
            continue
        t = config.threshold(c.queue_id)
        offered += 1
        w = c.wait_seconds
        if w > 0:
            waited += 1
        if c.outcome == "answered":
            answered += 1
            wait_answered += w
            wait_all += w
            ans_within += w <= t
        elif c.outcome == "abandoned":
            if w < short:
                short_ab += 1
                continue
            abandoned += 1
            wait_all += w
            if w <= t:
                ab_within += 1
            else:
                ab_after += 1
        elif c.outcome == "exited":
            exited += 1
            ex_after += w > t
        elif c.outcome == "canceled":
            canceled += 1
        longest = max(longest, w)
    counted = answered + abandoned
    return QueueStats(
        offered=offered,
        answered=answered,
        abandoned=abandoned,
        short_abandoned=short_ab,
        exited=exited,
        canceled=canceled,
        answered_within_threshold=ans_within,
        abandoned_within_threshold=ab_within,
        abandoned_after_threshold=ab_after,
        exited_after_threshold=ex_after,
        service_level=_service_level(
            config.sl_formula, ans_within, answered, ab_within, ab_after, ex_after, offered - short_ab
        ),
        asa_seconds=wait_answered / answered if answered else None,
        average_wait_seconds=wait_all / counted if counted else None,
        longest_wait_seconds=longest,
        handled=handled,
        aht_seconds=(talk + hold + wrap) / handled if handled else None,
        talk_seconds=talk,
        hold_seconds=hold,
        wrap_seconds=wrap,
        waited=waited,
    )


def _service_level(
    formula: str, within: int, answered: int, ab_within: int, ab_after: int, ex_after: int, offered: int
) -> float | None:
    if formula == "answered_plus_late_abandons":
        num, den = within, answered + ab_after + ex_after
    elif formula == "offered":
        num, den = within, offered
    elif formula == "answered":
        num, den = within, answered
    else:  # abandons_within_count_as_met
        num, den = within + ab_within, offered
    return num / den if den else None


def in_window(contacts: Iterable[Contact], start: float, end: float) -> list[Contact]:
    """Contacts whose outcome or completed handling happened in [start, end)."""
    window = (start, end)
    return [c for c in contacts if _inside(c.outcome_at, window) or _inside(c.handled_at, window)]


def select(
    contacts: Iterable[Contact],
    *,
    queue: str | None = None,
    agent: str | None = None,
    team: str | None = None,
    teams: Mapping[str, str] | None = None,
    outcome: str | None = None,
    where: Callable[[Contact], bool] | None = None,
) -> list[Contact]:
    """The calls behind a figure: filter by queue, answering agent, their team, outcome, or anything."""
    out = []
    for c in contacts:
        if queue is not None and c.queue_id != queue:
            continue
        if agent is not None and c.agent_id != agent:
            continue
        if team is not None and (c.agent_id is None or (teams or {}).get(c.agent_id) != team):
            continue
        if outcome is not None and c.outcome != outcome:
            continue
        if where is not None and not where(c):
            continue
        out.append(c)
    return out


def group_key(contact: Contact, group: GroupBy, teams: Mapping[str, str] | None = None) -> str | None:
    if group == "queue":
        return contact.queue_id
    if group == "agent":
        return contact.agent_id
    return (teams or {}).get(contact.agent_id or "")


def by_group(
    contacts: Iterable[Contact],
    config: MetricsConfig,
    group: GroupBy,
    teams: Mapping[str, str] | None = None,
    window: Window | None = None,
) -> dict[str, QueueStats]:
    """Figures per queue, per answering agent or per team (unanswered visits have no agent or team)."""
    buckets: dict[str, list[Contact]] = {}
    for c in contacts:
        key = group_key(c, group, teams)
        if key is not None:
            buckets.setdefault(key, []).append(c)
    return {key: compute(items, config, window) for key, items in sorted(buckets.items())}


def interval_buckets(contacts: Iterable[Contact], start: float, end: float, size: float) -> list[list[Contact]]:
    """The contacts of each fixed interval from ``start``: by outcome instant and by handled instant."""
    count = max(0, int((end - start + size - 1e-9) // size))
    buckets: list[list[Contact]] = [[] for _ in range(count)]
    for c in contacts:
        instants = (c.outcome_at, c.handled_at)
        slots = {int((at - start) // size) for at in instants if at is not None and start <= at < end}
        for slot in slots:
            if slot < count:
                buckets[slot].append(c)
    return buckets


def window_buckets(contacts: Iterable[Contact], edges: Sequence[float]) -> list[list[Contact]]:
    """The contacts of each window [edges[i], edges[i + 1]) (days of unequal length, say): by outcome instant
    and by handled instant."""
    if len(edges) < 2:
        return []
    buckets: list[list[Contact]] = [[] for _ in range(len(edges) - 1)]
    for c in contacts:
        instants = (c.outcome_at, c.handled_at)
        slots = {bisect.bisect_right(edges, at) - 1 for at in instants if at is not None and edges[0] <= at < edges[-1]}
        for slot in slots:
            buckets[slot].append(c)
    return buckets


def intervals(
    contacts: Sequence[Contact], config: MetricsConfig, start: float, end: float, size: float = 900.0
) -> list[tuple[float, QueueStats]]:
    """Figures per fixed interval (15 minutes by default) from ``start`` (aligned by the caller)."""
    buckets = interval_buckets(contacts, start, end, size)
    out = []
    for i, items in enumerate(buckets):
        lo = start + i * size
        out.append((lo, compute(items, config, (lo, min(lo + size, end)))))
    return out
