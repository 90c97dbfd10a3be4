"""What an administrator configures, record by record: the one shape shared by the admin API, the
configuration file (``contact-center config export|plan|apply``) and the audit trail's before/after.

Each spec names its record by ``name`` (``code`` for dispositions) and refers to others by name, so a
file can be read, diffed and copied between installations.
"""

from __future__ import annotations

import zoneinfo
from datetime import UTC, datetime
from typing import Annotated, Any, Literal

import holidays as public_holidays
from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StringConstraints,
    field_validator,
    model_validator,
)

from contact_center.domain.acd.config import SETTINGS, STRATEGIES, QueueConfig
from contact_center.domain.acd.errors import ConfigError
from contact_center.domain.calendar import Calendar as DomainCalendar
from contact_center.domain.calling_window import EARLIEST, LATEST

Key = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")]
Seconds = Annotated[int, Field(ge=0, le=7 * 24 * 3600)]
PositiveSeconds = Annotated[int, Field(ge=1, le=7 * 24 * 3600)]  # a limit or a threshold: 0 would mean nothing


class Spec(BaseModel):
    model_config = ConfigDict(extra="forbid")

    @property
    def key(self) -> str:
        return str(getattr(self, "name"))  # noqa: B009 - every spec but dispositions has a name


class SkillSpec(Spec):
    name: Key
    description: Annotated[str, StringConstraints(max_length=200)] = ""


class TeamSpec(Spec):
    name: Annotated[str, StringConstraints(min_length=1, max_length=100)]


class CalendarSpec(Spec):
    name: Key
    timezone: str = "UTC"
    weekly_hours: dict[str, list[list[str]]] = Field(default_factory=dict)
    holiday_country: Annotated[str, StringConstraints(pattern=r"^[A-Z]{2}$")] | None = None
    holidays: dict[str, str] = Field(default_factory=dict)
    exceptions: dict[str, Any] = Field(default_factory=dict)

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            zoneinfo.ZoneInfo(value)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown time zone {value!r} (use an IANA name such as Europe/Berlin)") from None
        return value

    @field_validator("holiday_country")
    @classmethod
    def _known_country(cls, value: str | None) -> str | None:
        if value is not None and value not in public_holidays.list_supported_countries():
            raise ValueError(f"no public holidays are known for {value!r}")
        return value

    @model_validator(mode="after")
    def _hours_parse(self) -> CalendarSpec:
        try:
            DomainCalendar.from_config(self.name, self.timezone, self.weekly_hours, self.holidays, self.exceptions)
        except (ValueError, KeyError, TypeError) as exc:
            raise ValueError(f"opening hours: {exc}") from None
        return self


class DispositionSpec(Spec):
    code: Key
    label: Annotated[str, StringConstraints(min_length=1, max_length=200)]
    category: Annotated[str, StringConstraints(pattern=r"^[a-z_]{1,32}$")] = "service"
    active: bool = True
    # What it makes of a campaign's record: hot / warm / cold, or converted (a customer and an opportunity).
    lead_status: Literal["hot", "warm", "cold", "converted"] | None = None

    @property
    def key(self) -> str:
        return self.code


class QueueSpec(Spec):
    name: Key
    display_name: Annotated[str, StringConstraints(max_length=200)] = ""
    strategy: str = Field(default="longest_idle", json_schema_extra={"enum": list(STRATEGIES)})
    sl_threshold_seconds: PositiveSeconds = 20
    sl_target: Annotated[float, Field(gt=0, le=1)] = 0.8
    alert_wait_seconds: PositiveSeconds | None = None
    alert_not_ready_seconds: PositiveSeconds | None = None
    alert_wrap_up_seconds: PositiveSeconds | None = None
    hold_music: Annotated[str, StringConstraints(pattern=r"^[^\x00]{1,300}$")] | None = None
    announcement: Annotated[str, StringConstraints(max_length=1000)] = ""
    announce_every_seconds: Annotated[int, Field(ge=10, le=600)] = 30
    announce_position: bool = True
    ring_timeout_seconds: Annotated[int, Field(ge=5, le=300)] = 15
    wrapup_seconds: Seconds = 30
    max_wait_seconds: PositiveSeconds | None = None  # None: callers wait on
    max_length: Annotated[int, Field(ge=1, le=100_000)] | None = None
    exit_action: dict[str, Any] = Field(default_factory=dict)
    required_skills: dict[str, Annotated[int, Field(ge=1, le=10)]] = Field(default_factory=dict)
    escalation: list[dict[str, Any]] = Field(default_factory=list)
    default_priority: Annotated[int, Field(ge=0, le=100)] = 0
    reoffer_delay_seconds: Seconds = 30
    preferred_wait_seconds: Seconds = 30
    overflow_queue: Key | None = None
    calendar: Key | None = None

    @field_validator("strategy")
    @classmethod
    def _known_strategy(cls, value: str) -> str:
        if value not in STRATEGIES:
            raise ValueError(f"use one of {', '.join(STRATEGIES)}")
        return value

    @model_validator(mode="after")
    def _routable(self) -> QueueSpec:
        """What routing would refuse is refused here, with its reason (escalation rules, exit)."""
        try:
            QueueConfig.from_mapping(self.name, self.routing())
        except ConfigError as exc:
            raise ValueError(str(exc)) from None
        return self

    def routing(self) -> dict[str, Any]:
        """The mapping routing's QueueConfig is built from (as store/routing_config.py loads it)."""
        values = {name: getattr(self, name) for name in SETTINGS if name != "exit_action"}
        return {"exit_action": self.exit_action or None, **values}


class UserSpec(Spec):
    """A person who logs in, with what routing needs of an agent. Never their password (set it with
    ``POST /api/v1/users/{username}/password``): a user made from a file logs in once one is set."""

    username: Annotated[str, StringConstraints(pattern=r"^[\w.-]{1,64}$")]  # as `contact-center user add` allows
    display_name: Annotated[str, StringConstraints(max_length=200)] = ""
    role: Literal["agent", "supervisor", "admin"] = "agent"
    extension: Annotated[str, StringConstraints(pattern=r"^[0-9]{2,16}$")] | None = None
    team: Annotated[str, StringConstraints(min_length=1, max_length=100)] | None = None
    active: bool = True
    skills: dict[Key, Annotated[int, Field(ge=1, le=10)]] = Field(default_factory=dict)
    queues: dict[Key, Annotated[int, Field(ge=1, le=9)]] = Field(default_factory=dict)  # queue -> tier

    @property
    def key(self) -> str:
        return self.username


def _clock_time(value: object) -> object:
    """YAML 1.1 reads an unquoted 10:30 as the number 630 (base 60): take it back as the time it was."""
    if isinstance(value, int) and not isinstance(value, bool) and 0 <= value < 24 * 60:
        return f"{value // 60:02d}:{value % 60:02d}"
    return value


# The pattern is repeated for the document (pydantic leaves it out beside a before-validator); max_length
# because a JSON Schema "$" may match before a final newline in some engines, and five characters may not.
_HH_MM = r"^([01][0-9]|2[0-3]):[0-5][0-9]$"
ClockTime = Annotated[
    str,
    BeforeValidator(_clock_time),
    StringConstraints(pattern=_HH_MM, max_length=5),
    Field(json_schema_extra={"pattern": _HH_MM}),
]
LAW_FROM, LAW_UNTIL = EARLIEST.strftime("%H:%M"), LATEST.strftime("%H:%M")  # at the called person's location


class CampaignSpec(Spec):
    """An outbound campaign's settings (its status, start / pause / stop, is operations: not in the file)."""

    name: Annotated[str, StringConstraints(min_length=1, max_length=200, pattern=r"^[^/]+$")]
    mode: Literal["preview", "progressive", "predictive"] = "preview"
    queue: Key | None = None  # whose agents call (and answer the answered calls)
    calendar: Key | None = None  # the campaign's own days and hours, inside the law's calling window
    caller_id: Annotated[str, StringConstraints(pattern=r"^\+[1-9][0-9]{6,14}$")] | None = None
    max_attempts: Annotated[int, Field(ge=1, le=20)] = 3
    retry_minutes: Annotated[int, Field(ge=1, le=7 * 24 * 60)] = 60
    # Delays of their own for some outcomes; the others wait retry_minutes.
    retry_minutes_by_outcome: dict[
        Literal["busy", "no_answer", "answering_machine", "failed", "callback_requested"],
        Annotated[int, Field(ge=1, le=7 * 24 * 60)],
    ] = {}
    max_abandon_rate: Annotated[float, Field(gt=0, le=0.03)] = 0.03  # the hard cap: 3 % of live answers
    # Where predictive pacing steers (the cap instead, when the cap is lower).
    target_abandon_rate: Annotated[float, Field(gt=0, le=0.03)] = 0.025
    dispositions: list[Key] = Field(default_factory=list, max_length=100)  # its agents' choices (empty: all)
    script: Annotated[str, StringConstraints(max_length=10_000)] = ""
    # When a machine answers (detected by the timing of the greeting, domain/dialer/amd.py): off (the agent
    # hears it), hang_up (the attempt is answering_machine, retried), leave_message (machine_message is
    # spoken after the greeting, then the same).
    answering_machine: Literal["off", "hang_up", "leave_message"] = "off"
    machine_message: Annotated[str, StringConstraints(max_length=2_000)] = ""
    # Predictive: what a person who answered hears when no agent is free in time (empty: the standard message,
    # which names the campaign and says it will not call again today).
    abandon_message: Annotated[str, StringConstraints(max_length=2_000)] = ""
    # Calling hours on the called person's clock, inside the law's 08:00-21:00 (and the calendar's days).
    call_from: ClockTime = "08:00"
    call_until: ClockTime = "21:00"
    starts_at: datetime | None = None
    ends_at: datetime | None = None

    @model_validator(mode="after")
    def _window(self) -> CampaignSpec:
        for name in ("starts_at", "ends_at"):
            moment = getattr(self, name)
            if moment is not None and moment.tzinfo is None:
                raise ValueError(f"{name}: give the time zone (2026-12-07T09:00:00Z or +01:00)")
            if moment is not None:  # stored in UTC: the same instant reads back the same
                object.__setattr__(self, name, moment.astimezone(UTC))
        if self.starts_at is not None and self.ends_at is not None and self.ends_at <= self.starts_at:
            raise ValueError("ends_at must come after starts_at")
        if not LAW_FROM <= self.call_from < self.call_until <= LAW_UNTIL:
            raise ValueError(
                f"call_from / call_until: {self.call_from}-{self.call_until} is not inside the law's calling "
                f"window {LAW_FROM}-{LAW_UNTIL} (the called person's time); a campaign may only narrow it"
            )
        if self.answering_machine == "leave_message" and not self.machine_message.strip():
            raise ValueError("machine_message: say what to leave on a machine (answering_machine is leave_message)")
        return self


KINDS: dict[str, type[Spec]] = {
    # In the order they are created (a queue names calendars and skills); removed in reverse.
    "skills": SkillSpec,
    "teams": TeamSpec,
    "calendars": CalendarSpec,
    "dispositions": DispositionSpec,
    "queues": QueueSpec,
    "campaigns": CampaignSpec,
    "users": UserSpec,
}
# A file never removes users (their history stays theirs): one left out is left alone; a user is
# switched off with ``active: false``. Nor campaigns: their lists and attempts stay (stop one instead).
NEVER_REMOVED = frozenset({"users", "campaigns"})
