"""`contact-center bench analytics`: the analytics pages' queries on a million-customer CRM, SQLite or PostgreSQL.

The database (``--database-url``; default a SQLite file under var/bench) is migrated and, when it holds no
customers yet, seeded inside the database with portable SQL (a numbers series joined to an hourly calendar of the
last two years): N customers, and per million customers 300 000 leads, 200 000 deals, 500 000 cases, 2 000 000
orders and 3 000 000 calls spread over those two years, the way the tables the pages read would look. Then each page's queries (the very functions
the API calls, ``crm/analytics.py``) run ``--samples`` times, each in a fresh session, for the page's default
period (the last 30 days) and for the longest it allows (a year), and their p50/p99 are printed beside the goal
(p99 ≤ 500 ms). The profitability table reads what the office watch works out once a day; that work is timed
once and printed beside. Figures are printed, never asserted.

The contact centre's figures by day read the routing event log, whose size follows the calls taken, not the
customers: ``contact-center bench routing`` measures that log's reads.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import func, select, text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, AsyncSession

from contact_center.bench.stats import percentiles
from contact_center.cli._common import Progress
from contact_center.crm import analytics, profitability
from contact_center.domain.analytics import buckets
from contact_center.store import migrate
from contact_center.store.engine import engine_for_url, session_factory
from contact_center.store.tables import Customer

GOAL_P99_MS = 500.0
HOURS = 2 * 365 * 24  # the calendar the rows are spread over: the last two years, hour by hour
CHUNK = 100_000
# Rows per customer of each table the pages read.
LEADS, DEALS, CASES = 0.3, 0.2, 0.5
OWNERS = 20  # sales reps the deals are spread over (one deal in ten has no owner)
PRODUCT_GROUPS = ("heating", "cooling", "service", "parts")  # three products each; a deal holds one or two
ZONE = ZoneInfo("America/New_York")


def register(kinds: Any) -> None:
    parser = kinds.add_parser(
        "analytics", help="the analytics pages' queries on a large CRM (SQLite or PostgreSQL), p50/p99 per page"
    )
    parser.add_argument("--customers", type=int, default=1_000_000)
    parser.add_argument(
        "--database-url",
        help="the database to seed and read (default: a SQLite file var/bench/analytics-N.db); PostgreSQL: "
        "postgresql+asyncpg://user@host/db of an empty database",
    )
    parser.add_argument("--samples", type=int, default=30, help="runs of each page's queries")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.set_defaults(func=main)


def main(args: argparse.Namespace) -> int:
    url = args.database_url
    if url is None:
        path = Path("var/bench") / f"analytics-{args.customers}.db"
        path.parent.mkdir(parents=True, exist_ok=True)
        url = f"sqlite+aiosqlite:///{path}"
    result = asyncio.run(run(url, args.customers, args.samples))
    if args.json:
        print(json.dumps(result))
        return 0
    print(f"database: {result['database']} ({result['customers']} customers; {result['rows']})")
    if "seed_seconds" in result:
        print(f"seeded in {result['seed_seconds']} s")
    print(
        f"customers' twelve months worked out (once a day, in the background) in {result['profitability_refresh_seconds']} s"
    )
    print(f"{'page':<20} {'period':<9} {'p50 ms':>9} {'p99 ms':>9}  goal p99 ≤ {GOAL_P99_MS:g} ms")
    for page in result["pages"]:
        verdict = "met" if page["p99_ms"] <= GOAL_P99_MS else "NOT met"
        print(f"{page['page']:<20} {page['period']:<9} {page['p50_ms']:>9} {page['p99_ms']:>9}  {verdict}")
    return 0


async def run(url: str, customers: int, samples: int) -> dict[str, Any]:
    engine = engine_for_url(url)
    result: dict[str, Any] = {"database": engine.url.render_as_string(hide_password=True), "customers": customers}
    try:
        await migrate.upgrade(engine)
        async with session_factory(engine)() as session:
            held = await session.scalar(select(func.count()).select_from(Customer)) or 0
        if held == 0:
            started = time.monotonic()
            await seed(engine, customers)
            result["seed_seconds"] = round(time.monotonic() - started, 1)
        elif held != customers:
            raise SystemExit(f"{result['database']} holds {held} customers, not {customers}: use an empty database")
        result["rows"] = await _counts(engine)
        started = time.monotonic()  # what the office watch does once a day, timed once
        await profitability.refresh(session_factory(engine), dt.datetime.now(dt.UTC), profitability.DEFAULT_COSTS)
        result["profitability_refresh_seconds"] = round(time.monotonic() - started, 1)
        today = dt.datetime.now(dt.UTC).astimezone(ZONE).date()
        result["pages"] = [
            await _time(engine, page, period, samples, read)
            for page, period, read in _pages(today, dt.datetime.now(dt.UTC))
        ]
    finally:
        await engine.dispose()
    return result


Read = Callable[[AsyncSession], Awaitable[analytics.Table]]


def _pages(today: dt.date, now: dt.datetime) -> list[tuple[str, str, Read]]:
    out: list[tuple[str, str, Read]] = []
    for period, days in (("30 days", 30), ("a year", 365)):
        first = today - dt.timedelta(days=days - 1)
        start, end = buckets.bounds(first, today, ZONE)

        def funnel(s: AsyncSession, start: dt.datetime = start, end: dt.datetime = end) -> Awaitable[analytics.Table]:
            return analytics.sales_funnel(s, start, end)

        def forecast(s: AsyncSession, first: dt.date = first) -> Awaitable[analytics.Table]:
            return analytics.forecast_vs_actual(s, first, today + dt.timedelta(days=90), ZONE)

        def sources(s: AsyncSession, start: dt.datetime = start, end: dt.datetime = end) -> Awaitable[analytics.Table]:
            return analytics.lead_sources(s, start, end)

        def cases(s: AsyncSession, first: dt.date = first) -> Awaitable[analytics.Table]:
            return analytics.case_days(s, first, today, ZONE, now)

        def churn(s: AsyncSession) -> Awaitable[analytics.Table]:
            return analytics.churn_risk(s, now)

        async def profits(s: AsyncSession) -> analytics.Table:
            rows, _ = await profitability.top(s)
            return analytics.Table((), rows, "")

        def by_owner(s: AsyncSession, first: dt.date = first) -> Awaitable[analytics.Table]:
            return analytics.forecast_by(s, "owner", first, today + dt.timedelta(days=90), ZONE)

        def by_group(s: AsyncSession, first: dt.date = first) -> Awaitable[analytics.Table]:
            return analytics.forecast_by(s, "product_group", first, today + dt.timedelta(days=90), ZONE)

        out += [
            ("forecast by owner", period, by_owner),
            ("forecast by group", period, by_group),
            ("funnel", period, funnel),
            ("forecast-vs-actual", period, forecast),
            ("lead-sources", period, sources),
            ("cases", period, cases),
        ]
        if days == 30:
            out.append(("churn-risk", "90 days", churn))
            out.append(("profitability", "12 months", profits))
    return out


async def _time(engine: AsyncEngine, page: str, period: str, samples: int, read: Read) -> dict[str, Any]:
    sessions = session_factory(engine)
    async with sessions() as session:  # warm: the pages' indexes in the cache, as on a server that runs
        await read(session)
    spent = []
    for _ in range(samples):
        t = time.perf_counter()
        async with sessions() as session:
            await read(session)
        spent.append((time.perf_counter() - t) * 1000)
    found = percentiles(spent, 1)
    return {"page": page, "period": period, "p50_ms": found["p50"], "p99_ms": found["p99"], "samples": samples}


async def _counts(engine: AsyncEngine) -> dict[str, int]:
    async with engine.connect() as conn:
        return {
            table: int((await conn.exec_driver_sql(f"SELECT count(*) FROM {table}")).scalar() or 0)
            for table in ("leads", "opportunities", "cases", "orders", "activities", "forecast_snapshots")
        }


# -- seeding -------------------------------------------------------------------------------------------------
async def seed(engine: AsyncEngine, customers: int) -> None:
    postgres = engine.dialect.name == "postgresql"
    now = dt.datetime.now(dt.UTC).replace(minute=0, second=0, microsecond=0)
    progress = Progress("seeding the CRM", customers)
    async with engine.begin() as conn:
        await _calendar(conn, now, postgres)
        owners = await _owners_and_products(conn)
        for lo in range(1, customers + 1, CHUNK):
            hi = min(customers, lo + CHUNK - 1)
            await _chunk(conn, lo, hi, postgres, owners)
            progress.update(hi)
        if postgres:
            for table in ("customers", "leads", "opportunities", "cases"):
                await conn.exec_driver_sql(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))"
                )
        await conn.exec_driver_sql("DROP TABLE bench_hours")
    async with session_factory(engine).begin() as session:  # a year of forecasts kept, one a day
        for back in range(365, -1, -1):
            await analytics.take_forecast_snapshot(session, now.date() - dt.timedelta(days=back))
    # As the tables stand once autovacuum has seen the load (PostgreSQL vacuums after inserts too): statistics
    # known and, there, the visibility map set, so the covering indexes are read without the table.
    async with engine.connect() as conn:
        await conn.execution_options(isolation_level="AUTOCOMMIT")
        await conn.exec_driver_sql("VACUUM ANALYZE" if postgres else "ANALYZE")


async def _calendar(conn: AsyncConnection, now: dt.datetime, postgres: bool) -> None:
    """``bench_hours``: hour h of the last two years (0 the oldest), as an instant and as a day."""
    kind = "TIMESTAMP WITH TIME ZONE" if postgres else "TEXT"
    await conn.exec_driver_sql(f"CREATE TABLE bench_hours (h INTEGER PRIMARY KEY, at {kind}, day DATE)")
    rows = []
    for h in range(HOURS):
        at = now - dt.timedelta(hours=HOURS - h)
        if postgres:
            rows.append({"h": h, "at": at, "day": at.date()})
        else:  # as the server's SQLite columns hold them
            rows.append({"h": h, "at": f"{at:%Y-%m-%d %H:%M:%S}.000000", "day": f"{at:%Y-%m-%d}"})
    await conn.execute(text("INSERT INTO bench_hours (h, at, day) VALUES (:h, :at, :day)"), rows)


async def _owners_and_products(conn: AsyncConnection) -> list[int]:
    """The sales reps (their ids) and the catalogue the deals name: products BENCH-0 … BENCH-11, in groups."""
    owners = []
    for k in range(1, OWNERS + 1):
        found = await conn.execute(
            text(
                "INSERT INTO users (username, display_name, role, active, created_at) "
                "VALUES (:name, :name, 'agent', true, :at) RETURNING id"
            ),
            {"name": f"rep{k:02d}", "at": dt.datetime.now(dt.UTC)},
        )
        owners.append(int(found.scalar_one()))
    products = [
        {"sku": f"BENCH-{k}", "name": f"Product {k}", "group": PRODUCT_GROUPS[k % len(PRODUCT_GROUPS)]}
        for k in range(3 * len(PRODUCT_GROUPS))
    ]
    await conn.execute(
        text(
            'INSERT INTO products (sku, name, "group", price_cents, currency, warranty_months, '
            "warranty_labour_months, active, rules, created_at, updated_at) "
            "VALUES (:sku, :name, :group, 1000, 'USD', 0, 0, true, '{}', :at, :at)"
        ),
        [p | {"at": dt.datetime.now(dt.UTC)} for p in products],
    )
    return owners


def _numbers(lo: int, hi: int, postgres: bool) -> str:
    if postgres:
        return f"generate_series({lo}, {hi}) AS seq(n)"
    return f"(WITH RECURSIVE s(n) AS (SELECT {lo} UNION ALL SELECT n + 1 FROM s WHERE n < {hi}) SELECT n FROM s) AS seq"


async def _chunk(conn: AsyncConnection, lo: int, hi: int, postgres: bool, owners: list[int]) -> None:
    run = conn.exec_driver_sql
    vip = "n % 25 = 0" if postgres else "(n % 25 = 0)"
    await run(f"""
        INSERT INTO customers (id, first_name, last_name, emails, address, language, tags, vip, segment,
                               created_at, updated_at)
        SELECT n, 'Customer', 'No ' || n, '[]', '{{}}', 'en', '[]', {vip}, 'standard', b.at, b.at
        FROM {_numbers(lo, hi, postgres)} JOIN bench_hours b ON b.h = n % {HOURS}""")
    # Leads: one per 1/LEADS customers; a fifth flagged on entry; a tenth converted into the customer they name.
    every = round(1 / LEADS * 10)
    for flagged, checks in ((True, '[{"code": "disposable_email", "reason": "throw-away"}]'), (False, "[]")):
        picked = "n % 5 = 0" if flagged else "n % 5 <> 0"
        await run(f"""
            INSERT INTO leads (first_name, last_name, company, source, score, rating, status, customer_id, notes,
                               checks, created_at, updated_at)
            SELECT '', 'Lead ' || n, '',
                   CASE n % 6 WHEN 0 THEN 'web_form' WHEN 1 THEN 'referral' WHEN 2 THEN 'call'
                              WHEN 3 THEN 'campaign' WHEN 4 THEN 'event' ELSE 'import' END,
                   n % 100, CASE WHEN n % 7 = 0 THEN 'hot' WHEN n % 3 = 0 THEN 'warm' ELSE 'cold' END,
                   CASE WHEN n % 10 = 0 THEN 'converted' WHEN n % 10 = 1 THEN 'disqualified' ELSE 'new' END,
                   CASE WHEN n % 10 = 0 THEN n END, '', '{checks}', b.at, b.at
            FROM {_numbers(lo, hi, postgres)} JOIN bench_hours b ON b.h = (n * 7) % {HOURS}
            WHERE (n * 10) % {every} < 10 AND {picked}""")
    # Deals: a fifth of the customers; the older ones closed (won or lost), the recent ones open; one in ten
    # without an owner, and each with one or two products (one in twenty with a product the catalogue lacks).
    every = round(1 / DEALS)
    json = "jsonb" if postgres else "TEXT"
    deal = f"(n / {every})"  # the deals' own count: 1, 2, 3…
    whens = " ".join(f"WHEN {k} THEN {o}" for k, o in enumerate(owners))
    owner = f"CASE WHEN {deal} % 10 = 0 THEN NULL ELSE CASE ({deal} / 10) % {len(owners)} {whens} END END"
    kinds = 3 * len(PRODUCT_GROUPS)
    first = (
        f"""'{{"sku": "' || CASE WHEN {deal} % 20 = 0 THEN 'GONE' ELSE 'BENCH-' || ({deal} % {kinds}) END || '"}}'"""
    )
    second = f"""'{{"sku": "BENCH-' || (({deal} / 3) % {kinds}) || '", "quantity": 2}}'"""
    products = f"CAST('[' || {first} || CASE WHEN {deal} % 3 = 0 THEN '' ELSE ', ' || {second} END || ']' AS {json})"
    await run(f"""
        INSERT INTO opportunities (name, customer_id, stage, amount_cents, currency, probability, expected_close,
                                   owner_id, products, closed_at, created_at, updated_at)
        SELECT 'Deal ' || n, n,
               CASE WHEN b.h < {HOURS - 24 * 90} THEN CASE WHEN n % 3 = 0 THEN 'won' ELSE 'lost' END
                    ELSE CASE n % 4 WHEN 0 THEN 'prospecting' WHEN 1 THEN 'qualification' WHEN 2 THEN 'proposal'
                                    ELSE 'negotiation' END END,
               1000 * (n % 500 + 1), 'USD', 10 + (n % 4) * 20, c.day,
               {owner}, {products}, CASE WHEN b.h < {HOURS - 24 * 90} THEN c.at END, b.at, b.at
        FROM {_numbers(lo, hi, postgres)} JOIN bench_hours b ON b.h = (n * 13) % {HOURS}
             JOIN bench_hours c ON c.h = ((n * 13) % {HOURS} + 24 * (30 + n % 120)) % {HOURS}
        WHERE n % {every} = 0""")
    # Cases: half the customers; resolved unless recent, within or past a 24-hour target.
    await run(f"""
        INSERT INTO cases (subject, description, status, priority, category, customer_id, sla_target_minutes,
                           sla_used_seconds, escalation_level, resolved_at, sla_due_at, created_at, updated_at)
        SELECT 'Router keeps dropping', '', CASE WHEN b.h < {HOURS - 48} THEN 'resolved' ELSE 'open' END,
               'normal', 'technical', n, 1440, 60 * (n % 2000), 0,
               CASE WHEN b.h < {HOURS - 48} THEN r.at END, CASE WHEN b.h >= {HOURS - 48} THEN r.at END, b.at, b.at
        FROM {_numbers(lo, hi, postgres)} JOIN bench_hours b ON b.h = (n * 17) % {HOURS}
             JOIN bench_hours r ON r.h = ((n * 17) % {HOURS} + n % 48) % {HOURS}
        WHERE n % 2 = 0""")
    # Orders and calls, read by customer for the churn list: two orders and three calls each.
    for k in (1, 2):
        await run(f"""
            INSERT INTO orders (number, customer_id, status, items, total_cents, currency, placed_at, notes,
                                created_at, updated_at)
            SELECT 'B' || n || '-{k}', n, 'delivered', '[]', 12900, 'USD', b.at, '', b.at, b.at
            FROM {_numbers(lo, hi, postgres)} JOIN bench_hours b ON b.h = (n * {k * 29}) % {HOURS}""")
    for k in (1, 2, 3):
        await run(f"""
            INSERT INTO activities (type, channel, direction, subject, customer_id, outcome, disposition, started_at,
                                    details, created_at)
            SELECT 'call', 'phone', 'inbound', 'Call', n,
                   CASE WHEN n % 11 = {k} THEN 'abandoned' ELSE 'answered' END,
                   CASE WHEN n % 13 = {k} THEN 'escalated' WHEN n % 11 = {k} THEN NULL ELSE 'resolved' END,
                   b.at, '{{}}', b.at
            FROM {_numbers(lo, hi, postgres)} JOIN bench_hours b ON b.h = (n * {k * 31}) % {HOURS}""")
