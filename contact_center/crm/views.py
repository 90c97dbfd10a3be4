"""Read paths on the call's critical path (caller lookup, customer 360), as plain SQL rows shaped to JSON.

The ORM costs about 2 ms per lookup in object building and statement caching; these Core queries
answer in well under a millisecond each, and their output has the same keys and formats as the API's
pydantic models (asserted by the API tests).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Mapping
from typing import Any

from pydantic import BaseModel
from sqlalchemy import Select, Table, select
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlalchemy.orm import aliased

from contact_center.crm.errors import NotFound
from contact_center.crm.schemas import AccountOut, ActivityOut, CaseOut, CustomerOut, OpportunityOut, OrderOut
from contact_center.store.tables import Account, Activity, Case, Customer, Opportunity, Order, Phone

OPEN_CASE_STATUSES = ("new", "open", "pending_customer")
OPEN_STAGES = ("prospecting", "qualification", "proposal", "negotiation")
TIMELINE_LENGTH = 20
RECENT_ORDERS = 5
MAX_MATCHES = 20


def _columns(table: Any, model: type[BaseModel]) -> list[Any]:
    t: Table = table.__table__
    return [t.c[name] for name in model.model_fields if name in t.c]


CUSTOMER_COLUMNS = _columns(Customer, CustomerOut)
ACCOUNT_COLUMNS = _columns(Account, AccountOut)
ACTIVITY_COLUMNS = _columns(Activity, ActivityOut)
CASE_COLUMNS = _columns(Case, CaseOut)
OPPORTUNITY_COLUMNS = _columns(Opportunity, OpportunityOut)
ORDER_COLUMNS = _columns(Order, OrderOut)


def _json_value(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        return value.isoformat().replace("+00:00", "Z")
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def jsonable(row: Mapping[str, Any]) -> dict[str, Any]:
    return {key: _json_value(value) for key, value in row.items()}


async def _rows(conn: AsyncConnection, query: Select[Any]) -> list[dict[str, Any]]:
    return [jsonable(r) for r in (await conn.execute(query)).mappings().all()]


def phone_json(e164: str, kind: str) -> dict[str, str]:
    """A phone as PhoneOut shows it: ``number`` makes it valid input again, ``e164`` is the same text."""
    return {"number": e164, "e164": e164, "kind": kind}


async def _phones(conn: AsyncConnection, owner: Any, ids: Iterable[int]) -> dict[int, list[dict[str, str]]]:
    by_owner: dict[int, list[dict[str, str]]] = defaultdict(list)
    query = select(owner, Phone.e164, Phone.kind).where(owner.in_(list(ids))).order_by(Phone.id)
    for owner_id, e164, kind in (await conn.execute(query)).all():
        by_owner[owner_id].append(phone_json(e164, kind))
    return by_owner


_MATCH = aliased(Phone, name="match")
_OWN = aliased(Phone, name="own")
# One statement: the customers owning the number, each with all of their phones.
_BY_PHONE = (
    select(*CUSTOMER_COLUMNS, _OWN.e164.label("phone_e164"), _OWN.kind.label("phone_kind"))
    .join(_MATCH, _MATCH.customer_id == Customer.id)
    .outerjoin(_OWN, _OWN.customer_id == Customer.id)
    .order_by(Customer.id, _OWN.id)
)


async def customers_by_e164(conn: AsyncConnection, e164: str) -> list[dict[str, Any]]:
    """Customers who own this number; failing that, the people of the account whose number it is."""
    customers: dict[int, dict[str, Any]] = {}
    for row in (await conn.execute(_BY_PHONE.where(_MATCH.e164 == e164).limit(MAX_MATCHES * 5))).mappings():
        found = customers.get(row["id"])
        if found is None:
            found = jsonable({k: v for k, v in row.items() if not k.startswith("phone_")})
            found["phones"] = []
            customers[row["id"]] = found
        if row["phone_e164"] is not None:
            found["phones"].append(phone_json(row["phone_e164"], row["phone_kind"]))
    if customers:
        return list(customers.values())
    accounts = select(Phone.account_id).where(Phone.e164 == e164, Phone.account_id.is_not(None))
    query = select(*CUSTOMER_COLUMNS).where(Customer.account_id.in_(accounts)).order_by(Customer.id).limit(MAX_MATCHES)
    rows = await _rows(conn, query)
    phones = await _phones(conn, Phone.customer_id, (r["id"] for r in rows)) if rows else {}
    for customer in rows:
        customer["phones"] = phones.get(customer["id"], [])
    return rows


async def customer_360(conn: AsyncConnection, customer_id: int) -> dict[str, Any]:
    """Profile, account, last 20 activities, open cases, open opportunities, recent orders: what a screen-pop shows."""
    found = await _rows(conn, select(*CUSTOMER_COLUMNS).where(Customer.id == customer_id))
    if not found:
        raise NotFound("customer", customer_id)
    customer = found[0]
    customer["phones"] = (await _phones(conn, Phone.customer_id, [customer_id])).get(customer_id, [])
    account = None
    if customer["account_id"] is not None:
        accounts = await _rows(conn, select(*ACCOUNT_COLUMNS).where(Account.id == customer["account_id"]))
        if accounts:
            account = accounts[0]
            account["phones"] = (await _phones(conn, Phone.account_id, [account["id"]])).get(account["id"], [])
    activities = await _rows(
        conn,
        select(*ACTIVITY_COLUMNS)
        .where(Activity.customer_id == customer_id)
        .order_by(Activity.started_at.desc(), Activity.id.desc())
        .limit(TIMELINE_LENGTH),
    )
    cases = await _rows(
        conn,
        select(*CASE_COLUMNS)
        .where(Case.customer_id == customer_id, Case.status.in_(OPEN_CASE_STATUSES))
        .order_by(Case.sla_due_at.is_(None), Case.sla_due_at, Case.id),
    )
    opportunities = await _rows(
        conn,
        select(*OPPORTUNITY_COLUMNS)
        .where(Opportunity.customer_id == customer_id, Opportunity.stage.in_(OPEN_STAGES))
        .order_by(Opportunity.expected_close.is_(None), Opportunity.expected_close),
    )
    orders = await _rows(
        conn,
        select(*ORDER_COLUMNS)
        .where(Order.customer_id == customer_id)
        .order_by(Order.placed_at.desc())
        .limit(RECENT_ORDERS),
    )
    return {
        "customer": customer,
        "account": account,
        "activities": activities,
        "open_cases": cases,
        "open_opportunities": opportunities,
        "recent_orders": orders,
    }
