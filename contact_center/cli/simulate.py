"""`contact-center simulate acd …`: a discrete-event run through the real router and metrics."""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import asdict
from typing import Any

from contact_center.domain.dialer.pacing import MODES
from contact_center.sim.acd import SimParams, simulate
from contact_center.sim.dialer import DialerParams, simulate_dialer


def register(sub: Any) -> None:
    parser: argparse.ArgumentParser = sub.add_parser("simulate", help="simulate the contact center on a virtual clock")
    kinds = parser.add_subparsers(dest="model", metavar="MODEL")
    kinds.required = True
    acd = kinds.add_parser("acd", help="one queue: Poisson arrivals, N agents; compare with Erlang C / A")
    acd.add_argument("--agents", type=int, required=True)
    acd.add_argument("--calls-per-hour", type=float, required=True)
    acd.add_argument("--aht", type=float, required=True, metavar="SECONDS", help="mean handling time")
    acd.add_argument("--aht-distribution", choices=("exponential", "lognormal"), default="exponential")
    acd.add_argument("--patience", type=float, metavar="SECONDS", help="mean patience (exponential); default: infinite")
    acd.add_argument("--hours", type=float, required=True)
    acd.add_argument("--sl-threshold", type=float, default=20.0, metavar="SECONDS")
    acd.add_argument("--short-abandon", type=float, default=5.0, metavar="SECONDS")
    acd.add_argument("--seed", type=int, default=1)
    acd.add_argument("--json", action="store_true", help="print one JSON object")
    acd.set_defaults(func=run_acd)
    dialer = kinds.add_parser("dialer", help="a day of outbound calling through the real pacing and abandonment ledger")
    dialer.add_argument("--agents", type=int, required=True)
    dialer.add_argument("--mode", choices=MODES, required=True)
    dialer.add_argument(
        "--live-answer-rate", type=float, required=True, metavar="P", help="share of dialled lines a person answers"
    )
    dialer.add_argument("--aht", type=float, required=True, metavar="SECONDS", help="mean handle time (talk + wrap-up)")
    dialer.add_argument("--hours", type=float, required=True)
    dialer.add_argument(
        "--target-abandon", type=float, default=0.025, metavar="R", help="predictive steers under this (default 0.025)"
    )
    dialer.add_argument("--seed", type=int, default=1)
    dialer.add_argument("--json", action="store_true", help="print one JSON object")
    dialer.set_defaults(func=run_dialer)


def run_acd(args: argparse.Namespace) -> int:
    try:
        params = SimParams(
            agents=args.agents,
            calls_per_hour=args.calls_per_hour,
            aht_seconds=args.aht,
            hours=args.hours,
            sl_threshold_seconds=args.sl_threshold,
            seed=args.seed,
            aht_distribution=args.aht_distribution,
            patience_seconds=args.patience,
            short_abandon_seconds=args.short_abandon,
        )
    except ValueError as exc:
        print(f"simulate acd: {exc}", file=sys.stderr)
        return 2
    result = simulate(params)
    theory = None if result.theory is None else asdict(result.theory)
    if args.json:
        print(json.dumps({**result.figures, "params": asdict(params), "theory": theory}))
        return 0
    for key, value in result.figures.items():
        print(f"{key:28} {_fmt(value)}")
    if theory is not None:
        print(f"theory ({theory.pop('model')}):")
        for key, value in theory.items():
            print(f"  {key:26} {_fmt(value)}")
    return 0


def _fmt(value: object) -> str:
    return f"{value:.4f}" if isinstance(value, float) else str(value)


def run_dialer(args: argparse.Namespace) -> int:
    try:
        params = DialerParams(
            agents=args.agents,
            mode=args.mode,
            live_answer_rate=args.live_answer_rate,
            aht_seconds=args.aht,
            hours=args.hours,
            target_abandon=args.target_abandon,
            seed=args.seed,
        )
    except ValueError as exc:
        print(f"simulate dialer: {exc}", file=sys.stderr)
        return 2
    result = simulate_dialer(params)
    if args.json:
        print(json.dumps(result))
        return 0
    for key, value in result.items():
        print(f"{key:28} {_fmt(value)}")
    return 0
