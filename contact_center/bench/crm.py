"""`contact-center bench crm`: seed a large customer base into SQLite, then time phone lookup and customer 360.

Three ways to the same rows, timed on the same file in one run:
- ``call_lookup_ms``: the call path's look-up of a caller's E.164 number (``CallPathReads`` on the lean
  SQLite reader, as the server runs it), interleaved sample by sample with
- ``bare_lookup_ms``: a bare indexed ``sqlite3`` SELECT of the same columns of the same customers (the
  baseline), each customer read once untimed by both first, and
- ``api_lookup_ms``: the API's look-up (any number format parsed, a connection of the async engine each).
``call_vs_bare`` divides the call path's p50 and p99 by the bare ones. The customer 360 is timed both on
the lean reader (the screen-pop) and through the engine (the API). Figures are printed, never asserted.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import sqlite3
import time
from array import array
from pathlib import Path
from typing import Any

import phonenumbers

from contact_center.bench.crm_bulk import bulk_seed
from contact_center.bench.stats import percentiles
from contact_center.cli._common import Progress
from contact_center.crm.customers import find_by_phone
from contact_center.crm.views import CALL_PATH_STATEMENTS, CallPathReads, customer_360
from contact_center.process import freeze_startup_objects
from contact_center.seed.demo import ensure_reference
from contact_center.store import migrate
from contact_center.store.engine import engine_for_url, session_factory
from contact_center.store.lean_reads import MMAP_BYTES, SqliteRows

WARM_UP = 5000  # other customers looked up untimed first, by both paths (see ``run``)
# The baseline: what SQLite itself costs for the call path's question (who may this caller be: the customers
# owning the number, by ``views.CALLER_COLUMNS``, with their phones), with nothing around it.
BARE_LOOKUP = (
    "SELECT c.id, c.first_name, c.last_name, c.account_id, own.e164, own.kind FROM phones AS m "
    "JOIN customers AS c ON m.customer_id = c.id LEFT JOIN phones AS own ON own.customer_id = c.id "
    "WHERE m.e164 = ? ORDER BY c.id, own.id"
)


def register(kinds: Any) -> None:
    parser = kinds.add_parser("crm", help="phone lookup and customer 360 latency on a large customer base (SQLite)")
    parser.add_argument("--customers", type=int, default=100_000)
    parser.add_argument("--activities-per-customer", type=float, default=10.0)
    parser.add_argument("--database", type=Path, help="SQLite file (default var/bench/crm-N.db)")
    parser.add_argument("--reuse", action="store_true", help="reuse the database file if it is already seeded")
    parser.add_argument("--samples", type=int, default=2000, help="operations timed per measure")
    parser.add_argument(
        "--warm-up", type=int, default=WARM_UP, help="other customers looked up untimed first, by both paths"
    )
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.set_defaults(func=main)


def main(args: argparse.Namespace) -> int:
    path: Path = args.database or Path("var/bench") / f"crm-{args.customers}.db"
    path.parent.mkdir(parents=True, exist_ok=True)
    fresh = not (args.reuse and path.exists())
    if fresh:
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
    result = asyncio.run(run(path, args.customers, args.activities_per_customer, args.samples, fresh, args.warm_up))
    result["database_mb"] = round(path.stat().st_size / 2**20, 1)
    if args.json:
        print(json.dumps(result))
    else:
        for key, value in result.items():
            print(f"{key:>22}: {value}")
    return 0


async def run(
    path: Path, customers: int, per_customer: float, samples: int, fresh: bool, warm_up: int = WARM_UP
) -> dict[str, Any]:
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
            others = [rng.randrange(1, max_id + 1) for _ in range(warm_up)]
            warm_phones = list((await session.scalars(select(Phone.e164).where(Phone.customer_id.in_(others)))).all())
        # The API gets numbers in every format (parsed each time); the call path has E.164 already.
        formatted = [_any_format(p, rng) for p in phones]
        api_lookup = []
        for raw in formatted:
            t = time.perf_counter()
            async with engine.connect() as conn:
                found = await find_by_phone(conn, raw, "US")
            api_lookup.append((time.perf_counter() - t) * 1000)
            assert found, raw
        lean = SqliteRows(path, CALL_PATH_STATEMENTS)
        reads = CallPathReads(engine, lean)
        bare_db = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        bare_db.execute(f"PRAGMA mmap_size={MMAP_BYTES}")  # as the lean reader maps it
        # Both connections are brought to the state a running server's are in by looking up other customers
        # first: a connection's first few thousand reads are slower now and then (measured at 1M customers: ~14
        # page faults, +40 µs, in 3 % of the look-ups of one of the two connections, inside SQLite's page set-up;
        # none after 5,000 look-ups).
        for warm in warm_phones + phones[:100]:
            ours = await reads.callers_by_e164(warm)
            bare = bare_db.execute(BARE_LOOKUP, (warm,)).fetchall()
            # The same question: the same people and phones (the baseline's rows repeat a person per phone).
            people = [(c["id"], c["first_name"], c["last_name"], c["account_id"]) for c in ours]
            assert people == list(dict.fromkeys(r[:4] for r in bare)), warm
            assert [p["e164"] for c in ours for p in c["phones"]] == [r[4] for r in bare if r[4] is not None], warm
        # The samples go into arrays of doubles sized beforehand: the timed loop allocates nothing of its own
        # between the two paths.
        call_lookup, bare_lookup = array("d", bytes(8 * len(phones))), array("d", bytes(8 * len(phones)))
        freeze_startup_objects()  # the garbage collector set as the server sets it once it is up
        for n, e164 in enumerate(phones):
            # Each path reads this customer once untimed first, so both find the same pages at hand: the two
            # connections keep their own page caches, and whichever came first would otherwise pay for
            # fetching the pages from the disk alone. What is timed is the work around the query, not the disk.
            await reads.callers_by_e164(e164)
            bare_db.execute(BARE_LOOKUP, (e164,)).fetchall()
            for which in ("call", "bare") if n % 2 == 0 else ("bare", "call"):  # interleaved: A B, then B A
                t = time.perf_counter()
                if which == "call":
                    found = await reads.callers_by_e164(e164)
                    call_lookup[n] = (time.perf_counter() - t) * 1000
                else:
                    found = bare_db.execute(BARE_LOOKUP, (e164,)).fetchall()
                    bare_lookup[n] = (time.perf_counter() - t) * 1000
                assert found, e164
        bare_db.close()
        view, lean_view = [], []
        for customer_id in ids:
            t = time.perf_counter()
            async with engine.connect() as conn:
                try:
                    await customer_360(conn, customer_id)
                except LookupError:
                    continue
            view.append((time.perf_counter() - t) * 1000)
            t = time.perf_counter()
            await reads.customer_360(customer_id)
            lean_view.append((time.perf_counter() - t) * 1000)
        lean.close()
        result["call_lookup_ms"] = percentiles(list(call_lookup), 4)
        result["bare_lookup_ms"] = percentiles(list(bare_lookup), 4)
        result["call_vs_bare"] = {
            q: round(result["call_lookup_ms"][q] / result["bare_lookup_ms"][q], 2) for q in ("p50", "p99")
        }
        result["api_lookup_ms"] = percentiles(api_lookup, 3)
        result["customer_360_ms"] = {"call_path": percentiles(lean_view, 3), "api": percentiles(view, 3)}
        result["samples"] = {"lookup": len(call_lookup), "customer_360": len(view)}
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
