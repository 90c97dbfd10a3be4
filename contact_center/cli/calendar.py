"""`contact-center calendar override NAME open|closed --until TIME [--reason TEXT]`, `... override NAME clear`
and `contact-center calendar status NAME`: open or close now, from the command line (audited)."""

from __future__ import annotations

import argparse
import datetime as dt
import getpass
import socket
import sys
from typing import Any
from zoneinfo import ZoneInfo

from contact_center.cli._common import load_settings, ready_engine, run
from contact_center.crm.errors import NotFound, ValidationFailed
from contact_center.services.admin import overrides
from contact_center.store.engine import session_factory


def register(sub: Any) -> None:
    parser = sub.add_parser("calendar", help="open or close a calendar now (override), or show its status")
    actions = parser.add_subparsers(dest="action", metavar="ACTION")
    actions.required = True
    override = actions.add_parser("override", help="open or close NAME until a time, or clear the override")
    override.add_argument("name")
    override.add_argument("state", choices=["open", "closed", "clear"])
    override.add_argument("--until", help="HH:MM (next such time in the calendar's zone) or 2026-12-06T22:00")
    override.add_argument("--reason", default="", help="why (shown on the board and in the audit trail)")
    override.set_defaults(func=override_main)
    status = actions.add_parser("status", help="whether NAME is open now, and why")
    status.add_argument("name")
    status.set_defaults(func=status_main)


def override_main(args: argparse.Namespace) -> int:
    if args.state != "clear" and not args.until:
        print("contact-center calendar override: --until TIME is needed to open or close", file=sys.stderr)
        return 2
    settings = load_settings()
    actor = f"cli:{getpass.getuser()}@{socket.gethostname()}"
    now = dt.datetime.now(dt.UTC)

    async def go() -> dict[str, Any]:
        engine = await ready_engine(settings)
        try:
            async with session_factory(engine).begin() as session:
                if args.state == "clear":
                    await overrides.clear_override(session, args.name, actor=actor, now=now)
                else:
                    current = await overrides.calendar_status(session, args.name, now)
                    until = overrides.until_time(args.until, ZoneInfo(current["timezone"]), now)
                    reason = args.reason or f"{args.state} from the command line"
                    await overrides.set_override(session, args.name, args.state, until, reason, actor=actor, now=now)
                return await overrides.calendar_status(session, args.name, now)
        finally:
            await engine.dispose()

    try:
        status = run(go)
    except NotFound as exc:
        print(f"contact-center calendar override: {exc}", file=sys.stderr)
        return 1
    except (ValidationFailed, ValueError) as exc:
        print(f"contact-center calendar override: --until: {exc}", file=sys.stderr)
        return 2
    print(_describe(status))
    return 0


def status_main(args: argparse.Namespace) -> int:
    settings = load_settings()

    async def go() -> dict[str, Any]:
        engine = await ready_engine(settings)
        try:
            async with session_factory(engine)() as session:
                return await overrides.calendar_status(session, args.name, dt.datetime.now(dt.UTC))
        finally:
            await engine.dispose()

    try:
        print(_describe(run(go)))
    except NotFound as exc:
        print(f"contact-center calendar status: {exc}", file=sys.stderr)
        return 1
    return 0


def _describe(status: dict[str, Any]) -> str:
    line = f"{status['name']}: {status['status']}"
    override = status.get("override")
    if override:
        line += f" until {override['until']} (override: {override['reason']})"
    elif status.get("next_open"):
        line += f"; opens {status['next_open']}"
    return line
