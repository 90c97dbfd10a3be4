"""Customers' e-mail into their cases: the MTA hands each message for the reply address (CC_MAIL_REPLY_TO) to
``POST /mail/inbound`` as ``message/rfc822``, with the shared secret (CC_INBOUND_MAIL_SECRET) in
``X-CC-Mail-Secret``; Postfix does it with a pipe transport running curl (docs/field-service.md). A 4xx
answer makes the MTA bounce the message to its sender."""

from __future__ import annotations

import hmac

from aiohttp import web

from contact_center.crm import case_mail
from contact_center.web.errors import error
from contact_center.web.keys import CLOCK, SESSIONS, SETTINGS

SECRET_HEADER = "X-CC-Mail-Secret"


def install(app: web.Application) -> None:
    app.router.add_post("/mail/inbound", inbound)


async def inbound(request: web.Request) -> web.Response:
    secret = request.app[SETTINGS].inbound_mail_secret
    if not secret:
        return error(503, "not_configured", "inbound e-mail is off: set CC_INBOUND_MAIL_SECRET")
    if not hmac.compare_digest(request.headers.get(SECRET_HEADER, "").encode(), secret.encode()):
        return error(401, "unauthorized", f"send the inbound mail secret in {SECRET_HEADER}")
    if request.content_type != "message/rfc822":
        return error(415, "unsupported_media_type", "send the message as message/rfc822")
    raw = await request.read()
    async with request.app[SESSIONS].begin() as session:
        got = await case_mail.receive(session, raw, request.app[CLOCK].now())
    return web.json_response(
        {
            "case_id": got.case_id,
            "case_number": got.case_number,
            "activity_id": got.activity_id,
            "reopened": got.reopened,
            "status": got.status,
        },
        status=201,
    )
