"""Marketing campaigns over HTTP: made, their costs and responses recorded, and what each did for its money
(responses, leads, hot leads, deals, won revenue, cost per lead, ROI) as JSON or CSV."""

from __future__ import annotations

from aiohttp import web

from contact_center.crm import marketing
from contact_center.crm.errors import FieldError, ValidationFailed
from contact_center.web.api_crm import record_id
from contact_center.web.csv_out import csv_response, output_format
from contact_center.web.errors import read_body
from contact_center.web.keys import CLOCK, SESSIONS
from contact_center.web.routing import Api

api = Api()


@api.route(
    "POST",
    "/api/v1/marketing-campaigns",
    "A marketing campaign: channel, product group, dates, budget",
    tag="marketing",
    role="supervisor",
    body=marketing.CampaignCreate,
    status=201,
)
async def create(request: web.Request) -> web.Response:
    body = await read_body(request, marketing.CampaignCreate)
    async with request.app[SESSIONS].begin() as session:
        out = marketing.campaign_json(await marketing.create(session, body))
    return web.json_response(out, status=201)


@api.route(
    "GET",
    "/api/v1/marketing-campaigns",
    "Every campaign with what it did: responses, leads, hot leads, deals, won revenue, cost, cost per lead, "
    "ROI (first touch: a deal counts for the campaign that brought its lead); format=csv for a spreadsheet",
    tag="marketing",
    query=("format",),
)
async def effectiveness(request: web.Request) -> web.StreamResponse:
    errors: list[FieldError] = []
    form = output_format(request, errors)
    if errors:
        raise ValidationFailed(errors)
    async with request.app[SESSIONS]() as session:
        items = await marketing.effectiveness(session)
    if form == "csv":
        return csv_response(marketing.REPORT_COLUMNS, items, "campaigns.csv")
    return web.json_response({"items": items, "next_cursor": None})


@api.route(
    "POST",
    "/api/v1/marketing-campaigns/{id}/costs",
    "Money spent on a campaign",
    tag="marketing",
    role="supervisor",
    body=marketing.CostIn,
    status=201,
)
async def add_cost(request: web.Request) -> web.Response:
    body = await read_body(request, marketing.CostIn)
    async with request.app[SESSIONS].begin() as session:
        out = await marketing.add_cost(session, record_id(request), body)
    return web.json_response(out, status=201)


@api.route(
    "POST",
    "/api/v1/marketing-campaigns/{id}/responses",
    "Someone answered the campaign (a lead or a customer); a lead from no campaign yet is credited to it",
    tag="marketing",
    body=marketing.ResponseIn,
    status=201,
)
async def add_response(request: web.Request) -> web.Response:
    body = await read_body(request, marketing.ResponseIn)
    async with request.app[SESSIONS].begin() as session:
        out = await marketing.add_response(session, record_id(request), body, request.app[CLOCK].now())
    return web.json_response(out, status=201)


@api.route(
    "POST",
    "/api/v1/marketing-plans",
    "A marketing plan: targets (leads, revenue) for a period, a product group and a geography, with notes",
    tag="marketing",
    role="supervisor",
    body=marketing.PlanCreate,
    status=201,
)
async def add_plan(request: web.Request) -> web.Response:
    body = await read_body(request, marketing.PlanCreate)
    async with request.app[SESSIONS].begin() as session:
        out = await marketing.add_plan(session, body)
    return web.json_response(out, status=201)


@api.route(
    "GET",
    "/api/v1/marketing-plans",
    "Marketing plans with their actuals (leads, revenue) and how much of each target they reached",
    tag="marketing",
)
async def list_plans(request: web.Request) -> web.Response:
    async with request.app[SESSIONS]() as session:
        items = await marketing.plans(session)
    return web.json_response({"items": items, "next_cursor": None})
