"""`contact-center bench board`: the supervisor board pushed to many boards at once, against a bare
python-socketio server broadcasting the same payloads to the same number of clients.

Ours: the real server (SQLite, simulated telephony, one process) while routing events flow at ``--rate``
a second (callers join a queue and hang up); each event changes the board, and the board goes out as
the centre sends it (coalesced: see services/board/coalesce.py). Bare: a python-socketio server with
nothing else, emitting the very boards ours sent, at the same moments, to a room of as many clients.
The clients run in another process (``bench/board_clients.py``); each board carries ``built_at``, and the
delay is from then to a client's handler running (one machine, one clock). "To the last client" is the
delay until every client had a given board; server CPU is this process's CPU time over the run. Rounds
alternate ours / bare (A B A B) so a drifting machine weighs on both. Figures printed, never asserted.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import itertools
import json
import resource
import secrets
import socket
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import socketio
from aiohttp import web

from contact_center.bench.loop_lag import LoopLag
from contact_center.bench.stats import percentiles
from contact_center.config import Settings

NAMESPACE = "/supervisor"
ROOM = "supervisors"


def register(kinds: Any) -> None:
    parser = kinds.add_parser("board", help="the board pushed to N clients vs a bare python-socketio broadcast")
    parser.add_argument("--clients", type=int, default=500)
    parser.add_argument("--rate", type=float, default=10.0, help="routing events a second")
    parser.add_argument("--seconds", type=float, default=15.0, help="how long each round runs")
    parser.add_argument("--rounds", type=int, default=2, help="ours then bare, this many times")
    parser.add_argument("--json", action="store_true")
    parser.set_defaults(func=main)


def main(args: argparse.Namespace) -> int:
    result = asyncio.run(run(args.clients, args.rate, args.seconds, args.rounds))
    if args.json:
        print(json.dumps(result))
    else:
        for name, figures in result.items():
            print(f"{name:>24}: {figures}")
    return 0


@dataclass
class Round:
    last_client_ms: list[float] = field(default_factory=list)  # per board: until every client had it
    delivery_ms: list[float] = field(default_factory=list)  # per board and client
    boards: int = 0
    cpu_seconds: float = 0.0
    wall_seconds: float = 0.0
    missed: int = 0  # deliveries that never came (a board some client did not get)
    lag: dict[str, Any] = field(default_factory=dict)


class Measured:
    """``async with Measured(into):`` what the server process spends, and how late its loop runs, meanwhile."""

    def __init__(self, into: Round) -> None:
        self.into = into
        self.lag = LoopLag()
        self.wall0 = self.cpu0 = 0.0

    async def __aenter__(self) -> Measured:
        self.cpu0, self.wall0 = _cpu(), time.perf_counter()
        await self.lag.__aenter__()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await asyncio.sleep(0.5)  # the last boards go out
        await self.lag.__aexit__(None, None, None)
        self.into.cpu_seconds += _cpu() - self.cpu0
        self.into.wall_seconds += time.perf_counter() - self.wall0
        self.into.lag = self.lag.figures()


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Swarm:
    """The clients' process."""

    def __init__(self, proc: asyncio.subprocess.Process) -> None:
        self.proc = proc

    @classmethod
    async def start(cls, url: str, count: int, token: str | None) -> Swarm:
        args = [sys.executable, "-m", "contact_center.bench.board_clients", url, str(count)]
        proc = await asyncio.create_subprocess_exec(
            *args,
            *([token] if token else []),
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
            limit=1 << 28,  # the report is one line with every delivery's delay
        )
        assert proc.stdout is not None
        line = await asyncio.wait_for(proc.stdout.readline(), 120)
        if line.strip() != b"ready":
            raise RuntimeError(f"board clients did not connect: {line!r}")
        return cls(proc)

    async def stop(self, sent: int, clients: int, into: Round) -> None:
        assert self.proc.stdin is not None and self.proc.stdout is not None
        await asyncio.sleep(1.0)  # the last boards sent reach the clients
        self.proc.stdin.write(b"stop\n")
        await self.proc.stdin.drain()
        report = json.loads(await asyncio.wait_for(self.proc.stdout.readline(), 60))
        await self.proc.wait()
        into.boards = len(report["updates"])
        into.last_client_ms += [u["last_ms"] for u in report["updates"] if u["clients"] == clients]
        into.delivery_ms += report["delays_ms"]
        into.missed += sent * clients - len(report["delays_ms"])


async def _ours(clients: int, rate: float, seconds: float, var: Path, into: Round) -> list[tuple[float, Any]]:
    """One round on the real server; returns the boards it sent, with when (for the bare server to replay)."""
    from contact_center.app import create_app
    from contact_center.crm.users import add_user, create_token
    from contact_center.domain.acd import commands as cmd
    from contact_center.seed.demo import ensure_reference
    from contact_center.store import migrate
    from contact_center.store.engine import engine_for_url, session_factory
    from contact_center.telephony.prompts import PromptLibrary
    from contact_center.telephony.simulated import SimulatedTelephony
    from contact_center.web.keys import ACD, CALL_CENTER

    url = f"sqlite+aiosqlite:///{var / f'board-{secrets.token_hex(3)}.db'}"
    engine = engine_for_url(url)
    await migrate.upgrade(engine)
    await ensure_reference(engine, password="bench-password-1")  # the queues routing loads at its start
    async with session_factory(engine).begin() as session:
        await add_user(session, "bench-board", "supervisor", secrets.token_urlsafe(12))
        token = await create_token(session, "bench-board", "bench", dt.datetime.now(dt.UTC))
    await engine.dispose()
    settings = Settings(database_url=url, var_dir=var, seed_demo=False, secret_key="bench")
    app = create_app(settings, telephony=SimulatedTelephony(PromptLibrary(var / "prompts"), speed=0.0))
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    port = _free_port()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    sent: list[tuple[float, Any]] = []
    try:
        center, acd = app[CALL_CENTER], app[ACD]
        queues = sorted(acd.acd.queues)
        started = time.perf_counter()
        center.subscribe(
            lambda audience, event, payload: (
                sent.append((time.perf_counter() - started, payload)) if event == "board.updated" else None
            )
        )
        swarm = await Swarm.start(f"http://127.0.0.1:{port}", clients, token)
        sent.clear()
        waiting: list[str] = []
        numbers = itertools.count(1)
        async with Measured(into) as window:
            started = window.wall0
            for step in range(int(seconds * rate)):
                await asyncio.sleep(max(0.0, started + step / rate - time.perf_counter()))
                if len(waiting) < 10 or step % 2 == 0:
                    call_id = f"bench-{next(numbers)}"
                    await acd.handle(cmd.EnqueueCall(call_id, queues[step % len(queues)], caller_number="+12125550100"))
                    waiting.append(call_id)
                else:
                    await acd.handle(cmd.AbandonCall(waiting.pop(0)))
        await swarm.stop(len(sent), clients, into)
    finally:
        await runner.cleanup()
    return sent


async def _bare(clients: int, boards: list[tuple[float, Any]], into: Round) -> None:
    """The same boards at the same moments from a python-socketio server that does nothing else."""
    sio = socketio.AsyncServer(async_mode="aiohttp", cors_allowed_origins=[])

    async def connect(sid: str, environ: dict[str, Any]) -> None:
        await sio.enter_room(sid, ROOM, namespace=NAMESPACE)

    sio.on("connect", connect, namespace=NAMESPACE)
    app = web.Application()
    sio.attach(app)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    port = _free_port()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    try:
        swarm = await Swarm.start(f"http://127.0.0.1:{port}", clients, None)
        async with Measured(into) as window:
            for at, payload in boards:
                await asyncio.sleep(max(0.0, window.wall0 + at - time.perf_counter()))
                await sio.emit("board.updated", {**payload, "built_at": time.time()}, to=ROOM, namespace=NAMESPACE)
        await swarm.stop(len(boards), clients, into)
    finally:
        await runner.cleanup()


def _figures(name: str, r: Round) -> dict[str, Any]:
    if not r.last_client_ms:
        return {"boards": r.boards, "note": "no board reached every client"}
    return {
        "boards_sent": r.boards,
        "to_last_client_ms": percentiles(r.last_client_ms, 1),
        "every_delivery_ms": percentiles(r.delivery_ms, 1),
        "missed_deliveries": r.missed,
        "server_cpu_percent_of_a_core": round(100 * r.cpu_seconds / max(r.wall_seconds, 1e-9), 1),
        "loop_lag_ms": r.lag,
    }


async def run(clients: int, rate: float, seconds: float, rounds: int) -> dict[str, Any]:
    var = Path(tempfile.mkdtemp(prefix="cc-bench-board-"))
    ours, bare = Round(), Round()
    for n in range(rounds):
        print(f"round {n + 1}/{rounds}: ours ({clients} clients, {rate:g} events/s, {seconds:g} s)", file=sys.stderr)
        boards = await _ours(clients, rate, seconds, var, ours)
        print(f"round {n + 1}/{rounds}: bare python-socketio, the same {len(boards)} boards", file=sys.stderr)
        await _bare(clients, boards, bare)
    result: dict[str, Any] = {"ours": _figures("ours", ours), "bare": _figures("bare", bare)}
    if ours.last_client_ms and bare.last_client_ms:
        result["ratio_p99_to_last_client"] = round(
            percentiles(ours.last_client_ms)["p99"] / max(percentiles(bare.last_client_ms)["p99"], 1e-9), 2
        )
        result["goal"] = "p99 to the last client <= 250 ms and <= 1.5 x bare"
    return result
