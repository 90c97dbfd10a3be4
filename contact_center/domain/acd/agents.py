"""Agent state machine: offline, available, reserved, on call, wrap-up, not-ready (with a reason).

Every change goes through ``Agent.move_to``, which checks the transition, counts the
time spent in the state being left and returns the ``AgentStateChanged`` event.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum

from contact_center.domain.acd.errors import InvalidTransition
from contact_center.domain.acd.events import AgentStateChanged


def agent_key(user_id: int) -> str:
    """Routing identifies agents by string; the CRM by user id."""
    return str(user_id)


class AgentState(StrEnum):
    OFFLINE = "offline"
    AVAILABLE = "available"
    RESERVED = "reserved"  # an offer is ringing
    ON_CALL = "on_call"
    WRAP_UP = "wrap_up"
    NOT_READY = "not_ready"


_S = AgentState
ALLOWED: Mapping[AgentState, frozenset[AgentState]] = {
    _S.OFFLINE: frozenset({_S.AVAILABLE, _S.NOT_READY}),
    _S.AVAILABLE: frozenset({_S.RESERVED, _S.ON_CALL, _S.NOT_READY, _S.OFFLINE}),  # on call: they dialled out
    _S.RESERVED: frozenset({_S.ON_CALL, _S.AVAILABLE, _S.NOT_READY, _S.OFFLINE}),
    _S.ON_CALL: frozenset({_S.WRAP_UP, _S.AVAILABLE, _S.NOT_READY}),
    _S.WRAP_UP: frozenset({_S.AVAILABLE, _S.NOT_READY, _S.OFFLINE}),
    _S.NOT_READY: frozenset({_S.AVAILABLE, _S.ON_CALL, _S.NOT_READY, _S.OFFLINE}),
}

# Reasons the router itself sets; every other not-ready reason was chosen by the agent.
MISSED = "missed"
LOGIN = "login"


@dataclass(eq=False)
class Agent:
    """One agent as the router sees them: skills, queue memberships (queue -> tier) and live state."""

    id: str
    skills: dict[str, int] = field(default_factory=dict)
    tiers: dict[str, int] = field(default_factory=dict)
    team: str | None = None
    state: AgentState = AgentState.OFFLINE
    reason: str | None = None
    since: float = 0.0
    idle_since: float = 0.0  # last time the agent became available: the longest-idle key
    call_id: str | None = None  # offered, on-call or wrap-up call
    offer_kind: str | None = None
    pending_not_ready: str | None = None  # asked while busy: applied when the work ends
    wrap_deadline: float | None = None
    wrap_queue: str = ""  # the queue of the call being wrapped up (its WrapUpEnded names it)
    calls_today: int = 0
    talk_today: float = 0.0
    last_offer_seq: dict[str, int] = field(default_factory=dict)  # per queue, for round-robin
    time_in_state: dict[str, float] = field(default_factory=dict)
    timer_version: int = 0
    _sig_cache: dict[tuple[tuple[str, int], ...], bool] = field(default_factory=dict, repr=False)

    def move_to(self, new: AgentState, now: float, reason: str | None = None) -> AgentStateChanged:
        if new not in ALLOWED[self.state]:
            raise InvalidTransition(f"agent {self.id!r}: {self.state} -> {new} is not allowed")
        spent = max(0.0, now - self.since)
        key = self.state_key
        self.time_in_state[key] = self.time_in_state.get(key, 0.0) + spent
        event = AgentStateChanged(at=now, agent_id=self.id, old=key, new=new.value, reason=reason, seconds_in_old=spent)
        self.state = new
        self.reason = reason if new is AgentState.NOT_READY else None
        self.since = now
        self.timer_version += 1
        if new is AgentState.AVAILABLE:
            self.idle_since = now
        if new in (AgentState.AVAILABLE, AgentState.NOT_READY, AgentState.OFFLINE):
            self.call_id = None
            self.offer_kind = None
            self.wrap_deadline = None
        return event

    @property
    def state_key(self) -> str:
        """The state with its reason, e.g. ``not_ready:lunch``: the key time is counted under."""
        if self.state is AgentState.NOT_READY and self.reason:
            return f"not_ready:{self.reason}"
        return self.state.value

    def time_in(self, key: str, now: float) -> float:
        """Seconds spent in a state key so far, including the running stretch."""
        total = self.time_in_state.get(key, 0.0)
        if key == self.state_key:
            total += max(0.0, now - self.since)
        return total

    def has_skills(self, signature: tuple[tuple[str, int], ...]) -> bool:
        cached = self._sig_cache.get(signature)
        if cached is None:
            cached = all(self.skills.get(skill, 0) >= level for skill, level in signature)
            self._sig_cache[signature] = cached
        return cached

    def set_skills(self, skills: Mapping[str, int]) -> None:
        self.skills = dict(skills)
        self._sig_cache.clear()

    def proficiency(self, signature: tuple[tuple[str, int], ...]) -> int:
        """Skills-best-match score: the sum of the agent's levels in the call's required skills."""
        return sum(self.skills.get(skill, 0) for skill, _ in signature)
