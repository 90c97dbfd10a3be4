"""`contact-center ivr validate|simulate`: check flow files, and run a flow against the CRM with scripted keys.

Validate prints each problem as ``file:line: message`` and exits 1 on any error.
Simulate's ``--digits`` answers successive prompts, comma separated: ``"1,4521#"``
presses 1 then types 4521#; an empty item or ``T`` is a timeout, ``H`` hangs up;
when items run out the caller stays silent.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any, TypeVar

from contact_center.cli._common import load_settings, run
from contact_center.config import Settings
from contact_center.domain.ivr.model import FlowSet
from contact_center.flows.demo import demo_directory
from contact_center.flows.directory import Directory
from contact_center.flows.dry_run import DigitsError, parse_digits, simulate
from contact_center.flows.lookups import normalize_number
from contact_center.flows.validator import validate_paths

T = TypeVar("T")
NO_CRM_NOTICE = "notice: no CRM given (--crm or --demo): queue and calendar names were not checked"


def register(sub: Any) -> None:
    parser: argparse.ArgumentParser = sub.add_parser("ivr", help="validate and simulate IVR flows")
    commands = parser.add_subparsers(dest="ivr_command", metavar="COMMAND")
    commands.required = True
    check = commands.add_parser("validate", help="check flow files; print file:line: message for each problem")
    check.add_argument("paths", nargs="+", type=Path, metavar="PATH", help="flow files or directories of them")
    _crm_options(check)
    check.set_defaults(func=validate_command)
    sim = commands.add_parser("simulate", help="run a flow with scripted key presses and print the transcript")
    sim.add_argument("flow", metavar="FLOW", help="a flow name (from CC_IVR_FLOWS_DIR) or a flow file")
    sim.add_argument("--ani", default="", metavar="NUMBER", help="the caller's number (any format; empty: withheld)")
    sim.add_argument("--digits", default="", help='answers to successive prompts, e.g. "1,4521#" ("" or T: timeout)')
    sim.add_argument("--at", metavar="ISO-TIME", help="the call's time (default now; without an offset: UTC)")
    sim.add_argument("--json", action="store_true", help="print one JSON object")
    _crm_options(sim)
    sim.set_defaults(func=simulate_command)


def _crm_options(parser: argparse.ArgumentParser) -> None:
    group = parser.add_mutually_exclusive_group()
    group.add_argument("--crm", action="store_true", help="use the configured database (CC_DATABASE_URL)")
    group.add_argument("--demo", action="store_true", help="use a small built-in demo CRM instead of the database")


async def _with_directory(settings: Settings, demo: bool, use: Callable[[Directory], Awaitable[T]]) -> T:
    if demo:
        return await use(demo_directory())
    from contact_center.flows.sql_directory import SqlDirectory
    from contact_center.store.engine import create_engine, session_factory

    engine = create_engine(settings)
    try:
        return await use(SqlDirectory(session_factory(engine)))
    finally:
        await engine.dispose()


def validate_command(args: argparse.Namespace) -> int:
    missing = [p for p in args.paths if not p.exists()]
    for path in missing:
        print(f"{path}:1: no such file or directory", file=sys.stderr)
    settings = load_settings()
    queues: set[str] | None = None
    calendars: set[str] | None = None
    if args.crm or args.demo:

        async def names(directory: Directory) -> tuple[set[str], set[str]]:
            return await directory.queue_names(), await directory.calendar_names()

        try:
            queues, calendars = run(lambda: _with_directory(settings, args.demo, names))
        except Exception as exc:
            print(f"contact-center ivr validate: cannot read the CRM: {exc}", file=sys.stderr)
            return 2
    else:
        print(NO_CRM_NOTICE, file=sys.stderr)
    existing = [p for p in args.paths if p.exists()]
    result = validate_paths(existing, queues=queues, calendars=calendars, region=settings.default_region)
    for problem in result.problems:
        print(problem)
    errors = len(result.errors) + len(missing)
    valid = ", ".join(sorted(result.flows)) or "none"
    print(
        f"{len(result.flows)} flow(s) valid ({valid}); {errors} error(s), {len(result.warnings)} warning(s)",
        file=sys.stderr,
    )
    return 1 if errors else 0  # warnings alone do not fail a check


def _flow_location(flow: str, settings: Settings) -> tuple[Path, str]:
    path = Path(flow)
    if path.suffix in (".yaml", ".yml") or path.is_file():
        return path.parent, path.stem
    return settings.ivr_flows_dir, flow


def _parse_at(text: str | None) -> dt.datetime:
    if not text:
        return dt.datetime.now(dt.UTC)
    try:
        at = dt.datetime.fromisoformat(text)
    except ValueError:
        raise SystemExit(
            f"contact-center ivr simulate: --at {text!r} is not an ISO time like 2026-03-09T10:00-05:00"
        ) from None
    return at if at.tzinfo is not None else at.replace(tzinfo=dt.UTC)


def simulate_command(args: argparse.Namespace) -> int:
    settings = load_settings()
    try:
        digits = parse_digits(args.digits)
    except DigitsError as exc:
        print(f"contact-center ivr simulate: --digits: {exc}", file=sys.stderr)
        return 2
    at = _parse_at(args.at)
    folder, name = _flow_location(args.flow, settings)
    region = settings.default_region
    result = validate_paths(
        [folder / f"{name}.yaml"] if (folder / f"{name}.yaml").exists() else [folder], region=region
    )
    if name not in result.flows:
        for problem in result.problems:
            print(problem, file=sys.stderr)
        print(f"contact-center ivr simulate: no valid flow {name!r} in {folder}", file=sys.stderr)
        return 1
    flows = FlowSet.of(*_all_flows(folder, result.flows, region).values())
    caller = normalize_number(args.ani, settings.default_region)

    async def go(directory: Directory) -> Any:
        return await simulate(flows, name, directory, caller=caller, digits=digits, at=at)

    try:
        transcript = run(lambda: _with_directory(settings, args.demo, go))
    except Exception as exc:
        print(f"contact-center ivr simulate: {type(exc).__name__}: {exc}", file=sys.stderr)
        print("(is the database migrated and seeded? try `contact-center seed`, or --demo)", file=sys.stderr)
        return 1
    if args.json:
        print(json.dumps(transcript.to_dict(), indent=2, ensure_ascii=False, default=str))
        return 0
    print(f"flow {name} (version {transcript.version})")
    print("\n".join(transcript.lines))
    print("variables:")
    for key, value in sorted(transcript.variables.items()):
        print(f"  {key} = {value!r}")
    return 0


def _all_flows(folder: Path, flows: dict[str, Any], region: str) -> dict[str, Any]:
    """The named flow plus every other valid flow beside it, so goto and sub-flows resolve."""
    return {**validate_paths([folder], region=region).flows, **flows}
