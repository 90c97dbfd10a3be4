"""`contact-center migrate [--revision REV | --downgrade REV]`."""

from __future__ import annotations

import argparse
from typing import Any

from contact_center.cli._common import load_settings, run
from contact_center.store import migrate
from contact_center.store.engine import create_engine


def register(sub: Any) -> None:
    parser = sub.add_parser("migrate", help="bring the database schema up to date")
    parser.add_argument("--revision", default="head", help="upgrade to this revision (default: head)")
    parser.add_argument("--downgrade", metavar="REV", help="downgrade to this revision instead (e.g. base)")
    parser.set_defaults(func=main)


def main(args: argparse.Namespace) -> int:
    settings = load_settings()

    async def go() -> str | None:
        engine = create_engine(settings)
        try:
            if args.downgrade:
                await migrate.downgrade(engine, args.downgrade)
            else:
                await migrate.upgrade(engine, args.revision)
            return await migrate.current_revision(engine)
        finally:
            await engine.dispose()

    print(f"database at revision {run(go) or 'base (empty)'}")
    return 0
