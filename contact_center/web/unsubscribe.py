"""The link in every marketing e-mail: ``GET /unsubscribe?e&t&c`` asks the reader to confirm (a mail scanner that
follows links opts nobody out), ``POST /unsubscribe`` (the page's button, or a mail client's one-click POST, RFC
8058) records the opt-out. ``t`` is the HMAC of the address under the server's secret, so only the address's
own link works; a bad one is refused without saying whether the address is known."""

from __future__ import annotations

from aiohttp import web

from contact_center.crm import campaign_targets
from contact_center.web.keys import CLOCK, SESSIONS, SETTINGS
from contact_center.web.pages import render


def install(app: web.Application) -> None:
    app.router.add_get("/unsubscribe", ask)
    app.router.add_post("/unsubscribe", confirm)


def _checked(request: web.Request, fields: dict[str, str]) -> tuple[str, int | None] | None:
    email, token, campaign = fields.get("e", ""), fields.get("t", ""), fields.get("c", "")
    if (
        not email
        or len(email) > 200
        or not campaign_targets.token_matches(request.app[SETTINGS].secret_key, email, token)
    ):
        return None
    return email, int(campaign) if campaign.isdigit() and len(campaign) < 10 else None


async def ask(request: web.Request) -> web.Response:
    found = _checked(request, dict(request.query))
    if found is None:
        return _bad(request)
    return render(request, "unsubscribe.html", state="ask", email=found[0], query=request.query_string)


async def confirm(request: web.Request) -> web.Response:
    fields = dict(request.query)
    if request.content_type == "application/x-www-form-urlencoded":
        fields |= {k: str(v) for k, v in (await request.post()).items() if k in ("e", "t", "c")}
    found = _checked(request, fields)
    if found is None:
        return _bad(request)
    async with request.app[SESSIONS].begin() as session:
        await campaign_targets.opt_out(session, found[0], found[1], request.app[CLOCK].now())
    return render(request, "unsubscribe.html", state="done", email=found[0])


def _bad(request: web.Request) -> web.Response:
    response = render(request, "unsubscribe.html", state="bad")
    response.set_status(400)
    return response
