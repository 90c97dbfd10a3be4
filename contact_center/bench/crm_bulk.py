"""Bulk synthetic CRM data generated inside SQLite (recursive CTEs), for the million-customer benchmark.

The demo seeder builds richer records in Python at about a thousand customers a second; a million
customers with ten million activities would take it half an hour, so the benchmark lets SQLite make the
rows in C instead. The shapes match the demo data: customers with E.164 phones, accounts, orders, cases
and timelines spread over two years, with the same tables and indexes the server uses.
"""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy.ext.asyncio import AsyncConnection

FIRST = (
    "James",
    "Mary",
    "Robert",
    "Patricia",
    "John",
    "Jennifer",
    "Michael",
    "Linda",
    "David",
    "Elizabeth",
    "Oliver",
    "Amelia",
    "Lukas",
    "Anna",
    "Hugo",
    "Lucía",
    "Aarav",
    "Ananya",
    "Haruto",
    "Yui",
)
LAST = (
    "Smith",
    "Johnson",
    "Williams",
    "Brown",
    "Jones",
    "Garcia",
    "Miller",
    "Davis",
    "Müller",
    "Schmidt",
    "Martin",
    "Bernard",
    "Fernández",
    "López",
    "Sharma",
    "Patel",
    "Sato",
    "Suzuki",
    "Taylor",
    "Wilson",
)
CHUNK = 100_000


def phone_sql(n: str) -> str:
    """A distinct, possible North American number for each n (area and exchange codes 201-998)."""
    return f"'+1' || printf('%03d%03d%04d', 201 + {n} % 798, 201 + ({n} / 798) % 798, ({n} / 636804) % 10000)"


def e164_for(n: int) -> str:
    return f"+1{201 + n % 798:03d}{201 + (n // 798) % 798:03d}{(n // 636804) % 10000:04d}"


async def bulk_seed(
    conn: AsyncConnection, customers: int, activities_per_customer: int, progress: Callable[[int], None] | None = None
) -> dict[str, int]:
    """Insert customers 1..N (the database must hold none yet); the caller commits."""
    run = conn.exec_driver_sql
    await run("CREATE TEMP TABLE bench_first(i INTEGER PRIMARY KEY, name TEXT)")
    await run("CREATE TEMP TABLE bench_last(i INTEGER PRIMARY KEY, name TEXT)")
    await run("INSERT INTO bench_first VALUES " + ",".join(f"({i}, '{n}')" for i, n in enumerate(FIRST)))
    await run("INSERT INTO bench_last VALUES " + ",".join(f"({i}, '{n}')" for i, n in enumerate(LAST)))
    accounts = max(1, customers // 20)
    await run(f"""
        WITH RECURSIVE seq(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM seq WHERE n < {accounts})
        INSERT INTO accounts (id, name, industry, website, segment, timezone, address, tags, created_at, updated_at)
        SELECT n, 'Company ' || n, 'Retail', '', 'smb', 'America/New_York', '{{}}', '[]', datetime('now', '-900 days'),
               datetime('now') FROM seq""")
    # Agents to own records; the reference seed made them.
    agents = (await run("SELECT count(*) FROM users")).scalar() or 1
    for start in range(0, customers, CHUNK):
        end = min(customers, start + CHUNK)
        await run(f"""
            WITH RECURSIVE seq(n) AS (SELECT {start + 1} UNION ALL SELECT n + 1 FROM seq WHERE n < {end})
            INSERT INTO customers (id, first_name, last_name, account_id, emails, address, country, timezone, language,
                                   tags, vip, segment, account_manager_id, created_at, updated_at)
            SELECT n, f.name, l.name, CASE WHEN n % 7 = 0 THEN 1 + n % {accounts} END,
                   json_array('c' || n || '@example.com'), json_object('city', 'Springfield', 'country', 'US'), 'US',
                   'America/New_York', 'en', '[]', n % 25 = 0, CASE WHEN n % 25 = 0 THEN 'vip' ELSE 'standard' END,
                   CASE WHEN n % 25 = 0 THEN 1 + n % {agents} END,
                   datetime('now', '-' || (30 + n % 1300) || ' days'), datetime('now', '-' || (n % 30) || ' days')
            FROM seq JOIN bench_first f ON f.i = n % {len(FIRST)} JOIN bench_last l ON l.i = (n / {len(FIRST)}) % {len(LAST)}
            """)
        await run(f"""
            INSERT INTO phones (e164, kind, customer_id)
            SELECT {phone_sql("id")}, 'mobile', id FROM customers WHERE id > {start} AND id <= {end}""")
        await run(f"""
            INSERT INTO orders (number, customer_id, status, items, total_cents, currency, placed_at, shipped_at,
                                carrier, tracking_number, notes, created_at, updated_at)
            SELECT 'B' || c.id || '-' || k.j, c.id,
                   CASE abs(random()) % 5 WHEN 0 THEN 'processing' WHEN 1 THEN 'shipped' ELSE 'delivered' END,
                   '[{{"sku": "SKU-ROUTER", "quantity": 1, "unit_price_cents": 12900}}]', 12900, 'USD',
                   datetime('now', '-' || (abs(random()) % 700) || ' days'), NULL, 'UPS', NULL, '',
                   datetime('now'), datetime('now')
            FROM customers c JOIN (SELECT 1 AS j UNION ALL SELECT 2) k ON k.j <= 1 + c.id % 2
            WHERE c.id > {start} AND c.id <= {end}""")
        await run(f"""
            INSERT INTO cases (number, subject, description, status, priority, category, customer_id, sla_target_minutes,
                               sla_used_seconds, escalation_level, created_at, updated_at)
            SELECT NULL, 'Router keeps dropping connection', '', CASE WHEN id % 2 = 0 THEN 'open' ELSE 'resolved' END,
                   'normal', 'technical', id, 1440, 0, 0, datetime('now', '-' || (id % 60) || ' days'), datetime('now')
            FROM customers WHERE id > {start} AND id <= {end} AND id % 3 = 0""")
        # About activities_per_customer rows each (binomial spread), two years of history, newest last.
        await run(f"""
            WITH RECURSIVE k(j) AS (SELECT 1 UNION ALL SELECT j + 1 FROM k WHERE j < {2 * activities_per_customer})
            INSERT INTO activities (type, channel, direction, subject, customer_id, account_id, agent_id, interaction_id,
                                    queue, disposition, outcome, started_at, ended_at, details, created_at)
            SELECT CASE WHEN r < 55 THEN 'call' WHEN r < 70 THEN 'ivr' WHEN r < 85 THEN 'email' ELSE 'note' END,
                   CASE WHEN r < 70 THEN 'phone' WHEN r < 85 THEN 'email' ELSE 'system' END,
                   CASE WHEN r < 85 THEN 'inbound' END, 'Synthetic interaction', cid, acc,
                   CASE WHEN r < 55 THEN 1 + r % {agents} END, 'bulk-' || cid || '-' || j,
                   CASE WHEN r < 55 THEN 'general' END, CASE WHEN r < 55 THEN 'resolved' END, 'answered',
                   started, datetime(started, '+' || (60 + r * 7) || ' seconds'),
                   CASE WHEN r < 55 THEN json_object('wait_seconds', r % 60, 'talk_seconds', 60 + r * 7) ELSE '{{}}' END,
                   started
            FROM (SELECT c.id AS cid, c.account_id AS acc, k.j AS j, abs(random()) % 100 AS r,
                         datetime('now', '-' || (abs(random()) % 63072000) || ' seconds') AS started
                  FROM customers c CROSS JOIN k WHERE c.id > {start} AND c.id <= {end} AND abs(random()) % 2 = 0)
            """)
        if progress:
            progress(end)
    await run("UPDATE cases SET number = 20000 + id WHERE number IS NULL")
    counts = {}
    for table in ("customers", "phones", "orders", "cases", "activities"):
        counts[table] = (await run(f"SELECT count(*) FROM {table}")).scalar() or 0
    return counts
