"""Queue definitions built from the JSON an admin edits."""

from __future__ import annotations

import pytest

from contact_center.domain.acd import EscalationRule, ExitAction, QueueConfig
from contact_center.domain.acd.config import without_unknown_references
from contact_center.domain.acd.errors import ConfigError


def test_from_mapping_reads_the_documented_shape() -> None:
    cfg = QueueConfig.from_mapping(
        "sales",
        {
            "strategy": "skills_best_match",
            "exit_action": {"kind": "queue", "queue": "general"},
            "escalation": [{"after_seconds": 60, "action": "raise_priority", "amount": 2}],
            "required_skills": {"sales": 2},
            "max_wait_seconds": None,
        },
    )
    assert cfg.strategy == "skills_best_match"
    assert cfg.exit_action == ExitAction("queue", "general")
    assert cfg.escalation == (EscalationRule(60, "raise_priority", amount=2),)
    assert cfg.required_skills == {"sales": 2}
    assert cfg.max_wait_seconds is None


@pytest.mark.parametrize(
    "raw",
    [
        {"strategy": "fastest"},
        {"ring_timeout_seconds": 0},
        {"exit_action": {"kind": "queue"}},
        {"exit_action": {"kind": "fax"}},
        {"escalation": [{"after_seconds": 60, "action": "teleport"}]},
        {"escalation": [{"after_seconds": 60, "action": "widen"}]},
        {"escalation": [{"after_seconds": 60, "action": "alert"}, {"after_seconds": 30, "action": "alert"}]},
        {"escalation": [{"action": "alert"}]},
        {"required_skills": {"x": -1}},
        {"colour": "blue"},
    ],
)
def test_bad_definitions_are_refused_with_the_queue_named(raw: dict[str, object]) -> None:
    with pytest.raises(ConfigError, match="'q'"):
        QueueConfig.from_mapping("q", raw)


def test_references_to_unknown_queues_are_disabled_one_by_one() -> None:
    sales = QueueConfig(
        "sales",
        overflow_queue="nowhere",
        exit_action=ExitAction("queue", "gone"),
        escalation=(
            EscalationRule(10, "move", queue="gone"),
            EscalationRule(20, "alert"),
            EscalationRule(30, "widen", queue="service"),
            EscalationRule(40, "widen"),
        ),
    )
    usable, problems = without_unknown_references([sales, QueueConfig("service")])
    fixed = usable[0]
    assert fixed.escalation == (EscalationRule(20, "alert"), EscalationRule(30, "widen", queue="service"))
    assert fixed.overflow_queue is None and fixed.exit_action == ExitAction()
    assert usable[1] == QueueConfig("service")
    assert len(problems) == 4 and all("'sales'" in p for p in problems)
    assert any("escalation[0] (move)" in p and "'gone'" in p for p in problems)
