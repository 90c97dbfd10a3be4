"""GET /healthz: the process answers and its database does too."""

from __future__ import annotations

import logging

from aiohttp import web
from sqlalchemy import text

from contact_center.web.keys import ENGINE

log = logging.getLogger(__name__)


async def healthz(request: web.Request) -> web.Response:
    try:
        async with request.app[ENGINE].connect() as conn:
            await conn.execute(text("SELECT 1"))
    except Exception:  # the point of a health check is to report, not to raise
        log.exception("health check: the database does not answer")
        return web.json_response({"status": "failing", "database": "unreachable"}, status=503)
    return web.json_response({"status": "ok", "database": "ok"})
