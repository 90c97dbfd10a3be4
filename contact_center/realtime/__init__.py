"""Realtime gateway: socket.io for agent desktops (``/agent``) and the supervisor board (``/supervisor``).

``install(app, desk)`` attaches it to the aiohttp app; see docs/desktop.md for the wire contract.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Callable, Collection

import socketio
from aiohttp import web

from contact_center.realtime.gateway import Gateway, Timing
from contact_center.realtime.namespaces import namespaces
from contact_center.realtime.notifier import AGENT_NAMESPACE, SUPERVISOR_NAMESPACE, Notifier
from contact_center.realtime.shared_stream import Annotator, SharedNotifier
from contact_center.realtime.stream import DEFAULT_CAPACITY, Streams
from contact_center.services.desk import Desk
from contact_center.store.redis_desk import RedisDeskStore
from contact_center.web.keys import CLOCK, SETTINGS

GATEWAY = web.AppKey("realtime_gateway", Gateway)

__all__ = ["AGENT_NAMESPACE", "GATEWAY", "SUPERVISOR_NAMESPACE", "Gateway", "Timing", "install"]


def install(
    app: web.Application,
    desk: Desk,
    *,
    replay_size: int = DEFAULT_CAPACITY,
    timing: Timing | None = None,
    trusted_origins: Collection[str] = (),
    shared: RedisDeskStore | None = None,
    annotate: Annotator | None = None,
) -> Gateway:
    """Attach socket.io at /socket.io/, subscribe the notifier to the desk, run its tasks with the app.

    ``shared`` (several nodes): the agents' streams live in that store, numbered across the cluster,
    and socket.io fans out on its channel; ``annotate`` is the desk's note of what each event leaves
    behind (``SharedNotifier``)."""
    timing = timing or Timing()
    redis_url = app[SETTINGS].redis_url
    manager = None
    if shared is not None and redis_url:
        manager = socketio.AsyncRedisManager(redis_url, channel=shared.channel)
    elif redis_url:
        manager = socketio.AsyncRedisManager(redis_url)
    sio = socketio.AsyncServer(
        async_mode="aiohttp",
        client_manager=manager,
        # Origins are checked in the connect handler (same host or trusted_origins); engine.io's own
        # check would refuse a page served over https behind a TLS proxy.
        cors_allowed_origins=[],
        ping_interval=timing.ping_interval,
        ping_timeout=timing.ping_timeout,
        max_http_buffer_size=256 * 1024,
    )
    sio.attach(app)
    notifier = Notifier(sio, Streams(replay_size)) if shared is None else SharedNotifier(sio, shared, annotate)
    gateway = Gateway(sio, desk, notifier, app[CLOCK], tuple(trusted_origins), timing)
    for namespace in namespaces(gateway):
        sio.register_namespace(namespace)
    desk.subscribe(notifier)
    app[GATEWAY] = gateway
    app.cleanup_ctx.append(_run(gateway))
    return gateway


def _run(gateway: Gateway) -> Callable[[web.Application], AsyncIterator[None]]:
    async def ctx(app: web.Application) -> AsyncIterator[None]:
        tasks = [
            asyncio.create_task(gateway.notifier.run(), name="realtime-notifier"),
            asyncio.create_task(gateway.run_sweeper(), name="realtime-sweeper"),
        ]
        yield
        await gateway.sio.shutdown()
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task

    return ctx
