"""The analytics tables over HTTP, for the analytics page and spreadsheets (format=csv): the sales funnel,
the weighted forecast by owner or product group, forecast against actual, lead sources, cases and their SLAs, the contact centre's figures by day, the customers
at risk of leaving, and the most and least profitable customers.
Every table answers ``{"columns", "items", "note", "summary"}``; ``note`` says how its figures are made."""

from __future__ import annotations

import datetime as dt
from collections.abc import Awaitable, Callable
from typing import Any

from aiohttp import web

from contact_center.crm import analytics, profitability
from contact_center.crm.errors import FieldError, ValidationFailed
from contact_center.domain.analytics import buckets
from contact_center.web.csv_out import csv_response, format_only, output_format
from contact_center.web.errors import query_period
from contact_center.web.keys import ACD, CLOCK, SESSIONS, SETTINGS
from contact_center.web.routing import Api

api = Api()
MAX_DAYS = 366  # a year of days at most in one table
KPI_COLUMNS = (
    "day",
    "offered",
    "answered",
    "abandoned",
    "service_level",
    "asa_seconds",
    "aht_seconds",
    "handled",
    "longest_wait_seconds",
)


def _period(request: web.Request) -> tuple[dt.date, dt.date, str]:
    """``from`` and ``to`` (the centre's days, both required, at most a year apart) and ``format``."""
    errors: list[FieldError] = []
    period = query_period(request, errors, MAX_DAYS)
    form = output_format(request, errors)
    if errors or period is None:
        raise ValidationFailed(errors)
    return *period, form


def _answer(table: analytics.Table, filename: str, form: str, **more: str) -> web.Response:
    if form == "csv":
        return csv_response(table.columns, table.rows, f"{filename}.csv")
    return web.json_response({**more, **table.json()})


def _table(
    name: str, summary: str, read: Callable[[web.Request, dt.date, dt.date], Awaitable[analytics.Table]]
) -> None:
    async def handler(request: web.Request) -> web.Response:
        first, last, form = _period(request)
        table = await read(request, first, last)
        return _answer(table, f"{name}-{first}-{last}", form, **{"from": first.isoformat(), "to": last.isoformat()})

    api.route(
        "GET",
        f"/api/v1/analytics/{name}",
        f"{summary} over the centre's days [from, to] (format=csv for a spreadsheet)",
        tag="analytics",
        role="supervisor",
        query=("from", "to", "format"),
        required=("from", "to"),
    )(handler)


async def _funnel(request: web.Request, first: dt.date, last: dt.date) -> analytics.Table:
    start, end = buckets.bounds(first, last, request.app[SETTINGS].zone)
    async with request.app[SESSIONS]() as session:
        return await analytics.sales_funnel(session, start, end)


async def _forecast(request: web.Request, first: dt.date, last: dt.date) -> analytics.Table:
    async with request.app[SESSIONS]() as session:
        return await analytics.forecast_vs_actual(session, first, last, request.app[SETTINGS].zone)


async def _lead_sources(request: web.Request, first: dt.date, last: dt.date) -> analytics.Table:
    start, end = buckets.bounds(first, last, request.app[SETTINGS].zone)
    async with request.app[SESSIONS]() as session:
        return await analytics.lead_sources(session, start, end)


async def _cases(request: web.Request, first: dt.date, last: dt.date) -> analytics.Table:
    async with request.app[SESSIONS]() as session:
        zone, now = request.app[SETTINGS].zone, request.app[CLOCK].now()
        return await analytics.case_days(session, first, last, zone, now)


async def _contact_center(request: web.Request, first: dt.date, last: dt.date) -> analytics.Table:
    rows: list[dict[str, Any]] = []
    for day, stats in await request.app[ACD].days(first, last):
        rows.append({"day": day.isoformat(), **{c: getattr(stats, c) for c in KPI_COLUMNS[1:]}})
    note = (
        "From the routing event log, the whole centre: a visit counts on the day its outcome falls, a handling "
        "on the day it ended. Service level and the waits as on the board (docs/routing.md)."
    )
    return analytics.Table(KPI_COLUMNS, rows, note)


_table("funnel", "Deals opened: how many reached each stage and went on to the next, and the win rate", _funnel)
_table(
    "forecast-vs-actual",
    "Per month: the weighted forecast as it stood when the month began, what was won, what is still open",
    _forecast,
)
_table("lead-sources", "Leads per source: how many, how good, converted, won deals and revenue", _lead_sources)
_table("cases", "Cases per day: opened, resolved, SLA met and breached, compliance", _cases)
_table(
    "contact-center",
    "The contact centre's figures per day: offered, answered, abandoned, SL, ASA, AHT",
    _contact_center,
)


@api.route(
    "GET",
    "/api/v1/analytics/forecast",
    "The weighted forecast per month and owner or product group over [from, to] (open deals x probability, "
    "won deals in full; format=csv for a spreadsheet)",
    tag="analytics",
    role="supervisor",
    query=("from", "to", "by", "format"),
    required=("from", "to"),
)
async def forecast(request: web.Request) -> web.Response:
    errors: list[FieldError] = []
    period = query_period(request, errors)  # a plan may look further ahead than a year
    by = request.query.get("by", "owner")
    if by not in ("owner", "product_group"):
        errors.append(FieldError("by", "use owner or product_group"))
    form = output_format(request, errors)
    if errors or period is None:
        raise ValidationFailed(errors)
    first, last = period
    async with request.app[SESSIONS]() as session:
        table = await analytics.forecast_by(session, by, first, last, request.app[SETTINGS].zone)  # type: ignore[arg-type]
    return _answer(
        table, f"forecast-{first}-{last}", form, by=by, **{"from": first.isoformat(), "to": last.isoformat()}
    )


@api.route(
    "GET",
    "/api/v1/analytics/churn-risk",
    "Customers who may be about to leave, highest risk first, with their reasons (the rule is in the note; "
    "format=csv for a spreadsheet)",
    tag="analytics",
    role="supervisor",
    query=("format",),
)
async def churn_risk(request: web.Request) -> web.Response:
    form, now = format_only(request), request.app[CLOCK].now()
    async with request.app[SESSIONS]() as session:
        table = await analytics.churn_risk(session, now)
    return _answer(table, f"churn-risk-{now.date()}", form)


def _costs(request: web.Request) -> profitability.Costs:
    settings = request.app[SETTINGS]
    return profitability.Costs(settings.service_hour_cost_cents, settings.contact_minute_cost_cents)


PROFIT_COLUMNS = (
    "customer_id",
    "name",
    "revenue_cents",
    "orders",
    "service_cost_cents",
    "contact_cost_cents",
    "calls",
    "profit_cents",
    "margin",
)


@api.route(
    "GET",
    "/api/v1/analytics/profitability",
    "The most and the least profitable customers over the last twelve months: revenue less the cost to serve "
    "them (worked out once a day; the rule and its costs are in the note; format=csv for a spreadsheet)",
    tag="analytics",
    role="supervisor",
    query=("format",),
)
async def customer_profitability(request: web.Request) -> web.Response:
    form = format_only(request)
    async with request.app[SESSIONS]() as session:
        rows, computed = await profitability.top(session)
    table = analytics.Table(
        PROFIT_COLUMNS,
        rows,
        _costs(request).rule(),
        {"computed_at": computed.isoformat().replace("+00:00", "Z") if computed else None},
    )
    return _answer(table, "profitability", form)


@api.route(
    "POST",
    "/api/v1/analytics/profitability/refresh",
    "Work the customers' last twelve months out again now (the office watch does it once a day)",
    tag="analytics",
    role="supervisor",
)
async def refresh_profitability(request: web.Request) -> web.Response:
    customers = await profitability.refresh(request.app[SESSIONS], request.app[CLOCK].now(), _costs(request))
    return web.json_response({"customers": customers})
