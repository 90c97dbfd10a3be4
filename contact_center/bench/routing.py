"""`contact-center bench routing`: routing decision time in-process, assignments per second through Redis.

In-process: 50 queues, 1,000 agents with skills (each in 3 queues, on tiers), 10,000
calls waiting. Timed: an agent freeing up (finds the oldest eligible call over its
queues and is offered it), a call arriving with nobody free, and a call arriving
while many agents are free (tiers, skills and strategy). Redis: worker processes run
enqueue -> assign_next -> accept -> finish cycles against a real Redis.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing
import random
import statistics
import time
import uuid
from typing import Any, cast

from contact_center.domain.acd import Acd, QueueConfig
from contact_center.domain.acd import commands as c
from contact_center.domain.acd.config import STRATEGIES, Strategy
from contact_center.domain.acd.events import CallOffered
from contact_center.store.redis_acd import RedisAcdStore

SKILLS = ("billing", "tech", "sales", "fr", "de", "es", "vip", "retention")


def register(kinds: Any) -> None:
    parser: argparse.ArgumentParser = kinds.add_parser("routing", help="routing decision time; Redis assignments/s")
    parser.add_argument("--calls", type=int, default=10_000, help="calls kept waiting")
    parser.add_argument("--queues", type=int, default=50)
    parser.add_argument("--agents", type=int, default=1_000)
    parser.add_argument("--decisions", type=int, default=5_000, help="timed decisions of each kind")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--redis-url", help="also measure assignments per second through this Redis")
    parser.add_argument("--redis-seconds", type=float, default=5.0)
    parser.add_argument("--redis-workers", type=int, default=2)
    parser.add_argument("--json", action="store_true")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    figures: dict[str, Any] = {
        "in_process": in_process(args.calls, args.queues, args.agents, args.decisions, args.seed)
    }
    if args.redis_url:
        figures["redis"] = through_redis(args.redis_url, args.redis_seconds, args.redis_workers, args.queues)
    if args.json:
        print(json.dumps(figures))
    else:
        for section, values in figures.items():
            print(f"{section}:")
            for key, value in values.items():
                print(f"  {key:34} {value}")
    return 0


def _summary(samples: list[float]) -> dict[str, float]:
    ordered = sorted(samples)

    def pick(q: float) -> float:
        return round(ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1e6, 1)

    return {"n": len(ordered), "p50_us": pick(0.5), "p99_us": pick(0.99), "max_us": round(ordered[-1] * 1e6, 1),
            "mean_us": round(statistics.fmean(ordered) * 1e6, 1)}  # fmt: skip


def build(queues: int, agents: int, seed: int) -> tuple[Acd, list[str], random.Random]:
    rng = random.Random(seed)
    names = [f"q{i:02d}" for i in range(queues)]
    configs = [
        QueueConfig(n, strategy=cast(Strategy, STRATEGIES[i % len(STRATEGIES)]),
                    required_skills={SKILLS[i % len(SKILLS)]: 1}, wrapup_seconds=30)
        for i, n in enumerate(names)
    ]  # fmt: skip
    acd = Acd(configs, rng=random.Random(seed))
    for i in range(agents):
        skills = {s: rng.randint(1, 5) for s in rng.sample(SKILLS, 4)}
        tiers = {q: rng.randint(1, 3) for q in rng.sample(names, 3)}
        acd.handle(c.ConfigureAgent(f"a{i:04d}", skills=skills, tiers=tiers), 0.0)
        acd.handle(c.LogIn(f"a{i:04d}", ready=False), 0.0)
    return acd, names, rng


def _call(acd: Acd, names: list[str], rng: random.Random, i: int, now: float) -> list[Any]:
    skills = {rng.choice(SKILLS): rng.randint(1, 3)} if rng.random() < 0.5 else {}
    return acd.handle(c.EnqueueCall(f"c{i}", rng.choice(names), priority=rng.randint(0, 3), skills=skills), now)


def in_process(calls: int, queues: int, agents: int, decisions: int, seed: int) -> dict[str, Any]:
    acd, names, rng = build(queues, agents, seed)
    now, serial = 1.0, 0
    arrive_busy: list[float] = []
    for _ in range(calls):
        serial += 1
        start = time.perf_counter()
        _call(acd, names, rng, serial, now)
        arrive_busy.append(time.perf_counter() - start)
    waiting = sum(acd.waiting.length(q) for q in names)
    # Agents free up one at a time; each decision scans the heads of its queues' heaps.
    freed: list[float] = []
    offers = 0
    ids = sorted(acd.agents)
    for n in range(decisions):
        agent = ids[n % len(ids)]
        now += 0.001
        if acd.agent(agent).state.value == "on_call":
            acd.handle(c.EndCall(acd.agent(agent).call_id or ""), now)  # into wrap-up
        start = time.perf_counter()
        events = acd.handle(c.MakeAvailable(agent), now)  # from not-ready or wrap-up: one routing decision
        freed.append(time.perf_counter() - start)
        for e in events:
            if isinstance(e, CallOffered):
                offers += 1
                acd.handle(c.AcceptOffer(e.agent_id, e.call_id), now)
                serial += 1
                _call(acd, names, rng, serial, now)  # keep the backlog at its size
    # Many agents free, calls arriving: tiers, skills filter and strategy over the free agents.
    acd2, names2, rng2 = build(queues, agents, seed + 1)
    for agent in sorted(acd2.agents):
        acd2.handle(c.MakeAvailable(agent), 0.5)
    arrive_free: list[float] = []
    for i in range(min(decisions, agents // 2)):
        start = time.perf_counter()
        _call(acd2, names2, rng2, i, 1.0 + i)
        arrive_free.append(time.perf_counter() - start)
    return {
        "calls_waiting": waiting, "queues": queues, "agents": agents, "offers_on_free": offers,
        "agent_frees_up": _summary(freed), "call_arrives_no_agent_free": _summary(arrive_busy),
        "call_arrives_agents_free": _summary(arrive_free),
    }  # fmt: skip


async def redis_worker(url: str, prefix: str, worker: int, seconds: float, queues: int, agents: int) -> dict[str, int]:
    """One node's load: enqueue, assign, then accept and finish (or sometimes reject) as fast as possible."""
    store = RedisAcdStore.from_url(url, prefix, audit=True)
    rng = random.Random(worker)
    names = [f"q{i}" for i in range(queues)]
    counts = {"enqueued": 0, "assigned": 0, "rejected": 0, "cycles": 0}
    try:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            call = f"w{worker}-{counts['cycles']}"
            counts["enqueued"] += await store.enqueue(call, rng.choice(names), rng.randint(0, 3), time.time())
            await store.agent_ready(f"a{rng.randrange(agents)}", rng.sample(names, 2), time.time())
            got = await store.assign_next(names)
            if got is not None:
                counts["assigned"] += 1
                if rng.random() < 0.2:
                    counts["rejected"] += await store.reject(got[1], got[0], time.time())
                else:
                    await store.accept(got[1], got[0])
                    await store.finish(got[1], time.time())
            counts["cycles"] += 1
    finally:
        await store.close()
    return counts


def redis_worker_main(url: str, prefix: str, worker: int, seconds: float, queues: int, agents: int, out: Any) -> None:
    out.put(asyncio.run(redis_worker(url, prefix, worker, seconds, queues, agents)))


def run_redis_workers(
    url: str, prefix: str, workers: int, seconds: float, queues: int, agents: int
) -> list[dict[str, int]]:
    ctx = multiprocessing.get_context("spawn")
    out = ctx.Queue()
    procs = [ctx.Process(target=redis_worker_main, args=(url, prefix, w, seconds, queues, agents, out))
             for w in range(workers)]  # fmt: skip
    for proc in procs:
        proc.start()
    results = [out.get(timeout=seconds + 60) for _ in procs]
    for proc in procs:
        proc.join(timeout=30)
    return results


def through_redis(url: str, seconds: float, workers: int, queues: int) -> dict[str, Any]:
    prefix = f"cc:bench:{uuid.uuid4().hex[:8]}"
    try:
        results = run_redis_workers(url, prefix, workers, seconds, min(queues, 10), 50)
    finally:
        asyncio.run(_cleanup(url, prefix))
    assigned = sum(r["assigned"] for r in results)
    return {"workers": workers, "seconds": seconds, "assignments": assigned,
            "assignments_per_second": round(assigned / seconds, 1),
            "cycles_per_second": round(sum(r["cycles"] for r in results) / seconds, 1)}  # fmt: skip


async def _cleanup(url: str, prefix: str) -> None:
    store = RedisAcdStore.from_url(url, prefix)
    try:
        await store.delete_all()
    finally:
        await store.close()
