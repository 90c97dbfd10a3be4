"""Requests from one node to another over Redis pub/sub, each answered once or not at all.

Every node listens on its own channel ``{prefix}:rpc:{node}``; a request carries an id, the
sender's node id and a wall-clock deadline, and the answer goes back on the sender's channel.
Pub/sub, not a stream: a request is worth nothing once its sender has stopped waiting (a desk
command the agent will retry), and ``PUBLISH`` says how many listeners got it, so a node that is
not running is known at once instead of after a timeout. Like the routing requests
(``services/routing/shared.py``), a request seen after its deadline is dropped, not run late.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import time
import uuid
from collections.abc import Awaitable, Callable
from typing import Any

import redis.asyncio as aioredis

log = logging.getLogger(__name__)
Handler = Callable[[str, dict[str, Any]], Awaitable[dict[str, Any]]]


class NodeUnavailable(Exception):
    """The node asked did not get the request (not running) or did not answer in time."""


class RedisRpc:
    def __init__(self, client: aioredis.Redis, prefix: str, node_id: str, handler: Handler) -> None:
        self.client, self.prefix, self.node_id, self.handler = client, prefix, node_id, handler
        self._waiting: dict[str, asyncio.Future[dict[str, Any]]] = {}
        self._tasks: set[asyncio.Task[Any]] = set()
        self._listener: asyncio.Task[None] | None = None
        self._subscribed = asyncio.Event()

    def channel(self, node_id: str) -> str:
        return f"{self.prefix}:rpc:{node_id}"

    async def start(self) -> None:
        self._listener = asyncio.create_task(self._listen(), name=f"desk-rpc-{self.node_id}")
        async with asyncio.timeout(10):
            await self._subscribed.wait()

    async def stop(self) -> None:
        tasks = [t for t in (self._listener, *self._tasks) if t is not None]
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)

    async def call(self, node_id: str, method: str, args: dict[str, Any], wait_seconds: float) -> dict[str, Any]:
        """The answer of ``node_id`` to ``method(**args)``: ``{"ok": True, "result"}`` or ``{"ok": False,
        "error", "message"}``; ``NodeUnavailable`` when it is not listening or says nothing in time."""
        rid = uuid.uuid4().hex
        answer: asyncio.Future[dict[str, Any]] = asyncio.get_running_loop().create_future()
        self._waiting[rid] = answer
        request = {
            "kind": "request",
            "id": rid,
            "from": self.node_id,
            "method": method,
            "args": args,
            "deadline": time.time() + wait_seconds,
        }
        try:
            if not await self.client.publish(self.channel(node_id), json.dumps(request)):
                raise NodeUnavailable(f"node {node_id} is not running")
            async with asyncio.timeout(wait_seconds):
                return await answer
        except TimeoutError:
            raise NodeUnavailable(f"node {node_id} did not answer within {wait_seconds:g}s") from None
        finally:
            self._waiting.pop(rid, None)

    async def _listen(self) -> None:
        while True:
            pubsub = self.client.pubsub(ignore_subscribe_messages=True)
            try:
                await pubsub.subscribe(self.channel(self.node_id))
                self._subscribed.set()
                async for message in pubsub.listen():
                    if message.get("type") == "message":
                        self._take(message["data"])
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("desk requests: the Redis subscription failed; subscribing again in 1 s")
                await asyncio.sleep(1.0)
            finally:
                with contextlib.suppress(Exception):
                    await pubsub.aclose()

    def _take(self, raw: str | bytes) -> None:
        try:
            message = json.loads(raw)
        except ValueError:
            log.warning("desk requests: dropped a message that is not JSON")
            return
        if message.get("kind") == "reply":
            waiting = self._waiting.get(str(message.get("id")))
            if waiting is not None and not waiting.done():
                waiting.set_result(message)
        elif message.get("kind") == "request" and float(message.get("deadline", 0)) >= time.time():
            task = asyncio.create_task(self._answer(message), name=f"desk-request-{message.get('method')}")
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)

    async def _answer(self, request: dict[str, Any]) -> None:
        try:
            reply = await self.handler(str(request["method"]), dict(request.get("args") or {}))
        except Exception:
            log.exception("desk request %s failed", request.get("method"))
            reply = {"ok": False, "error": "internal", "message": "the server could not do that; try again"}
        reply = {**reply, "kind": "reply", "id": request["id"]}
        try:
            await self.client.publish(self.channel(str(request["from"])), json.dumps(reply))
        except Exception:
            log.exception("could not answer desk request %s from %s", request.get("method"), request.get("from"))
