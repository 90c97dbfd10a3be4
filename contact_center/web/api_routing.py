"""Queues and live routing metrics over HTTP (the supervisor board reads these)."""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any

from aiohttp import web

from contact_center.crm.errors import FieldError, ValidationFailed
from contact_center.domain.metrics.contacts import Contact
from contact_center.domain.metrics.live import WindowReport
from contact_center.domain.metrics.stats import GROUPS, QueueStats
from contact_center.services.routing.reports import OUTCOMES
from contact_center.web.errors import FIRST_YEAR, LAST_YEAR, query_day
from contact_center.web.keys import ACD
from contact_center.web.routing import Api

api = Api()
WINDOWS = {"15m": 900, "30m": 1800, "60m": 3600}
MAX_DRILL_DAYS = 31
MAX_LIMIT = 10_000


def iso(seconds: float | None) -> str | None:
    return None if seconds is None else dt.datetime.fromtimestamp(seconds, dt.UTC).isoformat()


def stats_json(stats: QueueStats) -> dict[str, Any]:
    out = dataclasses.asdict(stats)
    out["abandon_rate"] = stats.abandon_rate
    return out


def report_json(report: WindowReport) -> dict[str, Any]:
    return {
        "start": report.start,
        "end": report.end,
        "total": stats_json(report.total),
        "groups": {name: stats_json(s) for name, s in report.groups.items()},
        "occupancy": report.occupancy,
        "agents_by_state": dict(report.agents_by_state),
        "waiting_now": report.waiting_now,
        "oldest_waiting_seconds": report.oldest_waiting_seconds,
    }


@api.route("GET", "/api/v1/queues", "Queues with who waits now", tag="routing")
async def list_queues(request: web.Request) -> web.Response:
    service = request.app[ACD]
    now = service.now()
    items = []
    for queue_id, config in sorted(service.acd.queues.items()):
        items.append(
            {
                "name": queue_id,
                "strategy": config.strategy,
                "sl_threshold_seconds": config.sl_threshold_seconds,
                "waiting": len(service.acd.waiting_calls(queue_id)),
                "oldest_wait_seconds": service.acd.oldest_wait(queue_id, now),
            }
        )
    return web.json_response({"items": items, "next_cursor": None})


def _instant(raw: str, name: str, errors: list[FieldError]) -> float | None:
    try:
        value = dt.datetime.fromisoformat(raw)
    except ValueError:
        errors.append(FieldError(name, "use an ISO 8601 date-time, e.g. 2026-11-23T09:00:00Z"))
        return None
    if not FIRST_YEAR <= value.year <= LAST_YEAR:
        errors.append(FieldError(name, f"use a year from {FIRST_YEAR} to {LAST_YEAR}"))
        return None
    return (value if value.tzinfo else value.replace(tzinfo=dt.UTC)).timestamp()


def _choice(request: web.Request, name: str, choices: tuple[str, ...], errors: list[FieldError]) -> str | None:
    value = request.query.get(name)
    if value is not None and value not in choices:
        errors.append(FieldError(name, f"use one of {', '.join(choices)}"))
        return None
    return value


def contact_json(c: Contact, teams: dict[str, str]) -> dict[str, Any]:
    return {
        "call_id": c.call_id,
        "visit": c.visit,
        "queue": c.queue_id,
        "queued_at": iso(c.queued_at),
        "outcome": c.outcome,
        "outcome_at": iso(c.outcome_at),
        "wait_seconds": c.wait_seconds,
        "agent_id": c.agent_id,
        "team": teams.get(c.agent_id or ""),
        "callback": c.callback,
        "talk_seconds": c.talk_seconds,
        "hold_seconds": c.hold_seconds,
        "wrap_seconds": c.wrap_seconds,
        "handled_at": iso(c.handled_at),
        "moved_from": list(c.moved_from),
    }


# Registered before /api/v1/metrics/{group} so that these two names are not taken for a group.
@api.route(
    "GET",
    "/api/v1/metrics/intervals",
    "Fifteen-minute rows of one of the centre's days (CC_TIMEZONE) from the event log, per queue, "
    "agent or team (date=YYYY-MM-DD, default today; group=queue|agent|team)",
    tag="routing",
    role="supervisor",
    query=("date", "group"),
)
async def metric_intervals(request: web.Request) -> web.Response:
    service = request.app[ACD]
    errors: list[FieldError] = []
    group = _choice(request, "group", GROUPS, errors) or "queue"
    day = query_day(request, "date", errors, required=False) or service.today_of()
    if errors:
        raise ValidationFailed(errors)
    rows = await service.intervals(day, group)  # type: ignore[arg-type]
    return web.json_response(
        {
            "date": day.isoformat(),
            "group": group,
            "interval_seconds": 900,
            "intervals": [
                {
                    "start": iso(r.start),
                    "end": iso(r.end),
                    "total": stats_json(r.total),
                    "groups": {name: stats_json(s) for name, s in r.groups.items()},
                }
                for r in rows
            ],
        }
    )


@api.route(
    "GET",
    "/api/v1/metrics/calls",
    "The calls behind a figure: visits whose outcome (or, for handled, "
    "completed handling) falls in [from, to), by queue, agent, team and outcome",
    tag="routing",
    role="supervisor",
    query=("from", "to", "queue", "agent", "team", "outcome", "limit"),
)
async def metric_calls(request: web.Request) -> web.Response:
    service = request.app[ACD]
    errors: list[FieldError] = []
    now = service.now()
    start = _instant(request.query["from"], "from", errors) if "from" in request.query else service.day_start(now)
    end = _instant(request.query["to"], "to", errors) if "to" in request.query else now + 1
    outcome = _choice(request, "outcome", OUTCOMES, errors)
    limit = 1000
    if "limit" in request.query:
        try:
            limit = int(request.query["limit"])
        except ValueError:
            limit = 0
        if not 1 <= limit <= MAX_LIMIT:
            errors.append(FieldError("limit", f"use a whole number from 1 to {MAX_LIMIT}"))
    if start is not None and end is not None:
        if end <= start:
            errors.append(FieldError("to", "must be after from"))
        elif end - start > MAX_DRILL_DAYS * 86_400:
            errors.append(FieldError("to", f"at most {MAX_DRILL_DAYS} days after from"))
    if errors or start is None or end is None:
        raise ValidationFailed(errors)
    found = await service.calls(
        start,
        end,
        outcome=outcome,
        queue=request.query.get("queue"),
        agent=request.query.get("agent"),
        team=request.query.get("team"),
    )
    teams = service.metrics.teams
    return web.json_response(
        {
            "from": iso(start),
            "to": iso(end),
            "outcome": outcome,
            "count": len(found),
            "truncated": len(found) > limit,
            "items": [contact_json(c, teams) for c in found[:limit]],
            "next_cursor": None,
        }
    )


@api.route(
    "GET",
    "/api/v1/metrics/{group}",
    "Routing metrics per queue, agent or team over a window (window=15m|30m|60m|today)",
    tag="routing",
    role="supervisor",
    query=("window",),
)
async def metrics(request: web.Request) -> web.Response:
    group = request.match_info["group"]
    if group not in ("queues", "agents", "teams"):
        raise web.HTTPNotFound(text=f"no metrics for {group!r}; use queues, agents or teams")
    window = request.query.get("window", "15m")
    service = request.app[ACD]
    by = group.rstrip("s")
    if window == "today":
        report = service.today(by)
    elif window in WINDOWS:
        report = service.report(WINDOWS[window], by)
    else:
        raise ValidationFailed.one("window", "use 15m, 30m, 60m or today")
    config = service.metrics.config
    return web.json_response(
        {
            "window": window,
            "service_level_formula": config.sl_formula,
            "short_abandon_seconds": config.short_abandon_seconds,
            **report_json(report),
        }
    )
