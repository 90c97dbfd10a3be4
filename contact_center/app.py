"""Composition root: the one place that builds and wires everything."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from importlib.metadata import PackageNotFoundError, version

from aiohttp import web
from sqlalchemy.ext.asyncio import AsyncEngine

from contact_center.clock import Clock, SystemClock
from contact_center.config import Settings
from contact_center.crm.cases import escalate_breached
from contact_center.security import LoginThrottle
from contact_center.services.acd import AcdService
from contact_center.store.engine import create_engine, session_factory
from contact_center.web import api_crm, api_routing, auth, pages
from contact_center.web.errors import error_middleware
from contact_center.web.health import healthz
from contact_center.web.keys import CLOCK, ENGINE, HASHING, SESSIONS, SETTINGS, THROTTLE
from contact_center.web.openapi import openapi_handler

log = logging.getLogger(__name__)
SLA_CHECK_SECONDS = 60


def package_version() -> str:
    try:
        return version("contact-center")
    except PackageNotFoundError:
        return "0"


def create_app(settings: Settings, *, clock: Clock | None = None, engine: AsyncEngine | None = None) -> web.Application:
    app = web.Application(middlewares=[error_middleware, auth.auth_middleware], client_max_size=2 * 1024 * 1024)
    app[SETTINGS] = settings
    app[CLOCK] = clock or SystemClock()
    app[THROTTLE] = LoginThrottle()
    app[HASHING] = asyncio.Semaphore(2)
    engine = engine or create_engine(settings)
    app[ENGINE] = engine
    app[SESSIONS] = session_factory(engine)
    app[api_routing.ACD] = AcdService(engine, app[CLOCK])
    app.cleanup_ctx.append(_database)
    app.cleanup_ctx.append(_routing)
    app.cleanup_ctx.append(_sla_escalation)

    specs = [*auth.api.specs, *api_crm.api.specs, *api_routing.api.specs]
    for spec in specs:
        app.router.add_route(spec.method, spec.path, spec.handler)
    app.router.add_get("/api/openapi.json", openapi_handler(specs, package_version()))
    app.router.add_get("/healthz", healthz)
    pages.install(app)
    return app


async def _database(app: web.Application) -> AsyncIterator[None]:
    yield
    await app[ENGINE].dispose()


async def _routing(app: web.Application) -> AsyncIterator[None]:
    service = app[api_routing.ACD]
    await service.start()
    yield
    await service.stop()


async def _sla_escalation(app: web.Application) -> AsyncIterator[None]:
    """Raise escalation levels of breached cases once a minute, each raise written as an activity."""

    async def loop() -> None:
        while True:
            await asyncio.sleep(SLA_CHECK_SECONDS)
            try:
                async with app[SESSIONS].begin() as session:
                    raised = await escalate_breached(session, app[CLOCK].now())
                if raised:
                    log.info("escalated %d case(s) past their SLA", len(raised))
            except Exception:
                log.exception("SLA escalation pass failed; retrying in %d s", SLA_CHECK_SECONDS)

    task = asyncio.create_task(loop(), name="sla-escalation")
    yield
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task
