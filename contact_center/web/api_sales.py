"""The catalog and quotes over HTTP: products listed, a quote priced on an opportunity, accepted into a
sales order (the opportunity is then won)."""

from __future__ import annotations

from typing import Annotated

from aiohttp import web
from pydantic import BaseModel, ConfigDict, StringConstraints

from contact_center.crm import quotes, sales
from contact_center.web.api_crm import record_id
from contact_center.web.auth import principal
from contact_center.web.errors import read_body
from contact_center.web.keys import CLOCK, SESSIONS, SETTINGS
from contact_center.web.routing import Api

api = Api()


@api.route("GET", "/api/v1/products", "The product catalog (products still sold; all=1 for every product)",
           tag="sales", query=("all",))  # fmt: skip
async def list_products(request: web.Request) -> web.Response:
    async with request.app[SESSIONS]() as session:
        rows = await quotes.products(session, active_only=request.query.get("all") != "1")
    return web.json_response({"items": [quotes.product_json(r) for r in rows], "next_cursor": None})


@api.route("POST", "/api/v1/quotes", "Quote an opportunity: lines priced from the catalog, a discount (over 15 % "
           "supervisors only)", tag="sales", body=quotes.QuoteCreate, status=201)  # fmt: skip
async def create_quote(request: web.Request) -> web.Response:
    body = await read_body(request, quotes.QuoteCreate)
    me = principal(request)
    async with request.app[SESSIONS].begin() as session:
        row = await quotes.create_quote(session, body, may_approve=me.has_role("supervisor"))
        out = quotes.quote_json(row)
    return web.json_response(out, status=201)


@api.route("GET", "/api/v1/quotes/{id}", "One quote", tag="sales")
async def get_quote(request: web.Request) -> web.Response:
    async with request.app[SESSIONS]() as session:
        row = await quotes.quote(session, record_id(request))
        out = quotes.quote_json(row)
    return web.json_response(out)


@api.route("POST", "/api/v1/quotes/{id}/accept", "The customer accepts: a sales order is made from the quote and "
           "the opportunity is won, in one step", tag="sales", status=201)  # fmt: skip
async def accept_quote(request: web.Request) -> web.Response:
    async with request.app[SESSIONS].begin() as session:
        order = await quotes.accept_quote(
            session, record_id(request), principal(request).user_id, request.app[CLOCK].now()
        )
        out = {"order_id": order.id, "order_number": order.number, "quote_id": record_id(request),
               "total_cents": order.total_cents, "currency": order.currency}  # fmt: skip
    return web.json_response(out, status=201)


class ConvertIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    opportunity_name: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)] | None = (
        None
    )


@api.route("POST", "/api/v1/leads/{id}/convert", "Convert a lead: a customer (or the one it names) and an "
           "opportunity; its timeline moves to the customer", tag="sales", body=ConvertIn, status=201)  # fmt: skip
async def convert_lead(request: web.Request) -> web.Response:
    body = await read_body(request, ConvertIn)
    async with request.app[SESSIONS].begin() as session:
        lead, customer_id, opportunity = await sales.convert_lead(
            session, record_id(request), body.opportunity_name, principal(request).user_id,
            request.app[CLOCK].now(), request.app[SETTINGS].default_region,
        )  # fmt: skip
        out = {"lead_id": lead.id, "customer_id": customer_id, "opportunity_id": opportunity.id}
    return web.json_response(out, status=201)
