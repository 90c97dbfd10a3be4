"""A synthetic customer base with order histories, cases, opportunities, leads and timelines, bulk-inserted.

Rows get explicit ids computed up front so that children can point at parents without a round
trip per row; on PostgreSQL the id sequences are moved past them afterwards.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func, insert, select, text
from sqlalchemy.ext.asyncio import AsyncConnection

from contact_center.seed.countries import COUNTRIES, Country, phone_for, pick_country
from contact_center.store.tables import Account, Activity, Case, Customer, Lead, Opportunity, Order, Phone, User

CHUNK = 2000
INDUSTRIES = ("Logistics", "Retail", "Healthcare", "Software", "Manufacturing", "Hospitality", "Finance", "Education")
COMPANY_WORDS = ("Acme", "Northwind", "Globex", "Initech", "Umbrella", "Stark", "Wayne", "Hooli", "Vandelay", "Soylent",
                 "Tyrell", "Cyberdyne", "Wonka", "Gringotts", "Oceanic", "Pied Piper")  # fmt: skip
COMPANY_SUFFIX = ("Logistics", "Foods", "Systems", "Labs", "Partners", "Group", "Health", "Supplies", "Media")
PRODUCTS = (("SKU-ROUTER", "Fibre router", 12900), ("SKU-MESH", "Mesh extender", 7900), ("SKU-PLAN-M", "Monthly plan",
            4500), ("SKU-CAB", "Cable kit", 1900), ("SKU-TV", "TV box", 9900), ("SKU-PHONE", "Desk phone", 5900))  # fmt: skip
CASE_SUBJECTS = (("Router keeps dropping connection", "technical"), ("Double charge on invoice", "billing"),
                 ("Parcel not delivered", "shipping"), ("Request to change plan", "sales"),
                 ("Cannot log in to account", "account"), ("Damaged item received", "shipping"),
                 ("Refund not received", "billing"), ("Slow speeds in the evening", "technical"))  # fmt: skip
DISPOSITIONS = ("resolved", "resolved", "resolved", "follow_up", "case_created", "escalated", "sale", "no_sale")
QUEUES = ("general", "billing", "technical", "sales")


@dataclass
class SeedResult:
    customers: int = 0
    accounts: int = 0
    phones: int = 0
    orders: int = 0
    cases: int = 0
    opportunities: int = 0
    leads: int = 0
    activities: int = 0
    sample_phones: list[str] = field(default_factory=list)


@dataclass
class _Ids:
    next: dict[str, int]

    def take(self, table: str) -> int:
        value = self.next[table]
        self.next[table] = value + 1
        return value


async def seed_customers(
    conn: AsyncConnection,
    count: int,
    *,
    now: dt.datetime,
    seed: int = 7,
    activities_per_customer: float = 6.0,
    progress: Callable[[int], None] | None = None,
    sample_every: int = 0,
) -> SeedResult:
    """Insert ``count`` customers (and their histories) through ``conn``; the caller commits."""
    rng = random.Random(seed)
    tables: dict[str, Any] = {"customers": Customer, "accounts": Account, "phones": Phone, "orders": Order, "cases": Case,
              "opportunities": Opportunity, "leads": Lead, "activities": Activity}  # fmt: skip
    ids = _Ids({name: (await conn.scalar(select(func.max(t.__table__.c.id))) or 0) + 1 for name, t in tables.items()})
    agents: list[int | None] = list((await conn.scalars(select(User.id).where(User.role == "agent"))).all()) or [None]
    result = SeedResult()
    fresh = ids.next["customers"] == 1  # the well-known first customer only in an empty database
    accounts = await _accounts(conn, max(1, count // 20), ids, rng, now, result)
    done = 0
    while done < count:
        n = min(CHUNK, count - done)
        rows: dict[str, list[dict[str, Any]]] = {name: [] for name in tables}
        for i in range(done, done + n):
            _one_customer(rows, ids, rng, now, accounts, agents, activities_per_customer, first=fresh and i == 0)
            if sample_every and i % sample_every == 0:
                result.sample_phones.append(next(p["e164"] for p in reversed(rows["phones"]) if p["kind"] == "mobile"))
        for name in ("customers", "phones", "orders", "cases", "opportunities", "leads", "activities"):
            if rows[name]:
                await conn.execute(insert(tables[name]), rows[name])
                setattr(result, name, getattr(result, name) + len(rows[name]))
        done += n
        if progress:
            progress(done)
    if conn.dialect.name == "postgresql":
        for name in tables:
            await conn.execute(text(f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), "
                                    f"(SELECT coalesce(max(id), 1) FROM {name}))"))  # fmt: skip
    return result


async def _accounts(conn: AsyncConnection, n: int, ids: _Ids, rng: random.Random, now: dt.datetime,
                    result: SeedResult) -> list[tuple[int, Country]]:  # fmt: skip
    rows, phones, out = [], [], []
    for i in range(n):
        country = pick_country(rng)
        account_id = ids.take("accounts")
        name = f"{rng.choice(COMPANY_WORDS)} {rng.choice(COMPANY_SUFFIX)}" + (f" {i}" if i >= 100 else "")
        if i == 0 and ids.next["customers"] == 1:
            name = "Acme Logistics"
        city, region = rng.choice(country.cities)
        rows.append({"id": account_id, "name": name, "industry": rng.choice(INDUSTRIES),
                     "website": f"https://{name.lower().replace(' ', '')}.example", "tags": [],
                     "segment": rng.choice(("smb", "smb", "mid_market", "enterprise")), "timezone": country.timezones[0],
                     "address": {"city": city, "region": region, "country": country.code},
                     "created_at": now - dt.timedelta(days=rng.randrange(200, 1500)), "updated_at": now})  # fmt: skip
        phones.append({"id": ids.take("phones"), "e164": phone_for(country, rng, "work"), "kind": "main",
                       "account_id": account_id, "customer_id": None})  # fmt: skip
        out.append((account_id, country))
    for start in range(0, len(rows), CHUNK):
        await conn.execute(insert(Account), rows[start : start + CHUNK])
        await conn.execute(insert(Phone), phones[start : start + CHUNK])
    result.accounts += len(rows)
    result.phones += len(phones)
    return out


def _one_customer(rows: dict[str, list[dict[str, Any]]], ids: _Ids, rng: random.Random, now: dt.datetime,
                  accounts: list[tuple[int, Country]], agents: list[int | None], per_customer: float,
                  first: bool) -> None:  # fmt: skip
    account_id, country = (None, pick_country(rng))
    if rng.random() < 0.15:
        account_id, country = rng.choice(accounts)
    cid = ids.take("customers")
    first_name, last_name = rng.choice(country.first_names), rng.choice(country.last_names)
    since = now - dt.timedelta(days=rng.randrange(30, 1400))
    if first:  # a known caller for the quick start and the docs: (415) 555-0142
        first_name, last_name, country, account_id = "Maria", "Garcia", COUNTRIES[0], accounts[0][0]
    city, region = rng.choice(country.cities)
    vip = rng.random() < 0.04 or first
    rows["customers"].append({
        "id": cid, "first_name": first_name, "last_name": last_name, "account_id": account_id,
        "emails": [f"{_ascii(first_name)}.{_ascii(last_name)}{cid}@example.com"],
        "address": {"street": f"{rng.randrange(1, 400)} Main St", "city": city, "region": region,
                    "postal_code": f"{rng.randrange(10000, 99999)}", "country": country.code},
        "country": country.code, "timezone": rng.choice(country.timezones), "language": country.language,
        "tags": rng.sample(("newsletter", "paperless", "multi-line", "early-adopter", "price-sensitive"), rng.randrange(3)),
        "vip": vip, "segment": "vip" if vip else rng.choice(("standard", "standard", "plus", "business")),
        "account_manager_id": rng.choice(agents) if (vip or account_id) else None,
        "created_at": since, "updated_at": since,
    })  # fmt: skip
    main_phone = "+14155550142" if first else phone_for(country, rng)
    rows["phones"].append({"id": ids.take("phones"), "e164": main_phone, "kind": "mobile", "customer_id": cid,
                           "account_id": None})  # fmt: skip
    if rng.random() < 0.3:
        rows["phones"].append({"id": ids.take("phones"), "e164": phone_for(country, rng, "home"), "kind": "home",
                               "customer_id": cid, "account_id": None})  # fmt: skip
    order_ids = _orders(rows, ids, rng, now, cid, country, since, 3 if first else rng.choice((0, 1, 1, 2, 2, 3, 4)))
    case_ids = _cases(rows, ids, rng, now, cid, account_id, agents, first)
    if account_id and (rng.random() < 0.3 or first):
        amount = rng.randrange(20, 600) * 10000
        rows["opportunities"].append({
            "id": ids.take("opportunities"), "name": f"{last_name} – {rng.choice(('Upgrade', 'Renewal', 'Expansion'))}",
            "customer_id": cid, "account_id": account_id, "owner_id": rng.choice(agents),
            "stage": rng.choice(("prospecting", "qualification", "proposal", "negotiation")),
            "amount_cents": amount, "currency": country.currency, "probability": rng.choice((10, 25, 50, 75)),
            "expected_close": (now + dt.timedelta(days=rng.randrange(7, 120))).date(),
            "products": [{"sku": "SKU-PLAN-M", "name": "Business plan", "quantity": rng.randrange(5, 50),
                          "unit_price_cents": 4500}], "created_at": since, "updated_at": now,
        })  # fmt: skip
    if rng.random() < 0.1:
        rows["leads"].append({
            "id": ids.take("leads"), "first_name": rng.choice(country.first_names),
            "last_name": rng.choice(country.last_names), "company": f"{rng.choice(COMPANY_WORDS)} {rng.choice(COMPANY_SUFFIX)}",
            "phone": phone_for(country, rng), "source": rng.choice(("web", "referral", "event", "inbound_call")),
            "score": rng.randrange(101), "rating": rng.choice(("hot", "warm", "cold", "cold")),
            "status": rng.choice(("new", "contacted", "qualified")), "owner_id": rng.choice(agents), "customer_id": None,
            "notes": "", "created_at": now - dt.timedelta(days=rng.randrange(60)), "updated_at": now,
        })  # fmt: skip
    n_activities = 8 if first else _poisson(rng, per_customer)
    for _ in range(n_activities):
        _activity(rows, ids, rng, now, cid, account_id, agents, since, order_ids, case_ids)


def _orders(rows: dict[str, list[dict[str, Any]]], ids: _Ids, rng: random.Random, now: dt.datetime, cid: int,
            country: Country, since: dt.datetime, n: int) -> list[int]:  # fmt: skip
    out = []
    for k in range(n):
        oid = ids.take("orders")
        placed = now - dt.timedelta(days=2 if k == 0 and n == 3 else rng.randrange(1, max(2, (now - since).days)))
        age = (now - placed).days
        status = ("processing" if age < 2 else "shipped" if age < 5 else
                  rng.choice(("delivered", "delivered", "delivered", "returned", "cancelled")))  # fmt: skip
        lines = [(s, nm, rng.randrange(1, 3), p) for s, nm, p in rng.sample(PRODUCTS, rng.randrange(1, 3))]
        items = [{"sku": s, "name": nm, "quantity": q, "unit_price_cents": p} for s, nm, q, p in lines]
        shipped = placed + dt.timedelta(days=1) if status in ("shipped", "delivered", "returned") else None
        rows["orders"].append({
            "id": oid, "number": str(100000 + oid), "customer_id": cid, "status": status, "items": items,
            "total_cents": sum(q * p for _, _, q, p in lines), "currency": country.currency,
            "placed_at": placed, "shipped_at": shipped,
            "delivered_at": placed + dt.timedelta(days=3) if status in ("delivered", "returned") else None,
            "carrier": rng.choice(("UPS", "DHL", "FedEx", "Royal Mail")) if shipped else None,
            "tracking_number": f"1Z{rng.randrange(10**12):012d}" if shipped else None, "notes": "",
            "created_at": placed, "updated_at": placed,
        })  # fmt: skip
        out.append(oid)
    return out


def _cases(rows: dict[str, list[dict[str, Any]]], ids: _Ids, rng: random.Random, now: dt.datetime, cid: int,
           account_id: int | None, agents: list[int | None], first: bool) -> list[int]:  # fmt: skip
    if not first and rng.random() > 0.25:
        return []
    case_id = ids.take("cases")
    subject, category = rng.choice(CASE_SUBJECTS)
    opened = now - dt.timedelta(hours=rng.randrange(1, 24 * 60))
    is_open = first or rng.random() < 0.4
    status = rng.choice(("open", "open", "new", "pending_customer")) if is_open else rng.choice(("resolved", "closed"))
    target = {"urgent": 240, "high": 480, "normal": 1440, "low": 4320}
    priority = rng.choice(("low", "normal", "normal", "high", "urgent"))
    running = status in ("new", "open")
    rows["cases"].append({
        "id": case_id, "number": 20000 + case_id, "subject": subject, "description": f"Customer reports: {subject.lower()}.",
        "status": status, "priority": priority, "category": category, "customer_id": cid, "account_id": account_id,
        "owner_id": rng.choice(agents), "calendar_id": None, "sla_target_minutes": target[priority],
        "sla_used_seconds": 0, "sla_running_since": opened if running else None,
        "sla_due_at": opened + dt.timedelta(minutes=target[priority]) if running else None,
        "sla_escalate_at": opened + dt.timedelta(minutes=target[priority]) if running else None,
        "escalation_level": 0, "first_responded_at": opened + dt.timedelta(minutes=rng.randrange(5, 120)),
        "resolved_at": None if is_open else opened + dt.timedelta(hours=rng.randrange(1, 72)),
        "created_at": opened, "updated_at": opened,
    })  # fmt: skip
    return [case_id]


def _activity(rows: dict[str, list[dict[str, Any]]], ids: _Ids, rng: random.Random, now: dt.datetime, cid: int,
              account_id: int | None, agents: list[int | None], since: dt.datetime, orders: list[int],
              cases: list[int]) -> None:  # fmt: skip
    started = since + dt.timedelta(seconds=rng.randrange(max(1, int((now - since).total_seconds()))))
    kind = rng.random()
    agent = rng.choice(agents)
    base: dict[str, Any] = {"id": ids.take("activities"), "customer_id": cid, "account_id": account_id, "agent_id": agent,
            "case_id": cases[0] if cases and rng.random() < 0.5 else None, "opportunity_id": None, "lead_id": None,
            "interaction_id": f"seed-{cid}-{rng.randrange(10**9)}", "queue": None, "disposition": None,
            "outcome": None, "started_at": started, "created_at": started}  # fmt: skip
    if kind < 0.55:
        wait, talk, hold, wrap = (
            rng.randrange(2, 180),
            rng.randrange(40, 900),
            rng.choice((0, 0, 30, 90)),
            rng.randrange(5, 90),
        )
        queue = rng.choice(QUEUES)
        disposition = rng.choice(DISPOSITIONS)
        inbound = rng.random() < 0.8
        base.update(type="call", channel="phone", direction="inbound" if inbound else "outbound",
                    subject=f"{'Inbound' if inbound else 'Outbound'} call · {queue}", queue=queue if inbound else None,
                    disposition=disposition, outcome="answered",
                    ended_at=started + dt.timedelta(seconds=wait + talk + hold),
                    details={"wait_seconds": wait if inbound else 0, "talk_seconds": talk, "hold_seconds": hold,
                             "wrap_seconds": wrap, "hung_up_by": rng.choice(("caller", "agent")),
                             "legs": ["inbound", "agent"] if inbound else ["outbound"]})  # fmt: skip
    elif kind < 0.7:
        base.update(type="ivr", channel="phone", direction="inbound", subject="IVR self-service: order status",
                    outcome="self_served", agent_id=None, ended_at=started + dt.timedelta(seconds=rng.randrange(20, 90)),
                    details={"path": ["welcome", "main_menu", "order_status", "order_found"], "inputs": ["1", "#"],
                             "order_id": rng.choice(orders) if orders else None})  # fmt: skip
    elif kind < 0.85:
        base.update(type="email", channel="email", direction=rng.choice(("inbound", "outbound")),
                    subject=rng.choice(("Invoice question", "Delivery update", "Your case was updated", "Welcome")),
                    ended_at=None, details={})  # fmt: skip
    else:
        base.update(type="note", channel="system", direction=None, ended_at=None,
                    subject=rng.choice(("Prefers email contact", "Asked about business plans", "Mentioned moving house",
                                        "Happy with last resolution")), details={})  # fmt: skip
    rows["activities"].append(base)


def _poisson(rng: random.Random, mean: float) -> int:
    # Knuth's method is fine for the small means used here.
    import math

    limit, k, p = math.exp(-mean), 0, 1.0
    while True:
        p *= rng.random()
        if p <= limit:
            return k
        k += 1


def _ascii(name: str) -> str:
    import unicodedata

    return unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().lower() or "customer"
