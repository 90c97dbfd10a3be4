"""Realtime gateway: socket.io for agent desktops (``/agent``) and the supervisor board (``/supervisor``).

The composition root builds the socket.io server (``socket_server``, with the Redis manager when
several nodes run) and hands it to ``install``, which attaches it to the aiohttp app; see
docs/desktop.md for the wire contract.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Callable, Collection
from typing import Any

import socketio
from aiohttp import web

from contact_center.clock import Clock
from contact_center.principal import Authenticator
from contact_center.realtime.gateway import Gateway, Timing
from contact_center.realtime.namespaces import namespaces
from contact_center.realtime.notifier import AGENT_NAMESPACE, SUPERVISOR_NAMESPACE, Notifier
from contact_center.realtime.shared_stream import Annotator, DeskStreams, SharedNotifier
from contact_center.realtime.stream import DEFAULT_CAPACITY, Streams
from contact_center.services.desk import Desk

__all__ = ["AGENT_NAMESPACE", "SUPERVISOR_NAMESPACE", "Gateway", "SharedNotifier", "Timing", "install", "socket_server"]

log = logging.getLogger(__name__)
SUBSCRIBE_WAIT_SECONDS = 10.0


def socket_server(timing: Timing, client_manager: socketio.AsyncManager | None = None) -> socketio.AsyncServer:
    """The socket.io server the gateway expects; ``client_manager`` fans out across nodes (Redis)."""
    return socketio.AsyncServer(
        async_mode="aiohttp",
        client_manager=client_manager,
        # Origins are checked in the connect handler (same host or trusted_origins); engine.io's own
        # check would refuse a page served over https behind a TLS proxy.
        cors_allowed_origins=[],
        ping_interval=timing.ping_interval,
        ping_timeout=timing.ping_timeout,
        max_http_buffer_size=256 * 1024,
    )


def install(
    app: web.Application,
    desk: Desk,
    *,
    sio: socketio.AsyncServer,
    clock: Clock,
    authenticate: Authenticator,
    timing: Timing,
    replay_size: int = DEFAULT_CAPACITY,
    trusted_origins: Collection[str] = (),
    shared: DeskStreams[Any] | None = None,
    annotate: Annotator[Any] | None = None,
    lost: Callable[[int], None] | None = None,
) -> Gateway:
    """Attach ``sio`` at /socket.io/, subscribe the notifier to the desk, run its tasks with the app.

    ``shared`` (several nodes): the agents' streams live in that store, numbered across the cluster;
    ``annotate`` is the desk's note of what each event leaves behind, ``lost`` is told when that note did
    not reach the store (``SharedNotifier``)."""
    sio.attach(app)
    notifier = Notifier(sio, Streams(replay_size)) if shared is None else SharedNotifier(sio, shared, annotate, lost)
    gateway = Gateway(sio, desk, notifier, clock, authenticate, tuple(trusted_origins), timing)
    for namespace in namespaces(gateway):
        sio.register_namespace(namespace)
    desk.subscribe(notifier)
    app.cleanup_ctx.append(_run(gateway))
    return gateway


def _run(gateway: Gateway) -> Callable[[web.Application], AsyncIterator[None]]:
    async def ctx(app: web.Application) -> AsyncIterator[None]:
        await _hear_other_nodes(gateway.sio)
        tasks = [
            asyncio.create_task(gateway.notifier.run(), name="realtime-notifier"),
            asyncio.create_task(gateway.run_sweeper(), name="realtime-sweeper"),
        ]
        yield
        await gateway.stop()
        await gateway.sio.shutdown()
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task

    return ctx


async def _hear_other_nodes(sio: socketio.AsyncServer) -> None:
    """Subscribe to the cluster's fan-out channel before the node serves.

    With a Redis manager every emit, this node's own included, reaches the sockets here only through
    the channel, and socket.io subscribes on the first connection: an event published in the moment
    after that (a desk's first state change) was lost. Redis not answering does not stop the start;
    the manager keeps trying, and desks catch up through ``sync``."""
    manager = sio.manager
    if not isinstance(manager, socketio.AsyncRedisManager) or manager.write_only:
        return
    if not sio.manager_initialized:
        sio.manager_initialized = True
        manager.initialize()
    try:
        async with asyncio.timeout(SUBSCRIBE_WAIT_SECONDS):
            while not (getattr(manager, "pubsub", None) is not None and manager.pubsub.subscribed):  # noqa: ASYNC110
                await asyncio.sleep(0.01)
    except TimeoutError:
        log.warning(
            "realtime: not subscribed to %s after %g s; serving anyway", manager.channel, SUBSCRIBE_WAIT_SECONDS
        )
