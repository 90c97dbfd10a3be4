"""`contact-center bench telephony`: concurrent calls one telephony process carries.

Starts Kamailio (deploy/kamailio/kamailio.cfg) and one ``SipTelephony`` line in this
process, then sipp callers (talking: RTP both ways) at ``--rate`` calls/s up to ``--calls``.
Each call is answered and put on hold with looping music, or with ``--bridged`` dialled
through to a sipp agent phone (-rtp_echo) and bridged. While all calls are up it measures
the interval between consecutive RTP packets of each stream (target p99 <= 30 ms), this
process's CPU, threads, and then sipp's failed calls. Prints figures; asserts nothing.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

from contact_center.telephony.events import CallArrived
from contact_center.telephony.port import CallEnded, Speech
from contact_center.telephony.prompts import PromptLibrary
from contact_center.telephony.rig import Rig, free_port
from contact_center.telephony.sip import SipLine, SipTelephony


def register(kinds: Any) -> None:
    parser: argparse.ArgumentParser = kinds.add_parser("telephony", help="calls per telephony process over SIP")
    parser.add_argument("--calls", type=int, default=50, help="concurrent calls (default 50)")
    parser.add_argument("--rate", type=float, default=10.0, help="new calls per second (default 10)")
    parser.add_argument("--hold", type=float, default=10.0, help="seconds measured with all calls up")
    parser.add_argument("--bridged", action="store_true", help="bridge each call to an agent phone")
    parser.add_argument("--switch-interval", type=float, default=0.002,
                        help="sys.setswitchinterval while telephony runs (default 0.002 s, as the adapter)")
    parser.add_argument("--json", action="store_true", help="print JSON")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    logging.basicConfig(level=logging.WARNING)
    with tempfile.TemporaryDirectory(prefix="bench-telephony-") as tmp:
        figures = asyncio.run(measure(Path(tmp), args.calls, args.rate, args.hold, args.bridged,
                                           args.switch_interval))
    if args.json:
        print(json.dumps(figures, indent=2))
    else:
        for key, value in figures.items():
            print(f"{key:34} {value}")
    return 0


async def measure(tmp: Path, calls: int, rate: float, hold: float, bridged: bool,
                  switch_interval: float) -> dict[str, Any]:
    rig = Rig(tmp)
    line_port, agent_port = free_port(), free_port()
    rig.kamailio({"ivr": "bench"}, [line_port], {"3000": agent_port})
    if bridged:
        rig.agent(agent_port)
    tel = SipTelephony(PromptLibrary(tmp / "prompts"), rtp_ports=(30000, 30000 + 8 * calls + 64),
                       max_calls=2 * calls + 8, switch_interval=switch_interval)
    tel.open_line(SipLine(f"127.0.0.1:{rig.proxy_port}", "ivr", "bench", "127.0.0.1", line_port))
    try:
        await tel.start()
        music = Speech("Thank you for holding. Your call is important to us.")
        voice = await tel.prompts.load(Speech("Hello, I am calling about my order number one two three."))
        await tel.prompts.load(music)
        up = asyncio.Event()
        setup: list[float] = []
        session = asyncio.create_task(_answer_all(tel, music, bridged, calls, up, setup))
        talk_ms = int((calls / rate + hold + 5) * 1000)
        started = time.monotonic()
        sipp = rig.callers(calls, rate, talk_ms, voice)
        await asyncio.wait_for(up.wait(), calls / rate + 60)
        ramp = time.monotonic() - started
        tel.engine.stats.reset()
        cpu0, wall0, peers0 = time.process_time(), time.monotonic(), _peer_cpu(rig)
        await asyncio.sleep(hold)
        wall = time.monotonic() - wall0
        cpu = (time.process_time() - cpu0) / wall
        peers = (_peer_cpu(rig) - peers0) / wall
        summary = tel.engine.stats.summary()
        threads = threading.active_count()
        await asyncio.to_thread(sipp.wait, talk_ms / 1000 + 60)
        session.cancel()
        failed = _failed_calls(tmp / "stat.csv")
    finally:
        await tel.stop()
        rig.stop()
    legs = 2 * calls if bridged else calls
    return {
        "mode": "bridged pairs" if bridged else "calls on hold (music out, caller voice in)",
        "concurrent calls": calls, "rtp streams": legs, "call rate asked (cps)": rate,
        "all calls up after (s)": round(ramp, 2), "set-up rate achieved (cps)": round(calls / ramp, 1),
        "answer latency mean (ms)": round(1000 * sum(setup) / max(1, len(setup)), 1),
        "rtp send interval p50 (ms)": summary.p50_ms, "rtp send interval p99 (ms)": summary.p99_ms,
        "rtp send interval max (ms)": summary.max_ms, "rtp intervals measured": summary.count,
        "rtp send errors": summary.send_errors, "clock resyncs": summary.resyncs,
        "cpu (% of one core)": round(100 * cpu, 1), "cpu per call (%)": round(100 * cpu / calls, 2),
        "peers cpu: kamailio+sipp (% core)": round(100 * peers, 1), "threads": threads, "sipp failed calls": failed, "rejected (503)": tel.capacity.rejected,
    }


async def _answer_all(tel: SipTelephony, music: Speech, bridged: bool, calls: int, up: asyncio.Event,
                      setup: list[float]) -> None:
    tasks: set[asyncio.Task[None]] = set()

    async def one(event: CallArrived) -> None:
        try:
            await tel.answer(event.call_id)
            setup.append(time.time() - event.at)
            if bridged:
                result = await tel.originate("3000", ring_timeout=10)
                if result.call_id is None:
                    return
                await tel.bridge(event.call_id, result.call_id)
            else:
                await tel.start_hold(event.call_id, music, every=3600)
            if len(setup) >= calls:
                up.set()
        except CallEnded:
            pass

    async for event in tel.events():
        if isinstance(event, CallArrived):
            task = asyncio.create_task(one(event))
            tasks.add(task)
            task.add_done_callback(tasks.discard)


def _failed_calls(stat: Path) -> int | str:
    try:
        lines = stat.read_text().splitlines()
        header, last = lines[0].split(";"), lines[-1].split(";")
        return int(last[header.index("FailedCall(C)")])
    except (OSError, ValueError, IndexError):
        return "unknown"


def _peer_cpu(rig: Rig) -> float:
    """CPU seconds used so far by the rig's processes and their children (Linux /proc)."""
    import os

    tick = os.sysconf("SC_CLK_TCK")
    total = 0.0
    for proc in rig.procs:
        try:
            fields = Path(f"/proc/{proc.pid}/stat").read_text().rsplit(")", 1)[1].split()
            total += sum(int(f) for f in fields[11:15]) / tick  # utime stime cutime cstime
        except (OSError, ValueError):
            continue
    return total
