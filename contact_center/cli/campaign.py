"""`contact-center campaign import CAMPAIGN FILE.csv [--region US]`: load a dialing list (the campaign is made
if new). Each rejected row is printed as FILE:LINE: reason on stderr; the good rows load; exit 0 when at
least one row loaded."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from contact_center.cli._common import load_settings, ready_engine, run
from contact_center.crm.dialing_lists import ListImport, import_list
from contact_center.store.engine import session_factory


def register(sub: Any) -> None:
    parser = sub.add_parser("campaign", help="outbound campaigns: load dialing lists")
    actions = parser.add_subparsers(dest="action", metavar="ACTION")
    actions.required = True
    load = actions.add_parser("import", help="load a CSV dialing list into CAMPAIGN (made if new)",
                              description="Columns: phone (or number), and optionally first_name, last_name, "
                              "country (two letters, for numbers written without a country code) and any "
                              "others, kept with the record.")  # fmt: skip
    load.add_argument("campaign")
    load.add_argument("file", type=Path)
    load.add_argument("--region", help="country of numbers written without a country code (default: CC_DEFAULT_REGION)")
    load.set_defaults(func=import_main)


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
