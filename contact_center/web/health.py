"""GET /healthz: the process answers, its database does too, and its SIP lines are registered.

``routing`` says what this node does in routing: ``alone`` (one process), ``leader`` (it runs the engine
for every node) or ``follower`` (it replays the leader's log); an operator sees where the lead went after
a node failed."""

from __future__ import annotations

import logging

from aiohttp import web
from sqlalchemy import text

from contact_center.telephony.events import LineStatus
from contact_center.web.keys import ACD, ENGINE, TELEPHONY

log = logging.getLogger(__name__)


async def healthz(request: web.Request) -> web.Response:
    port = request.app.get(TELEPHONY)
    lines = {line: str(status) for line, status in port.line_status().items()} if port is not None else {}
    acd = request.app.get(ACD)
    routing = "alone" if acd is None or not acd.shared else "leader" if acd.leading else "follower"
    try:
        async with request.app[ENGINE].connect() as conn:
            await conn.execute(text("SELECT 1"))
    except Exception:  # the point of a health check is to report, not to raise
        log.exception("health check: the database does not answer")
        return web.json_response(
            {"status": "failing", "database": "unreachable", "lines": lines, "routing": routing}, status=503
        )
    # A worker whose lines lost their registrar takes no calls: the proxy and the load balancer should know.
    if lines and not any(status == LineStatus.REGISTERED for status in lines.values()):
        return web.json_response(
            {"status": "failing", "database": "ok", "lines": lines, "routing": routing}, status=503
        )
    return web.json_response({"status": "ok", "database": "ok", "lines": lines, "routing": routing})
