"""`contact-center campaign import CAMPAIGN FILE.csv [--region US]`: load a dialing list (the campaign is made
if new). Each rejected row is printed as FILE:LINE: reason on stderr; the good rows load; exit 0 when at
least one row loaded.

`contact-center campaign recycle CAMPAIGN [--results busy,no_answer,...]`: records that used their attempts
without reaching anyone get another round. `contact-center campaign reset CAMPAIGN`: the list from the start
(all but do-not-call)."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from contact_center.cli._common import load_settings, ready_engine, run
from contact_center.crm.dialing import RECYCLABLE, recycle, reset
from contact_center.crm.dialing_lists import ListImport, import_list
from contact_center.crm.errors import NotFound
from contact_center.store.engine import session_factory


def register(sub: Any) -> None:
    parser = sub.add_parser("campaign", help="outbound campaigns: load, recycle and reset dialing lists")
    actions = parser.add_subparsers(dest="action", metavar="ACTION")
    actions.required = True
    load = actions.add_parser(
        "import",
        help="load a CSV dialing list into CAMPAIGN (made if new)",
        description="Columns: phone (or number), and optionally first_name, last_name, "
        "country (two letters, for numbers written without a country code) and any "
        "others, kept with the record.",
    )
    load.add_argument("campaign")
    load.add_argument("file", type=Path)
    load.add_argument("--region", help="country of numbers written without a country code (default: CC_DEFAULT_REGION)")
    load.set_defaults(func=import_main)
    again = actions.add_parser(
        "recycle", help="records that used their attempts without reaching anyone: another round"
    )
    again.add_argument("campaign")
    again.add_argument(
        "--results",
        default=",".join(RECYCLABLE),
        help=f"which last results to recycle (comma-separated; default {','.join(RECYCLABLE)})",
    )
    again.set_defaults(func=recycle_main)
    restart = actions.add_parser("reset", help="the list from the start: every record but do-not-call is new again")
    restart.add_argument("campaign")
    restart.set_defaults(func=reset_main)


def import_main(args: argparse.Namespace) -> int:
    path: Path = args.file
    if not path.is_file():
        print(f"{path}:1: no such file", file=sys.stderr)
        return 2
    settings = load_settings()
    region = (args.region or settings.default_region).upper()

    async def go() -> ListImport:
        engine = await ready_engine(settings)
        try:
            async with session_factory(engine).begin() as session:
                return await import_list(session, args.campaign, path, region)
        finally:
            await engine.dispose()

    try:
        result = run(go)
    except UnicodeDecodeError as exc:
        print(f"{path}:1: not UTF-8 text ({exc})", file=sys.stderr)
        return 2
    for problem in result.problems:
        print(problem, file=sys.stderr)
    made = " (new campaign, a draft in preview mode)" if result.created_campaign else ""
    print(
        f"{result.campaign}{made}: loaded {result.loaded:,} record(s), {result.matched_customers:,} of them known "
        f"customers; {len(result.problems):,} row(s) rejected or skipped ({result.duplicates:,} duplicate(s))"
    )
    return 0 if result.loaded else 1


def recycle_main(args: argparse.Namespace) -> int:
    results = [r.strip() for r in args.results.split(",") if r.strip()]
    unknown = sorted(set(results) - set(RECYCLABLE))
    if unknown or not results:
        print(f"--results: {', '.join(unknown) or 'none given'}: use some of {', '.join(RECYCLABLE)}", file=sys.stderr)
        return 2
    return _another_round(args.campaign, lambda session: recycle(session, args.campaign, results), "recycled")


def reset_main(args: argparse.Namespace) -> int:
    return _another_round(args.campaign, lambda session: reset(session, args.campaign), "reset to new")


def _another_round(campaign: str, change: Callable[[AsyncSession], Awaitable[int]], done: str) -> int:
    settings = load_settings()

    async def go() -> int:
        engine = await ready_engine(settings)
        try:
            async with session_factory(engine).begin() as session:
                return await change(session)
        finally:
            await engine.dispose()

    try:
        count = run(go)
    except NotFound:
        print(f"no campaign {campaign!r} (contact-center config export lists them)", file=sys.stderr)
        return 1
    print(f"{campaign}: {count:,} record(s) {done}")
    return 0
