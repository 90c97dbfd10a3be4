"""`contact-center token create NAME [--label TEXT]`: print a new API token for user NAME."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from contact_center.cli._common import load_settings, ready_engine, run
from contact_center.clock import SystemClock
from contact_center.crm.errors import NotFound
from contact_center.crm.users import create_token
from contact_center.store.engine import session_factory


def register(sub: Any) -> None:
    parser = sub.add_parser("token", help="manage API tokens")
    actions = parser.add_subparsers(dest="action", metavar="ACTION")
    actions.required = True
    create = actions.add_parser("create", help="print a new bearer token for a user (shown once)")
    create.add_argument("name", help="the username the token acts as")
    create.add_argument("--label", default="cli", help="what the token is for")
    create.add_argument(
        "--read-only",
        action="store_true",
        help="the token may only read (GET): for a wallboard, /wallboard#token=TOKEN",
    )
    create.set_defaults(func=create_main)


def create_main(args: argparse.Namespace) -> int:
    settings = load_settings()

    async def go() -> str:
        engine = await ready_engine(settings)
        try:
            async with session_factory(engine).begin() as session:
                return await create_token(session, args.name, args.label, SystemClock().now(), read_only=args.read_only)
        finally:
            await engine.dispose()

    try:
        print(run(go))
    except NotFound:
        print(f"contact-center token create: no user named {args.name!r}", file=sys.stderr)
        return 2
    return 0
