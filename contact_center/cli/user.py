"""`contact-center user add NAME --role ROLE [--extension EXT] [--queues all|q1,q2] [--skills english:5,billing:3]`
(password on stdin)."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from contact_center.cli._common import load_settings, ready_engine, run
from contact_center.crm.errors import Conflict, ValidationFailed
from contact_center.crm.users import add_user
from contact_center.store.engine import session_factory


def register(sub: Any) -> None:
    parser = sub.add_parser("user", help="manage users")
    actions = parser.add_subparsers(dest="action", metavar="ACTION")
    actions.required = True
    add = actions.add_parser("add", help="add a user; the password is read from standard input")
    add.add_argument("name")
    add.add_argument("--role", required=True, choices=["agent", "supervisor", "admin"])
    add.add_argument("--extension", help="the SIP extension of the user's phone, e.g. 2001")
    add.add_argument("--queues", help="'all' or a comma-separated list of queue names")
    add.add_argument(
        "--skills",
        help="skill:level pairs (levels 1-10), e.g. english:5,billing:3, or 'none'; "
        "default for an agent: what their queues require, every other skill at 1",
    )
    add.add_argument("--display-name", default="")
    add.set_defaults(func=add_main)


def parse_skills(raw: str | None) -> dict[str, int] | None:
    """``english:5,billing:3`` → {"english": 5, "billing": 3}; ``none`` → {}; nothing → None (the default)."""
    if raw is None:
        return None
    if raw.strip().lower() == "none":
        return {}
    skills: dict[str, int] = {}
    for part in filter(None, (p.strip() for p in raw.split(","))):
        name, sep, level = part.partition(":")
        if not sep or not name.strip() or not level.strip().isdigit():
            raise ValueError(f"{part!r} is not skill:level (e.g. english:5)")
        skills[name.strip()] = int(level)
    return skills


def read_password() -> str:
    if sys.stdin.isatty():
        import getpass

        return getpass.getpass("Password: ")
    return sys.stdin.readline().rstrip("\r\n")


def add_main(args: argparse.Namespace) -> int:
    settings = load_settings()
    password = read_password()
    queues: str | list[str] | None = None
    if args.queues:
        queues = "all" if args.queues == "all" else [q.strip() for q in args.queues.split(",") if q.strip()]
    try:
        skills = parse_skills(args.skills)
    except ValueError as exc:
        print(f"contact-center user add: --skills: {exc}", file=sys.stderr)
        return 2

    async def go() -> int:
        engine = await ready_engine(settings)
        try:
            async with session_factory(engine).begin() as session:
                user = await add_user(
                    session,
                    args.name,
                    args.role,
                    password,
                    display_name=args.display_name,
                    extension=args.extension,
                    queues=queues,
                    skills=skills,
                )
                return user.id
        finally:
            await engine.dispose()

    try:
        user_id = run(go)
    except (ValidationFailed, Conflict) as exc:
        print(f"contact-center user add: {exc}", file=sys.stderr)
        return 2
    print(f"added {args.role} {args.name} (id {user_id})")
    return 0
