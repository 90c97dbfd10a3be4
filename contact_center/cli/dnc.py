"""`contact-center dnc add|remove|check NUMBER`, `contact-center dnc import FILE`: the do-not-call list the
dialer checks before every call (a disposition of the dnc category adds to it too)."""

from __future__ import annotations

import argparse
import getpass
import socket
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy.ext.asyncio import AsyncSession

from contact_center.cli._common import load_settings, ready_engine, run
from contact_center.clock import SystemClock
from contact_center.crm import dialing
from contact_center.crm.phones import try_e164
from contact_center.store.engine import session_factory

T = TypeVar("T")


def register(sub: Any) -> None:
    parser = sub.add_parser("dnc", help="the do-not-call list the dialer checks before every call")
    actions = parser.add_subparsers(dest="action", metavar="ACTION")
    actions.required = True
    for name, text in (
        ("add", "never call NUMBER"),
        ("remove", "take NUMBER off the list"),
        ("check", "is NUMBER on it"),
    ):
        one = actions.add_parser(name, help=text)
        one.add_argument("number")
        one.add_argument("--region", help="country of a number written without its code (default: CC_DEFAULT_REGION)")
        if name == "add":
            one.add_argument("--reason", default="asked not to be called")
        one.set_defaults(func=one_main)
    load = actions.add_parser("import", help="add every number of FILE (one per line, or a CSV with a number column)")
    load.add_argument("file", type=Path)
    load.add_argument("--region", help="country of numbers written without their code (default: CC_DEFAULT_REGION)")
    load.set_defaults(func=import_main)


def _actor() -> str:
    return f"cli:{getpass.getuser()}@{socket.gethostname()}"


def _in_transaction(step: Callable[[AsyncSession], Awaitable[T]]) -> T:
    settings = load_settings()

    async def go() -> T:
        engine = await ready_engine(settings)
        try:
            async with session_factory(engine).begin() as session:
                return await step(session)
        finally:
            await engine.dispose()

    return run(go)


def one_main(args: argparse.Namespace) -> int:
    region = (args.region or load_settings().default_region).upper()
    number = try_e164(args.number, region)
    if number is None:
        print(f"dnc {args.action}: {args.number!r} is not a phone number", file=sys.stderr)
        return 2
    now = SystemClock().now()
    if args.action == "add":
        added = _in_transaction(
            lambda s: dialing.add_dnc(s, number, reason=args.reason, source="manual", by=_actor(), now=now)
        )
        print(f"{number}: {'added to' if added else 'already on'} the do-not-call list")
        return 0
    if args.action == "remove":
        removed = _in_transaction(lambda s: dialing.remove_dnc(s, number))
        print(f"{number}: {'taken off' if removed else 'was not on'} the do-not-call list")
        return 0
    listed = _in_transaction(lambda s: dialing.dnc_among(s, [number]))
    print(f"{number}: {'on' if listed else 'not on'} the do-not-call list")
    return 0 if listed else 1


def import_main(args: argparse.Namespace) -> int:
    path: Path = args.file
    if not path.is_file():
        print(f"{path}:1: no such file", file=sys.stderr)
        return 2
    region = (args.region or load_settings().default_region).upper()
    now = SystemClock().now()
    try:
        result = _in_transaction(lambda s: dialing.import_dnc(s, path, region, by=_actor(), now=now))
    except UnicodeDecodeError as exc:
        print(f"{path}:1: not UTF-8 text ({exc})", file=sys.stderr)
        return 2
    for problem in result.problems:
        print(problem, file=sys.stderr)
    print(
        f"{path}: {result.added:,} number(s) added, {result.already:,} already listed, {len(result.problems):,} refused"
    )
    return 0 if result.added or result.already else 1
