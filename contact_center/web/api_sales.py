"""The catalog and quotes over HTTP: products listed, a quote priced on an opportunity, accepted into a
sales order (the opportunity is then won)."""

from __future__ import annotations

import time
from typing import Annotated

from aiohttp import web
from pydantic import BaseModel, ConfigDict, StringConstraints

from contact_center.crm import catalog, lead_intake, pipeline, quotes, sales
from contact_center.crm.schemas import WebLeadIn
from contact_center.domain.sales import forecast as forecasting
from contact_center.web.api_crm import record_id
from contact_center.web.auth import client_address, principal
from contact_center.web.errors import error, read_body
from contact_center.web.keys import CLOCK, LEAD_FORM_THROTTLE, SESSIONS, SETTINGS
from contact_center.web.routing import Api

api = Api()


@api.route(
    "POST",
    "/api/v1/public/leads",
    "The public lead form (no login; throttled per address): checked, scored, "
    "assigned to the sales queue's agent with the fewest open leads, on the timeline",
    tag="sales",
    role=None,
    body=WebLeadIn,
    status=202,
)
async def web_lead(request: web.Request) -> web.Response:
    if request.content_type != "application/json":
        return error(415, "unsupported_media_type", "send the form as application/json")
    throttle, address, mono = request.app[LEAD_FORM_THROTTLE], client_address(request), time.monotonic()
    wait = throttle.retry_after("lead-form", address, mono)
    if wait > 0:
        response = error(429, "too_many_requests", f"too many forms from here; try again in {int(wait) + 1} s")
        response.headers["Retry-After"] = str(int(wait) + 1)
        return response
    throttle.attempt("lead-form", address, mono)  # every form counts: there is no "success" to forgive
    form = await read_body(request, WebLeadIn)
    async with request.app[SESSIONS].begin() as session:
        await lead_intake.take_web_lead(session, form, request.app[CLOCK].now(), request.app[SETTINGS].lead_queue)
    # The same answer whether we knew them or not: the form tells nobody who is a lead or a customer.
    return web.json_response({"received": True}, status=202)


@api.route(
    "GET",
    "/api/v1/products",
    "The product catalog (products still sold; all=1 for every product)",
    tag="sales",
    query=("all",),
)
async def list_products(request: web.Request) -> web.Response:
    async with request.app[SESSIONS]() as session:
        rows = await quotes.products(session, active_only=request.query.get("all") != "1")
    return web.json_response({"items": [quotes.product_json(r) for r in rows], "next_cursor": None})


@api.route(
    "POST",
    "/api/v1/products",
    "Add a product to the catalog, with its configuration rules (products it requires or excludes on the "
    "same quote, the quantities it is sold in)",
    tag="sales",
    role="admin",
    body=catalog.ProductCreate,
    status=201,
)
async def add_product(request: web.Request) -> web.Response:
    body = await read_body(request, catalog.ProductCreate)
    async with request.app[SESSIONS].begin() as session:
        out = quotes.product_json(await catalog.add_product(session, body))
    return web.json_response(out, status=201)


@api.route(
    "PUT",
    "/api/v1/products/{id}/rules",
    "A product's configuration rules, checked on every quote from now on",
    tag="sales",
    role="admin",
    body=catalog.RulesIn,
)
async def set_rules(request: web.Request) -> web.Response:
    body = await read_body(request, catalog.RulesIn)
    async with request.app[SESSIONS].begin() as session:
        out = quotes.product_json(await catalog.set_rules(session, record_id(request), body))
    return web.json_response(out)


@api.route(
    "POST",
    "/api/v1/price-lists",
    "A price list: unit prices in one currency, for one customer segment or (no segment) for every one",
    tag="sales",
    role="admin",
    body=catalog.PriceListCreate,
    status=201,
)
async def add_price_list(request: web.Request) -> web.Response:
    body = await read_body(request, catalog.PriceListCreate)
    async with request.app[SESSIONS].begin() as session:
        out = await catalog.add_price_list(session, body)
    return web.json_response(out, status=201)


@api.route("GET", "/api/v1/price-lists", "The price lists, by currency", tag="sales")
async def list_price_lists(request: web.Request) -> web.Response:
    async with request.app[SESSIONS]() as session:
        items = await catalog.price_lists_json(session)
    return web.json_response({"items": items, "next_cursor": None})


@api.route(
    "POST",
    "/api/v1/quotes",
    "Quote an opportunity: lines priced from the catalog, a discount (over 15 % supervisors only)",
    tag="sales",
    body=quotes.QuoteCreate,
    status=201,
)
async def create_quote(request: web.Request) -> web.Response:
    body = await read_body(request, quotes.QuoteCreate)
    me = principal(request)
    async with request.app[SESSIONS].begin() as session:
        row = await quotes.create_quote(session, body, may_approve=me.has_role("supervisor"))
        out = quotes.quote_json(row)
    return web.json_response(out, status=201)


@api.route(
    "POST",
    "/api/v1/quotes/{id}/revise",
    "A new version of a draft quote (lines, discount, validity priced again); the one it revises is superseded",
    tag="sales",
    body=quotes.QuoteRevision,
    status=201,
)
async def revise_quote(request: web.Request) -> web.Response:
    body = await read_body(request, quotes.QuoteRevision)
    me = principal(request)
    async with request.app[SESSIONS].begin() as session:
        row = await quotes.revise_quote(session, record_id(request), body, may_approve=me.has_role("supervisor"))
        out = quotes.quote_json(row)
    return web.json_response(out, status=201)


@api.route("GET", "/api/v1/quotes/{id}", "One quote", tag="sales")
async def get_quote(request: web.Request) -> web.Response:
    async with request.app[SESSIONS]() as session:
        row = await quotes.quote(session, record_id(request))
        out = quotes.quote_json(row)
    return web.json_response(out)


@api.route(
    "POST",
    "/api/v1/quotes/{id}/accept",
    "The customer accepts: a sales order is made from the quote and the opportunity is won, in one step",
    tag="sales",
    status=201,
)
async def accept_quote(request: web.Request) -> web.Response:
    async with request.app[SESSIONS].begin() as session:
        order = await quotes.accept_quote(
            session, record_id(request), principal(request).user_id, request.app[CLOCK].now()
        )
        out = {
            "order_id": order.id,
            "order_number": order.number,
            "quote_id": record_id(request),
            "total_cents": order.total_cents,
            "currency": order.currency,
        }
    return web.json_response(out, status=201)


class ConvertIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    opportunity_name: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)] | None = (
        None
    )


@api.route(
    "POST",
    "/api/v1/leads/{id}/convert",
    "Convert a lead: a customer (or the one it names) and an opportunity; its timeline moves to the customer",
    tag="sales",
    body=ConvertIn,
    status=201,
)
async def convert_lead(request: web.Request) -> web.Response:
    body = await read_body(request, ConvertIn)
    async with request.app[SESSIONS].begin() as session:
        lead, customer_id, opportunity = await sales.convert_lead(
            session,
            record_id(request),
            body.opportunity_name,
            principal(request).user_id,
            request.app[CLOCK].now(),
            request.app[SETTINGS].default_region,
        )
        out = {"lead_id": lead.id, "customer_id": customer_id, "opportunity_id": opportunity.id}
    return web.json_response(out, status=201)


@api.route(
    "GET",
    "/api/v1/analytics/stalled",
    "Open deals past their expected close or untouched for 30 days",
    tag="analytics",
    role="supervisor",
)
async def stalled_deals(request: web.Request) -> web.Response:
    async with request.app[SESSIONS]() as session:
        found = forecasting.stalled(await pipeline.open_deals(session), request.app[CLOCK].now().date())
    items = [
        {
            "opportunity_id": d.id,
            "owner": d.owner,
            "stage": d.stage,
            "amount_cents": d.amount_cents,
            "expected_close": d.expected_close.isoformat() if d.expected_close else None,
            "last_touched": d.last_touched.isoformat(),
        }
        for d in found
    ]
    return web.json_response({"items": items})
