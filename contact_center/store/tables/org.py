"""The organisation: users and their roles, teams, skills, queues, calendars, dispositions, campaigns."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import Boolean, Float, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from contact_center.store.tables.base import Base, Timestamps, utcnow
from contact_center.store.types import Json, UtcDateTime

ROLES = ("agent", "supervisor", "admin")


class Team(Base):
    __tablename__ = "teams"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)


class User(Base):
    __tablename__ = "users"
    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    display_name: Mapped[str] = mapped_column(String(200), default="")
    role: Mapped[str] = mapped_column(String(16))
    password_hash: Mapped[str | None] = mapped_column(String(200))
    team_id: Mapped[int | None] = mapped_column(ForeignKey("teams.id", ondelete="SET NULL"))
    extension: Mapped[str | None] = mapped_column(String(32), unique=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime, default=utcnow)
    last_login_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)


class WebSession(Base):
    """A browser login. Only the SHA-256 of the cookie value is stored."""

    __tablename__ = "web_sessions"
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    csrf_token: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime, default=utcnow)
    expires_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    remote: Mapped[str] = mapped_column(String(64), default="")


class ApiToken(Base):
    """A bearer token for integrations. Only the SHA-256 of the token is stored."""

    __tablename__ = "api_tokens"
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    read_only: Mapped[bool] = mapped_column(Boolean, default=False)  # reads only (a wallboard's)
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime, default=utcnow)
    revoked_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)


class Skill(Base):
    __tablename__ = "skills"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(64), unique=True)
    description: Mapped[str] = mapped_column(String(200), default="")


class AgentSkill(Base):
    __tablename__ = "agent_skills"
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    skill_id: Mapped[int] = mapped_column(ForeignKey("skills.id", ondelete="CASCADE"), primary_key=True)
    level: Mapped[int] = mapped_column(Integer, default=5)


class Calendar(Base):
    """Opening hours in a time zone; the one definition IVR, queues, SLAs and dialing windows use."""

    __tablename__ = "calendars"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(64), unique=True)
    timezone: Mapped[str] = mapped_column(String(64), default="UTC")
    weekly_hours: Mapped[dict[str, Any]] = mapped_column(Json, default=dict)
    holidays: Mapped[dict[str, Any]] = mapped_column(Json, default=dict)
    holiday_country: Mapped[str | None] = mapped_column(String(8))
    exceptions: Mapped[dict[str, Any]] = mapped_column(Json, default=dict)
    # {"state": "open"|"closed", "start", "until" (ISO 8601, UTC), "reason", "by"}: operations, not
    # configuration (the configuration file leaves it alone).
    override: Mapped[dict[str, Any] | None] = mapped_column(Json, nullable=True)


class Queue(Base, Timestamps):
    __tablename__ = "queues"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(64), unique=True)
    display_name: Mapped[str] = mapped_column(String(200), default="")
    strategy: Mapped[str] = mapped_column(String(32), default="longest_idle")
    sl_threshold_seconds: Mapped[int] = mapped_column(Integer, default=20)
    sl_target: Mapped[float] = mapped_column(Float, default=0.8)  # share answered within the threshold
    alert_wait_seconds: Mapped[int | None] = mapped_column(Integer)  # board alert; None: 3 x the threshold
    # Board alerts on the queue's agents (the strictest of an agent's queues); None: the centre's limits.
    alert_not_ready_seconds: Mapped[int | None] = mapped_column(Integer)
    alert_wrap_up_seconds: Mapped[int | None] = mapped_column(Integer)
    hold_music: Mapped[str | None] = mapped_column(String(300))  # a WAV in CC_VAR_DIR/hold-music, or a path
    announcement: Mapped[str] = mapped_column(Text, default="")  # said once on entering the queue
    announce_every_seconds: Mapped[int] = mapped_column(Integer, default=30)
    announce_position: Mapped[bool] = mapped_column(Boolean, default=True)
    ring_timeout_seconds: Mapped[int] = mapped_column(Integer, default=15)
    wrapup_seconds: Mapped[int] = mapped_column(Integer, default=30)
    max_wait_seconds: Mapped[int | None] = mapped_column(Integer)
    max_length: Mapped[int | None] = mapped_column(Integer)
    exit_action: Mapped[dict[str, Any]] = mapped_column(Json, default=dict)
    required_skills: Mapped[dict[str, Any]] = mapped_column(Json, default=dict)
    escalation: Mapped[list[Any]] = mapped_column(Json, default=list)
    default_priority: Mapped[int] = mapped_column(Integer, default=0)
    reoffer_delay_seconds: Mapped[int] = mapped_column(Integer, default=30)  # a turned-down call skips that agent
    preferred_wait_seconds: Mapped[int] = mapped_column(Integer, default=30)  # kept for a named agent this long
    overflow_queue_id: Mapped[int | None] = mapped_column(ForeignKey("queues.id", ondelete="SET NULL"))
    calendar_id: Mapped[int | None] = mapped_column(ForeignKey("calendars.id", ondelete="SET NULL"))


class QueueMember(Base):
    __tablename__ = "queue_members"
    queue_id: Mapped[int] = mapped_column(ForeignKey("queues.id", ondelete="CASCADE"), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    tier: Mapped[int] = mapped_column(Integer, default=1)


class DispositionCode(Base):
    __tablename__ = "disposition_codes"
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(64), unique=True)
    label: Mapped[str] = mapped_column(String(200))
    category: Mapped[str] = mapped_column(String(32), default="service")
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    # What it says of a tele-sales lead (a dialing record): hot, warm, cold, or converted (an opportunity is made).
    lead_status: Mapped[str | None] = mapped_column(String(16))


class Campaign(Base, Timestamps):
    __tablename__ = "campaigns"
    __table_args__ = (UniqueConstraint("name"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    mode: Mapped[str] = mapped_column(String(16), default="preview")
    status: Mapped[str] = mapped_column(String(16), default="draft")
    queue_id: Mapped[int | None] = mapped_column(ForeignKey("queues.id", ondelete="SET NULL"))
    calendar_id: Mapped[int | None] = mapped_column(ForeignKey("calendars.id", ondelete="SET NULL"))
    caller_id: Mapped[str | None] = mapped_column(String(32))
    max_abandon_rate: Mapped[float] = mapped_column(Float, default=0.03)
    dial_ratio: Mapped[float] = mapped_column(Float, default=1.0)
    max_attempts: Mapped[int] = mapped_column(Integer, default=3)
    retry_minutes: Mapped[int] = mapped_column(Integer, default=60)
    script: Mapped[str] = mapped_column(Text, default="")
    # off: a machine is talked to like a person; hang_up: detected, the call ends (retried later);
    # leave_message: detected, machine_message is spoken after the greeting, then the call ends.
    answering_machine: Mapped[str] = mapped_column(String(16), default="off", server_default="off")
    # Retry delays of their own, by outcome (busy, no_answer, answering_machine, failed, callback_requested);
    # the rest wait retry_minutes.
    retry_minutes_by_outcome: Mapped[dict[str, int]] = mapped_column(Json, default=dict)
    machine_message: Mapped[str] = mapped_column(Text, default="", server_default="")
    # Predictive: what an answered person hears when no agent is free (empty: the standard message, which
    # names the campaign). The law wants who is calling and a way back; the standard one says who.
    abandon_message: Mapped[str] = mapped_column(Text, default="", server_default="")
    # Predictive pacing steers to this share of live answers abandoned; max_abandon_rate is the cap it never passes.
    target_abandon_rate: Mapped[float] = mapped_column(Float, default=0.025, server_default="0.025")
    # The dispositions its agents choose from after a call (codes; empty: all of the centre's).
    dispositions: Mapped[list[str]] = mapped_column(Json, default=list)
    # The campaign's calling hours on the called person's clock ("HH:MM"), never wider than the law's.
    call_from: Mapped[str] = mapped_column(String(5), default="08:00", server_default="08:00")
    call_until: Mapped[str] = mapped_column(String(5), default="21:00", server_default="21:00")
    starts_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)
    ends_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)
