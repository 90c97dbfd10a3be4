"""What the board alerts supervisors to, decided from what it shows now (pure: no I/O, time passed in).

Each condition has a stable ``key`` (kind and subject): it is raised once when it first holds and
cleared when it stops holding, so an alert is one row however long the condition lasts, and a
supervisor acknowledges that row. The routing rules' own alerts (``SupervisorAlerted``) are one per
call and rule; they are raised by the rule and cleared by nobody (acknowledged only).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

ALERT_KINDS = ("service_level", "longest_wait", "no_agents", "not_ready_long", "wrap_up_long", "rule")


@dataclass(frozen=True, slots=True)
class AgentLimits:
    """Centre-wide: how long an agent may stay not ready, or in wrap-up, before the board says so (a queue
    may set its own for its agents: ``QueueLook``)."""

    not_ready_seconds: float = 900.0
    wrap_up_seconds: float = 180.0


@dataclass(frozen=True, slots=True)
class QueueLook:
    """A queue as the board sees it now. ``service_level`` is over the recent window (None: too few
    calls to judge, see ``MIN_OFFERED``); ``alert_wait_seconds`` None means the queue's default,
    three times its service-level threshold. ``alert_not_ready_seconds`` / ``alert_wrap_up_seconds``: the
    queue's own limits for its agents (None: the centre's)."""

    name: str
    waiting: int
    oldest_wait_seconds: float
    agents_logged_in: int
    service_level: float | None
    offered: int
    sl_target: float
    sl_threshold_seconds: float
    alert_wait_seconds: float | None = None
    alert_not_ready_seconds: float | None = None
    alert_wrap_up_seconds: float | None = None


@dataclass(frozen=True, slots=True)
class AgentLook:
    agent_id: str
    name: str
    state: str
    reason: str | None
    since: float
    queues: tuple[str, ...] = ()  # the queues they serve: the strictest limit of these applies


@dataclass(frozen=True, slots=True)
class Condition:
    key: str
    kind: str
    message: str
    queue: str | None = None
    agent_id: str | None = None
    call_id: str | None = None
    value: float | None = None  # the figure that crossed the limit (a rate, or seconds)


# Fewer calls than this in the window say nothing about the service level: one late answer of two
# would read 50 % and page every supervisor at 08:01.
MIN_OFFERED = 5


def conditions(
    queues: Iterable[QueueLook], agents: Iterable[AgentLook], now: float, limits: AgentLimits
) -> list[Condition]:
    found: list[Condition] = []
    queues = list(queues)
    not_ready = {q.name: q.alert_not_ready_seconds for q in queues if q.alert_not_ready_seconds is not None}
    wrap_up = {q.name: q.alert_wrap_up_seconds for q in queues if q.alert_wrap_up_seconds is not None}
    for q in queues:
        if q.service_level is not None and q.offered >= MIN_OFFERED and q.service_level < q.sl_target:
            found.append(
                Condition(
                    key=f"service_level:{q.name}",
                    kind="service_level",
                    queue=q.name,
                    value=q.service_level,
                    message=(
                        f"service level {q.service_level:.0%} is under the target {q.sl_target:.0%} "
                        f"(answered within {q.sl_threshold_seconds:g} s, last 30 min, {q.offered} offered)"
                    ),
                )
            )
        limit = q.alert_wait_seconds if q.alert_wait_seconds is not None else 3 * q.sl_threshold_seconds
        if q.waiting and q.oldest_wait_seconds > limit:
            found.append(
                Condition(
                    key=f"longest_wait:{q.name}",
                    kind="longest_wait",
                    queue=q.name,
                    value=q.oldest_wait_seconds,
                    message=f"a caller has waited over {_duration(limit)} ({q.waiting} waiting)",
                )
            )
        if q.waiting and q.agents_logged_in == 0:
            found.append(
                Condition(
                    key=f"no_agents:{q.name}",
                    kind="no_agents",
                    queue=q.name,
                    value=float(q.waiting),
                    message=f"{q.waiting} caller(s) waiting and no agent of the queue is logged in",
                )
            )
    for a in agents:
        spent = now - a.since
        not_ready_limit = _strictest(not_ready, a.queues, limits.not_ready_seconds)
        wrap_up_limit = _strictest(wrap_up, a.queues, limits.wrap_up_seconds)
        if a.state == "not_ready" and spent > not_ready_limit:
            why = f" ({a.reason})" if a.reason else ""
            found.append(
                Condition(
                    key=f"not_ready_long:{a.agent_id}",
                    kind="not_ready_long",
                    agent_id=a.agent_id,
                    value=spent,
                    message=f"{a.name} has been not ready{why} for over {_duration(not_ready_limit)}",
                )
            )
        elif a.state == "wrap_up" and spent > wrap_up_limit:
            found.append(
                Condition(
                    key=f"wrap_up_long:{a.agent_id}",
                    kind="wrap_up_long",
                    agent_id=a.agent_id,
                    value=spent,
                    message=f"{a.name} has been in wrap-up for over {_duration(wrap_up_limit)}",
                )
            )
    return found


@dataclass(frozen=True, slots=True)
class Changes:
    raised: list[Condition]
    cleared: list[str]  # keys of open alerts whose condition no longer holds


def compare(open_keys: Iterable[str], now_holding: Iterable[Condition]) -> Changes:
    """What to raise and clear, given the alerts open now and the conditions holding now.

    Rule alerts are not judged here: they hold until acknowledged."""
    holding: Mapping[str, Condition] = {c.key: c for c in now_holding}
    still_open = {key for key in open_keys if not key.startswith("rule:")}
    return Changes(
        raised=[c for key, c in holding.items() if key not in still_open],
        cleared=sorted(still_open - holding.keys()),
    )


def _strictest(by_queue: Mapping[str, float], queues: Iterable[str], default: float) -> float:
    """The shortest limit set by any of the agent's queues; the centre's when none sets one."""
    return min((by_queue[q] for q in queues if q in by_queue), default=default)


def _duration(seconds: float) -> str:
    seconds = round(seconds)
    if seconds < 120:
        return f"{seconds} s"
    return f"{seconds // 60} min" if seconds % 60 == 0 else f"{seconds // 60} min {seconds % 60} s"
