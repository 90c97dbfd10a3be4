"""Commands, events and queue definitions survive the trip through JSON unchanged."""

from __future__ import annotations

import json

import pytest

from contact_center.domain.acd import EscalationRule, ExitAction, QueueConfig
from contact_center.domain.acd import commands as c
from contact_center.domain.acd import events as ev
from contact_center.domain.acd.codec import (
    command_from_dict,
    command_to_dict,
    event_from_dict,
    event_to_dict,
    queue_from_dict,
    queue_to_dict,
)


def _trip(data: dict[str, object]) -> dict[str, object]:
    loaded: dict[str, object] = json.loads(json.dumps(data))
    return loaded


def test_commands_round_trip() -> None:
    for command in (
        c.EnqueueCall(
            "c1",
            "vip",
            priority=3,
            skills={"fr": 2},
            caller_number="+33",
            preferred_agent="42",
            preferred_wait_seconds=12.5,
        ),
        c.ConfigureAgent("42", skills={"fr": 5}, tiers={"vip": 1, "general": 2}, team="Tier 1"),
        c.ExtendWrapUp("42", 30.0),
        c.ResetDailyCounters(),
    ):
        again = command_from_dict(_trip(command_to_dict(command)))
        assert again == command


def test_a_command_that_does_not_fit_is_refused_by_name() -> None:
    with pytest.raises(ValueError, match="unknown routing command 'Teleport'"):
        command_from_dict({"kind": "Teleport", "data": {}})
    with pytest.raises(ValueError, match="LogIn"):
        command_from_dict({"kind": "LogIn", "data": {"agent": "42"}})


def test_events_round_trip_with_their_tuples() -> None:
    event = ev.CallQueued(
        at=1.25, call_id="c1", queue_id="q", priority=1, skills=(("fr", 2),), enqueued_at=0.5, reason="new"
    )
    assert event_from_dict(_trip(event_to_dict(event))) == event


def test_queue_definitions_round_trip() -> None:
    queue = QueueConfig(
        "sales",
        strategy="round_robin",
        max_wait_seconds=600,
        exit_action=ExitAction("queue", "general"),
        escalation=(EscalationRule(30, "raise_priority", amount=2), EscalationRule(60, "alert", message="!")),
        overflow_queue="general",
        required_skills={"sales": 3},
        preferred_wait_seconds=45,
    )
    assert queue_from_dict(_trip(queue_to_dict(queue))) == queue
