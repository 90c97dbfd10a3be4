"""Queues and agents as the CRM stores them, read and turned into the routing engine's configuration."""

from __future__ import annotations

import logging
from collections import defaultdict
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from contact_center.domain.acd.agents import agent_key
from contact_center.domain.acd.commands import ConfigureAgent
from contact_center.domain.acd.config import LATER_SETTINGS, QueueConfig, without_unknown_references
from contact_center.domain.acd.errors import ConfigError
from contact_center.store.tables import AgentSkill, Queue, QueueMember, Skill, Team, User

log = logging.getLogger(__name__)


def _optional_settings(row: Queue) -> dict[str, Any]:
    columns = Queue.__table__.columns
    out: dict[str, Any] = {}
    extra = getattr(row, "settings", None) if "settings" in columns else None
    for name in LATER_SETTINGS:  # a column of that name, else the JSON settings column, else the default
        if name in columns:
            out[name] = getattr(row, name)
        elif isinstance(extra, dict) and name in extra:
            out[name] = extra[name]
    return out


async def load_queues(session: AsyncSession) -> list[QueueConfig]:
    """Every queue the engine can route; a queue with bad settings is skipped and a reference to a
    queue that is missing (or skipped) is disabled, each with an error in the log."""
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
            **_optional_settings(q),
        }
        try:
            configs.append(QueueConfig.from_mapping(q.name, mapping))
        except ConfigError as exc:
            # One mistyped queue must not take routing down for every other queue.
            log.error("queue %s is not routed until its settings are fixed: %s", q.name, exc)
    return checked(configs)


def checked(configs: list[QueueConfig]) -> list[QueueConfig]:
    """The queues with references to unknown queues disabled, each logged as an error."""
    usable, problems = without_unknown_references(configs)
    for problem in problems:
        log.error("routing configuration: %s", problem)
    return usable


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
