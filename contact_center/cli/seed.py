"""`contact-center seed --customers N`: demo organisation (on an empty database) plus N synthetic customers."""

from __future__ import annotations

import argparse
import time
from typing import Any

from contact_center.cli._common import Progress, load_settings, ready_engine, run
from contact_center.clock import SystemClock
from contact_center.seed.demo import ensure_reference, print_logins, seed


def register(sub: Any) -> None:
    parser = sub.add_parser("seed", help="fill the database with believable demo data")
    parser.add_argument("--customers", type=int, default=2000, help="how many customers to add (default 2000)")
    parser.add_argument("--activities-per-customer", type=float, default=6.0)
    parser.add_argument("--seed", type=int, default=7, help="random seed (same seed, same data)")
    parser.set_defaults(func=main)


def main(args: argparse.Namespace) -> int:
    if args.customers < 0:
        raise SystemExit("contact-center seed: --customers must be 0 or more")
    settings = load_settings()

    async def go() -> None:
        engine = await ready_engine(settings)
        try:
            logins = await ensure_reference(engine)
            if logins:
                print_logins(logins, f"http://{settings.http_host}:{settings.http_port}")
            started = time.monotonic()
            progress = Progress("customers", args.customers)
            result = await seed(
                engine,
                args.customers,
                SystemClock().now(),
                seed_value=args.seed,
                activities_per_customer=args.activities_per_customer,
                progress=progress.update,
            )
            print(
                f"seeded {result.customers:,} customers, {result.accounts:,} accounts, {result.orders:,} orders, "
                f"{result.cases:,} cases, {result.opportunities:,} opportunities, {result.leads:,} leads, "
                f"{result.activities:,} activities in {time.monotonic() - started:.1f} s"
            )
        finally:
            await engine.dispose()

    run(go)
    return 0
