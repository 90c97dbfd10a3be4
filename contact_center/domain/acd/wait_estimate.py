"""What a caller on hold is told: their place in line and a cautious estimate of the wait.

The estimate is the usual ACD one: the callers ahead (and this one) are served by the agents who can
take the queue, each call taking the average handle time, so about ``position * AHT / agents``.
Callers hate estimates that turn out short more than long ones, so it is rounded up to the minute,
and it is not said at all when nobody staffs the queue or there is no handle time to go by yet.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass

from contact_center.domain.acd.agents import Agent, AgentState
from contact_center.domain.acd.calls import Call

SERVING_STATES = frozenset({AgentState.AVAILABLE, AgentState.RESERVED, AgentState.ON_CALL, AgentState.WRAP_UP})


@dataclass(frozen=True, slots=True)
class WaitEstimate:
    position: int  # 1 = next in line
    minutes: int | None  # None: no honest estimate to give


def place_in_line(call: Call, waiting: Iterable[Call]) -> int:
    """1 + the calls that routing would serve before this one (priority, then original enqueue time)."""
    return 1 + sum(1 for other in waiting if other.key < call.key)


def estimate(position: int, aht_seconds: float | None, agents: Iterable[Agent], queue_id: str) -> WaitEstimate:
    serving = sum(1 for agent in agents if queue_id in agent.tiers and agent.state in SERVING_STATES)
    if not serving or not aht_seconds or aht_seconds <= 0:
        return WaitEstimate(position, None)
    return WaitEstimate(position, max(1, math.ceil(position * aht_seconds / serving / 60)))
