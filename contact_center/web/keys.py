"""Typed keys for what the composition root puts on the aiohttp application."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

from aiohttp import web
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from contact_center.clock import Clock
from contact_center.config import Settings
from contact_center.security import LoginThrottle
from contact_center.services.call_center import CallCenter
from contact_center.telephony.port import TelephonyPort

SETTINGS = web.AppKey("settings", Settings)
ENGINE = web.AppKey("engine", AsyncEngine)
SESSIONS = web.AppKey("sessions", async_sessionmaker[AsyncSession])
CLOCK = web.AppKey("clock", Clock)
THROTTLE = web.AppKey("throttle", LoginThrottle)
# Password hashing is CPU-bound: it runs off the loop, at most two at once (one per core).
HASHING = web.AppKey("hashing", asyncio.Semaphore)
CALL_CENTER = web.AppKey("call_center", CallCenter)
TELEPHONY = web.AppKey("telephony", TelephonyPort)
# Called with a session id when that login session ends (logout), so open sockets riding on it close at once.
SESSION_CLOSERS = web.AppKey("session_closers", list[Callable[[str], Awaitable[None]]])
