"""`contact-center bench ivr`: interpreter steps per second over the shipped main flow (goal: 100,000/s).

Calls walk realistic paths (known and unknown callers, order and case self-service,
menus with invalid keys and timeouts). CRM answers are prepared in advance and
fed straight back, so the figure is the pure interpreter's, with no I/O or event loop.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import time
from pathlib import Path
from typing import Any

from contact_center.domain.ivr import actions as a
from contact_center.domain.ivr.interpreter import step
from contact_center.domain.ivr.model import FlowSet
from contact_center.domain.ivr.state import initial_state
from contact_center.flows.demo import demo_directory
from contact_center.flows.lookups import answer_calendar, answer_lookup
from contact_center.flows.validator import validate_paths

AT = dt.datetime(2026, 3, 9, 15, 0, tzinfo=dt.UTC)  # a Monday, 10:00 in New York: open
SCRIPTS = [  # (caller, digits); "T" is a timeout
    ("+12125550101", ["3", "2"]),
    ("+12125550101", ["1", "1", "0"]),
    ("+12125550101", ["2", "20417#", "1"]),
    ("+12125550101", ["9"]),
    ("+13055550102", ["1", "2", "104521#", "1"]),
    ("+19995550000", ["2", "1", "999999#", "1", "104400#", "0"]),
    ("+19995550000", ["8", "T", "1", "8", "8", "8"]),
    ("+19995550000", ["1", "4", "1"]),
]


def register(kinds: Any) -> None:
    parser: argparse.ArgumentParser = kinds.add_parser("ivr", help="IVR interpreter steps per second")
    parser.add_argument("--flows", type=Path, default=Path("ivr_flows"), help="flow directory (default ivr_flows)")
    parser.add_argument("--flow", default="main")
    parser.add_argument("--calls", type=int, default=20000, help="calls to run (default 20000)")
    parser.add_argument("--json", action="store_true")
    parser.set_defaults(func=main)


def prepare(flows: FlowSet, entry: str) -> list[tuple[str, list[a.Input]]]:
    """Each script's inputs, with the CRM answers recorded once from the demo directory."""
    directory = demo_directory()
    prepared = []
    for caller, digits in SCRIPTS:

        async def record(caller: str = caller, digits: list[str] = digits) -> list[a.Input]:
            inputs: list[a.Input] = [a.Start(at=AT, caller=caller)]
            pending = list(digits)
            state, actions = step(initial_state(flows, entry), inputs[0])
            while state.end is None:
                last = actions[-1]
                event: a.Input
                if isinstance(last, a.LookUp):
                    event = await answer_lookup(directory, last, AT)
                elif isinstance(last, a.FetchCalendar):
                    event = await answer_calendar(directory, last, AT)
                else:
                    item = pending.pop(0) if pending else "T"
                    event = a.NoInput(at=AT) if item == "T" else a.Digits(at=AT, digits=item)
                inputs.append(event)
                state, actions = step(state, event)
            return inputs

        prepared.append((caller, asyncio.run(record())))
    return prepared


def run_bench(flows: FlowSet, entry: str, calls: int) -> dict[str, Any]:
    scripts = [inputs for _caller, inputs in prepare(flows, entry)]
    steps = 0
    ends: dict[str, int] = {}
    started, cpu_started = time.perf_counter(), time.process_time()
    for n in range(calls):
        inputs = scripts[n % len(scripts)]
        state = initial_state(flows, entry)
        for event in inputs:
            state, _actions = step(state, event)
        steps += len(inputs)
        assert state.end is not None
        ends[state.end.action] = ends.get(state.end.action, 0) + 1
    elapsed = time.perf_counter() - started
    cpu = time.process_time() - cpu_started  # less disturbed than wall time on a busy machine
    return {
        "flow": entry,
        "calls": calls,
        "steps": steps,
        "seconds": round(elapsed, 3),
        "steps_per_second": round(steps / elapsed),
        "calls_per_second": round(calls / elapsed),
        "microseconds_per_step": round(1e6 * elapsed / steps, 2),
        "cpu_seconds": round(cpu, 3),
        "steps_per_cpu_second": round(steps / cpu),
        "outcomes": ends,
        "goal_steps_per_second": 100_000,
    }


def main(args: argparse.Namespace) -> int:
    validation = validate_paths([args.flows])
    if args.flow not in validation.flows:
        for problem in validation.problems:
            print(problem)
        return 1
    figures = run_bench(FlowSet.of(*validation.flows.values()), args.flow, args.calls)
    if args.json:
        print(json.dumps(figures))
    else:
        for key, value in figures.items():
            print(f"{key:>22}: {value:,}" if isinstance(value, int | float) else f"{key:>22}: {value}")
    return 0
