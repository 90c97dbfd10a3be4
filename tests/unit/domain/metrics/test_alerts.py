"""Which conditions the board alerts on, and what a pass raises and clears (hand-worked cases)."""

from __future__ import annotations

from contact_center.domain.metrics.alerts import AgentLimits, AgentLook, Condition, QueueLook, compare, conditions

NOW = 10_000.0
LIMITS = AgentLimits(not_ready_seconds=600, wrap_up_seconds=120)


def queue(**changes: object) -> QueueLook:
    fields: dict[str, object] = {
        "name": "billing",
        "waiting": 0,
        "oldest_wait_seconds": 0.0,
        "agents_logged_in": 2,
        "service_level": 0.9,
        "offered": 20,
        "sl_target": 0.8,
        "sl_threshold_seconds": 20.0,
    }
    return QueueLook(**{**fields, **changes})  # type: ignore[arg-type]


def keys(found: list[Condition]) -> list[str]:
    return [c.key for c in found]


def test_a_quiet_queue_within_target_raises_nothing() -> None:
    assert conditions([queue()], [], NOW, LIMITS) == []


def test_service_level_under_target_is_an_alert_once_enough_calls_were_offered() -> None:
    (low,) = conditions([queue(service_level=0.75)], [], NOW, LIMITS)
    assert low.key == "service_level:billing" and low.value == 0.75
    assert "75%" in low.message and "80%" in low.message and "20 s" in low.message
    # Four calls say nothing yet (one late answer would read 75 %).
    assert conditions([queue(service_level=0.5, offered=4)], [], NOW, LIMITS) == []
    assert conditions([queue(service_level=None, offered=0)], [], NOW, LIMITS) == []


def test_longest_wait_over_the_queue_limit_or_three_times_its_threshold() -> None:
    assert keys(conditions([queue(waiting=1, oldest_wait_seconds=61)], [], NOW, LIMITS)) == ["longest_wait:billing"]
    assert conditions([queue(waiting=1, oldest_wait_seconds=59)], [], NOW, LIMITS) == []  # 3 x 20 s = 60 s
    assert conditions([queue(waiting=1, oldest_wait_seconds=59, alert_wait_seconds=120)], [], NOW, LIMITS) == []
    found = conditions([queue(waiting=2, oldest_wait_seconds=30, alert_wait_seconds=25)], [], NOW, LIMITS)
    assert keys(found) == ["longest_wait:billing"] and "25 s" in found[0].message and "2 waiting" in found[0].message


def test_callers_waiting_with_nobody_logged_in() -> None:
    found = conditions([queue(waiting=3, oldest_wait_seconds=5, agents_logged_in=0)], [], NOW, LIMITS)
    assert keys(found) == ["no_agents:billing"] and found[0].value == 3
    assert conditions([queue(waiting=0, agents_logged_in=0)], [], NOW, LIMITS) == []


def test_agents_not_ready_or_in_wrap_up_too_long() -> None:
    agents = [
        AgentLook("1", "Ava", "not_ready", "lunch", NOW - 601),
        AgentLook("2", "Bob", "not_ready", None, NOW - 599),
        AgentLook("3", "Cy", "wrap_up", None, NOW - 121),
        AgentLook("4", "Di", "available", None, NOW - 5000),
    ]
    found = conditions([], agents, NOW, LIMITS)
    assert keys(found) == ["not_ready_long:1", "wrap_up_long:3"]
    assert found[0].message == "Ava has been not ready (lunch) for over 10 min"
    assert found[1].message == "Cy has been in wrap-up for over 2 min"


def test_a_queue_sets_its_own_limits_for_its_agents_and_the_strictest_applies() -> None:
    """Sales lets its agents take 5 minutes of wrap-up; VIP wants its agents back after 2 minutes of not
    ready. An agent of both is held to the strictest; an agent of neither to the centre's limits."""
    sales = queue(name="sales", alert_wrap_up_seconds=300)
    vip = queue(name="vip", alert_not_ready_seconds=120, alert_wrap_up_seconds=200)
    agents = [
        AgentLook("1", "Ava", "wrap_up", None, NOW - 250, queues=("sales",)),  # under sales' 5 min
        AgentLook("2", "Bob", "wrap_up", None, NOW - 250, queues=("sales", "vip")),  # over vip's 200 s
        AgentLook("3", "Cy", "not_ready", "break", NOW - 150, queues=("vip",)),  # over vip's 2 min
        AgentLook("4", "Di", "not_ready", "break", NOW - 150, queues=("sales",)),  # under the centre's 10 min
        AgentLook("5", "Ed", "wrap_up", None, NOW - 130, queues=("billing",)),  # over the centre's 2 min
    ]
    found = conditions([sales, vip, queue()], agents, NOW, LIMITS)
    assert keys(found) == ["wrap_up_long:2", "not_ready_long:3", "wrap_up_long:5"]
    assert found[0].message == "Bob has been in wrap-up for over 3 min 20 s"
    assert found[1].message == "Cy has been not ready (break) for over 2 min"


def test_a_pass_raises_what_newly_holds_and_clears_what_stopped() -> None:
    holding = [Condition("longest_wait:billing", "longest_wait", "m"), Condition("no_agents:sales", "no_agents", "m")]
    changes = compare({"longest_wait:billing", "service_level:billing", "rule:c-1:5.000"}, holding)
    assert [c.key for c in changes.raised] == ["no_agents:sales"]  # longest wait is open already: not again
    assert changes.cleared == ["service_level:billing"]  # a rule's alert waits for its acknowledgement
