"""Preferred agent ("talk to my account manager"): a call kept for one agent for a while, then for anyone.

While the agent asked for is logged in and may take the call (a member of one of its pools,
with the skills it needs), no one else is offered it, for the wait the call or its queue
gives; a free agent takes the calls waiting for them by name before any other. It goes to
anyone at once when that agent is unknown, offline or not eligible, when they log out or
stop being eligible, when they reject or miss the offer, and when the wait is over. Each
step is an event on the call's trail (``PreferredAgentWaiting``, ``PreferredAgentReleased``).
"""

from __future__ import annotations

from contact_center.domain.acd.agents import Agent, AgentState
from contact_center.domain.acd.calls import Call, CallState
from contact_center.domain.acd.core import RouterCore
from contact_center.domain.acd.events import PreferredAgentReleased, PreferredAgentWaiting


class PreferredAgentMixin(RouterCore):
    def _preference_problem(self, call: Call, agent_id: str) -> str | None:
        """Why the agent cannot be waited for (None: they can)."""
        agent = self.agents.get(agent_id)
        if agent is None:
            return "unknown_agent"
        if agent.state is AgentState.OFFLINE:
            return "offline"
        if not any(pool in agent.tiers for pool in call.pools):
            return "not_in_queue"
        if not agent.has_skills(call.signature):
            return "lacks_skills"
        return None

    def _prefer(self, call: Call, agent_id: str, wait: float, now: float) -> None:
        problem = self._preference_problem(call, agent_id) or (None if wait > 0 else "no_wait")
        if problem is not None:
            self._emit(
                PreferredAgentReleased(
                    at=now, call_id=call.id, queue_id=call.queue_id, agent_id=agent_id, reason=problem
                ),
                call,
            )
            return
        call.preferred_agent = agent_id
        call.preferred_until = now + wait
        call.prefer_version += 1
        self.preferred.setdefault(agent_id, {})[call.id] = call
        self._schedule(call.preferred_until, "prefer", call.id, call.prefer_version)
        self._emit(
            PreferredAgentWaiting(
                at=now, call_id=call.id, queue_id=call.queue_id, agent_id=agent_id, until=call.preferred_until
            ),
            call,
        )
        # Already touched by _put_waiting: the dispatch that follows offers it to that agent if free.

    def _unprefer(self, call: Call, now: float, reason: str) -> None:
        agent_id = call.preferred_agent
        if agent_id is None:
            return
        self._drop_preference(call)
        self._emit(
            PreferredAgentReleased(at=now, call_id=call.id, queue_id=call.queue_id, agent_id=agent_id, reason=reason),
            call,
        )
        if call.state is CallState.QUEUED:
            self._touched_calls.append(call)  # anyone free may take it now

    def _recheck_preference(self, call: Call, now: float) -> None:
        if call.preferred_agent is not None:
            problem = self._preference_problem(call, call.preferred_agent)
            if problem is not None:
                self._unprefer(call, now, problem)

    def _recheck_preferences(self, agent: Agent, now: float) -> None:
        """After the agent logged out or was reconfigured: release the calls they can no longer take."""
        for call in list(self.preferred.get(agent.id, {}).values()):
            problem = self._preference_problem(call, agent.id)
            if problem is not None:
                self._unprefer(call, now, "logged_out" if problem == "offline" else problem)
