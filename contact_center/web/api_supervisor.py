"""What supervisors do and read beyond the live board: act on an agent, and reports over a date range.

Every action is in the audit trail (who, when, the state before and after).
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from aiohttp import web
from pydantic import BaseModel, ConfigDict, Field, StringConstraints
from sqlalchemy import func, select

from contact_center.crm import configuration as stored
from contact_center.crm import dialing
from contact_center.crm.config_specs import Key, UserSpec
from contact_center.crm.errors import FieldError, NotFound, ValidationFailed
from contact_center.domain.acd.agents import agent_key
from contact_center.domain.metrics.stats import QueueStats
from contact_center.services.admin import configuration as config
from contact_center.services.desk import Desk, DeskError
from contact_center.store.audit_log import record_change
from contact_center.store.tables import Campaign, DialingRecord
from contact_center.web.auth import principal
from contact_center.web.csv_out import csv_response, output_format
from contact_center.web.errors import error, path_id, query_period, read_body, strictly
from contact_center.web.keys import ACD, ALERTS, CALL_CENTER, CLOCK, CLUSTER, SESSIONS
from contact_center.web.routing import Api

api = Api()
MAX_REPORT_DAYS = 366
REPORT_GROUPS = {"queues": "queue", "agents": "agent", "teams": "team"}
# The columns of a report, in order (the CSV header; the JSON has these and a few more).
REPORT_COLUMNS = (
    "offered",
    "answered",
    "abandoned",
    "service_level",
    "asa_seconds",
    "aht_seconds",
    "short_abandoned",
    "exited",
    "average_wait_seconds",
    "longest_wait_seconds",
    "handled",
    "abandon_rate",
)


class AgentStateIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    state: Literal["not_ready", "offline"]
    reason: Annotated[str, StringConstraints(max_length=64)] | None = None


@api.route(
    "POST",
    "/api/v1/agents/{user_id}/state",
    "Set an agent's state (supervisor): not ready with a reason, or log them out; audited",
    tag="supervisor",
    role="supervisor",
    body=AgentStateIn,
)
async def set_agent_state(request: web.Request) -> web.Response:
    user_id = path_id(request, "user_id", "a user id")
    body = await read_body(request, AgentStateIn)
    center = request.app[CALL_CENTER]
    agent = center.acd.acd.agents.get(agent_key(user_id))
    if agent is None:
        raise NotFound("agent", user_id)
    before = {"state": str(agent.state), "reason": agent.reason}
    if before["state"] == "offline":
        return error(409, "offline", f"agent {user_id} is logged out already")
    reason = (body.reason or "supervisor").strip() or "supervisor"
    try:
        state = await center.set_state(user_id, body.state, reason if body.state == "not_ready" else None)
    except DeskError as exc:
        return error(409, exc.code, exc.message)
    me = principal(request)
    async with request.app[SESSIONS].begin() as session:
        after = {"state": state["state"], "reason": state.get("reason"), "asked": body.state}
        record_change(session, me.username, "agent.state", f"agent:{user_id}", before, after, request.app[CLOCK].now())
    return web.json_response({"user_id": user_id, **state})


class AgentRoutingIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    queues: dict[Key, Annotated[int, Field(ge=1, le=9)]] | None = None  # queue -> tier (1 answers first)
    skills: dict[Key, Annotated[int, Field(ge=1, le=10)]] | None = None  # skill -> level


@api.route(
    "PATCH",
    "/api/v1/agents/{user_id}/routing",
    "Change an agent's queues (with tiers) and skill levels (supervisor; audited; routing takes it at once)",
    tag="supervisor",
    role="supervisor",
    body=AgentRoutingIn,
)
async def set_agent_routing(request: web.Request) -> web.Response:
    user_id = path_id(request, "user_id", "a user id")
    body = await read_body(request, AgentRoutingIn)
    changes = body.model_dump(exclude_none=True)
    async with request.app[SESSIONS].begin() as session:
        username = await stored.username_of(session, user_id)
        current = await config.one(session, "users", username)
        spec = strictly(UserSpec, {**current.model_dump(mode="json"), **changes})
        await config.store_one(
            session, "users", spec, create=False, actor=principal(request).username, now=request.app[CLOCK].now()
        )
    await request.app[ACD].reload_queues()
    await request.app[CALL_CENTER].refresh_people()  # routing hears the agent's new queues and skills now
    return web.json_response({"user_id": user_id, "queues": spec.queues, "skills": spec.skills})


class MonitorIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    mode: Literal["listen", "whisper", "barge"]


def _desk(request: web.Request) -> Desk:
    """The desk commands go through: with several nodes, the one that forwards to the call's node."""
    return request.app[CLUSTER] if CLUSTER in request.app else request.app[CALL_CENTER]


@api.route(
    "POST",
    "/api/v1/calls/{call_id}/monitor",
    "Listen in on a connected call (listen: nobody hears you; whisper: the agent does; barge: both do). "
    "Your phone rings first (202, state ringing; the board hears call.monitor when you are on); on the "
    "call already, the mode changes (200). Supervisor; audited",
    tag="supervisor",
    role="supervisor",
    body=MonitorIn,
)
async def monitor_call(request: web.Request) -> web.Response:
    call_id = request.match_info["call_id"]
    body = await read_body(request, MonitorIn)
    me = principal(request)
    try:
        view = await _desk(request).monitor(me.user_id, call_id, body.mode)
    except DeskError as exc:
        return error(409, exc.code, exc.message)
    async with request.app[SESSIONS].begin() as session:
        record_change(
            session,
            me.username,
            "call.monitor",
            f"call:{call_id}",
            None,
            {"mode": body.mode, "agent_id": view.get("agent_id")},
            request.app[CLOCK].now(),
        )
    return web.json_response(view, status=202 if view["state"] == "ringing" else 200)


@api.route(
    "DELETE",
    "/api/v1/calls/{call_id}/monitor",
    "Leave a call you listen to (your phone is hung up; supervisor; audited)",
    tag="supervisor",
    role="supervisor",
)
async def stop_monitoring(request: web.Request) -> web.Response:
    call_id = request.match_info["call_id"]
    me = principal(request)
    try:
        await _desk(request).stop_monitor(me.user_id, call_id)
    except DeskError as exc:
        return error(404 if exc.code == "not_monitoring" else 409, exc.code, exc.message)
    async with request.app[SESSIONS].begin() as session:
        record_change(
            session,
            me.username,
            "call.monitor_end",
            f"call:{call_id}",
            None,
            {"state": "ended"},
            request.app[CLOCK].now(),
        )
    return web.json_response({"call_id": call_id, "state": "ended"})


@api.route(
    "GET",
    "/api/v1/board",
    "The board as the /supervisor socket shows it now (queues, agents, totals, "
    "waiting calls): what a wallboard reads with a read-only token",
    tag="supervisor",
    role="supervisor",
)
async def board(request: web.Request) -> web.Response:
    return web.json_response(await request.app[CALL_CENTER].board())


def _row(name: str, stats: QueueStats) -> dict[str, Any]:
    return {"name": name, **{column: getattr(stats, column) for column in REPORT_COLUMNS}}


@api.route(
    "GET",
    "/api/v1/reports/{group}",
    "Figures per queue, agent or team over the centre's whole days [from, to] (CC_TIMEZONE) from the event log "
    "(format=csv for a spreadsheet)",
    tag="supervisor",
    role="supervisor",
    query=("from", "to", "format"),
    required=("from", "to"),
)
async def report(request: web.Request) -> web.StreamResponse:
    group = request.match_info["group"]
    if group not in REPORT_GROUPS:
        raise NotFound("report", group)
    errors: list[FieldError] = []
    period = query_period(request, errors, MAX_REPORT_DAYS)
    form = output_format(request, errors)
    if errors or period is None:
        raise ValidationFailed(errors)
    first, last = period
    start, end = request.app[ACD].day_bounds(first)[0], request.app[ACD].day_bounds(last)[1]
    total, groups = await request.app[ACD].over(start, end, REPORT_GROUPS[group])  # type: ignore[arg-type]
    rows = [_row(name, stats) for name, stats in sorted(groups.items())]
    one = group[:-1]
    if form == "csv":
        named = [{one: row["name"], **row} for row in [*rows, _row("(all)", total)]]
        return csv_response((one, *REPORT_COLUMNS), named, f"{group}-{first.isoformat()}-{last.isoformat()}.csv")
    return web.json_response(
        {
            "group": group,
            "from": first.isoformat(),
            "to": last.isoformat(),
            "total": _row("(all)", total),
            "items": rows,
        }
    )


@api.route(
    "GET",
    "/api/v1/campaigns",
    "Outbound campaigns with their mode, status and list size (supervisor)",
    tag="supervisor",
    role="supervisor",
)
async def list_campaigns(request: web.Request) -> web.Response:
    async with request.app[SESSIONS]() as session:
        figures = await dialing.campaign_figures(session, request.app[CLOCK].now())
        campaigns = (await session.scalars(select(Campaign).order_by(Campaign.name))).all()
        counts: dict[int, dict[str, int]] = {}
        query = select(DialingRecord.campaign_id, DialingRecord.status, func.count()).group_by(
            DialingRecord.campaign_id, DialingRecord.status
        )
        for campaign_id, status, count in (await session.execute(query)).all():
            counts.setdefault(campaign_id, {})[status] = count
        queue_names = await dialing.queue_names(session)
    items = [
        {
            "name": c.name,
            "mode": c.mode,
            "status": c.status,
            "max_attempts": c.max_attempts,
            "records": sum(counts.get(c.id, {}).values()),
            "records_by_status": counts.get(c.id, {}),
            "agents_logged_in": _agents_logged_in(request, queue_names.get(c.queue_id) if c.queue_id else None),
            **figures.get(c.id, dialing.NO_FIGURES),
        }
        for c in campaigns
    ]
    return web.json_response({"items": items, "next_cursor": None})


def _agents_logged_in(request: web.Request, queue: str | None) -> int:
    """Agents of the campaign's queue who are logged in now (its dialing power)."""
    if not queue:
        return 0
    agents = request.app[ACD].acd.agents.values()
    return sum(1 for a in agents if queue in a.tiers and str(a.state) != "offline")


CAMPAIGN_MOVES = {"running": ("draft", "paused"), "paused": ("running",), "stopped": ("draft", "running", "paused")}


class CampaignStatusIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    status: Literal["running", "paused", "stopped"]


@api.route(
    "POST",
    "/api/v1/campaigns/{name}/status",
    "Start, pause or stop a campaign (supervisor; audited)",
    tag="supervisor",
    role="supervisor",
    body=CampaignStatusIn,
)
async def set_campaign_status(request: web.Request) -> web.Response:
    body = await read_body(request, CampaignStatusIn)
    name = request.match_info["name"]
    async with request.app[SESSIONS].begin() as session:
        campaign = (await session.scalars(select(Campaign).where(Campaign.name == name))).first()
        if campaign is None:
            raise NotFound("campaign", name)
        before = campaign.status
        if before != body.status and before not in CAMPAIGN_MOVES[body.status]:
            return error(409, "bad_move", f"campaign {name} is {before}: it cannot be {body.status} from there")
        campaign.status = body.status
        record_change(
            session,
            principal(request).username,
            "campaign.status",
            f"campaign:{name}",
            {"status": before},
            {"status": body.status},
            request.app[CLOCK].now(),
        )
    return web.json_response({"name": name, "status": body.status})


@api.route(
    "GET",
    "/api/v1/alerts",
    "The board's alerts, newest first: open or not yet acknowledged (state=open, the default), or all "
    "raised in the last `hours` (state=all)",
    tag="supervisor",
    role="supervisor",
    query=("state", "hours"),
)
async def list_alerts(request: web.Request) -> web.Response:
    state = request.query.get("state", "open")
    errors: list[FieldError] = []
    if state not in ("open", "all"):
        errors.append(FieldError("state", "use open or all"))
    try:
        hours = float(request.query.get("hours", "24"))
        if not 0 < hours <= 24 * 31:
            raise ValueError
    except ValueError:
        errors.append(FieldError("hours", "a number of hours from 0 to 744"))
        hours = 24.0
    if errors:
        raise ValidationFailed(errors)
    items = await request.app[ALERTS].listing(open_only=state == "open", hours=hours)
    return web.json_response({"items": items, "next_cursor": None})


@api.route(
    "POST",
    "/api/v1/alerts/{alert_id}/acknowledge",
    "Acknowledge an alert in your name (supervisor; kept, audited, shown on every board)",
    tag="supervisor",
    role="supervisor",
)
async def acknowledge_alert(request: web.Request) -> web.Response:
    alert_id = path_id(request, "alert_id", "an alert id")
    alert = await request.app[ALERTS].acknowledge(alert_id, principal(request).username)
    if alert is None:
        raise NotFound("alert", alert_id)
    return web.json_response(alert)
