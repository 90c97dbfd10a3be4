"""Marketing campaigns over HTTP: made, their costs and responses recorded, and what each did for its money
(responses, leads, hot leads, deals, won revenue, cost per lead, ROI) as JSON or CSV; segments, the target lists
taken from them, the e-mail a campaign sends its list and the dialing list it hands to the outbound dialer."""

from __future__ import annotations

from aiohttp import web
from sqlalchemy import select

from contact_center.crm import campaign_targets, marketing, segments
from contact_center.crm.errors import FieldError, ValidationFailed
from contact_center.crm.records import MAX_PAGE
from contact_center.store.tables import Segment
from contact_center.web.api_crm import record_id
from contact_center.web.csv_out import csv_response, format_only
from contact_center.web.errors import query_int, read_body
from contact_center.web.keys import CAMPAIGN_MAIL, CLOCK, SESSIONS
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
    form = format_only(request)
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
    "Marketing plans with their actuals (leads, revenue) and how much of each target they reached (format=csv "
    "for a spreadsheet)",
    tag="marketing",
    query=("format",),
)
async def list_plans(request: web.Request) -> web.Response:
    form = format_only(request)
    async with request.app[SESSIONS]() as session:
        items = await marketing.plans(session)
    if form == "csv":
        return csv_response(marketing.PLAN_COLUMNS, items, "marketing-plans.csv")
    return web.json_response({"items": items, "next_cursor": None})


# -- segments, target lists and their channels ------------------------------------------------------------------
@api.route(
    "POST",
    "/api/v1/segments",
    "A segment: a saved filter over customers (country, segment, vip, language, created_from/to) or leads "
    "(source, rating, status, campaign_id, created_from/to)",
    tag="marketing",
    role="supervisor",
    body=segments.SegmentCreate,
    status=201,
)
async def add_segment(request: web.Request) -> web.Response:
    body = await read_body(request, segments.SegmentCreate)
    async with request.app[SESSIONS].begin() as session:
        row = await segments.create(session, body)
        out = segments.segment_json(row) | {"members": await segments.count(session, row)}
    return web.json_response(out, status=201)


@api.route("GET", "/api/v1/segments", "Every segment with how many are in it now", tag="marketing")
async def list_segments(request: web.Request) -> web.Response:
    async with request.app[SESSIONS]() as session:
        rows = (await session.scalars(select(Segment).order_by(Segment.name))).all()
        items = [segments.segment_json(r) | {"members": await segments.count(session, r)} for r in rows]
    return web.json_response({"items": items, "next_cursor": None})


@api.route(
    "GET",
    "/api/v1/segments/{id}/members",
    "Who is in a segment now (the first ``limit``, by id) and how many in all",
    tag="marketing",
    query=("limit",),
)
async def segment_members(request: web.Request) -> web.Response:
    errors: list[FieldError] = []
    limit = query_int(request, "limit", 1, MAX_PAGE, 50, errors)
    if errors:
        raise ValidationFailed(errors)
    async with request.app[SESSIONS]() as session:
        row = await segments.get(session, record_id(request))
        found = await segments.members(session, row, limit=limit)
        total = await segments.count(session, row)
    return web.json_response({"count": total, "items": [m.json() for m in found]})


@api.route(
    "POST",
    "/api/v1/marketing-campaigns/{id}/targets",
    "A segment's members join the campaign's target list (each person once)",
    tag="marketing",
    role="supervisor",
    body=campaign_targets.TargetsIn,
    status=201,
)
async def add_targets(request: web.Request) -> web.Response:
    body = await read_body(request, campaign_targets.TargetsIn)
    async with request.app[SESSIONS].begin() as session:
        out = await campaign_targets.add_segment(session, record_id(request), body.segment_id)
    return web.json_response(out, status=201)


@api.route(
    "GET",
    "/api/v1/marketing-campaigns/{id}/targets",
    "The campaign's target list: how many, with an e-mail address, with a phone, and where its e-mail stands",
    tag="marketing",
)
async def targets(request: web.Request) -> web.Response:
    async with request.app[SESSIONS]() as session:
        out = await campaign_targets.summary(session, record_id(request))
    return web.json_response(out)


@api.route(
    "PUT",
    "/api/v1/marketing-campaigns/{id}/mail",
    "The e-mail of an e-mail campaign, sent to each target with an address once, never to one that opted out, "
    "each with a link to receive no more",
    tag="marketing",
    role="supervisor",
    body=campaign_targets.MailIn,
)
async def write_mail(request: web.Request) -> web.Response:
    body = await read_body(request, campaign_targets.MailIn)
    async with request.app[SESSIONS].begin() as session:
        out = await campaign_targets.write_mail(session, record_id(request), body)
    request.app[CAMPAIGN_MAIL].wake()
    return web.json_response(out)


@api.route(
    "POST",
    "/api/v1/marketing-campaigns/{id}/dialer-list",
    "The targets' phone numbers onto an outbound campaign's dialing list (made as a draft if new)",
    tag="marketing",
    role="supervisor",
    body=campaign_targets.DialerListIn,
    status=201,
)
async def to_dialer(request: web.Request) -> web.Response:
    body = await read_body(request, campaign_targets.DialerListIn)
    async with request.app[SESSIONS].begin() as session:
        out = await campaign_targets.to_dialer(session, record_id(request), body.campaign)
    return web.json_response(out, status=201)
