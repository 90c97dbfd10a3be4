"""Metric definitions on hand-made event logs whose right answers are known."""

from __future__ import annotations

import pytest

from contact_center.domain.acd import events as ev
from contact_center.domain.metrics import LiveMetrics, MetricsConfig, compute, select
from contact_center.domain.metrics.contacts import ContactLedger


def _visit(call: str, queued: float, outcome: str, at: float, agent: str = "a", queue: str = "q") -> list[ev.Event]:
    log: list[ev.Event] = [ev.CallQueued(at=queued, call_id=call, queue_id=queue, priority=0, skills=(),
                                         enqueued_at=queued, reason="new")]  # fmt: skip
    wait = at - queued
    if outcome == "answered":
        log.append(ev.CallAnswered(at=at, call_id=call, agent_id=agent, queue_id=queue, wait_seconds=wait))
        log.append(ev.CallEnded(at=at + 100, call_id=call, agent_id=agent, queue_id=queue, talk_seconds=90,
                                hold_seconds=10, reason="hangup"))  # fmt: skip
        log.append(ev.WrapUpEnded(at=at + 130, agent_id=agent, call_id=call, queue_id=queue, wrap_seconds=30))
    else:
        log.append(ev.CallAbandoned(at=at, call_id=call, queue_id=queue, wait_seconds=wait, reason="caller_hangup"))
    return log


LOG = [
    *_visit("fast", 0, "answered", 5),  # answered within 20 s
    *_visit("slow", 0, "answered", 50, agent="b"),  # answered after 20 s
    *_visit("short", 0, "abandoned", 3),  # short abandon: excluded
    *_visit("early", 0, "abandoned", 12),  # abandoned within 20 s
    *_visit("late", 0, "abandoned", 40),  # abandoned after 20 s
]


def _stats(formula: str = "answered_plus_late_abandons") -> object:
    ledger = ContactLedger()
    ledger.apply_all(LOG)
    return compute(ledger.contacts, MetricsConfig(20, 5, formula))  # type: ignore[arg-type]


def test_counts_and_default_service_level() -> None:
    s = _stats()
    assert (s.offered, s.answered, s.abandoned, s.short_abandoned) == (5, 2, 2, 1)  # type: ignore[attr-defined]
    assert s.answered_within_threshold == 1  # type: ignore[attr-defined]
    # answered within T / (answered + abandoned after T) = 1 / (2 + 1)
    assert s.service_level == pytest.approx(1 / 3)  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("formula", "expected"),
    [("offered", 1 / 4), ("answered", 1 / 2), ("abandons_within_count_as_met", 2 / 4)],
)
def test_service_level_variants(formula: str, expected: float) -> None:
    assert _stats(formula).service_level == pytest.approx(expected)  # type: ignore[attr-defined]


def test_waits_and_handling_time() -> None:
    s = _stats()
    assert s.asa_seconds == pytest.approx((5 + 50) / 2)  # type: ignore[attr-defined]
    assert s.average_wait_seconds == pytest.approx((5 + 50 + 12 + 40) / 4)  # type: ignore[attr-defined]
    assert s.longest_wait_seconds == 50  # type: ignore[attr-defined]
    assert s.aht_seconds == pytest.approx(90 + 10 + 30)  # type: ignore[attr-defined]
    assert s.abandon_rate == pytest.approx(3 / 5)  # type: ignore[attr-defined]


def test_drill_down_returns_the_calls_behind_a_figure() -> None:
    ledger = ContactLedger()
    ledger.apply_all(LOG)
    assert [c.call_id for c in select(ledger.contacts, outcome="abandoned")] == ["short", "early", "late"]
    assert [c.call_id for c in select(ledger.contacts, team="blue", teams={"b": "blue"})] == ["slow"]


def test_windows_and_intervals_count_outcomes_where_they_happen() -> None:
    live = LiveMetrics(MetricsConfig(20, 5))
    live.apply_all(
        _visit("c1", 0, "answered", 10) + _visit("c2", 890, "answered", 905) + _visit("c3", 1000, "abandoned", 1900)
    )
    assert live.window(now=900, seconds=900).total.answered == 1
    rows = live.intervals(0, 2700)
    assert [(start, s.offered, s.answered, s.abandoned) for start, s in rows] == [
        (0, 1, 1, 0), (900, 1, 1, 0), (1800, 1, 0, 1),
    ]  # fmt: skip
    report = live.report(0, 3600, group="agent")
    assert report.groups["a"].answered == 2


def test_moved_call_counts_in_the_queue_where_it_ended_and_visits_restart_on_transfer() -> None:
    log = _visit("c1", 0, "answered", 30)
    log.insert(1, ev.CallMoved(at=10, call_id="c1", from_queue="q", to_queue="r", reason="escalation"))
    log += [
        ev.CallQueued(at=200, call_id="c1", queue_id="s", priority=0, skills=(), enqueued_at=200, reason="transfer")
    ]
    ledger = ContactLedger()
    ledger.apply_all(log)
    assert [(c.queue_id, c.visit, c.outcome, c.moved_from) for c in ledger.contacts] == [
        ("r", 1, "answered", ["q"]), ("s", 2, "waiting", []),
    ]  # fmt: skip


def test_unknown_formula_is_refused() -> None:
    with pytest.raises(ValueError, match="formula"):
        MetricsConfig(sl_formula="best_case")  # type: ignore[arg-type]
