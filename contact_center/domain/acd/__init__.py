"""Routing (ACD): agents, queues, strategies, escalation, callbacks, transfers, reconciler. Pure.

Entry point: ``Acd`` (``handle(command, now)``, ``advance(now)``, ``next_deadline()``).
"""

from contact_center.domain.acd.agents import Agent, AgentState
from contact_center.domain.acd.calls import Call, CallState
from contact_center.domain.acd.config import EscalationRule, ExitAction, QueueConfig
from contact_center.domain.acd.router import Acd

__all__ = ["Acd", "Agent", "AgentState", "Call", "CallState", "EscalationRule", "ExitAction", "QueueConfig"]
