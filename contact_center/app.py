"""Composition root: the one place that builds and wires everything."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

import redis.asyncio as aioredis
import socketio
from aiohttp import web
from sqlalchemy.ext.asyncio import AsyncEngine

from contact_center import realtime
from contact_center.clock import Clock, SystemClock
from contact_center.config import Settings, SettingsError
from contact_center.crm import webhooks
from contact_center.crm.cases import escalate_breached
from contact_center.crm.configuration import CONFIG_VERSION_KEY
from contact_center.crm.profitability import Costs
from contact_center.crm.views import CALL_PATH_STATEMENTS, CallPathReads
from contact_center.domain.metrics.alerts import AgentLimits
from contact_center.flows.registry import FlowRegistry, NoSuchFlow, known_names
from contact_center.flows.sql_directory import SqlDirectory
from contact_center.mail import build_mailer
from contact_center.process import freeze_startup_objects, full_collections
from contact_center.security import LoginThrottle
from contact_center.services.board.alerts import BoardAlerts
from contact_center.services.calls.center import CallCenter
from contact_center.services.campaign_mail import CampaignMailSender
from contact_center.services.desk import Desk
from contact_center.services.desk.cluster import ClusterDesk
from contact_center.services.dialer.runner import DialerRunner
from contact_center.services.office_watch import OfficeWatch
from contact_center.services.routing.service import AcdService
from contact_center.services.webhooks.deliverer import WebhookDeliverer
from contact_center.store.activity_log import ActivityLog
from contact_center.store.engine import create_engine, dispose, session_factory
from contact_center.store.lean_reads import SqliteRows
from contact_center.store.redis_client import redis_client
from contact_center.store.redis_desk import RedisDeskStore
from contact_center.store.tables import MetaValue
from contact_center.telephony.factory import build_telephony
from contact_center.telephony.port import TelephonyPort
from contact_center.telephony.simulated import SimulatedTelephony
from contact_center.web import (
    api_admin,
    api_analytics,
    api_caller_simulator,
    api_crm,
    api_dialer,
    api_field_service,
    api_flows,
    api_marketing,
    api_queue_actions,
    api_recordings,
    api_routing,
    api_sales,
    api_service,
    api_supervisor,
    api_webhooks,
    auth,
    inbound_mail,
    pages,
    pages_desk,
    portal,
    unsubscribe,
)
from contact_center.web.errors import error_middleware, plain_server_header, quiet_bad_requests
from contact_center.web.health import healthz
from contact_center.web.keys import (
    ACD,
    ALERTS,
    CALL_CENTER,
    CAMPAIGN_MAIL,
    CLOCK,
    CLUSTER,
    DIALER,
    DIRECTORY,
    ENGINE,
    FLOWS,
    GATEWAY,
    HASHING,
    LEAD_FORM_THROTTLE,
    MAILER,
    NODE_ID,
    OFFICE_WATCH,
    PORTAL_THROTTLE,
    REDIS,
    SESSION_CLOSERS,
    SESSIONS,
    SETTINGS,
    SIMULATOR,
    TELEPHONY,
    THROTTLE,
    WEBHOOKS,
)
from contact_center.web.openapi import openapi_handler

log = logging.getLogger(__name__)
SLA_CHECK_SECONDS = 60
FLOW_CHECK_SECONDS = 5
CONFIG_CHECK_SECONDS = 2.0


def package_version() -> str:
    try:
        return version("contact-center")
    except PackageNotFoundError:
        return "0"


def build_routing(
    settings: Settings,
    engine: AsyncEngine,
    clock: Clock,
    node_id: str | None = None,
    redis: aioredis.Redis | None = None,
) -> AcdService:
    """One routing engine per process, or (CC_REDIS_URL) one shared by every node: the lease holder
    decides, the others replicate it and forward their commands (docs/routing.md)."""
    if redis is not None:
        from contact_center.services.routing.shared import SharedAcdService

        return SharedAcdService(
            engine,
            clock,
            redis_client=redis,
            prefix=f"{settings.redis_prefix}:acd",
            node_id=node_id,
            service_level_formula=settings.service_level_formula,
            short_abandon_seconds=settings.short_abandon_seconds,
            zone=settings.zone,
        )
    return AcdService(
        engine,
        clock,
        service_level_formula=settings.service_level_formula,
        short_abandon_seconds=settings.short_abandon_seconds,
        zone=settings.zone,
    )


def flows_directory(settings: Settings) -> Path:
    """The flows beside CC_IVR_FLOW when it names a file outside CC_IVR_FLOWS_DIR: that file is what runs."""
    entry = settings.ivr_flow
    if entry.parent.resolve() != settings.ivr_flows_dir.resolve():
        return entry.parent
    return settings.ivr_flows_dir


def create_app(
    settings: Settings,
    *,
    clock: Clock | None = None,
    engine: AsyncEngine | None = None,
    telephony: TelephonyPort | None = None,
    desk: Desk | None = None,
) -> web.Application:
    """The server. ``desk`` replaces the call center behind the desktops (tests drive a fake one)."""
    app = web.Application(middlewares=[error_middleware, auth.auth_middleware], client_max_size=2 * 1024 * 1024)
    app.on_response_prepare.append(plain_server_header)
    quiet_bad_requests()
    app[SETTINGS] = settings
    app[CLOCK] = clock or SystemClock()
    app[THROTTLE] = LoginThrottle()
    app[PORTAL_THROTTLE] = LoginThrottle(free_attempts=3, address_limit=20)
    # Five a quarter-hour from one address freely, then each waits twice as long (from 30 s); 20 pause it.
    app[LEAD_FORM_THROTTLE] = LoginThrottle(free_attempts=5, base_delay=30.0, address_limit=20)
    app[HASHING] = asyncio.Semaphore(2)
    engine = engine or create_engine(settings)
    app[ENGINE] = engine
    app[SESSIONS] = session_factory(engine)
    app[NODE_ID] = settings.node_id or uuid.uuid4().hex[:12]
    if settings.redis_url:
        app[REDIS] = redis_client(settings.redis_url)
        app.cleanup_ctx.append(_redis)  # first in, last out: closed after everything that uses it stopped
    acd = build_routing(settings, engine, app[CLOCK], app[NODE_ID], app.get(REDIS))
    app[ACD] = acd
    app[TELEPHONY] = telephony or build_telephony(settings)
    flows = FlowRegistry(flows_directory(settings), entry=settings.ivr_flow.stem, region=settings.default_region)
    app[FLOWS] = flows
    app[DIRECTORY] = SqlDirectory(app[SESSIONS], app[CLOCK])
    app[MAILER] = build_mailer(settings.smtp_url, settings.mail_from, settings.var_dir)
    reads = CallPathReads(engine, _lean_rows(engine))
    center = CallCenter(
        engine=engine,
        clock=app[CLOCK],
        acd=acd,
        port=app[TELEPHONY],
        flows=flows,
        directory=app[DIRECTORY],
        region=settings.default_region,
        var_dir=settings.var_dir,
        record_calls=settings.record_calls,
        zone=settings.zone,  # a callback with no customer time zone goes by the centre's clock
        reads=reads,
        # The one writer of the interaction log; each call it logs is a call.ended webhook in the same transaction.
        activities=ActivityLog(engine, on_written=webhooks.outbox_for_calls(app[CLOCK].now)),
    )
    app[CALL_CENTER] = center
    app[ALERTS] = BoardAlerts(
        engine=engine,
        clock=app[CLOCK],
        acd=acd,
        announce=center.announce,
        names=center.people.name,
        limits=AgentLimits(settings.alert_not_ready_seconds, settings.alert_wrap_up_seconds),
    )
    app[DIALER] = DialerRunner(engine=engine, clock=app[CLOCK], center=center, zone=center.zone)
    app[WEBHOOKS] = WebhookDeliverer(engine, app[CLOCK])
    app[OFFICE_WATCH] = OfficeWatch(
        engine=engine,
        clock=app[CLOCK],
        announce=center.announce,
        leading=lambda: acd.leading,
        costs=Costs(settings.service_hour_cost_cents, settings.contact_minute_cost_cents),
    )
    app[CAMPAIGN_MAIL] = CampaignMailSender(
        engine=engine,
        clock=app[CLOCK],
        mailer=app[MAILER],
        secret=settings.secret_key,
        base_url=settings.public_url or f"http://{settings.http_host}:{settings.http_port}",
        leading=lambda: acd.leading,
    )
    app.cleanup_ctx.append(_database)
    app.cleanup_ctx.append(_routing)
    if settings.redis_url and desk is None:
        # Several nodes: desks see one desk whichever node they are on (docs/desktop.md, "Several nodes").
        store = RedisDeskStore(app[REDIS], f"{settings.redis_prefix}:desk", channel=f"{settings.redis_prefix}:socketio")
        app[CLUSTER] = ClusterDesk(center, store, node_id=app[NODE_ID], leader=_leader_of(acd))
        app.cleanup_ctx.append(_cluster)
    app.cleanup_ctx.append(_calls)
    app.cleanup_ctx.append(_alerts)
    app.cleanup_ctx.append(_dialer)
    app.cleanup_ctx.append(_webhooks)
    app.cleanup_ctx.append(_office_watch)
    app.cleanup_ctx.append(_campaign_mail)
    app.cleanup_ctx.append(_sla_escalation)

    simulated = app[TELEPHONY]
    if isinstance(simulated, SimulatedTelephony):
        app[SIMULATOR] = simulated
    specs = [
        *auth.api.specs,
        *api_crm.api.specs,
        *api_sales.api.specs,
        *api_marketing.api.specs,
        *api_analytics.api.specs,
        *api_dialer.api.specs,
        *api_service.api.specs,
        *api_field_service.api.specs,
        *api_routing.api.specs,
        *api_caller_simulator.api.specs,
        *api_admin.api.specs,
        *api_supervisor.api.specs,
        *api_webhooks.api.specs,
        *api_queue_actions.api.specs,
        *api_flows.api.specs,
        *api_recordings.api.specs,
    ]
    for spec in specs:
        app.router.add_route(spec.method, spec.path, spec.handler)
    app.router.add_get("/api/openapi.json", openapi_handler(specs, package_version()))
    app.router.add_get("/healthz", healthz)
    pages.install(app)
    pages_desk.install(app)
    portal.install(app)
    inbound_mail.install(app)
    unsubscribe.install(app)
    app[GATEWAY] = _gateway(app, settings, desk or center)
    closers: list[Callable[[str], Awaitable[None]]] = [app[GATEWAY].close_session]
    if CLUSTER in app:  # and on every other node at once
        closers.append(app[CLUSTER].close_session_elsewhere)
    app[SESSION_CLOSERS] = closers
    return app


def _lean_rows(engine: AsyncEngine) -> SqliteRows | None:
    """On a SQLite file, the call path reads through its own read-only connection (store/lean_reads.py)."""
    database = engine.url.database
    if engine.dialect.name != "sqlite" or not database or database == ":memory:":
        return None
    return SqliteRows(Path(database), CALL_PATH_STATEMENTS)


def _gateway(app: web.Application, settings: Settings, desk: Desk) -> realtime.Gateway:
    """The socket.io server (fanned out over Redis when several nodes run) and the gateway on it."""
    timing = realtime.Timing(disconnect_grace=settings.disconnect_grace_seconds)
    cluster = app.get(CLUSTER)
    manager = None
    if cluster is not None:
        manager = socketio.AsyncRedisManager(settings.redis_url, channel=cluster.store.channel)
    elif settings.redis_url:
        manager = socketio.AsyncRedisManager(settings.redis_url)
    sio = realtime.socket_server(timing, manager)
    if cluster is not None:
        gateway = realtime.install(
            app,
            cluster,
            sio=sio,
            clock=app[CLOCK],
            authenticate=auth.authenticate,
            timing=timing,
            shared=cluster.store,
            annotate=cluster.annotate,
            lost=cluster.lost,
        )
        cluster.desktops_here = gateway.agent_desktops  # other nodes learn where each agent's desktops are
        cluster.close_session_here = gateway.close_session  # a logout on another node closes sockets here too
        if isinstance(gateway.notifier, realtime.SharedNotifier):
            cluster.restate_here = gateway.notifier.restate  # a view Redis lost is written again in stream order
        return gateway
    return realtime.install(app, desk, sio=sio, clock=app[CLOCK], authenticate=auth.authenticate, timing=timing)


def _leader_of(acd: AcdService) -> Callable[[], Awaitable[str | None]] | None:
    from contact_center.services.routing.shared import SharedAcdService

    if not isinstance(acd, SharedAcdService):
        return None
    shared = acd

    async def leader() -> str | None:
        return await shared.redis.leader()

    return leader


async def _redis(app: web.Application) -> AsyncIterator[None]:
    yield
    await app[REDIS].aclose()


async def _database(app: web.Application) -> AsyncIterator[None]:
    yield
    lean = app[CALL_CENTER].reads.source
    if isinstance(lean, SqliteRows):
        lean.close()
    await dispose(app[ENGINE])


async def _routing(app: web.Application) -> AsyncIterator[None]:
    service = app[ACD]
    await service.start()
    yield
    await service.stop()


async def _cluster(app: web.Application) -> AsyncIterator[None]:
    await app[CLUSTER].start()
    yield
    await app[CLUSTER].stop()


async def _calls(app: web.Application) -> AsyncIterator[None]:
    """IVR flows loaded and checked against the CRM's queues and calendars, the phone line up, calls taken."""
    flows, directory = app[FLOWS], app[DIRECTORY]
    flows.reload(await known_names(directory))  # the registry logs each problem itself
    try:
        flows.flow(flows.entry)
    except NoSuchFlow:
        raise SettingsError(
            f"CC_IVR_FLOW: the flow {app[SETTINGS].ivr_flow} did not load (missing or invalid: "
            f"see the errors above, or run `contact-center ivr validate {flows.directory}`)"
        ) from None
    await app[TELEPHONY].start()
    await app[CALL_CENTER].start()
    freeze_startup_objects()

    async def watch_flows() -> None:
        # An edited flow is picked up by new calls; calls in progress keep the version they started with.
        while True:
            await asyncio.sleep(FLOW_CHECK_SECONDS)
            try:
                await flows.refresh(directory)
            except Exception:
                log.exception("reloading IVR flows failed; the last good versions stay in service")

    async def watch_configuration() -> None:
        # `config apply` (another process) or the admin API on another node bumps the version in the database.
        # Not read yet (a fresh database has no version at all until its first change: that change counts).
        seen: str | bool | None = False
        while True:
            try:
                async with app[SESSIONS]() as session:
                    row = await session.get(MetaValue, CONFIG_VERSION_KEY)
                version = row.value if row is not None else None
                if seen is not False and version != seen:
                    changed = await app[ACD].reload_queues()
                    await app[CALL_CENTER].refresh_people()
                    log.info("configuration version %s: routing reloaded (queues changed: %s)", version, changed)
                seen = version
            except Exception:
                log.exception("checking the configuration failed; trying again")
            await asyncio.sleep(CONFIG_CHECK_SECONDS)

    background = [
        asyncio.create_task(watch_flows(), name="ivr-flow-watcher"),
        asyncio.create_task(watch_configuration(), name="configuration-watcher"),
        asyncio.create_task(full_collections(), name="full-garbage-collections"),
    ]
    yield
    for task in background:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
    await app[CALL_CENTER].stop()
    await app[TELEPHONY].stop()


async def _alerts(app: web.Application) -> AsyncIterator[None]:
    await app[ALERTS].start()
    yield
    await app[ALERTS].stop()


async def _dialer(app: web.Application) -> AsyncIterator[None]:
    await app[DIALER].start()
    yield
    await app[DIALER].stop()


async def _webhooks(app: web.Application) -> AsyncIterator[None]:
    await app[WEBHOOKS].start()
    yield
    await app[WEBHOOKS].stop()


async def _office_watch(app: web.Application) -> AsyncIterator[None]:
    await app[OFFICE_WATCH].start()
    yield
    await app[OFFICE_WATCH].stop()


async def _campaign_mail(app: web.Application) -> AsyncIterator[None]:
    await app[CAMPAIGN_MAIL].start()
    yield
    await app[CAMPAIGN_MAIL].stop()


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
