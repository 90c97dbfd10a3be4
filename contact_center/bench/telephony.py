"""`contact-center bench telephony`: concurrent calls one telephony process carries.

Starts Kamailio (deploy/kamailio/kamailio.cfg) and one ``SipTelephony`` line in this
process, then sipp callers (talking: RTP both ways) at ``--rate`` calls/s up to ``--calls``.
Each call is answered and put on hold with the hold music, or with ``--bridged`` dialled
through to a sipp agent phone (-rtp_echo) and bridged. Prints figures; asserts nothing.

Measured on the wire, not by the adapter about itself: a capture process of its own
(``wire_probe``, AF_PACKET on lo, kernel timestamps) times every RTP packet we send (the
interval between consecutive packets of each stream while all calls are up; target p99
<= 30 ms) and each call's answer from its INVITE reaching the line to our 200 OK leaving
it. Also this process's CPU and threads, and sipp's failed calls. Without permission to
capture (root or CAP_NET_RAW) it falls back to the media clock's own send times, and says so.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

from contact_center.bench import wire_probe
from contact_center.bench.sip_rig import Rig, free_port
from contact_center.process import freeze_startup_objects
from contact_center.telephony.events import CallArrived
from contact_center.telephony.port import CallEnded, Speech
from contact_center.telephony.prompts import PromptLibrary
from contact_center.telephony.sip import SipLine, SipTelephony


def register(kinds: Any) -> None:
    parser: argparse.ArgumentParser = kinds.add_parser("telephony", help="calls per telephony process over SIP")
    parser.add_argument("--calls", type=int, default=50, help="concurrent calls (default 50)")
    parser.add_argument("--rate", type=float, default=10.0, help="new calls per second (default 10)")
    parser.add_argument("--hold", type=float, default=10.0, help="seconds measured with all calls up")
    parser.add_argument("--bridged", action="store_true", help="bridge each call to an agent phone")
    parser.add_argument(
        "--switch-interval",
        type=float,
        default=0.002,
        help="sys.setswitchinterval while telephony runs (default 0.002 s, as the adapter)",
    )
    parser.add_argument(
        "--no-realtime", action="store_true", help="leave the media clock thread at normal scheduling priority"
    )
    parser.add_argument("--json", action="store_true", help="print JSON")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    logging.basicConfig(level=logging.WARNING)
    with tempfile.TemporaryDirectory(prefix="bench-telephony-") as tmp:
        figures = asyncio.run(
            measure(
                Path(tmp), args.calls, args.rate, args.hold, args.bridged, args.switch_interval, not args.no_realtime
            )
        )
    if args.json:
        print(json.dumps(figures, indent=2))
    else:
        for key, value in figures.items():
            print(f"{key:34} {value}")
    return 0


async def measure(
    tmp: Path, calls: int, rate: float, hold: float, bridged: bool, switch_interval: float, realtime: bool = True
) -> dict[str, Any]:
    rig = Rig(tmp)
    line_port, agent_port = free_port(), free_port()
    rig.kamailio({"ivr": "bench"}, [line_port], {"3000": agent_port})
    if bridged:
        rig.agent(agent_port)
    rtp_ports = (30000, 30000 + 8 * calls + 64)
    tel = SipTelephony(
        PromptLibrary(tmp / "prompts"),
        rtp_ports=rtp_ports,
        max_calls=2 * calls + 8,
        reserve=4,
        switch_interval=switch_interval,
        media_realtime=realtime,
    )
    tel.open_line(SipLine(f"127.0.0.1:{rig.proxy_port}", "ivr", "bench", "127.0.0.1", line_port))
    probe = _start_probe(tmp, rtp_ports, line_port)
    window = (0.0, 0.0)
    try:
        await tel.start()
        freeze_startup_objects()  # as the server does once it is up
        voice = await tel.prompts.load(Speech("Hello, I am calling about my order number one two three."))
        await tel.prompts.hold_music(None)
        up = asyncio.Event()
        answered: list[str] = []
        loop_latency: list[float] = []  # CallArrived (posted by the SIP thread) -> answer() returned
        session = asyncio.create_task(_answer_all(tel, bridged, calls, up, answered, loop_latency))
        talk_ms = int((calls / rate + hold + 5) * 1000)
        started = time.monotonic()
        sipp = rig.callers(calls, rate, talk_ms, voice)
        await asyncio.wait_for(up.wait(), calls / rate + 60)
        ramp = time.monotonic() - started
        tel.engine.stats.reset()
        window_start = time.time()
        cpu0, wall0, peers0, threads0 = time.process_time(), time.monotonic(), _peer_cpu(rig), _thread_cpu()
        await asyncio.sleep(hold)
        wall = time.monotonic() - wall0
        by_thread = {
            name: round(100 * (used - threads0.get(name, 0.0)) / wall, 1) for name, used in _thread_cpu().items()
        }
        window = (window_start, time.time())
        cpu = (time.process_time() - cpu0) / wall
        peers = (_peer_cpu(rig) - peers0) / wall
        sender = tel.engine.stats.summary()
        threads = threading.active_count()
        await asyncio.to_thread(sipp.wait, talk_ms / 1000 + 60)
        session.cancel()
        failed = _failed_calls(tmp / "stat.csv")
    finally:
        await tel.stop()
        rig.stop()
        wire = _stop_probe(probe, tmp, window)
    legs = 2 * calls if bridged else calls
    figures: dict[str, Any] = {
        "mode": "bridged pairs" if bridged else "calls on hold (music out, caller voice in)",
        "concurrent calls": calls,
        "rtp streams": legs,
        "call rate asked (cps)": rate,
        "all calls up after (s)": round(ramp, 2),
        "set-up rate achieved (cps)": round(calls / ramp, 1),
    }
    if wire is not None:
        figures |= {
            "measured by": "capture on lo (kernel timestamps, separate process)",
            "rtp interval p50 (ms)": wire.p50_ms,
            "rtp interval p99 (ms)": wire.p99_ms,
            "rtp interval max (ms)": wire.max_ms,
            "rtp intervals measured": wire.intervals,
            "rtp intervals over 30 ms": wire.late_over_30ms,
            "capture drops": wire.kernel_drops,
            "answer INVITE->200 p50 (ms)": wire.answer_p50_ms,
            "answer INVITE->200 p99 (ms)": wire.answer_p99_ms,
            "answer INVITE->200 max (ms)": wire.answer_max_ms,
            "answers timed": wire.answers,
        }
    else:
        figures |= {
            "measured by": "the media clock's own send times (no capture permission)",
            "rtp interval p50 (ms)": sender.p50_ms,
            "rtp interval p99 (ms)": sender.p99_ms,
            "rtp interval max (ms)": sender.max_ms,
            "rtp intervals measured": sender.count,
        }
    return figures | {
        "sender clock p99 / max (ms)": f"{sender.p99_ms} / {sender.max_ms}",
        "answer on the loop p50 / p99 (ms)": "{:.2f} / {:.2f}".format(*_percentiles(loop_latency)),
        "media clock scheduling": tel.engine.scheduling,
        "rtp send errors": sender.send_errors,
        "clock resyncs": sender.resyncs,
        "cpu (% of one core)": round(100 * cpu, 1),
        "cpu per call (%)": round(100 * cpu / calls, 2),
        "peers cpu: kamailio+sipp (% core)": round(100 * peers, 1),
        "threads": threads,
        "cpu by thread (% core)": ", ".join(
            f"{k} {v}" for k, v in sorted(by_thread.items(), key=lambda kv: -kv[1]) if v >= 0.5
        ),
        "sipp failed calls": failed,
        "rejected (503)": tel.capacity.rejected,
        "answered": len(answered),
    }


def _start_probe(tmp: Path, rtp_ports: tuple[int, int], line: int) -> subprocess.Popen[str] | None:
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "contact_center.bench.wire_probe",
            "--rtp",
            f"{rtp_ports[0]}-{rtp_ports[1]}",
            "--line",
            str(line),
            "--out",
            str(tmp / "wire.json"),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout is not None
    if proc.stdout.readline().strip() != "ready":
        proc.wait(5)
        logging.warning(
            "no capture on lo (%s): timing RTP by the sender's clock",
            (proc.stderr.read() if proc.stderr else "").strip().splitlines()[-1:],
        )
        return None
    return proc


def _stop_probe(
    proc: subprocess.Popen[str] | None, tmp: Path, window: tuple[float, float]
) -> wire_probe.WireFigures | None:
    if proc is None:
        return None
    proc.send_signal(signal.SIGTERM)
    proc.wait(30)
    try:
        return wire_probe.summarise(json.loads((tmp / "wire.json").read_text()), window)
    except (OSError, ValueError):
        return None


async def _answer_all(
    tel: SipTelephony, bridged: bool, calls: int, up: asyncio.Event, answered: list[str], loop_latency: list[float]
) -> None:
    tasks: set[asyncio.Task[None]] = set()

    async def one(event: CallArrived) -> None:
        try:
            await tel.answer(event.call_id)
            loop_latency.append(1000 * (time.time() - event.at))
            if bridged:
                result = await tel.originate("3000", ring_timeout=10)
                if result.call_id is None:
                    return
                await tel.bridge(event.call_id, result.call_id)
            else:
                await tel.start_hold(event.call_id, every=3600)  # the built-in hold music
            answered.append(event.call_id)
            if len(answered) >= calls:
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


def _percentiles(values: list[float]) -> tuple[float, float]:
    ordered = sorted(values) or [0.0]
    return ordered[len(ordered) // 2], ordered[min(len(ordered) - 1, int(0.99 * len(ordered)))]


def _thread_cpu() -> dict[str, float]:
    """CPU seconds so far of each of this process's threads, by name (Linux /proc)."""
    import os

    tick = os.sysconf("SC_CLK_TCK")
    names = {t.native_id: t.name for t in threading.enumerate()}
    out: dict[str, float] = {}
    for tid, name in names.items():
        try:
            fields = Path(f"/proc/self/task/{tid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        key = "loop+main" if name == "MainThread" else name.split("_")[0]
        out[key] = out.get(key, 0.0) + (int(fields[11]) + int(fields[12])) / tick
    return out


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
