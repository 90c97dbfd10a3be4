"""`contact-center bench crm`: seed a large customer base into SQLite, then time phone lookup and customer 360.

Lookups go through the same service functions as the API (number parsing included); each operation
opens its own session, as a request does. Figures are printed, never asserted.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import time
from pathlib import Path
from typing import Any

import phonenumbers

from contact_center.bench.crm_bulk import bulk_seed
from contact_center.bench.stats import percentiles
from contact_center.cli._common import Progress
from contact_center.crm.customers import find_by_phone
from contact_center.crm.views import customer_360
from contact_center.seed.demo import ensure_reference
from contact_center.store import migrate
from contact_center.store.engine import engine_for_url, session_factory


def register(kinds: Any) -> None:
    parser = kinds.add_parser("crm", help="phone lookup and customer 360 latency on a large customer base (SQLite)")
    parser.add_argument("--customers", type=int, default=100_000)
    parser.add_argument("--activities-per-customer", type=float, default=10.0)
    parser.add_argument("--database", type=Path, help="SQLite file (default var/bench/crm-N.db)")
    parser.add_argument("--reuse", action="store_true", help="reuse the database file if it is already seeded")
    parser.add_argument("--samples", type=int, default=2000, help="operations timed per measure")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.set_defaults(func=main)


def main(args: argparse.Namespace) -> int:
    path: Path = args.database or Path("var/bench") / f"crm-{args.customers}.db"
    path.parent.mkdir(parents=True, exist_ok=True)
    fresh = not (args.reuse and path.exists())
    if fresh:
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
    result = asyncio.run(run(path, args.customers, args.activities_per_customer, args.samples, fresh))
    result["database_mb"] = round(path.stat().st_size / 2**20, 1)
    if args.json:
        print(json.dumps(result))
    else:
        for key, value in result.items():
            print(f"{key:>22}: {value}")
    return 0


async def run(path: Path, customers: int, per_customer: float, samples: int, fresh: bool) -> dict[str, Any]:
    engine = engine_for_url(f"sqlite+aiosqlite:///{path}")
    result: dict[str, Any] = {"database": str(path), "customers": customers}
    try:
        if fresh:
            await migrate.upgrade(engine)
            await ensure_reference(engine)
            started = time.monotonic()
            progress = Progress("seeding customers", customers)
            async with engine.begin() as conn:
                counts = await bulk_seed(conn, customers, round(per_customer), progress.update)
            result["seed_seconds"] = round(time.monotonic() - started, 1)
            result["activities"] = counts["activities"]
            result["orders"] = counts["orders"]
            async with engine.connect() as conn:
                await conn.exec_driver_sql("ANALYZE")
        sessions = session_factory(engine)
        rng = random.Random(1)
        async with sessions() as session:
            from sqlalchemy import func, select

            from contact_center.store.tables import Activity, Customer, Phone

            max_id = await session.scalar(select(func.max(Customer.id))) or 1
            result.setdefault("activities", await session.scalar(select(func.count()).select_from(Activity)))
            ids = [rng.randrange(1, max_id + 1) for _ in range(samples)]
            phones = list((await session.scalars(select(Phone.e164).where(Phone.customer_id.in_(ids)))).all())
        # Callers' numbers arrive in every format; time the parsing too.
        formatted = [_any_format(p, rng) for p in phones]
        lookup = []
        for raw in formatted:
            t = time.perf_counter()
            async with engine.connect() as conn:
                found = await find_by_phone(conn, raw, "US")
            lookup.append((time.perf_counter() - t) * 1000)
            assert found, raw
        view = []
        for customer_id in ids:
            t = time.perf_counter()
            async with engine.connect() as conn:
                try:
                    await customer_360(conn, customer_id)
                except LookupError:
                    continue
            view.append((time.perf_counter() - t) * 1000)
        result["lookup_ms"] = percentiles(lookup, 3)
        result["customer_360_ms"] = percentiles(view, 3)
        result["samples"] = {"lookup": len(lookup), "customer_360": len(view)}
    finally:
        await engine.dispose()
    return result


def _any_format(e164: str, rng: random.Random) -> str:
    number = phonenumbers.parse(e164)
    style = rng.choice(
        (
            phonenumbers.PhoneNumberFormat.E164,
            phonenumbers.PhoneNumberFormat.INTERNATIONAL,
            phonenumbers.PhoneNumberFormat.NATIONAL,
        )
    )
    text = phonenumbers.format_number(number, style)
    if style == phonenumbers.PhoneNumberFormat.NATIONAL and number.country_code != 1:
        return "00" + str(number.country_code) + str(number.national_number)
    return text
