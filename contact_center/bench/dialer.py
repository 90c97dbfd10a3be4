"""`contact-center bench dialer`: progressive against predictive over several seeded days.

Each day goes through the real pacing and abandonment ledger (sim/dialer.py) on a virtual clock. Printed per
mode: occupancy (lowest and mean over the days; handle time inside the shift over agents times the shift), the
day's abandonment and the worst rolling 24-hour rate, and connects per agent hour. The goal it checks is the
outbound issue's: predictive occupancy at least 0.88 on every day with abandonment at most 3 % in every
window, well above progressive.
"""

from __future__ import annotations

import argparse
import json
import sys
from concurrent.futures import ProcessPoolExecutor, as_completed
from typing import Any

from contact_center.sim.dialer import DialerParams, simulate_dialer

GOAL_OCCUPANCY = 0.88
ABANDON_CAP = 0.03


def register(kinds: Any) -> None:
    parser = kinds.add_parser("dialer", help="progressive vs predictive: occupancy and abandonment over seeded days")
    parser.add_argument("--agents", type=int, default=25)
    parser.add_argument("--live-answer-rate", type=float, default=0.3)
    parser.add_argument("--aht", type=float, default=180.0, help="mean handle time, seconds")
    parser.add_argument("--hours", type=float, default=8.0)
    parser.add_argument("--target-abandon", type=float, default=0.025)
    parser.add_argument("--seeds", type=int, default=10, help="days simulated per mode (seeds 1..N)")
    parser.add_argument("--workers", type=int, default=2, help="processes running days side by side")
    parser.add_argument("--json", action="store_true")
    parser.set_defaults(func=main)


def main(args: argparse.Namespace) -> int:
    if args.seeds < 1 or args.workers < 1:
        print("contact-center bench dialer: --seeds and --workers must be at least 1", file=sys.stderr)
        return 2
    days = []
    try:
        for mode in ("progressive", "predictive"):
            for seed in range(1, args.seeds + 1):
                days.append(
                    DialerParams(
                        agents=args.agents,
                        mode=mode,
                        live_answer_rate=args.live_answer_rate,
                        aht_seconds=args.aht,
                        hours=args.hours,
                        target_abandon=args.target_abandon,
                        seed=seed,
                    )
                )
    except ValueError as exc:
        print(f"contact-center bench dialer: {exc}", file=sys.stderr)
        return 2
    results: list[dict[str, Any]] = []
    with ProcessPoolExecutor(max_workers=args.workers) as pool:
        for done, future in enumerate(as_completed([pool.submit(simulate_dialer, day) for day in days]), 1):
            results.append(future.result())
            print(f"{done}/{len(days)} days simulated", file=sys.stderr)
    summary: dict[str, Any] = {
        mode: summarise([r for r in results if r["mode"] == mode]) for mode in ("progressive", "predictive")
    }
    predictive = summary["predictive"]
    summary["goal_met"] = bool(
        predictive["occupancy_min"] >= GOAL_OCCUPANCY
        and predictive["worst_24h_abandon_rate"] <= ABANDON_CAP
        and predictive["occupancy_min"] > summary["progressive"]["occupancy_mean"]
    )
    if args.json:
        print(json.dumps(summary))
        return 0
    print(
        f"{args.agents} agents, live-answer rate {args.live_answer_rate}, AHT {args.aht:g} s, "
        f"{args.hours:g} h, target abandonment {args.target_abandon:.1%}, {args.seeds} days per mode"
    )
    print(
        f"{'mode':<12} {'occupancy min':>14} {'mean':>7} {'abandon max':>12} {'worst 24h':>10} {'connects/agent-h':>17}"
    )
    for mode in ("progressive", "predictive"):
        s = summary[mode]
        print(
            f"{mode:<12} {s['occupancy_min']:>14.4f} {s['occupancy_mean']:>7.4f} {s['abandon_rate_max']:>12.2%} "
            f"{s['worst_24h_abandon_rate']:>10.2%} {s['connects_per_agent_hour_mean']:>17.2f}"
        )
    print(
        f"goal (predictive occupancy ≥ {GOAL_OCCUPANCY} every day, ≤ {ABANDON_CAP:.0%} in every window, above "
        f"progressive): {'met' if summary['goal_met'] else 'NOT met'}"
    )
    return 0


def summarise(days: list[dict[str, Any]]) -> dict[str, Any]:
    occupancy = [d["occupancy"] for d in days]
    return {
        "days": len(days),
        "occupancy_min": min(occupancy),
        "occupancy_mean": round(sum(occupancy) / len(occupancy), 4),
        "abandon_rate_max": max(d["abandon_rate"] for d in days),
        "worst_24h_abandon_rate": max(d["worst_24h_abandon_rate"] for d in days),
        "connects_per_agent_hour_mean": round(sum(d["connects_per_agent_hour"] for d in days) / len(days), 3),
    }
