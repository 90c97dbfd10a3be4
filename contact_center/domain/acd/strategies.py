"""Agent selection strategies: which of the eligible free agents of one tier gets the call.

Every strategy but ``random`` is a sort key; ties always fall back to the longest idle
agent and then to the agent id, so a decision never depends on dict or hash order.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence

from contact_center.domain.acd.agents import Agent
from contact_center.domain.acd.calls import Call
from contact_center.domain.acd.config import Strategy

SortKey = tuple[float, float, str]


def _longest_idle(agent: Agent, call: Call, queue_id: str) -> SortKey:
    return (agent.idle_since, 0.0, agent.id)


def _round_robin(agent: Agent, call: Call, queue_id: str) -> SortKey:
    # "Round robin with memory": the agent offered a call of this queue longest ago goes next.
    return (agent.last_offer_seq.get(queue_id, -1), agent.idle_since, agent.id)


def _fewest_calls(agent: Agent, call: Call, queue_id: str) -> SortKey:
    return (agent.calls_today, agent.idle_since, agent.id)


def _least_talk_time(agent: Agent, call: Call, queue_id: str) -> SortKey:
    return (agent.talk_today, agent.idle_since, agent.id)


def _skills_best_match(agent: Agent, call: Call, queue_id: str) -> SortKey:
    return (-agent.proficiency(call.signature), agent.idle_since, agent.id)


_KEYS: dict[str, Callable[[Agent, Call, str], SortKey]] = {
    "longest_idle": _longest_idle,
    "round_robin": _round_robin,
    "fewest_calls": _fewest_calls,
    "least_talk_time": _least_talk_time,
    "skills_best_match": _skills_best_match,
}


def pick(strategy: Strategy, candidates: Sequence[Agent], call: Call, queue_id: str, rng: random.Random) -> Agent:
    """Choose one agent among non-empty ``candidates`` (all free, eligible and in the same tier)."""
    if strategy == "random":
        return rng.choice(sorted(candidates, key=lambda a: a.id))
    key = _KEYS[strategy]
    return min(candidates, key=lambda a: key(a, call, queue_id))
