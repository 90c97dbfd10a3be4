"""Queues and live routing metrics over HTTP (the supervisor board reads these)."""

from __future__ import annotations

import dataclasses
from typing import Any

from aiohttp import web

from contact_center.crm.errors import ValidationFailed
from contact_center.domain.metrics.live import WindowReport
from contact_center.domain.metrics.stats import QueueStats
from contact_center.services.acd import AcdService
from contact_center.web.routing import Api

ACD = web.AppKey("acd", AcdService)
api = Api()
WINDOWS = {"15m": 900, "60m": 3600}


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
        items.append({
            "name": queue_id,
            "strategy": config.strategy,
            "sl_threshold_seconds": config.sl_threshold_seconds,
            "waiting": len(service.acd.waiting_calls(queue_id)),
            "oldest_wait_seconds": service.acd.oldest_wait(queue_id, now),
        })  # fmt: skip
    return web.json_response({"items": items, "next_cursor": None})


@api.route("GET", "/api/v1/metrics/{group}", "Routing metrics per queue, agent or team over a window "
           "(window=15m|60m|today)", tag="routing", role="supervisor", query=("window",))  # fmt: skip
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
        raise ValidationFailed.one("window", "use 15m, 60m or today")
    return web.json_response({"window": window, **report_json(report)})
