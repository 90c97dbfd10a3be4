"""Metric definitions on hand-made event logs whose right answers are known."""

from __future__ import annotations

import pytest

from contact_center.domain.acd import events as ev
from contact_center.domain.metrics import LiveMetrics, MetricsConfig, compute, select
from contact_center.domain.metrics.contacts import ContactLedger


def _visit(call: str, queued: float, outcome: str, at: float, agent: str = "a", queue: str = "q") -> list[ev.Event]:
    log: list[ev.Event] = [
        ev.CallQueued(at=queued, call_id=call, queue_id=queue, priority=0, skills=(), enqueued_at=queued, reason="new")
    ]
    wait = at - queued
    if outcome == "answered":
        log.append(ev.CallAnswered(at=at, call_id=call, agent_id=agent, queue_id=queue, wait_seconds=wait))
        log.append(
            ev.CallEnded(
                at=at + 100,
                call_id=call,
                agent_id=agent,
                queue_id=queue,
                talk_seconds=90,
                hold_seconds=10,
                reason="hangup",
                wrap_up=True,
            )
        )
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
        (0, 1, 1, 0),
        (900, 1, 1, 0),
        (1800, 1, 0, 1),
    ]
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
        ("r", 1, "answered", ["q"]),
        ("s", 2, "waiting", []),
    ]


def test_unknown_formula_is_refused() -> None:
    with pytest.raises(ValueError, match="formula"):
        MetricsConfig(sl_formula="best_case")  # type: ignore[arg-type]


def _answered(call: str, queue: str, wait: float, at: float = 0.0) -> list[ev.Event]:
    return [
        ev.CallQueued(at=at, call_id=call, queue_id=queue, priority=0, skills=(), enqueued_at=at, reason="new"),
        ev.CallAnswered(at=at + wait, call_id=call, agent_id="a", queue_id=queue, wait_seconds=wait),
    ]


def test_each_queue_has_its_own_threshold_and_agent_figures_use_the_calls_queues() -> None:
    live = LiveMetrics(MetricsConfig(20, 5, thresholds={"vip": 10}), teams={"a": "blue"})
    live.apply_all(_answered("v1", "vip", 15) + _answered("g1", "general", 15))
    report = live.report(0, 900)
    assert report.groups["vip"].answered_within_threshold == 0  # 15 s > vip's 10 s
    assert report.groups["general"].answered_within_threshold == 1  # 15 s <= the default 20 s
    assert report.total.answered_within_threshold == 1
    assert live.report(0, 900, group="agent").groups["a"].service_level == pytest.approx(1 / 2)
    assert live.report(0, 900, group="team").groups["blue"].answered_within_threshold == 1


def test_handle_time_counts_where_handling_completed_so_closed_intervals_stay_final() -> None:
    live = LiveMetrics(MetricsConfig(20, 5))
    live.apply_all(_answered("c1", "q", 5, at=800))  # answered at 805, in the first interval
    first = live.intervals(0, 1800)
    live.apply_all(
        [
            ev.CallEnded(
                at=1000,
                call_id="c1",
                agent_id="a",
                queue_id="q",
                talk_seconds=195,
                hold_seconds=0,
                reason="hangup",
                wrap_up=True,
            ),
            ev.WrapUpEnded(at=1030, agent_id="a", call_id="c1", queue_id="q", wrap_seconds=30),
        ]
    )
    second = live.intervals(0, 1800)
    assert second[0] == first[0]  # the closed interval did not move
    assert (second[0][1].answered, second[0][1].handled) == (1, 0)
    assert (second[1][1].answered, second[1][1].handled, second[1][1].aht_seconds) == (0, 1, 225)


def test_a_warm_transfer_is_handled_when_the_last_agent_finished_wrapping_up() -> None:
    ledger = ContactLedger()
    ledger.apply_all(
        [
            *_answered("c1", "q", 0),
            ev.CallTransferred(at=50, call_id="c1", from_agent_id="a", to_queue_id=None, to_agent_id="b", kind="warm"),
            ev.CallEnded(
                at=50,
                call_id="c1",
                agent_id="a",
                queue_id="q",
                talk_seconds=50,
                hold_seconds=0,
                reason="transfer",
                wrap_up=True,
            ),
            ev.WrapUpEnded(at=60, agent_id="a", call_id="c1", queue_id="q", wrap_seconds=10),
        ]
    )
    assert ledger.contacts[0].handled_at is None  # b still talks
    ledger.apply_all(
        [
            ev.CallEnded(
                at=100,
                call_id="c1",
                agent_id="b",
                queue_id="q",
                talk_seconds=50,
                hold_seconds=0,
                reason="hangup",
                wrap_up=False,
            ),
        ]
    )
    contact = ledger.contacts[0]
    assert (contact.handled_at, contact.handle_seconds) == (100, 110)


def test_logs_without_the_wrap_up_flag_still_count_wrap_up() -> None:
    ledger = ContactLedger()
    ledger.apply_all(
        [
            *_answered("c1", "q", 0),
            ev.CallEnded(
                at=50, call_id="c1", agent_id="a", queue_id="q", talk_seconds=50, hold_seconds=0, reason="hangup"
            ),
            ev.WrapUpStarted(at=50, agent_id="a", call_id="c1", queue_id="q", deadline=80),
            ev.WrapUpEnded(at=70, agent_id="a", call_id="c1", queue_id="q", wrap_seconds=20),
        ]
    )
    assert (ledger.contacts[0].handled_at, ledger.contacts[0].handle_seconds) == (70, 70)


def test_pruning_forgets_what_finished_before_and_keeps_what_is_open() -> None:
    live = LiveMetrics(MetricsConfig(20, 5))
    live.apply_all(_visit("old", 0, "answered", 5) + _answered("open", "q", 5, at=10))
    live.apply_all(
        [
            ev.AgentStateChanged(at=1, agent_id="a", old="offline", new="available", reason=None, seconds_in_old=0),
            ev.AgentStateChanged(at=2, agent_id="a", old="available", new="reserved", reason=None, seconds_in_old=1),
        ]
    )
    live.prune(before=1000)
    assert [c.call_id for c in live.contacts.contacts] == ["open"]  # answered, not yet handled
    assert live.agent_time.spans == []
    assert live.agent_time.current_states() == {"a": "reserved"}
