"""Webhook subscriptions and deliveries as stored: a change enqueues its event in its own transaction."""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Awaitable, Callable
from typing import Annotated, Any

from pydantic import Field, StringConstraints, field_validator
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from contact_center.clock import utc_iso
from contact_center.crm.phone_schemas import Strict
from contact_center.domain.webhooks import retry_at
from contact_center.store.tables import WEBHOOK_EVENTS, Activity, WebhookDelivery, WebhookSubscription

LEASE = dt.timedelta(seconds=60)  # a delivery being sent is not sent again by another node meanwhile


class SubscriptionCreate(Strict):
    url: Annotated[str, StringConstraints(pattern=r"^https?://\S+$", max_length=500)]
    events: list[str] = Field(
        min_length=1,
        max_length=len(WEBHOOK_EVENTS),
        json_schema_extra={"items": {"type": "string", "enum": list(WEBHOOK_EVENTS)}},  # listed in the document
    )

    @field_validator("events")
    @classmethod
    def _known(cls, value: list[str]) -> list[str]:
        unknown = sorted(set(value) - set(WEBHOOK_EVENTS))
        if unknown:
            raise ValueError(f"unknown event(s) {', '.join(unknown)}; use {', '.join(WEBHOOK_EVENTS)}")
        return sorted(set(value))


def subscription_json(row: WebhookSubscription, *, secret: bool = False) -> dict[str, Any]:
    out: dict[str, Any] = {"id": row.id, "url": row.url, "events": row.events, "active": row.active}
    if secret:
        out["secret"] = row.secret
    return out


def delivery_json(row: WebhookDelivery) -> dict[str, Any]:
    return {
        "id": row.id,
        "event": row.event,
        "status": row.status,
        "attempts": row.attempts,
        "last_status": row.last_status,
        "last_error": row.last_error,
        "created_at": row.created_at.isoformat(),
        "delivered_at": row.delivered_at.isoformat() if row.delivered_at else None,
    }


async def subscribe(session: AsyncSession, data: SubscriptionCreate, now: dt.datetime) -> WebhookSubscription:
    row = WebhookSubscription(url=data.url, events=data.events, secret=secrets.token_urlsafe(32), created_at=now)
    session.add(row)
    await session.flush()
    return row


async def enqueue(session: AsyncSession, event: str, payload: dict[str, Any], now: dt.datetime) -> int:
    """One delivery per active subscription to ``event``, in the caller's transaction; how many."""
    return await enqueue_many(session, event, [payload], now)


async def enqueue_many(session: AsyncSession, event: str, payloads: list[dict[str, Any]], now: dt.datetime) -> int:
    """One delivery of each payload per active subscription to ``event`` (the subscriptions read once)."""
    if not payloads:
        return 0
    subscriptions = (await session.scalars(select(WebhookSubscription).where(WebhookSubscription.active))).all()
    count = 0
    for sub in subscriptions:
        if event in sub.events:
            for payload in payloads:
                session.add(
                    WebhookDelivery(subscription_id=sub.id, event=event, payload=payload, next_at=now, created_at=now)
                )
                count += 1
    return count


def call_ended_event(activity: Activity) -> dict[str, Any]:
    """What ``call.ended`` says of a call once it is logged (after its wrap-up): who, how it went, how long."""
    details = activity.details or {}
    return {
        "call_id": activity.interaction_id,
        "activity_id": activity.id,
        "customer_id": activity.customer_id,
        "direction": activity.direction,
        "subject": activity.subject,
        "agent_id": activity.agent_id,
        "queue": activity.queue,
        "outcome": activity.outcome,
        "disposition": activity.disposition,
        "disposition_pending": bool(details.get("disposition_pending")),
        "caller_number": details.get("caller_number"),
        "dialled": details.get("dialled"),
        "wait_seconds": details.get("wait_seconds"),
        "talk_seconds": details.get("talk_seconds"),
        "hold_seconds": details.get("hold_seconds"),
        "wrap_seconds": details.get("wrap_seconds"),
        "hung_up_by": details.get("hung_up_by"),
        "campaign": details.get("campaign"),
        "started_at": _iso(activity.started_at),
        "ended_at": _iso(activity.ended_at),
    }


def outbox_for_calls(clock: Callable[[], dt.datetime]) -> Callable[[AsyncSession, list[Activity]], Awaitable[None]]:
    """The activity writer's hook: each call logged is a ``call.ended`` delivery to its subscribers, written in
    the same transaction as the call's activity (both or neither)."""

    async def written(session: AsyncSession, rows: list[Activity]) -> None:
        calls = [call_ended_event(row) for row in rows if row.type == "call"]
        await enqueue_many(session, "call.ended", calls, clock())

    return written


def _iso(moment: dt.datetime | None) -> str | None:
    return None if moment is None else utc_iso(moment)


async def claim_due(session: AsyncSession, now: dt.datetime, limit: int = 50) -> list[tuple[WebhookDelivery, str, str]]:
    """Deliveries due now, leased for a minute: (delivery, url, secret)."""
    query = (
        select(WebhookDelivery, WebhookSubscription.url, WebhookSubscription.secret)
        .join(WebhookSubscription, WebhookSubscription.id == WebhookDelivery.subscription_id)
        .where(WebhookDelivery.status == "pending", WebhookDelivery.next_at <= now)
        .order_by(WebhookDelivery.next_at, WebhookDelivery.id)
        .limit(limit)
        .with_for_update(skip_locked=True, of=WebhookDelivery)
    )
    rows = [(d, url, secret) for d, url, secret in (await session.execute(query)).all()]
    for delivery, _, _ in rows:
        delivery.next_at = now + LEASE
    await session.flush()
    session.expunge_all()
    return rows


async def settle(
    session: AsyncSession, delivery_id: int, *, status_code: int | None, error: str, now: dt.datetime
) -> str:
    """Record a try: delivered on a 2xx, else tried again later (or failed for good); the new status."""
    row = await session.get(WebhookDelivery, delivery_id, with_for_update=True)
    if row is None:
        return "gone"
    row.attempts += 1
    row.last_status, row.last_error = status_code, error[:2000]
    if status_code is not None and 200 <= status_code < 300:
        row.status, row.delivered_at = "delivered", now
    else:
        again = retry_at(row.attempts, now)
        if again is None:
            row.status = "failed"
        else:
            row.next_at = again
    return row.status


async def deliveries(session: AsyncSession, subscription_id: int, limit: int = 200) -> list[WebhookDelivery]:
    query = (
        select(WebhookDelivery)
        .where(WebhookDelivery.subscription_id == subscription_id)
        .order_by(WebhookDelivery.id.desc())
        .limit(limit)
    )
    return list((await session.scalars(query)).all())
