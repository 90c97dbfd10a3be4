"""A synthetic customer base with order histories, cases, opportunities, leads and timelines, bulk-inserted.

Rows get explicit ids computed up front so that children can point at parents without a round
trip per row; on PostgreSQL the id sequences are moved past them afterwards.
"""

from __future__ import annotations

import datetime as dt
import math
import random
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func, insert, select, text
from sqlalchemy.ext.asyncio import AsyncConnection

from contact_center.crm.calendars import to_domain
from contact_center.domain.calendar import always_open
from contact_center.seed import histories, timeline
from contact_center.seed.context import KNOWN_CALLER, TABLES, Ids, SeedContext
from contact_center.seed.countries import COUNTRIES, City, Country, pick_country, postcode_for, street_for
from contact_center.store.tables import (
    Account,
    Activity,
    Calendar,
    Case,
    Customer,
    Lead,
    Opportunity,
    Order,
    Phone,
    User,
)

CHUNK = 2000
SUPPORT_CALENDAR = "support-hours"
INDUSTRIES = ("Logistics", "Retail", "Healthcare", "Software", "Manufacturing", "Hospitality", "Finance", "Education")
COMPANY_WORDS = (
    "Acme",
    "Northwind",
    "Globex",
    "Initech",
    "Umbrella",
    "Stark",
    "Wayne",
    "Hooli",
    "Vandelay",
    "Soylent",
    "Tyrell",
    "Cyberdyne",
    "Wonka",
    "Gringotts",
    "Oceanic",
    "Pied Piper",
)
COMPANY_SUFFIX = ("Logistics", "Foods", "Systems", "Labs", "Partners", "Group", "Health", "Supplies", "Media")
TAGS = ("newsletter", "paperless", "multi-line", "early-adopter", "price-sensitive")
# A few customers speak another language than their country's first one (the IVR and routing care).
SECOND_LANGUAGE = {"US": "es", "IN": "hi", "ES": "ca", "DE": "en", "FR": "en"}
INSERT_ORDER = ("customers", "phones", "orders", "cases", "opportunities", "leads", "activities")
MODELS: dict[str, Any] = {
    "customers": Customer,
    "accounts": Account,
    "phones": Phone,
    "orders": Order,
    "cases": Case,
    "opportunities": Opportunity,
    "leads": Lead,
    "activities": Activity,
}


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


@dataclass(frozen=True)
class Company:
    id: int
    name: str
    country: Country
    city: City


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
    ids = Ids({name: (await conn.scalar(select(func.max(MODELS[name].__table__.c.id))) or 0) + 1 for name in TABLES})
    agents: list[int | None] = list((await conn.scalars(select(User.id).where(User.role == "agent"))).all()) or [None]
    calendar = (await conn.execute(select(Calendar.__table__).where(Calendar.name == SUPPORT_CALENDAR))).first()
    ctx = SeedContext(
        random.Random(seed),
        now,
        ids,
        agents,
        calendar.id if calendar else None,
        to_domain(Calendar(**calendar._mapping), now) if calendar else always_open(),
    )
    result = SeedResult()
    fresh = ids.next["customers"] == 1  # the well-known first customer only in an empty database
    companies = _accounts(ctx, max(1, count // 20), fresh)
    for start in range(0, len(ctx.rows["accounts"]), CHUNK):
        await conn.execute(insert(Account), ctx.rows["accounts"][start : start + CHUNK])
    result.accounts = len(ctx.rows["accounts"])
    done = 0
    while done < count:
        n = min(CHUNK, count - done)
        for i in range(done, done + n):
            _one_customer(ctx, companies, activities_per_customer, known_caller=fresh and i == 0)
            if sample_every and i % sample_every == 0:
                phones = ctx.rows["phones"]
                result.sample_phones.append(next(p["e164"] for p in reversed(phones) if p["customer_id"]))
        rows = ctx.flush_rows()
        for name in INSERT_ORDER:
            if rows[name]:
                await conn.execute(insert(MODELS[name]), rows[name])
                setattr(result, name, getattr(result, name) + len(rows[name]))
        done += n
        if progress:
            progress(done)
    if conn.dialect.name == "postgresql":
        for name in TABLES:
            await conn.execute(
                text(
                    f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), (SELECT coalesce(max(id), 1) FROM {name}))"
                )
            )
    return result


def _address(ctx: SeedContext, country: Country, city: City) -> dict[str, str]:
    return {
        "street": street_for(country, ctx.rng),
        "city": city.name,
        "region": city.region,
        "postal_code": postcode_for(city, ctx.rng),
        "country": country.code,
    }


def _accounts(ctx: SeedContext, n: int, fresh: bool) -> list[Company]:
    rng, out = ctx.rng, []
    for i in range(n):
        country = COUNTRIES[0] if fresh and i == 0 else pick_country(rng)
        city = country.cities[0] if fresh and i == 0 else rng.choice(country.cities)
        account_id = ctx.ids.take("accounts")
        name = f"{rng.choice(COMPANY_WORDS)} {rng.choice(COMPANY_SUFFIX)}" + (f" {i}" if i >= 100 else "")
        if fresh and i == 0:
            name = "Acme Logistics"  # Maria Garcia's employer
        domain = f"{name.lower().replace(' ', '')}.example"
        segment = rng.choice(("smb", "smb", "mid_market", "enterprise"))
        ctx.rows["accounts"].append(
            {
                "id": account_id,
                "name": name,
                "industry": rng.choice(INDUSTRIES),
                "website": f"https://{domain}",
                "segment": segment,
                "vip": segment == "enterprise",
                "timezone": city.timezone,
                "language": country.language,
                "address": _address(ctx, country, city),
                "emails": [f"info@{domain}", f"billing@{domain}"][: rng.randrange(1, 3)],
                "tags": rng.sample(("partner", "reseller", "multi-site", "public-sector"), rng.randrange(2)),
                "owner_id": ctx.agent(),
                "created_at": ctx.now - dt.timedelta(days=rng.randrange(200, 1500)),
                "updated_at": ctx.now,
            }
        )
        ctx.rows["phones"].append(
            {
                "id": ctx.ids.take("phones"),
                "e164": ctx.number(country, city, "work"),
                "kind": "main",
                "account_id": account_id,
                "customer_id": None,
            }
        )
        out.append(Company(account_id, name, country, city))
    return out


def _one_customer(ctx: SeedContext, companies: list[Company], per_customer: float, known_caller: bool) -> None:
    rng, now = ctx.rng, ctx.now
    company = rng.choice(companies) if rng.random() < 0.15 or known_caller else None
    country = company.country if company else pick_country(rng)
    # Colleagues mostly work where their company is.
    city = company.city if company and rng.random() < 0.7 else rng.choice(country.cities)
    cid = ctx.ids.take("customers")
    first_name, last_name = rng.choice(country.first_names), rng.choice(country.last_names)
    if known_caller:  # the caller the quick start and the docs use: (415) 555-0142, San Francisco
        first_name, last_name, country, city = "Maria", "Garcia", COUNTRIES[0], COUNTRIES[0].cities[0]
        company = companies[0]
    account_id = company.id if company else None
    since = now - dt.timedelta(days=rng.randrange(30, 1400))
    vip = rng.random() < 0.04 or known_caller
    language = SECOND_LANGUAGE.get(country.code, country.language) if rng.random() < 0.08 else country.language
    ctx.rows["customers"].append(
        {
            "id": cid,
            "first_name": first_name,
            "last_name": last_name,
            "account_id": account_id,
            "emails": [f"{_ascii(first_name)}.{_ascii(last_name)}{cid}@example.com"],
            "address": _address(ctx, country, city),
            "country": country.code,
            "timezone": city.timezone,
            "language": "en" if known_caller else language,
            "tags": rng.sample(TAGS, rng.randrange(3)),
            "vip": vip,
            "segment": "vip" if vip else rng.choice(("standard", "standard", "plus", "business")),
            "account_manager_id": ctx.agent() if (vip or account_id) else None,
            "created_at": since,
            "updated_at": since,
        }
    )
    main = KNOWN_CALLER if known_caller else ctx.number(country, city, "mobile")
    ctx.rows["phones"].append(
        {"id": ctx.ids.take("phones"), "e164": main, "kind": "mobile", "customer_id": cid, "account_id": None}
    )
    if rng.random() < 0.3:
        ctx.rows["phones"].append(
            {
                "id": ctx.ids.take("phones"),
                "e164": ctx.number(country, city, "home"),
                "kind": "home",
                "customer_id": cid,
                "account_id": None,
            }
        )
    n_orders = 3 if known_caller else rng.choice((0, 1, 1, 2, 2, 3, 4))
    order_ids = histories.orders(ctx, cid, country, since, n_orders, recent_first=known_caller)
    case_ids = histories.case(ctx, cid, account_id, known_caller=known_caller)
    if account_id and (rng.random() < 0.3 or known_caller):
        histories.opportunity(ctx, cid, account_id, last_name, country)
    if rng.random() < 0.1:
        histories.lead(ctx, f"{rng.choice(COMPANY_WORDS)} {rng.choice(COMPANY_SUFFIX)}")
    n_activities = 8 if known_caller else _poisson(rng, per_customer)
    timeline.interactions(
        ctx, n_activities, customer_id=cid, account_id=account_id, since=since, orders=order_ids, cases=case_ids
    )


def _poisson(rng: random.Random, mean: float) -> int:
    # Knuth's method is fine for the small means used here.
    limit, k, p = math.exp(-mean), 0, 1.0
    while True:
        p *= rng.random()
        if p <= limit:
            return k
        k += 1


def _ascii(name: str) -> str:
    return unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().lower() or "customer"
