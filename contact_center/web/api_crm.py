"""The CRM over HTTP: customers, accounts, cases, leads, opportunities, orders, activities, knowledge base."""

from __future__ import annotations

import datetime as dt
from collections.abc import Awaitable, Callable
from typing import Any

from aiohttp import web
from pydantic import BaseModel
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from contact_center.crm import accounts, activities, cases, customers, kb, sales, views
from contact_center.crm.errors import ValidationFailed
from contact_center.crm.generic import apply_update, create_record, list_records
from contact_center.crm.records import Page, get_or_404, page_by_id, parse_cursor, parse_id, parse_limit
from contact_center.crm.schemas import (
    AccountCreate,
    AccountOut,
    AccountUpdate,
    ActivityCreate,
    ActivityOut,
    CaseCreate,
    CaseOut,
    CaseUpdate,
    Customer360Out,
    CustomerCreate,
    CustomerOut,
    CustomerUpdate,
    KbArticleCreate,
    KbArticleOut,
    KbArticleUpdate,
    LeadCreate,
    LeadOut,
    LeadUpdate,
    OpportunityCreate,
    OpportunityOut,
    OpportunityUpdate,
    OrderCreate,
    OrderOut,
    OrderUpdate,
)
from contact_center.store.audit_log import record_change
from contact_center.store.tables import Activity, Case, KbArticle, Lead, Opportunity, Order, Team, User
from contact_center.web.auth import principal
from contact_center.web.errors import read_body
from contact_center.web.keys import CLOCK, ENGINE, SESSIONS, SETTINGS
from contact_center.web.routing import Api

api = Api()
PAGE_QUERY = ("cursor", "limit")


def dump(model: type[BaseModel], row: Any) -> dict[str, Any]:
    return model.model_validate(row).model_dump(mode="json")


def page_json(model: type[BaseModel], page: Page) -> web.Response:
    return web.json_response({"items": [dump(model, r) for r in page.items], "next_cursor": page.next_cursor})


def record_id(request: web.Request) -> int:
    raw = request.match_info["id"]
    value = parse_id(raw)
    if value is None:
        raise web.HTTPNotFound(text=f"no record {raw!r}")
    return value


def region(request: web.Request) -> str:
    return request.app[SETTINGS].default_region


# --- customers -------------------------------------------------------------------------------


@api.route(
    "GET",
    "/api/v1/customers",
    "Search customers by name (q) or find them by phone number in any format",
    tag="customers",
    response=CustomerOut,
    many=True,
    query=("q", "phone", *PAGE_QUERY),
)
async def list_customers(request: web.Request) -> web.Response:
    q = request.query
    if "phone" in q:
        async with request.app[ENGINE].connect() as conn:
            found = await customers.find_by_phone(conn, q["phone"], region(request))
        return web.json_response({"items": found, "next_cursor": None})
    async with request.app[SESSIONS]() as session:
        page = await customers.search_customers(
            session, q.get("q"), parse_cursor(q.get("cursor")), parse_limit(q.get("limit"))
        )
    return page_json(CustomerOut, page)


@api.route(
    "POST",
    "/api/v1/customers",
    "Create a customer; phones are stored in E.164",
    tag="customers",
    body=CustomerCreate,
    response=CustomerOut,
    status=201,
)
async def create_customer(request: web.Request) -> web.Response:
    data = await read_body(request, CustomerCreate)
    async with request.app[SESSIONS].begin() as session:
        customer = await customers.create_customer(session, data, region(request))
        out = dump(CustomerOut, customer)
    return web.json_response(out, status=201)


@api.route("GET", "/api/v1/customers/{id}", "One customer", tag="customers", response=CustomerOut)
async def get_customer(request: web.Request) -> web.Response:
    async with request.app[SESSIONS]() as session:
        return web.json_response(dump(CustomerOut, await customers.get_customer(session, record_id(request))))


@api.route(
    "PATCH",
    "/api/v1/customers/{id}",
    "Change the named fields of a customer (phones replace the list)",
    tag="customers",
    body=CustomerUpdate,
    response=CustomerOut,
)
async def update_customer(request: web.Request) -> web.Response:
    data = await read_body(request, CustomerUpdate)
    async with request.app[SESSIONS].begin() as session:
        out = dump(CustomerOut, await customers.update_customer(session, record_id(request), data, region(request)))
    return web.json_response(out)


@api.route(
    "GET",
    "/api/v1/customers/{id}/360",
    "Customer 360: profile, account, last 20 activities, open cases, open opportunities, recent orders",
    tag="customers",
    response=Customer360Out,
)
async def customer_360(request: web.Request) -> web.Response:
    async with request.app[ENGINE].connect() as conn:
        return web.json_response(await views.customer_360(conn, record_id(request)))


# --- accounts --------------------------------------------------------------------------------


@api.route(
    "GET",
    "/api/v1/accounts",
    "Search accounts by name",
    tag="accounts",
    response=AccountOut,
    many=True,
    query=("q", *PAGE_QUERY),
)
async def list_accounts(request: web.Request) -> web.Response:
    q = request.query
    async with request.app[SESSIONS]() as session:
        page = await accounts.search_accounts(
            session, q.get("q"), parse_cursor(q.get("cursor")), parse_limit(q.get("limit"))
        )
    return page_json(AccountOut, page)


@api.route(
    "POST", "/api/v1/accounts", "Create an account", tag="accounts", body=AccountCreate, response=AccountOut, status=201
)
async def create_account(request: web.Request) -> web.Response:
    data = await read_body(request, AccountCreate)
    async with request.app[SESSIONS].begin() as session:
        out = dump(AccountOut, await accounts.create_account(session, data, region(request)))
    return web.json_response(out, status=201)


@api.route("GET", "/api/v1/accounts/{id}", "One account", tag="accounts", response=AccountOut)
async def get_account(request: web.Request) -> web.Response:
    async with request.app[SESSIONS]() as session:
        return web.json_response(dump(AccountOut, await accounts.get_account(session, record_id(request))))


@api.route(
    "PATCH", "/api/v1/accounts/{id}", "Change an account", tag="accounts", body=AccountUpdate, response=AccountOut
)
async def update_account(request: web.Request) -> web.Response:
    data = await read_body(request, AccountUpdate)
    async with request.app[SESSIONS].begin() as session:
        out = dump(AccountOut, await accounts.update_account(session, record_id(request), data, region(request)))
    return web.json_response(out)


# --- cases -----------------------------------------------------------------------------------

CASE_FILTERS = {
    "status": str,
    "priority": str,
    "category": str,
    "customer_id": int,
    "account_id": int,
    "owner_id": int,
    "team_id": int,
    "escalation_level": int,
}


@api.route(
    "GET",
    "/api/v1/cases",
    "List cases, newest first; open=true (not resolved or closed) and breached=true (past the SLA target) narrow it",
    tag="cases",
    response=CaseOut,
    many=True,
    query=(*CASE_FILTERS, "open", "breached", *PAGE_QUERY),
)
async def list_cases(request: web.Request) -> web.Response:
    q = request.query
    async with request.app[SESSIONS]() as session:
        page = await cases.list_cases(
            session,
            q,
            CASE_FILTERS,
            request.app[CLOCK].now(),
            parse_cursor(q.get("cursor")),
            parse_limit(q.get("limit")),
        )
    return page_json(CaseOut, page)


@api.route(
    "POST",
    "/api/v1/cases",
    "Open a case; its SLA clock starts on its calendar's business hours",
    tag="cases",
    body=CaseCreate,
    response=CaseOut,
    status=201,
)
async def create_case(request: web.Request) -> web.Response:
    data = await read_body(request, CaseCreate)
    async with request.app[SESSIONS].begin() as session:
        out = dump(CaseOut, await cases.create_case(session, data, request.app[CLOCK].now()))
    return web.json_response(out, status=201)


@api.route("GET", "/api/v1/cases/{id}", "One case", tag="cases", response=CaseOut)
async def get_case(request: web.Request) -> web.Response:
    return await _get(request, Case, CaseOut)


@api.route(
    "PATCH",
    "/api/v1/cases/{id}",
    "Change a case; status changes pause or resume the SLA clock",
    tag="cases",
    body=CaseUpdate,
    response=CaseOut,
)
async def update_case(request: web.Request) -> web.Response:
    data = await read_body(request, CaseUpdate)
    me = principal(request)
    async with request.app[SESSIONS].begin() as session:
        case = await cases.update_case(session, record_id(request), data, me.user_id, request.app[CLOCK].now())
        out = dump(CaseOut, case)
    return web.json_response(out)


# --- leads, opportunities, orders ------------------------------------------------------------

LEAD_FILTERS = {"status": str, "rating": str, "owner_id": int, "source": str, "customer_id": int}
OPPORTUNITY_FILTERS = {"stage": str, "owner_id": int, "customer_id": int, "account_id": int}
ORDER_FILTERS = {"status": str, "customer_id": int, "number": str}


Creator = Callable[[AsyncSession, dict[str, Any], dt.datetime], Awaitable[Any]]
Updater = Callable[[AsyncSession, int, dict[str, Any], int | None, dt.datetime], Awaitable[Any]]


def _crud(
    path: str,
    tag: str,
    table: Any,
    create: type[BaseModel],
    update: type[BaseModel],
    out: type[BaseModel],
    filters: dict[str, type],
    write_role: str = "agent",
    creator: Creator | None = None,
    updater: Updater | None = None,
) -> None:
    """List, create, get and change for a record; ``creator``/``updater`` add its own rules (and timeline)."""

    async def list_(request: web.Request) -> web.Response:
        return await _list(request, table, out, filters)

    async def create_(request: web.Request) -> web.Response:
        data = await read_body(request, create)
        values = _prepare(table, data.model_dump(), request)
        async with request.app[SESSIONS].begin() as session:
            if creator is not None:
                row = await creator(session, values, request.app[CLOCK].now())
            else:
                row = await create_record(session, table, values)
            result = dump(out, row)
        return web.json_response(result, status=201)

    async def get_(request: web.Request) -> web.Response:
        return await _get(request, table, out)

    async def update_(request: web.Request) -> web.Response:
        data = await read_body(request, update)
        async with request.app[SESSIONS].begin() as session:
            row = await get_or_404(session, table, record_id(request))
            # Partial at the top only: a nested item sent is a whole item, its defaults filled in.
            values = _prepare(table, data.model_dump(include=data.model_fields_set), request, current=row)
            if updater is not None:
                row = await updater(session, row.id, values, principal(request).user_id, request.app[CLOCK].now())
            else:
                row = await apply_update(session, row, values)
            result = dump(out, row)
        return web.json_response(result)

    api.route(
        "GET", path, f"List {tag}, newest first", tag=tag, response=out, many=True, query=(*filters, *PAGE_QUERY)
    )(list_)
    api.route("POST", path, f"Create one of {tag}", tag=tag, body=create, response=out, status=201, role=write_role)(
        create_
    )
    api.route("GET", path + "/{id}", f"One of {tag}", tag=tag, response=out)(get_)
    summary = f"Change one of {tag}" + (" (tracked fields are recorded on the timeline)" if updater else "")
    api.route("PATCH", path + "/{id}", summary, tag=tag, body=update, response=out, role=write_role)(update_)


def _prepare(table: Any, values: dict[str, Any], request: web.Request, current: Any = None) -> dict[str, Any]:
    """Derived fields: an order's placing time and total, a lead's phone in E.164 (on create and update)."""
    if table is Order:
        if current is None:
            values["placed_at"] = values.get("placed_at") or request.app[CLOCK].now()
        if "items" in values and values.get("total_cents") is None:
            values["total_cents"] = sum(i["quantity"] * i["unit_price_cents"] for i in values["items"])
    if table is Lead and values.get("phone"):
        from contact_center.crm.errors import ValidationFailed
        from contact_center.crm.phones import InvalidPhoneNumber, to_e164

        try:
            values["phone"] = to_e164(values["phone"], region(request))
        except InvalidPhoneNumber as exc:
            raise ValidationFailed.one("phone", str(exc)) from None
    return values


_crud(
    "/api/v1/leads",
    "leads",
    Lead,
    LeadCreate,
    LeadUpdate,
    LeadOut,
    LEAD_FILTERS,
    creator=sales.create_lead,
    updater=sales.update_lead,
)
_crud(
    "/api/v1/opportunities",
    "opportunities",
    Opportunity,
    OpportunityCreate,
    OpportunityUpdate,
    OpportunityOut,
    OPPORTUNITY_FILTERS,
    creator=sales.create_opportunity,
    updater=sales.update_opportunity,
)
_crud("/api/v1/orders", "orders", Order, OrderCreate, OrderUpdate, OrderOut, ORDER_FILTERS, write_role="supervisor")


async def _list(request: web.Request, table: Any, out: type[BaseModel], filters: dict[str, type]) -> web.Response:
    q = request.query
    async with request.app[SESSIONS]() as session:
        page = await list_records(
            session, table, q, filters, parse_cursor(q.get("cursor")), parse_limit(q.get("limit"))
        )
    return page_json(out, page)


async def _get(request: web.Request, table: Any, out: type[BaseModel]) -> web.Response:
    async with request.app[SESSIONS]() as session:
        return web.json_response(dump(out, await get_or_404(session, table, record_id(request))))


# --- activities (append-only) ----------------------------------------------------------------


@api.route(
    "GET",
    "/api/v1/activities",
    "The timeline, newest first, filtered by customer, account, agent, case, …",
    tag="activities",
    response=ActivityOut,
    many=True,
    query=(*activities.FILTERS, "interaction_id", "type", *PAGE_QUERY),
)
async def list_activities(request: web.Request) -> web.Response:
    q = request.query
    async with request.app[SESSIONS]() as session:
        page = await activities.list_activities(session, q, parse_cursor(q.get("cursor")), parse_limit(q.get("limit")))
    return page_json(ActivityOut, page)


@api.route(
    "POST",
    "/api/v1/activities",
    "Append an activity to the timeline (activities are never changed)",
    tag="activities",
    body=ActivityCreate,
    response=ActivityOut,
    status=201,
)
async def append_activity(request: web.Request) -> web.Response:
    data = await read_body(request, ActivityCreate)
    me = principal(request)
    if not me.has_role("supervisor"):
        # Agents write their own interactions; system records and other people's are not theirs to add.
        if data.agent_id not in (None, me.user_id):
            raise ValidationFailed.one("agent_id", "agents log activities as themselves")
        if data.type in activities.SYSTEM_TYPES:
            raise ValidationFailed.one("type", f"{data.type} activities are written by the system")
    if data.agent_id is None:
        data = data.model_copy(update={"agent_id": me.user_id})
    async with request.app[SESSIONS].begin() as session:
        out = dump(ActivityOut, await activities.append_activity(session, data, request.app[CLOCK].now()))
    return web.json_response(out, status=201)


@api.route("GET", "/api/v1/activities/{id}", "One activity", tag="activities", response=ActivityOut)
async def get_activity(request: web.Request) -> web.Response:
    return await _get(request, Activity, ActivityOut)


# --- knowledge base --------------------------------------------------------------------------


@api.route(
    "GET",
    "/api/v1/kb/search",
    "Full-text search of the knowledge base, best match first",
    tag="kb",
    response=KbArticleOut,
    many=True,
    query=("q", "limit"),
)
async def search_kb(request: web.Request) -> web.Response:
    q = request.query.get("q", "")
    async with request.app[SESSIONS]() as session:
        found = await kb.search_articles(session, q, parse_limit(request.query.get("limit"), default=10))
    return web.json_response({"items": [dump(KbArticleOut, a) for a in found], "next_cursor": None})


@api.route(
    "POST",
    "/api/v1/kb/articles",
    "Write a knowledge-base article",
    tag="kb",
    role="supervisor",
    body=KbArticleCreate,
    response=KbArticleOut,
    status=201,
)
async def create_article(request: web.Request) -> web.Response:
    data = await read_body(request, KbArticleCreate)
    async with request.app[SESSIONS].begin() as session:
        out = dump(KbArticleOut, await create_record(session, KbArticle, data.model_dump()))
        now = request.app[CLOCK].now()
        record_change(session, principal(request).username, "kb.create", f"kb:{out['id']}", None, out, now)
    return web.json_response(out, status=201)


@api.route("GET", "/api/v1/kb/articles/{id}", "One article", tag="kb", response=KbArticleOut)
async def get_article(request: web.Request) -> web.Response:
    return await _get(request, KbArticle, KbArticleOut)


@api.route(
    "GET",
    "/api/v1/kb/articles",
    "Articles by id (retired ones with retired=true)",
    tag="kb",
    response=KbArticleOut,
    many=True,
    query=("retired", "cursor", "limit"),
)
async def list_articles(request: web.Request) -> web.Response:
    retired = request.query.get("retired", "false")
    if retired not in ("true", "false"):
        raise ValidationFailed.one("retired", "use true or false")
    query = select(KbArticle).where(
        KbArticle.retired_at.is_not(None) if retired == "true" else KbArticle.retired_at.is_(None)
    )
    limit = parse_limit(request.query.get("limit"))
    async with request.app[SESSIONS]() as session:
        cursor = parse_cursor(request.query.get("cursor"))
        page = await page_by_id(session, query, KbArticle.id, cursor, limit, newest_first=False)
    return web.json_response({"items": [dump(KbArticleOut, a) for a in page.items], "next_cursor": page.next_cursor})


@api.route(
    "PATCH",
    "/api/v1/kb/articles/{id}",
    "Edit an article (supervisor): the fields sent replace the stored ones",
    tag="kb",
    role="supervisor",
    body=KbArticleUpdate,
    response=KbArticleOut,
)
async def edit_article(request: web.Request) -> web.Response:
    data = await read_body(request, KbArticleUpdate)
    async with request.app[SESSIONS].begin() as session:
        article = await get_or_404(session, KbArticle, record_id(request))
        before = dump(KbArticleOut, article)
        for name, value in data.model_dump(exclude_unset=True).items():
            setattr(article, name, value)
        article.updated_at = request.app[CLOCK].now()
        await session.flush()
        after = dump(KbArticleOut, article)
        record_change(
            session,
            principal(request).username,
            "kb.change",
            f"kb:{article.id}",
            before,
            after,
            request.app[CLOCK].now(),
        )
    return web.json_response(after)


@api.route(
    "POST",
    "/api/v1/kb/articles/{id}/retire",
    "Retire an article (supervisor): kept, no longer found by search or listed",
    tag="kb",
    role="supervisor",
    response=KbArticleOut,
)
async def retire_article(request: web.Request) -> web.Response:
    return await _set_retired(request, retired=True)


@api.route(
    "POST",
    "/api/v1/kb/articles/{id}/restore",
    "Bring a retired article back (supervisor)",
    tag="kb",
    role="supervisor",
    response=KbArticleOut,
)
async def restore_article(request: web.Request) -> web.Response:
    return await _set_retired(request, retired=False)


async def _set_retired(request: web.Request, *, retired: bool) -> web.Response:
    now = request.app[CLOCK].now()
    async with request.app[SESSIONS].begin() as session:
        article = await get_or_404(session, KbArticle, record_id(request))
        before = dump(KbArticleOut, article)
        article.retired_at = now if retired else None
        await session.flush()
        after = dump(KbArticleOut, article)
        action = "kb.retire" if retired else "kb.restore"
        record_change(session, principal(request).username, action, f"kb:{article.id}", before, after, now)
    return web.json_response(after)


# --- people (whom work can be given to) --------------------------------------------------------


class PersonOut(BaseModel):
    id: int
    username: str
    name: str
    role: str
    team: str | None


@api.route(
    "GET",
    "/api/v1/people",
    "Active users by name (to give a case or a lead to someone)",
    tag="people",
    response=PersonOut,
    many=True,
)
async def list_people(request: web.Request) -> web.Response:
    async with request.app[SESSIONS]() as session:
        rows = (
            await session.execute(
                select(User.id, User.username, User.display_name, User.role, Team.name)
                .outerjoin(Team, Team.id == User.team_id)
                .where(User.active.is_(True))
                .order_by(User.display_name, User.username)
            )
        ).all()
    items = [{"id": i, "username": u, "name": d or u, "role": r, "team": t} for i, u, d, r, t in rows]
    return web.json_response({"items": items})
