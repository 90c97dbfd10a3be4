"""Queue definitions: frozen, built from the JSON an admin edits (the shape is in docs/routing.md)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any, Literal, cast, get_args

from contact_center.domain.acd.errors import ConfigError

Strategy = Literal["longest_idle", "round_robin", "fewest_calls", "least_talk_time", "skills_best_match", "random"]
STRATEGIES: tuple[str, ...] = get_args(Strategy)

EscalationAction = Literal["raise_priority", "relax_skills", "widen", "move", "alert", "offer_callback"]
ESCALATION_ACTIONS: tuple[str, ...] = get_args(EscalationAction)

ExitKind = Literal["voicemail", "callback", "queue", "disconnect"]
EXIT_KINDS: tuple[str, ...] = get_args(ExitKind)


@dataclass(frozen=True, slots=True)
class EscalationRule:
    """Once a call has waited ``after_seconds`` in the queue, do ``action`` (once).

    ``amount``: priority added (raise_priority) or levels removed from every required
    skill (relax_skills; a level that reaches 0 drops the requirement). ``queue``: the
    overflow queue whose agents may also answer (widen; default: the queue's
    ``overflow_queue``) or the queue to move to (move).
    """

    after_seconds: float
    action: EscalationAction
    amount: int = 1
    queue: str | None = None
    message: str = ""


@dataclass(frozen=True, slots=True)
class ExitAction:
    """Where a call goes when the queue is full or the maximum wait is reached."""

    kind: ExitKind = "voicemail"
    queue: str | None = None


# Settings added after the first schema: a store may still lack their columns (store/routing_config.py reads
# them from a column, else from a JSON settings column, else leaves the default).
LATER_SETTINGS = (
    "reoffer_delay_seconds",
    "preferred_wait_seconds",
    "sl_target",
    "alert_wait_seconds",
    "alert_not_ready_seconds",
    "alert_wrap_up_seconds",
    "hold_music",
    "announcement",
    "announce_every_seconds",
    "announce_position",
)
# Every setting a queue mapping may carry (a DB row, a config file, the admin API), in the order they are listed.
SETTINGS = (
    "strategy",
    "sl_threshold_seconds",
    "ring_timeout_seconds",
    "wrapup_seconds",
    "max_wait_seconds",
    "max_length",
    "exit_action",
    "escalation",
    "overflow_queue",
    "required_skills",
    "default_priority",
    *LATER_SETTINGS,
)


@dataclass(frozen=True, slots=True)
class QueueConfig:
    id: str
    strategy: Strategy = "longest_idle"
    sl_threshold_seconds: float = 20.0
    ring_timeout_seconds: float = 15.0
    wrapup_seconds: float = 30.0
    max_wait_seconds: float | None = None
    max_length: int | None = None
    exit_action: ExitAction = field(default_factory=ExitAction)
    escalation: tuple[EscalationRule, ...] = ()
    overflow_queue: str | None = None
    required_skills: Mapping[str, int] = field(default_factory=dict)
    default_priority: int = 0
    # A rejected or missed offer is not made again to the same agent for this long.
    reoffer_delay_seconds: float = 30.0
    # How long a call that asked for an agent by name waits for them alone (EnqueueCall.preferred_agent).
    preferred_wait_seconds: float = 30.0
    # The board's yardsticks (routing itself ignores them): the share of calls to answer within
    # ``sl_threshold_seconds``, and a wait that raises an alert (None: three times the threshold).
    sl_target: float = 0.8
    alert_wait_seconds: float | None = None
    # How long one of the queue's agents may stay not ready, or in wrap-up, before the board alerts (the
    # strictest of an agent's queues; None: the centre's limits).
    alert_not_ready_seconds: float | None = None
    alert_wrap_up_seconds: float | None = None
    # What a waiting caller hears (routing ignores these too): the queue's own hold music (a WAV file name),
    # a message on entering the queue, and how often the place in line is said over the music.
    hold_music: str | None = None
    announcement: str = ""
    announce_every_seconds: float = 30.0
    announce_position: bool = True

    def __post_init__(self) -> None:
        if self.strategy not in STRATEGIES:
            raise ConfigError(f"queue {self.id!r}: unknown strategy {self.strategy!r}; one of {STRATEGIES}")
        for name in ("ring_timeout_seconds", "sl_threshold_seconds"):
            if getattr(self, name) <= 0:
                raise ConfigError(f"queue {self.id!r}: {name} must be positive")
        for name in ("wrapup_seconds", "reoffer_delay_seconds", "preferred_wait_seconds"):
            if getattr(self, name) < 0:
                raise ConfigError(f"queue {self.id!r}: {name} must be >= 0")
        if not 0 < self.sl_target <= 1:
            raise ConfigError(f"queue {self.id!r}: sl_target must be a share between 0 and 1 (0.8 for 80 %)")
        if self.announce_every_seconds < 10:
            raise ConfigError(f"queue {self.id!r}: announce_every_seconds must be at least 10")
        for name in ("alert_wait_seconds", "alert_not_ready_seconds", "alert_wrap_up_seconds"):
            if getattr(self, name) is not None and getattr(self, name) <= 0:
                raise ConfigError(f"queue {self.id!r}: {name} must be positive")
        if self.max_wait_seconds is not None and self.max_wait_seconds <= 0:
            raise ConfigError(f"queue {self.id!r}: max_wait_seconds must be positive")
        if self.max_length is not None and self.max_length < 0:
            raise ConfigError(f"queue {self.id!r}: max_length must be >= 0")
        if self.exit_action.kind == "queue" and not self.exit_action.queue:
            raise ConfigError(f"queue {self.id!r}: exit_action of kind 'queue' needs a queue")
        previous = -1.0
        for i, rule in enumerate(self.escalation):
            if rule.action not in ESCALATION_ACTIONS:
                raise ConfigError(f"queue {self.id!r}: escalation[{i}]: unknown action {rule.action!r}")
            if rule.after_seconds < previous:
                raise ConfigError(f"queue {self.id!r}: escalation rules must be ordered by after_seconds")
            if rule.action == "move" and not rule.queue:
                raise ConfigError(f"queue {self.id!r}: escalation[{i}]: move needs a queue")
            if rule.action == "widen" and not (rule.queue or self.overflow_queue):
                raise ConfigError(f"queue {self.id!r}: escalation[{i}]: widen needs a queue or overflow_queue")
            previous = rule.after_seconds
        for skill, level in self.required_skills.items():
            if not isinstance(level, int) or level < 0:
                raise ConfigError(f"queue {self.id!r}: required_skills[{skill!r}] must be an integer >= 0")

    @classmethod
    def from_mapping(cls, queue_id: str, raw: Mapping[str, Any]) -> QueueConfig:
        """Build from a DB row / JSON object; unknown keys are an error so typos do not pass silently."""
        known = set(SETTINGS)
        unknown = set(raw) - known
        if unknown:
            raise ConfigError(f"queue {queue_id!r}: unknown field(s) {sorted(unknown)}")
        kwargs: dict[str, Any] = {k: v for k, v in raw.items() if v is not None}
        exit_raw = kwargs.pop("exit_action", None) or {}
        rules_raw = kwargs.pop("escalation", None) or []
        try:
            exit_action = ExitAction(
                kind=cast(ExitKind, exit_raw.get("kind", "voicemail")), queue=exit_raw.get("queue")
            )
            rules = tuple(
                EscalationRule(
                    after_seconds=float(r["after_seconds"]),
                    action=r["action"],
                    amount=int(r.get("amount", 1)),
                    queue=r.get("queue"),
                    message=str(r.get("message", "")),
                )
                for r in rules_raw
            )
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            raise ConfigError(f"queue {queue_id!r}: bad exit_action or escalation: {exc}") from None
        if exit_action.kind not in EXIT_KINDS:
            raise ConfigError(f"queue {queue_id!r}: unknown exit_action kind {exit_action.kind!r}")
        kwargs["required_skills"] = dict(kwargs.get("required_skills", {}))
        return cls(id=queue_id, exit_action=exit_action, escalation=rules, **kwargs)


def skill_signature(*requirements: Mapping[str, int]) -> tuple[tuple[str, int], ...]:
    """Merge requirements (highest level wins) into a hashable, sorted signature; level 0 drops a skill."""
    merged: dict[str, int] = {}
    for req in requirements:
        for skill, level in req.items():
            merged[skill] = max(level, merged.get(skill, 0))
    return tuple(sorted((s, lvl) for s, lvl in merged.items() if lvl > 0))


def without_unknown_references(queues: Iterable[QueueConfig]) -> tuple[list[QueueConfig], list[str]]:
    """Queues with every reference to a queue outside the set disabled, and one message per disabled item.

    A ``move`` or ``widen`` rule naming an unknown queue is dropped (the others keep their order), an
    unknown ``overflow_queue`` is cleared, and an exit to an unknown queue becomes the default exit
    (voicemail). One bad reference must not take the queue, or routing, down.
    """
    configs = list(queues)
    known = {q.id for q in configs}
    out: list[QueueConfig] = []
    problems: list[str] = []
    for q in configs:
        overflow = q.overflow_queue
        if overflow is not None and overflow not in known:
            problems.append(f"queue {q.id!r}: overflow_queue {overflow!r} is not a queue; cleared")
            overflow = None
        rules = []
        for i, rule in enumerate(q.escalation):
            target = (rule.queue or overflow) if rule.action == "widen" else rule.queue
            if rule.action in ("move", "widen") and target not in known:
                problems.append(
                    f"queue {q.id!r}: escalation[{i}] ({rule.action}) names unknown queue {target!r}; rule disabled"
                )
                continue
            rules.append(rule)
        exit_action = q.exit_action
        if exit_action.kind == "queue" and exit_action.queue not in known:
            problems.append(f"queue {q.id!r}: exit_action names unknown queue {exit_action.queue!r}; voicemail instead")
            exit_action = ExitAction()
        changed = overflow != q.overflow_queue or len(rules) != len(q.escalation) or exit_action != q.exit_action
        out.append(
            replace(q, overflow_queue=overflow, escalation=tuple(rules), exit_action=exit_action) if changed else q
        )
    return out, problems
