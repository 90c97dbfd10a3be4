"""Webhook subscriptions (admins): which events go to which URL, and each delivery's log."""

from __future__ import annotations

from aiohttp import web
from sqlalchemy import select

from contact_center.crm import webhooks
from contact_center.crm.errors import NotFound
from contact_center.store.audit_log import record_change
from contact_center.store.tables import WebhookSubscription
from contact_center.web.api_crm import record_id
from contact_center.web.auth import principal
from contact_center.web.errors import read_body
from contact_center.web.keys import CLOCK, SESSIONS
from contact_center.web.routing import Api

api = Api()


@api.route(
    "POST",
    "/api/v1/webhooks",
    "Subscribe a URL to events (order.created, case.opened, lead.converted, call.ended); "
    "the answer carries the signing secret, shown once (admin; audited)",
    tag="admin",
    role="admin",
    body=webhooks.SubscriptionCreate,
    status=201,
)
async def subscribe(request: web.Request) -> web.Response:
    body = await read_body(request, webhooks.SubscriptionCreate)
    now = request.app[CLOCK].now()
    async with request.app[SESSIONS].begin() as session:
        row = await webhooks.subscribe(session, body, now)
        out = webhooks.subscription_json(row, secret=True)
        record_change(
            session,
            principal(request).username,
            "webhook.create",
            f"webhook:{row.id}",
            None,
            webhooks.subscription_json(row),
            now,
        )
    return web.json_response(out, status=201)


@api.route("GET", "/api/v1/webhooks", "Webhook subscriptions (admin)", tag="admin", role="admin")
async def list_subscriptions(request: web.Request) -> web.Response:
    async with request.app[SESSIONS]() as session:
        rows = (await session.scalars(select(WebhookSubscription).order_by(WebhookSubscription.id))).all()
    return web.json_response({"items": [webhooks.subscription_json(r) for r in rows], "next_cursor": None})


@api.route(
    "DELETE",
    "/api/v1/webhooks/{id}",
    "Stop a subscription (its delivery log stays; admin; audited)",
    tag="admin",
    role="admin",
    status=204,
)
async def unsubscribe(request: web.Request) -> web.Response:
    async with request.app[SESSIONS].begin() as session:
        row = await session.get(WebhookSubscription, record_id(request))
        if row is None:
            raise NotFound("webhook", record_id(request))
        before = webhooks.subscription_json(row)
        row.active = False
        record_change(
            session,
            principal(request).username,
            "webhook.stop",
            f"webhook:{row.id}",
            before,
            webhooks.subscription_json(row),
            request.app[CLOCK].now(),
        )
    return web.Response(status=204)


@api.route(
    "GET",
    "/api/v1/webhooks/{id}/deliveries",
    "A subscription's deliveries, newest first (admin)",
    tag="admin",
    role="admin",
)
async def deliveries(request: web.Request) -> web.Response:
    async with request.app[SESSIONS]() as session:
        if await session.get(WebhookSubscription, record_id(request)) is None:
            raise NotFound("webhook", record_id(request))
        rows = await webhooks.deliveries(session, record_id(request))
    return web.json_response({"items": [webhooks.delivery_json(r) for r in rows], "next_cursor": None})
