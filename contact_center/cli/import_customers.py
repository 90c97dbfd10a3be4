"""`contact-center import customers FILE.csv`: bad rows are reported by line number; good rows are kept."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from contact_center.cli._common import Progress, load_settings, ready_engine, run
from contact_center.crm.importer import ImportReport, count_records, import_customers
from contact_center.store.engine import session_factory


def register(sub: Any) -> None:
    parser = sub.add_parser("import", help="import records from a file")
    kinds = parser.add_subparsers(dest="kind", metavar="KIND")
    kinds.required = True
    customers = kinds.add_parser(
        "customers",
        help="import customers from CSV",
        description="Columns: first_name, last_name (required); phones, emails, tags (several values "
        "separated by ';'); street, city, region, postal_code, country, timezone, language, vip, segment.",
    )
    customers.add_argument("file", type=Path)
    customers.set_defaults(func=main)


def main(args: argparse.Namespace) -> int:
    path: Path = args.file
    if not path.is_file():
        print(f"contact-center import: {path}: no such file", file=sys.stderr)
        return 2
    settings = load_settings()
    try:
        total = count_records(path)
    except UnicodeDecodeError as exc:
        print(f"contact-center import: {path}: {exc}", file=sys.stderr)
        return 2

    async def go() -> ImportReport:
        engine = await ready_engine(settings)
        try:
            progress = Progress(f"importing {path.name}", total)
            return await import_customers(session_factory(engine), path, settings.default_region, progress.update)
        finally:
            await engine.dispose()

    try:
        report = run(go)
    except (ValueError, UnicodeDecodeError) as exc:
        print(f"contact-center import: {path}: {exc}", file=sys.stderr)
        return 2
    for err in report.errors:
        print(f"{path}:{err.line}: {err.reason}", file=sys.stderr)
    print(f"imported {report.imported:,} customers from {path}; {len(report.errors):,} row(s) rejected")
    return 1 if report.errors else 0
