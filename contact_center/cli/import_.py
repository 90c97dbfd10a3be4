"""`contact-center import customers|leads FILE.csv`: bad rows are reported by line number; good rows are kept."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy.ext.asyncio import AsyncEngine

from contact_center.cli._common import Progress, load_settings, ready_engine, run
from contact_center.clock import SystemClock
from contact_center.config import Settings
from contact_center.crm.importer import ImportReport, count_records, import_customers
from contact_center.crm.lead_import import LeadImportReport, import_leads
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
    leads = kinds.add_parser(
        "leads",
        help="import leads from CSV (checked, scored and assigned as from the web form)",
        description="Columns: last_name (required), first_name, company, email, phone, message (or notes); "
        "a phone or an e-mail on each row.",
    )
    leads.add_argument("file", type=Path)
    leads.add_argument("--source", default="import", help="where these leads came from (default: import)")
    leads.add_argument("--campaign", type=int, help="the marketing campaign (id) that brought them")
    leads.set_defaults(func=main_leads)


R = TypeVar("R")


class ImportFailed(Exception):
    """The file cannot be imported at all; the message says why (what was printed)."""


def _run_import(path: Path, work: Callable[[Settings, AsyncEngine, Progress], Awaitable[R]]) -> R:
    """Read ``path`` with ``work`` on the configured database, with progress; a file that is missing, not text
    or has no usable header is said in one line and raises ``ImportFailed``."""
    if not path.is_file():
        print(f"contact-center import: {path}: no such file", file=sys.stderr)
        raise ImportFailed
    settings = load_settings()
    try:
        total = count_records(path)
    except UnicodeDecodeError as exc:
        print(f"contact-center import: {path}: {exc}", file=sys.stderr)
        raise ImportFailed from None

    async def go() -> R:
        engine = await ready_engine(settings)
        try:
            return await work(settings, engine, Progress(f"importing {path.name}", total))
        finally:
            await engine.dispose()

    try:
        return run(go)
    except (ValueError, UnicodeDecodeError) as exc:
        print(f"contact-center import: {path}: {exc}", file=sys.stderr)
        raise ImportFailed from None


def main(args: argparse.Namespace) -> int:
    path: Path = args.file

    async def work(settings: Settings, engine: AsyncEngine, progress: Progress) -> ImportReport:
        return await import_customers(session_factory(engine), path, settings.default_region, progress.update)

    try:
        report = _run_import(path, work)
    except ImportFailed:
        return 2
    for err in report.errors:
        print(f"{path}:{err.line}: {err.reason}", file=sys.stderr)
    print(f"imported {report.imported:,} customers from {path}; {len(report.errors):,} row(s) rejected")
    return 1 if report.errors else 0


def main_leads(args: argparse.Namespace) -> int:
    path: Path = args.file
    source = args.source.strip()
    if not source or len(source) > 64:
        print("contact-center import: --source: give a name of 1 to 64 characters", file=sys.stderr)
        return 2

    async def work(settings: Settings, engine: AsyncEngine, progress: Progress) -> LeadImportReport:
        return await import_leads(
            session_factory(engine),
            path,
            region=settings.default_region,
            sales_queue=settings.lead_queue,
            now=SystemClock().now(),
            source=source,
            campaign_id=args.campaign,
            progress=progress.update,
        )

    try:
        report = _run_import(path, work)
    except ImportFailed:
        return 2
    for err in report.errors:
        print(f"{path}:{err.line}: {err.reason}", file=sys.stderr)
    for skip in report.skipped:
        print(f"{path}:{skip.line}: {skip.reason} (skipped; noted on its timeline)", file=sys.stderr)
    print(
        f"imported {report.imported:,} leads from {path}; {len(report.skipped):,} known already, "
        f"{len(report.errors):,} row(s) rejected"
    )
    return 1 if report.errors else 0
