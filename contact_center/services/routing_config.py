"""Queues and agents as the CRM stores them, turned into the routing engine's configuration."""

from __future__ import annotations

import logging
from collections import defaultdict
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from contact_center.domain.acd.commands import ConfigureAgent
from contact_center.domain.acd.config import QueueConfig
from contact_center.domain.acd.errors import ConfigError
from contact_center.store.tables import AgentSkill, Queue, QueueMember, Skill, Team, User

log = logging.getLogger(__name__)


def agent_key(user_id: int) -> str:
    """Routing identifies agents by string; the CRM by user id."""
    return str(user_id)


async def load_queues(session: AsyncSession) -> list[QueueConfig]:
    rows = (await session.scalars(select(Queue).order_by(Queue.id))).all()
    names = {q.id: q.name for q in rows}
    configs = []
    for q in rows:
        mapping: dict[str, Any] = {
            "strategy": q.strategy,
            "sl_threshold_seconds": q.sl_threshold_seconds,
            "ring_timeout_seconds": q.ring_timeout_seconds,
            "wrapup_seconds": q.wrapup_seconds,
            "max_wait_seconds": q.max_wait_seconds,
            "max_length": q.max_length,
            "exit_action": q.exit_action or None,
            "escalation": q.escalation or [],
            "overflow_queue": names.get(q.overflow_queue_id) if q.overflow_queue_id else None,
            "required_skills": q.required_skills or {},
            "default_priority": q.default_priority,
        }
        try:
            configs.append(QueueConfig.from_mapping(q.name, mapping))
        except ConfigError as exc:
            # One mistyped queue must not take routing down for every other queue.
            log.error("queue %s is not routed until its settings are fixed: %s", q.name, exc)
    return configs


async def load_agents(session: AsyncSession) -> list[ConfigureAgent]:
    """One ConfigureAgent per active agent: skills with levels, queue tiers, team."""
    skills: dict[int, dict[str, int]] = defaultdict(dict)
    for user_id, name, level in (
        await session.execute(select(AgentSkill.user_id, Skill.name, AgentSkill.level).join(Skill))
    ).all():
        skills[user_id][name] = level
    tiers: dict[int, dict[str, int]] = defaultdict(dict)
    for user_id, name, tier in (
        await session.execute(select(QueueMember.user_id, Queue.name, QueueMember.tier).join(Queue))
    ).all():
        tiers[user_id][name] = tier
    agents = (
        await session.execute(
            select(User.id, Team.name).outerjoin(Team, Team.id == User.team_id).where(User.active.is_(True))
        )
    ).all()
    return [
        ConfigureAgent(agent_key(user_id), skills=skills[user_id], tiers=tiers[user_id], team=team)
        for user_id, team in agents
        if tiers[user_id]
    ]
