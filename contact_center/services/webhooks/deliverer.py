"""Sends webhook deliveries: every couple of seconds the due ones are leased, POSTed as JSON with their
signature (``X-CC-Signature``: HMAC-SHA256 of ``timestamp.body``, ``X-CC-Timestamp``), and settled:
delivered on a 2xx, else tried again with a growing delay (domain/webhooks.py), failed after eight tries.
Every node may send; a lease keeps two from sending the same delivery at once."""

from __future__ import annotations

import asyncio
import json
import logging

import aiohttp
from sqlalchemy.ext.asyncio import AsyncEngine

from contact_center.clock import Clock
from contact_center.crm import webhooks
from contact_center.domain.webhooks import signature
from contact_center.store.engine import session_factory

log = logging.getLogger(__name__)
TICK_SECONDS = 2.0
TIMEOUT = aiohttp.ClientTimeout(total=10)


class WebhookDeliverer:
    def __init__(self, engine: AsyncEngine, clock: Clock, tick_seconds: float = TICK_SECONDS) -> None:
        self.sessions, self.clock, self.tick_seconds = session_factory(engine), clock, tick_seconds
        self._loop: asyncio.Task[None] | None = None
        self._http: aiohttp.ClientSession | None = None

    async def start(self) -> None:
        self._http = aiohttp.ClientSession(timeout=TIMEOUT)
        self._loop = asyncio.create_task(self._every(), name="webhooks")

    async def stop(self) -> None:
        if self._loop is not None:
            self._loop.cancel()
            await asyncio.gather(self._loop, return_exceptions=True)
        if self._http is not None:
            await self._http.close()

    async def _every(self) -> None:
        while True:
            await asyncio.sleep(self.tick_seconds)
            try:
                await self.send_due()
            except Exception:
                log.exception("sending webhooks failed; trying again in %.0f s", self.tick_seconds)

    async def send_due(self) -> int:
        """Send what is due now; how many were tried."""
        async with self.sessions.begin() as session:
            due = await webhooks.claim_due(session, self.clock.now())
        await asyncio.gather(*(self._send(d.id, d.event, d.payload, url, secret) for d, url, secret in due))
        return len(due)

    async def _send(self, delivery_id: int, event: str, payload: dict[str, object], url: str, secret: str) -> None:
        assert self._http is not None
        body = json.dumps({"event": event, "delivery": delivery_id, "data": payload}, separators=(",", ":")).encode()
        stamp = str(int(self.clock.now().timestamp()))
        headers = {
            "Content-Type": "application/json",
            "X-CC-Event": event,
            "X-CC-Delivery": str(delivery_id),
            "X-CC-Timestamp": stamp,
            "X-CC-Signature": signature(secret, stamp, body),
        }
        status, error = None, ""
        try:
            async with self._http.post(url, data=body, headers=headers) as response:
                status = response.status
                if status >= 300:
                    error = (await response.text())[:500]
        except (aiohttp.ClientError, TimeoutError) as exc:
            error = f"{type(exc).__name__}: {exc}"
        async with self.sessions.begin() as session:
            result = await webhooks.settle(session, delivery_id, status_code=status, error=error, now=self.clock.now())
        if result != "delivered":
            log.info("webhook %s (%s) to %s: %s (%s)", delivery_id, event, url, result, error or status)
