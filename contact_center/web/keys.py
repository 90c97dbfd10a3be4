"""Typed keys for what the composition root (``contact_center.app.create_app``) puts on the aiohttp
application: every key is defined here, and every object is stored under one key only."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

import jinja2
import redis.asyncio as aioredis
from aiohttp import web
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from contact_center.clock import Clock
from contact_center.config import Settings
from contact_center.flows.registry import FlowRegistry
from contact_center.flows.sql_directory import SqlDirectory
from contact_center.mail import Mailer
from contact_center.realtime import Gateway
from contact_center.security import LoginThrottle
from contact_center.services.board.alerts import BoardAlerts
from contact_center.services.calls.center import CallCenter
from contact_center.services.campaign_mail import CampaignMailSender
from contact_center.services.desk.cluster import ClusterDesk
from contact_center.services.dialer.runner import DialerRunner
from contact_center.services.office_watch import OfficeWatch
from contact_center.services.routing.service import AcdService
from contact_center.services.webhooks.deliverer import WebhookDeliverer
from contact_center.telephony.port import TelephonyPort
from contact_center.telephony.simulated import SimulatedTelephony

SETTINGS = web.AppKey("settings", Settings)
ENGINE = web.AppKey("engine", AsyncEngine)
SESSIONS = web.AppKey("sessions", async_sessionmaker[AsyncSession])
CLOCK = web.AppKey("clock", Clock)
THROTTLE = web.AppKey("throttle", LoginThrottle)
# The customer portal's sign-in links: per e-mail and address, and per address (e-mail bombing, guessing).
PORTAL_THROTTLE = web.AppKey("portal_throttle", LoginThrottle)
# The public lead form: per address (a script filling the pipeline with junk).
LEAD_FORM_THROTTLE = web.AppKey("lead_form_throttle", LoginThrottle)
# Password hashing is CPU-bound: it runs off the loop, at most two at once (one per core).
HASHING = web.AppKey("hashing", asyncio.Semaphore)
CALL_CENTER = web.AppKey("call_center", CallCenter)
ALERTS = web.AppKey("board_alerts", BoardAlerts)
DIALER = web.AppKey("dialer", DialerRunner)
WEBHOOKS = web.AppKey("webhooks", WebhookDeliverer)
TELEPHONY = web.AppKey("telephony", TelephonyPort)
# Called with a session id when that login session ends (logout), so open sockets riding on it close at once.
SESSION_CLOSERS = web.AppKey("session_closers", list[Callable[[str], Awaitable[None]]])
NODE_ID = web.AppKey("node_id", str)
ACD = web.AppKey("acd", AcdService)
FLOWS = web.AppKey("flows", FlowRegistry)
DIRECTORY = web.AppKey("directory", SqlDirectory)  # what IVR flows and screen-pops look up in the CRM
GATEWAY = web.AppKey("gateway", Gateway)
CLUSTER = web.AppKey("desk_cluster", ClusterDesk)  # several nodes only
REDIS = web.AppKey("redis", aioredis.Redis)  # CC_REDIS_URL only: the one client routing and the desks share
SIMULATOR = web.AppKey("simulator", SimulatedTelephony)  # the simulated telephony only
TEMPLATES = web.AppKey("templates", jinja2.Environment)
OFFICE_WATCH = web.AppKey("office_watch", OfficeWatch)  # renewals, stalled deals, planned visits
MAILER = web.AppKey("mailer", Mailer)
CAMPAIGN_MAIL = web.AppKey(
    "campaign_mail", CampaignMailSender
)  # marketing e-mail out, with unsubscribe links  # e-mail out: SMTP (CC_SMTP_URL), else the var/outbox folder
