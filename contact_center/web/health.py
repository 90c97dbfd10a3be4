"""GET /healthz: the process answers and its database does too."""

from __future__ import annotations

from aiohttp import web
from sqlalchemy import text

from contact_center.web.keys import ENGINE


async def healthz(request: web.Request) -> web.Response:
    try:
        async with request.app[ENGINE].connect() as conn:
            await conn.execute(text("SELECT 1"))
    except Exception as exc:  # the point of a health check is to report, not to raise
        return web.json_response({"status": "failing", "database": str(exc)[:200]}, status=503)
    return web.json_response({"status": "ok", "database": "ok"})
