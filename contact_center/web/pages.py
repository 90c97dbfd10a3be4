"""Browser pages (Jinja2 templates and static assets from agent_ui/)."""

from __future__ import annotations

from pathlib import Path

import jinja2
from aiohttp import web
from sqlalchemy import select

from contact_center.crm import quotes
from contact_center.crm.errors import NotFound
from contact_center.crm.records import parse_id
from contact_center.principal import PRINCIPAL, Principal
from contact_center.store.tables import Calendar
from contact_center.web.keys import SESSIONS, TEMPLATES

UI_ROOT = Path(__file__).resolve().parents[2] / "agent_ui"


def install(app: web.Application) -> None:
    app[TEMPLATES] = jinja2.Environment(
        loader=jinja2.FileSystemLoader(UI_ROOT / "templates"), autoescape=True, enable_async=False
    )
    app.router.add_get("/", index)
    app.router.add_get("/favicon.ico", favicon)
    app.router.add_get("/login", login_page)
    app.router.add_get("/crm", crm_page)
    app.router.add_get("/simulator", simulator_page)
    app.router.add_get("/admin", admin_page)
    app.router.add_get("/dispatch", dispatch_page)
    app.router.add_get("/marketing", marketing_page)
    app.router.add_get("/analytics", analytics_page)
    app.router.add_get("/quotes/{id}", quote_page)
    app.router.add_static("/static", UI_ROOT / "static", append_version=True)


def render(request: web.Request, name: str, **context: object) -> web.Response:
    html = request.app[TEMPLATES].get_template(name).render(**context)
    response = web.Response(text=html, content_type="text/html")
    response.headers["Content-Security-Policy"] = "default-src 'self'; img-src 'self' data:; frame-ancestors 'none'"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


def signed_in(request: web.Request) -> Principal:
    """The logged-in user, or a redirect to the login page that comes back here."""
    me: Principal | None = request.get(PRINCIPAL)
    if me is None:
        raise web.HTTPFound(f"/login?next={request.path}")
    return me


async def index(request: web.Request) -> web.Response:
    me = request.get(PRINCIPAL)
    if me is None:
        raise web.HTTPFound("/login")
    raise web.HTTPFound("/board" if me.has_role("supervisor") else "/desk")


async def favicon(request: web.Request) -> web.FileResponse:
    """Browsers ask for /favicon.ico whatever the page says; they all take the SVG."""
    return web.FileResponse(UI_ROOT / "static" / "favicon.svg", headers={"Content-Type": "image/svg+xml"})


async def login_page(request: web.Request) -> web.Response:
    return render(request, "login.html", next=safe_next(request.query.get("next")))


def safe_next(target: str | None) -> str:
    """Only a path on this site: an open redirect after login would hand phished users to anyone."""
    if not target or not target.startswith("/") or target.startswith(("//", "/\\")) or "\\" in target:
        return "/"
    return target


async def crm_page(request: web.Request) -> web.Response:
    me = signed_in(request)
    # New cases pick the calendar their SLA clock runs on; the support hours come first when they exist.
    async with request.app[SESSIONS]() as session:
        names = list((await session.scalars(select(Calendar.name).order_by(Calendar.name))).all())
    names.sort(key=lambda name: name != "support-hours")
    return render(request, "crm.html", me=me, calendars=names)


ADMIN_KINDS = [
    ("queues", "Queues"),
    ("users", "Users"),
    ("skills", "Skills"),
    ("teams", "Teams"),
    ("calendars", "Calendars"),
    ("dispositions", "Dispositions"),
    ("campaigns", "Campaigns"),
    ("kb", "Knowledge base"),
]


async def admin_page(request: web.Request) -> web.Response:
    """The centre's configuration: admins change it, supervisors read it."""
    me = signed_in(request)
    if not me.has_role("supervisor"):
        raise web.HTTPForbidden(text="administration is for supervisors (read) and admins")
    return render(request, "admin.html", me=me, kinds=ADMIN_KINDS)


async def dispatch_page(request: web.Request) -> web.Response:
    """The dispatcher's day: each technician's working hours and visits (GET /api/v1/dispatch)."""
    me = signed_in(request)
    if not me.has_role("supervisor"):
        raise web.HTTPForbidden(text="the dispatch board is for supervisors and admins")
    return render(request, "dispatch.html", me=me)


async def marketing_page(request: web.Request) -> web.Response:
    """What each marketing campaign did for its money (GET /api/v1/marketing-campaigns), chart and table."""
    me = signed_in(request)
    if not me.has_role("supervisor"):
        raise web.HTTPForbidden(text="campaign results are for supervisors and admins")
    return render(request, "marketing.html", me=me)


async def analytics_page(request: web.Request) -> web.Response:
    """The analytics tables (GET /api/v1/analytics/...) as charts and tables, each with its CSV."""
    me = signed_in(request)
    if not me.has_role("supervisor"):
        raise web.HTTPForbidden(text="analytics are for supervisors and admins")
    return render(request, "analytics.html", me=me)


async def quote_page(request: web.Request) -> web.Response:
    """A quote to print or save as PDF from the browser, as the customer receives it."""
    signed_in(request)
    quote_id = parse_id(request.match_info["id"])
    if quote_id is None:
        raise web.HTTPNotFound(text="no such quote")
    async with request.app[SESSIONS]() as session:
        try:
            view = await quotes.printable(session, quote_id)
        except NotFound:
            raise web.HTTPNotFound(text=f"no quote {quote_id}") from None
    return render(request, "quote.html", quote=view)


async def simulator_page(request: web.Request) -> web.Response:
    me = signed_in(request)
    if not me.has_role("supervisor"):
        raise web.HTTPForbidden(text="the caller simulator is for supervisors and admins")
    return render(request, "simulator.html", me=me)
