"""Read paths on the call's critical path (caller lookup, customer 360), as plain SQL rows shaped to JSON.

The ORM costs about 2 ms per lookup in object building and statement caching; these Core queries
answer in well under a millisecond each, and their output has the same keys and formats as the API's
pydantic models (asserted by the API tests).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Collection, Mapping
from typing import Any, NamedTuple, Protocol

from pydantic import BaseModel
from sqlalchemy import BindParameter, Select, Table, bindparam, select
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine
from sqlalchemy.orm import aliased

from contact_center.crm.errors import NotFound
from contact_center.crm.schemas import AccountOut, ActivityOut, CaseOut, CustomerOut, OpportunityOut, OrderOut
from contact_center.domain.service.entitlements import warranty_end
from contact_center.store.tables import (
    Account,
    Activity,
    Appointment,
    Case,
    Customer,
    DispositionCode,
    Equipment,
    Opportunity,
    Order,
    Phone,
    Product,
    ServiceContract,
    Technician,
    User,
)
from contact_center.store.types import json_value

OPEN_CASE_STATUSES = ("new", "open", "pending_customer")
OPEN_STAGES = ("prospecting", "qualification", "proposal", "negotiation")
TIMELINE_LENGTH = 20
RECENT_ORDERS = 5
MAX_MATCHES = 20
# Rows written a little before the call was registered (the IVR activity, a clock a little behind) still count.
APPENDED_SLACK = dt.timedelta(seconds=5)
APPENDED_ROWS = 200


def _columns(table: Any, model: type[BaseModel]) -> list[Any]:
    t: Table = table.__table__
    return [t.c[name] for name in model.model_fields if name in t.c]


CUSTOMER_COLUMNS = _columns(Customer, CustomerOut)
ACCOUNT_COLUMNS = _columns(Account, AccountOut)
ACTIVITY_COLUMNS = _columns(Activity, ActivityOut)
CASE_COLUMNS = _columns(Case, CaseOut)
OPPORTUNITY_COLUMNS = _columns(Opportunity, OpportunityOut)
ORDER_COLUMNS = _columns(Order, OrderOut)


def jsonable(row: Mapping[str, Any]) -> dict[str, Any]:
    return {key: json_value(value) for key, value in row.items()}


class RowSource(Protocol):
    """Runs one of this module's prebuilt statements with its parameters; rows come back JSON-shaped.

    ``ConnectionRows`` runs them on an async SQLAlchemy connection (either database);
    ``store.lean_reads.SqliteRows`` on a plain read-only ``sqlite3`` connection, for the call path.
    """

    async def rows(self, statement: Select[Any], params: Mapping[str, Any]) -> list[dict[str, Any]]: ...


class ConnectionRows:
    def __init__(self, conn: AsyncConnection) -> None:
        self.conn = conn

    async def rows(self, statement: Select[Any], params: Mapping[str, Any]) -> list[dict[str, Any]]:
        return [jsonable(r) for r in (await self.conn.execute(statement, dict(params))).mappings().all()]


def _source(conn: AsyncConnection | RowSource) -> RowSource:
    return ConnectionRows(conn) if isinstance(conn, AsyncConnection) else conn


def phone_json(e164: str, kind: str) -> dict[str, str]:
    """A phone as PhoneOut shows it: ``number`` makes it valid input again, ``e164`` is the same text."""
    return {"number": e164, "e164": e164, "kind": kind}


def _phones_of(owner: Any, key: Any) -> Select[Any]:
    return select(owner.label("owner_id"), Phone.e164, Phone.kind).where(key).order_by(Phone.id)


async def _phones(
    source: RowSource, statement: Select[Any], params: Mapping[str, Any]
) -> dict[int, list[dict[str, str]]]:
    by_owner: dict[int, list[dict[str, str]]] = defaultdict(list)
    for row in await source.rows(statement, params):
        by_owner[row["owner_id"]].append(phone_json(row["e164"], row["kind"]))
    return by_owner


# Every statement is built once, with bound parameters: the lean reader compiles each only once.
_MATCH = aliased(Phone, name="match")
_OWN = aliased(Phone, name="own")
_E164: BindParameter[str] = bindparam("e164")
_ACCOUNTS_OF_NUMBER = select(Phone.account_id).where(Phone.e164 == _E164, Phone.account_id.is_not(None))


class _ByNumber(NamedTuple):
    """The statements finding whom a number belongs to, each person shown by ``columns``."""

    owners: Select[Any]  # the customers owning the number, a row per phone of theirs
    of_account: Select[Any]  # failing that, the people of the account whose number it is
    phones_of_account: Select[Any]  # and their phones


def _by_number(columns: list[Any]) -> _ByNumber:
    owners = (
        select(*columns, _OWN.e164.label("phone_e164"), _OWN.kind.label("phone_kind"))
        .join(_MATCH, _MATCH.customer_id == Customer.id)
        .outerjoin(_OWN, _OWN.customer_id == Customer.id)
        .where(_MATCH.e164 == _E164)
        .order_by(Customer.id, _OWN.id)
        .limit(MAX_MATCHES * 5)
    )
    of_account = (
        select(*columns).where(Customer.account_id.in_(_ACCOUNTS_OF_NUMBER)).order_by(Customer.id).limit(MAX_MATCHES)
    )
    phones = _phones_of(Phone.customer_id, Phone.customer_id.in_(of_account.with_only_columns(Customer.id)))
    return _ByNumber(owners, of_account, phones)


# The API's look-up shows whole profiles.
_CUSTOMERS_BY_NUMBER = _by_number(CUSTOMER_COLUMNS)
# A call only needs to know whom it may be: routing keeps the id and account, the desk's picker shows names when
# several people share the number. The screen-pop reads the rest (the 360) once the call is offered.
CALLER_COLUMNS: list[Any] = [Customer.id, Customer.first_name, Customer.last_name, Customer.account_id]
_CALLERS_BY_NUMBER = _by_number(CALLER_COLUMNS)


async def customers_by_e164(conn: AsyncConnection | RowSource, e164: str) -> list[dict[str, Any]]:
    """Customers who own this number; failing that, the people of the account whose number it is."""
    return await _people_of_number(_source(conn), e164, _CUSTOMERS_BY_NUMBER)


async def callers_by_e164(conn: AsyncConnection | RowSource, e164: str) -> list[dict[str, Any]]:
    """Whom a caller from this number may be, as ``customers_by_e164`` finds them, by ``CALLER_COLUMNS`` and
    phones."""
    return await _people_of_number(_source(conn), e164, _CALLERS_BY_NUMBER)


async def _people_of_number(source: RowSource, e164: str, statements: _ByNumber) -> list[dict[str, Any]]:
    params = {"e164": e164}
    customers: dict[int, dict[str, Any]] = {}
    for row in await source.rows(statements.owners, params):
        e164_of_row, kind = row.pop("phone_e164"), row.pop("phone_kind")
        found = customers.get(row["id"])
        if found is None:
            found = customers[row["id"]] = row
            found["phones"] = []
        if e164_of_row is not None:
            found["phones"].append(phone_json(e164_of_row, kind))
    if customers:
        return list(customers.values())
    rows = await source.rows(statements.of_account, params)
    phones = await _phones(source, statements.phones_of_account, params) if rows else {}
    for customer in rows:
        customer["phones"] = phones.get(customer["id"], [])
    return rows


_CUSTOMER: BindParameter[int] = bindparam("customer_id")
_ACCOUNT: BindParameter[int] = bindparam("account_id")
_THE_CUSTOMER = select(*CUSTOMER_COLUMNS).where(Customer.id == _CUSTOMER)
_CUSTOMER_PHONES = _phones_of(Phone.customer_id, Phone.customer_id == _CUSTOMER)
_THE_ACCOUNT = select(*ACCOUNT_COLUMNS).where(Account.id == _ACCOUNT)
_ACCOUNT_PHONES = _phones_of(Phone.account_id, Phone.account_id == _ACCOUNT)
_TIMELINE = (
    select(*ACTIVITY_COLUMNS)
    .where(Activity.customer_id == _CUSTOMER)
    .order_by(Activity.started_at.desc(), Activity.id.desc())
    .limit(TIMELINE_LENGTH)
)
_OPEN_CASES = (
    select(*CASE_COLUMNS)
    .where(Case.customer_id == _CUSTOMER, Case.status.in_(OPEN_CASE_STATUSES))
    .order_by(Case.sla_due_at.is_(None), Case.sla_due_at, Case.id)
)
_OPEN_OPPORTUNITIES = (
    select(*OPPORTUNITY_COLUMNS)
    .where(Opportunity.customer_id == _CUSTOMER, Opportunity.stage.in_(OPEN_STAGES))
    .order_by(Opportunity.expected_close.is_(None), Opportunity.expected_close)
)
_RECENT_ORDERS = (
    select(*ORDER_COLUMNS).where(Order.customer_id == _CUSTOMER).order_by(Order.placed_at.desc()).limit(RECENT_ORDERS)
)
# The customer's service contracts, latest ending first: the desk says "ended on ..." when none is in force.
CONTRACT_COLUMNS: list[Any] = [
    ServiceContract.id,
    ServiceContract.tier,
    ServiceContract.starts_on,
    ServiceContract.ends_on,
]
_CONTRACTS = (
    select(*CONTRACT_COLUMNS)
    .where(ServiceContract.customer_id == _CUSTOMER)
    .order_by(ServiceContract.ends_on.desc())
    .limit(5)
)
# The customer's equipment with its model's warranty months (the desk says "in warranty until ..."), and their
# booked technician visits, soonest first.
EQUIPMENT_COLUMNS: list[Any] = [
    Equipment.id,
    Equipment.model,
    Equipment.serial,
    Equipment.installed_on,
    Product.warranty_months,
    Product.warranty_labour_months,
]
VISIT_COLUMNS: list[Any] = [
    Appointment.id,
    Appointment.starts_at,
    Appointment.ends_at,
    Appointment.skill,
    Appointment.case_id,
    Technician.name.label("technician"),
]
_EQUIPMENT = (
    select(*EQUIPMENT_COLUMNS)
    .outerjoin(Product, Product.id == Equipment.product_id)
    .where(Equipment.customer_id == _CUSTOMER)
    .order_by(Equipment.id)
    .limit(10)
)
_VISITS = (
    select(*VISIT_COLUMNS)
    .join(Technician, Technician.id == Appointment.technician_id)
    .where(Appointment.customer_id == _CUSTOMER, Appointment.status == "booked")
    .order_by(Appointment.starts_at)
    .limit(5)
)
# What the lean reader prepares at start-up.
CALL_PATH_STATEMENTS = (
    *_CALLERS_BY_NUMBER,
    _THE_CUSTOMER,
    _CUSTOMER_PHONES,
    _THE_ACCOUNT,
    _ACCOUNT_PHONES,
    _TIMELINE,
    _OPEN_CASES,
    _OPEN_OPPORTUNITIES,
    _RECENT_ORDERS,
    _CONTRACTS,
    _EQUIPMENT,
    _VISITS,
)


async def customer_360(conn: AsyncConnection | RowSource, customer_id: int) -> dict[str, Any]:
    """Profile, account, last 20 activities, open cases, open opportunities, recent orders, service contracts,
    equipment with its warranty, booked visits: what a screen-pop shows."""
    source, params = _source(conn), {"customer_id": customer_id}
    found = await source.rows(_THE_CUSTOMER, params)
    if not found:
        raise NotFound("customer", customer_id)
    customer = found[0]
    customer["phones"] = (await _phones(source, _CUSTOMER_PHONES, params)).get(customer_id, [])
    account = None
    if customer["account_id"] is not None:
        of_account = {"account_id": customer["account_id"]}
        accounts = await source.rows(_THE_ACCOUNT, of_account)
        if accounts:
            account = accounts[0]
            account["phones"] = (await _phones(source, _ACCOUNT_PHONES, of_account)).get(account["id"], [])
    return {
        "customer": customer,
        "account": account,
        "activities": await source.rows(_TIMELINE, params),
        "open_cases": await source.rows(_OPEN_CASES, params),
        "open_opportunities": await source.rows(_OPEN_OPPORTUNITIES, params),
        "recent_orders": await source.rows(_RECENT_ORDERS, params),
        "contracts": [jsonable(c) for c in await source.rows(_CONTRACTS, params)],
        "equipment": [_with_warranty(e) for e in await source.rows(_EQUIPMENT, params)],
        "appointments": [jsonable(v) for v in await source.rows(_VISITS, params)],
    }


def _with_warranty(row: dict[str, Any]) -> dict[str, Any]:
    installed = row["installed_on"]
    if isinstance(installed, str):
        installed = dt.date.fromisoformat(installed)
    parts = warranty_end(installed, row.pop("warranty_months") or 0)
    labour = warranty_end(installed, row.pop("warranty_labour_months") or 0)
    row["warranty_until"] = parts.isoformat() if parts else None
    row["labour_warranty_until"] = labour.isoformat() if labour else None
    return jsonable(row)


class CallPathReads:
    """The reads a live call makes (who is calling, the screen-pop's 360), on ``source`` when the
    composition root gave a lean one (SQLite: ``store.lean_reads.SqliteRows``), else on a connection
    of ``engine`` per read."""

    def __init__(self, engine: AsyncEngine, source: RowSource | None = None) -> None:
        self.engine, self.source = engine, source

    async def callers_by_e164(self, e164: str) -> list[dict[str, Any]]:
        if self.source is not None:
            return await callers_by_e164(self.source, e164)
        async with self.engine.connect() as conn:
            return await callers_by_e164(conn, e164)

    async def customer_360(self, customer_id: int) -> dict[str, Any]:
        if self.source is not None:
            return await customer_360(self.source, customer_id)
        async with self.engine.connect() as conn:
            return await customer_360(conn, customer_id)

    async def appended_since(self, customer_ids: Collection[int], since: dt.datetime) -> list[dict[str, Any]]:
        """Activities of these customers created since ``since`` (a little slack for clocks), oldest first,
        at most ``APPENDED_ROWS``: what a desktop adds to the timeline it shows while a call is on."""
        if not customer_ids:
            return []
        query = (
            select(*ACTIVITY_COLUMNS)
            .where(Activity.customer_id.in_(list(customer_ids)), Activity.created_at >= since - APPENDED_SLACK)
            .order_by(Activity.created_at, Activity.id)
            .limit(APPENDED_ROWS)
        )
        async with self.engine.connect() as conn:
            return [jsonable(dict(row)) for row in (await conn.execute(query)).mappings().all()]

    async def people(self) -> list[Person]:
        """Every user: id, phone extension, username and the name the desks show."""
        query = select(User.id, User.extension, User.username, User.display_name)
        async with self.engine.connect() as conn:
            return [Person(*row) for row in (await conn.execute(query)).all()]

    async def dispositions(self) -> list[dict[str, str]]:
        """The disposition codes a wrap-up offers (active ones, in their order)."""
        query = (
            select(DispositionCode.code, DispositionCode.label)
            .where(DispositionCode.active.is_(True))
            .order_by(DispositionCode.id)
        )
        async with self.engine.connect() as conn:
            return [{"code": code, "label": label} for code, label in (await conn.execute(query)).all()]


class Person(NamedTuple):
    user_id: int
    extension: str | None
    username: str
    display_name: str | None
