"""Webhooks against a local receiver: an accepted quote's order is delivered signed (the receiver checks the
HMAC), a receiver that fails is tried again later, and every try is in the delivery log."""

from __future__ import annotations

import json
from typing import Any

import pytest
from aiohttp import web
from sqlalchemy.ext.asyncio import AsyncEngine

from contact_center.domain.webhooks import signature
from contact_center.seed.demo import ensure_reference
from contact_center.web.keys import WEBHOOKS


@pytest.fixture
async def reference(engine: AsyncEngine) -> None:
    await ensure_reference(engine, password="demo-password-1")


async def test_an_order_is_delivered_signed_and_a_failing_receiver_is_tried_again(
    reference: None, app_client: Any, admin: Any, agent: Any, aiohttp_server: Any, clock: Any
) -> None:
    received: list[dict[str, Any]] = []
    answers = [503, 200, 200]
    secret: dict[str, str] = {}

    async def receive(request: web.Request) -> web.Response:
        body = await request.read()
        stamp = request.headers["X-CC-Timestamp"]
        assert request.headers["X-CC-Signature"] == signature(secret["value"], stamp, body)  # forged: refused
        received.append(json.loads(body))
        return web.Response(status=answers.pop(0))

    receiver = web.Application()
    receiver.router.add_post("/hook", receive)
    server = await aiohttp_server(receiver)

    url = str(server.make_url("/hook"))
    assert (
        await app_client.post(
            "/api/v1/webhooks", json={"url": url, "events": ["order.created"]}, headers=agent.headers()
        )
    ).status == 403
    bad = await app_client.post("/api/v1/webhooks", json={"url": url, "events": ["tea.ready"]}, headers=admin.headers())
    assert bad.status == 422 and (await bad.json())["errors"][0]["field"] == "events"
    made = await app_client.post(
        "/api/v1/webhooks", json={"url": url, "events": ["order.created", "case.opened"]}, headers=admin.headers()
    )
    assert made.status == 201
    subscription = await made.json()
    secret["value"] = subscription["secret"]

    h = agent.headers()
    product = (await (await app_client.get("/api/v1/products", headers=h)).json())["items"][0]
    opportunity = await (await app_client.post("/api/v1/opportunities", json={"name": "Deal"}, headers=h)).json()
    quote = await (
        await app_client.post(
            "/api/v1/quotes",
            json={"opportunity_id": opportunity["id"], "lines": [{"product_id": product["id"]}]},
            headers=h,
        )
    ).json()
    order = await (await app_client.post(f"/api/v1/quotes/{quote['id']}/accept", headers=h)).json()

    deliverer = app_client.server.app[WEBHOOKS]
    assert await deliverer.send_due() == 1  # the receiver answers 503
    assert received[0]["event"] == "order.created" and received[0]["data"]["order_id"] == order["order_id"]
    assert await deliverer.send_due() == 0  # not due again yet
    clock.advance(31)
    assert await deliverer.send_due() == 1
    log = (
        await (
            await app_client.get(f"/api/v1/webhooks/{subscription['id']}/deliveries", headers=admin.headers())
        ).json()
    )["items"]
    assert [(d["event"], d["status"], d["attempts"], d["last_status"]) for d in log] == [
        ("order.created", "delivered", 2, 200)
    ]

    await app_client.post("/api/v1/cases", json={"subject": "Broken"}, headers=h)
    assert await deliverer.send_due() == 1 and received[-1]["event"] == "case.opened"
    assert (await app_client.delete(f"/api/v1/webhooks/{subscription['id']}", headers=admin.headers())).status == 204
    await app_client.post("/api/v1/cases", json={"subject": "Again"}, headers=h)
    assert await deliverer.send_due() == 0  # stopped: nothing more is sent


async def test_a_call_once_logged_is_a_call_ended_delivery_written_with_its_activity(
    reference: None, app_client: Any, admin: Any, engine: AsyncEngine
) -> None:
    from sqlalchemy import select

    from contact_center.store.engine import session_factory
    from contact_center.store.tables import User, WebhookDelivery
    from contact_center.telephony.events import OriginateOutcome
    from contact_center.web.keys import CALL_CENTER, SIMULATOR

    from ..services.conftest import until

    made = await app_client.post(
        "/api/v1/webhooks", json={"url": "http://127.0.0.1:9/hook", "events": ["call.ended"]}, headers=admin.headers()
    )
    assert made.status == 201, await made.text()
    center, port = app_client.server.app[CALL_CENTER], app_client.server.app[SIMULATOR]
    async with session_factory(engine)() as session:
        agent = (await session.scalars(select(User).where(User.username == "agent"))).one()
    port.program(agent.extension, OriginateOutcome.ANSWERED)
    await center.set_state(agent.id, "available")
    call_id = port.inject_call("+14155550142", "5000")
    port.press(call_id, "10")  # no customer has this number in these tests: English, then an agent
    await until(lambda: center.desks.offer(agent.id), "the offer")
    await center.accept(agent.id, call_id)
    await until(lambda: center.calls.record(call_id) and center.calls.record(call_id).connected_at, "connected")
    await center.hangup(agent.id, call_id)
    await until(lambda: center.desks.wrapup(agent.id), "wrap-up")
    saved = await center.save_wrapup(agent.id, call_id, "resolved", "", [])
    async with session_factory(engine)() as session:
        (delivery,) = (
            await session.scalars(select(WebhookDelivery).where(WebhookDelivery.event == "call.ended"))
        ).all()
    payload = delivery.payload
    assert (payload["call_id"], payload["activity_id"], payload["disposition"]) == (
        call_id,
        saved["activity_id"],
        "resolved",
    )
    assert payload["direction"] == "inbound" and payload["agent_id"] == agent.id and payload["talk_seconds"] >= 0
