"""`contact-center config export | plan FILE | apply FILE`: the centre's configuration as code.

``export`` prints every queue, skill, team, calendar and disposition as YAML. ``plan FILE`` prints what
applying FILE would create (+), change (~) and remove (-) and exits 0 when nothing would change, 2 when
something would, 1 when the file is refused (each problem as ``FILE:LINE: reason`` on stderr).
``apply FILE`` applies it in one transaction: exit 0 when applied, 1 when refused (nothing changed).
Running servers pick the change up within seconds, without a restart.
"""

from __future__ import annotations

import argparse
import datetime as dt
import getpass
import socket
import sys
from pathlib import Path
from typing import Any

import yaml

from contact_center.cli._common import load_settings, ready_engine, run
from contact_center.crm import configuration as stored
from contact_center.services.admin import configuration as config
from contact_center.store.engine import session_factory


def register(sub: Any) -> None:
    parser = sub.add_parser("config", help="export, plan or apply the centre's configuration as YAML")
    actions = parser.add_subparsers(dest="action", metavar="ACTION")
    actions.required = True
    actions.add_parser("export", help="print the whole configuration as YAML").set_defaults(func=export)
    plan = actions.add_parser("plan", help="what applying FILE would change (exit 0: nothing, 2: changes)")
    plan.add_argument("file", type=Path)
    plan.set_defaults(func=plan_file)
    apply = actions.add_parser("apply", help="apply FILE in one transaction (exit 1: refused, nothing changed)")
    apply.add_argument("file", type=Path)
    apply.set_defaults(func=apply_file)


def export(args: argparse.Namespace) -> int:
    settings = load_settings()

    async def go() -> dict[str, Any]:
        engine = await ready_engine(settings)
        try:
            async with session_factory(engine)() as session:
                return config.to_plain(await stored.export(session))
        finally:
            await engine.dispose()

    sys.stdout.write(yaml.safe_dump(run(go), sort_keys=False, allow_unicode=True, width=120))
    return 0


def _read(path: Path) -> str | None:
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        print(f"{path}:1: cannot read the file: {exc}", file=sys.stderr)
        return None


def _refused(refusal: config.DocumentRefused) -> int:
    for problem in refusal.problems:
        print(problem, file=sys.stderr)
    print(f"refused: {len(refusal.problems)} problem(s); nothing was changed", file=sys.stderr)
    return 1


def plan_file(args: argparse.Namespace) -> int:
    return _run_file(args.file, apply=False)


def apply_file(args: argparse.Namespace) -> int:
    return _run_file(args.file, apply=True)


def _run_file(path: Path, *, apply: bool) -> int:
    text = _read(path)
    if text is None:
        return 1
    settings = load_settings()
    actor = f"cli:{getpass.getuser()}@{socket.gethostname()}"

    async def go() -> config.Plan:
        engine = await ready_engine(settings)
        try:
            async with session_factory(engine).begin() as session:
                document = config.read_document(text, str(path), stored=await config.stored_names(session))
                if not apply:
                    return await config.plan(session, document)
                return await config.apply(session, document, actor=actor, now=dt.datetime.now(dt.UTC))
        finally:
            await engine.dispose()

    try:
        steps = run(go)
    except config.DocumentRefused as refusal:
        return _refused(refusal)
    for line in steps.lines():
        print(line)
    if steps.empty:
        print("no changes")
        return 0
    if apply:
        print(f"applied: {len(steps.lines())} change(s)")
        return 0
    return 2
