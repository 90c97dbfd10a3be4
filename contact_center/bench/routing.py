"""`contact-center bench routing`: routing decision time in-process, assignments per second through Redis.

In-process: 50 queues, 1,000 agents with skills (each in 3 queues, on tiers), 10,000
calls waiting. Timed: an agent freeing up (finds the oldest eligible call over its
queues and is offered it), a call arriving with nobody free, and a call arriving
while many agents are free (tiers, skills and strategy). Redis: worker processes run
enqueue -> assign_next -> accept -> finish cycles against a real Redis. Shared routing
(``--shared``): two server nodes (processes) with ``SharedAcdService`` on a scratch SQLite
database route one queue together; each answers the offers of its own agents.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing
import random
import statistics
import tempfile
import time
import uuid
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import Any, TextIO, cast

from contact_center.clock import SystemClock
from contact_center.domain.acd import Acd, QueueConfig
from contact_center.domain.acd import commands as c
from contact_center.domain.acd.codec import event_to_dict
from contact_center.domain.acd.config import STRATEGIES, Strategy
from contact_center.domain.acd.errors import AcdError
from contact_center.domain.acd.events import CallAnswered, CallOffered, Event, WrapUpStarted
from contact_center.process import freeze_startup_objects
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
    parser.add_argument("--shared", action="store_true", help="with --redis-url: two nodes of shared routing")
    parser.add_argument("--json", action="store_true")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    figures: dict[str, Any] = {
        "in_process": in_process(args.calls, args.queues, args.agents, args.decisions, args.seed)
    }
    if args.redis_url:
        figures["redis"] = through_redis(args.redis_url, args.redis_seconds, args.redis_workers, args.queues)
    if args.redis_url and args.shared:
        figures["shared_routing"] = through_shared(args.redis_url, args.redis_seconds)
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

    return {
        "n": len(ordered),
        "p50_us": pick(0.5),
        "p99_us": pick(0.99),
        "max_us": round(ordered[-1] * 1e6, 1),
        "mean_us": round(statistics.fmean(ordered) * 1e6, 1),
    }


def build(queues: int, agents: int, seed: int) -> tuple[Acd, list[str], random.Random]:
    rng = random.Random(seed)
    names = [f"q{i:02d}" for i in range(queues)]
    configs = [
        QueueConfig(
            n,
            strategy=cast(Strategy, STRATEGIES[i % len(STRATEGIES)]),
            required_skills={SKILLS[i % len(SKILLS)]: 1},
            wrapup_seconds=30,
        )
        for i, n in enumerate(names)
    ]
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
    acd2, names2, rng2 = build(queues, agents, seed + 1)
    freeze_startup_objects()  # the garbage collector set as the server sets it once it is up
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
    for agent in sorted(acd2.agents):
        acd2.handle(c.MakeAvailable(agent), 0.5)
    arrive_free: list[float] = []
    for i in range(min(decisions, agents // 2)):
        start = time.perf_counter()
        _call(acd2, names2, rng2, i, 1.0 + i)
        arrive_free.append(time.perf_counter() - start)
    return {
        "calls_waiting": waiting,
        "queues": queues,
        "agents": agents,
        "offers_on_free": offers,
        "agent_frees_up": _summary(freed),
        "call_arrives_no_agent_free": _summary(arrive_busy),
        "call_arrives_agents_free": _summary(arrive_free),
    }


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
    procs = [
        ctx.Process(target=redis_worker_main, args=(url, prefix, w, seconds, queues, agents, out))
        for w in range(workers)
    ]
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
    return {
        "workers": workers,
        "seconds": seconds,
        "assignments": assigned,
        "assignments_per_second": round(assigned / seconds, 1),
        "cycles_per_second": round(sum(r["cycles"] for r in results) / seconds, 1),
    }


async def _cleanup(url: str, prefix: str) -> None:
    store = RedisAcdStore.from_url(url, prefix)
    try:
        await store.delete_all()
    finally:
        await store.close()


# -- shared routing: two nodes -----------------------------------------------------------------
async def shared_node(
    db_url: str,
    redis_url: str,
    prefix: str,
    node_id: str,
    agents: list[str],
    queue: str,
    seconds: float,
    out: TextIO,
    go: Any = None,
    gap: float = 0.005,
) -> dict[str, Any]:
    """One node's load: calls keep arriving, this node's agents accept, talk briefly, wrap up at once.

    Every event the node's listeners get is written to ``out`` as it comes (one JSON line each), so
    what a node saw survives its being killed. With ``go`` (a multiprocessing event), the calls start
    when it is set, so that several nodes load routing over the same seconds.
    """
    from contact_center.services.routing.shared import SharedAcdService  # the bench's other parts need no server
    from contact_center.store.engine import engine_for_url
    from contact_center.store.redis_client import redis_client

    engine = engine_for_url(db_url)
    redis = redis_client(redis_url)
    service = SharedAcdService(
        engine,
        SystemClock(),
        redis_client=redis,
        prefix=prefix,
        node_id=node_id,
        lease_seconds=1.5,
        request_timeout=5.0,
        snapshot_seconds=1.0,
    )
    mine, rng, counts = set(agents), random.Random(node_id), Counter[str]()
    latencies: list[float] = []
    tasks: set[asyncio.Task[None]] = set()

    def run(command: c.Command, delay: float = 0.0, timed: bool = False) -> None:
        async def go() -> None:
            await asyncio.sleep(delay)
            start = time.perf_counter()
            try:
                await service.handle(command)
                counts["ok"] += 1
            except AcdError as exc:
                counts[type(exc).__name__] += 1
            if timed:
                latencies.append(time.perf_counter() - start)

        task = asyncio.get_running_loop().create_task(go())
        tasks.add(task)
        task.add_done_callback(tasks.discard)

    def listen(events: Sequence[Event]) -> None:
        out.write("".join(json.dumps(event_to_dict(e)) + "\n" for e in events))
        out.flush()
        for e in events:
            if isinstance(e, CallOffered) and e.agent_id in mine:
                run(c.AcceptOffer(e.agent_id, e.call_id))
            elif isinstance(e, CallAnswered) and e.agent_id in mine:
                run(c.EndCall(e.call_id), rng.uniform(0.0, 0.05))
            elif isinstance(e, WrapUpStarted) and e.agent_id in mine:
                run(c.FinishWrapUp(e.agent_id), rng.uniform(0.0, 0.02))

    service.subscribe(listen)
    await service.start()
    counts["leader_at_start"] = int(service.is_leader)
    for agent in agents:
        run(c.LogIn(agent, ready=True))
    if go is not None:
        await asyncio.to_thread(go.wait)
    deadline, calls = time.monotonic() + seconds, 0
    while time.monotonic() < deadline:
        run(c.EnqueueCall(f"{node_id}-{calls}", queue), timed=True)
        calls += 1
        await asyncio.sleep(gap)
    await asyncio.sleep(1.0)
    counts["leader_at_end"] = int(service.is_leader)
    await service.stop()
    await redis.aclose()
    await engine.dispose()
    return {"node": node_id, "calls": calls, **counts, "enqueue": _summary(latencies) if latencies else {}}


def shared_node_main(
    db_url: str,
    redis_url: str,
    prefix: str,
    node_id: str,
    agents: list[str],
    queue: str,
    seconds: float,
    events_path: str,
    results: Any,
    go: Any = None,
) -> None:
    with Path(events_path).open("a") as out:
        results.put(asyncio.run(shared_node(db_url, redis_url, prefix, node_id, agents, queue, seconds, out, go)))


def read_events(path: str) -> list[Event]:
    from contact_center.domain.acd.codec import event_from_dict

    with Path(path).open() as lines:
        return [event_from_dict(json.loads(line)) for line in lines if line.strip()]


def same_order(first: list[Event], second: list[Event]) -> bool:
    """Whether two nodes saw the same events in the same order where their views overlap (a node sees the
    events from when it joined until it stops)."""
    for k in range(len(first)):
        overlap = min(len(first) - k, len(second))
        if overlap and first[k : k + overlap] == second[:overlap]:
            return True
    return False


def double_offers(events: list[Event]) -> int:
    """Offers made while the agent already had one ringing, or while the call already rang elsewhere."""
    from contact_center.domain.acd.events import AgentStateChanged

    holding: dict[str, str] = {}
    bad = 0
    for e in events:
        if isinstance(e, AgentStateChanged) and e.old == "reserved":
            holding.pop(e.agent_id, None)
        elif isinstance(e, CallOffered) and e.kind != "consult":
            bad += e.agent_id in holding or e.call_id in holding.values()
            holding[e.agent_id] = e.call_id
    return bad


async def _scratch_database(path: Path, agents: int) -> list[str]:
    from contact_center.store import migrate
    from contact_center.store.engine import engine_for_url, session_factory
    from contact_center.store.tables import Queue, QueueMember, User

    engine = engine_for_url(f"sqlite+aiosqlite:///{path}")
    await migrate.upgrade(engine)
    async with session_factory(engine).begin() as session:
        queue = Queue(name="bench", wrapup_seconds=1)
        users = [User(username=f"bench{i}", role="agent", password_hash=None) for i in range(agents)]
        session.add_all([queue, *users])
        await session.flush()
        session.add_all([QueueMember(queue_id=queue.id, user_id=u.id, tier=1) for u in users])
        ids = [str(u.id) for u in users]
    await engine.dispose()
    return ids


def through_shared(url: str, seconds: float, agents: int = 20) -> dict[str, Any]:
    prefix = f"cc:bench:{uuid.uuid4().hex[:8]}"
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "bench.db"
        ids = asyncio.run(_scratch_database(db, agents))
        ctx = multiprocessing.get_context("spawn")
        out, go = ctx.Queue(), ctx.Event()
        paths = [str(Path(tmp) / f"node{n}.jsonl") for n in range(2)]
        procs = [
            ctx.Process(
                target=shared_node_main,
                args=(
                    f"sqlite+aiosqlite:///{db}",
                    url,
                    prefix,
                    f"node{n}",
                    ids[n::2],
                    "bench",
                    seconds,
                    paths[n],
                    out,
                    go,
                ),
            )
            for n in range(2)
        ]
        try:
            for proc in procs:
                proc.start()
                time.sleep(3.0)  # the first one leads; then both have started and logged their agents in
            go.set()
            results = [out.get(timeout=seconds + 120) for _ in procs]
            for proc in procs:
                proc.join(timeout=30)
            seen = [read_events(p) for p in paths]
        finally:
            asyncio.run(_cleanup(url, prefix))
    offers = sum(isinstance(e, CallOffered) for e in seen[1])
    return {
        "nodes": 2,
        "seconds": seconds,
        "offers": offers,
        "offers_per_second": round(offers / seconds, 1),
        "double_offers": double_offers(seen[1]),
        "same_events_on_both_nodes": same_order(seen[0], seen[1]),
        "per_node": results,
    }
