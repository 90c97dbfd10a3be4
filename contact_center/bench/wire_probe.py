"""What the benchmark measures on the wire, in a process of its own: kernel timestamps of
our RTP packets and of each call's INVITE and 200 OK on the loopback device.

Run as ``python -m contact_center.bench.wire_probe --rtp LOW-HIGH --line PORT --out F``
(needs root or CAP_NET_RAW). It captures on ``lo`` with AF_PACKET, keeps only the copies
the kernel sends (each loopback packet is seen twice), filtered in the kernel by a classic
BPF program to UDP from our RTP ports and SIP to or from our line, and takes each packet's
time from SO_TIMESTAMPNS: when the sender's ``sendto`` handed it to the device, whatever
this process or the measured one was doing then. On SIGTERM it writes what it saw to
``--out`` as JSON and exits. ``summarise`` turns that into the benchmark's figures.
"""

from __future__ import annotations

import argparse
import ctypes
import json
import signal
import socket
import struct
import sys
from array import array
from dataclasses import dataclass
from pathlib import Path
from typing import Any

SO_TIMESTAMPNS = 35
SO_ATTACH_FILTER = 26
SOL_PACKET = 263
PACKET_STATISTICS = 6
SKF_AD_PKTTYPE = -0x1000 + 4
PACKET_OUTGOING = 4


def _bpf(rtp_low: int, rtp_high: int, line: int) -> bytes:
    """Outgoing copies of IPv4 UDP packets from [rtp_low, rtp_high], or from/to ``line``."""
    ld_w_abs, ld_h_abs, ld_b_abs, ld_h_ind, ldx_msh = 0x20, 0x28, 0x30, 0x48, 0xB1
    jeq, jgt, jge, ret = 0x15, 0x25, 0x35, 0x06
    accept, drop = 13, 14
    program = [
        (ld_w_abs, 0, 0, SKF_AD_PKTTYPE & 0xFFFFFFFF),  # 0
        (jeq, 0, drop - 2, PACKET_OUTGOING),  # 1
        (ld_h_abs, 0, 0, 12),  # 2 ethertype
        (jeq, 0, drop - 4, 0x0800),  # 3
        (ld_b_abs, 0, 0, 23),  # 4 IP protocol
        (jeq, 0, drop - 6, 17),  # 5 UDP
        (ldx_msh, 0, 0, 14),  # 6 X = IP header length
        (ld_h_ind, 0, 0, 14),  # 7 source port
        (jge, 0, 10 - 9, rtp_low),  # 8 below the range: maybe the line
        (jgt, 10 - 10, accept - 10, rtp_high),  # 9 in the range: accept
        (jeq, accept - 11, 0, line),  # 10 from the line
        (ld_h_ind, 0, 0, 16),  # 11 destination port
        (jeq, accept - 13, drop - 13, line),  # 12 to the line
        (ret, 0, 0, 0xFFFF),  # 13 accept
        (ret, 0, 0, 0),  # 14 drop
    ]
    return b"".join(struct.pack("HBBI", code, jt, jf, k) for code, jt, jf, k in program)


def capture(rtp: tuple[int, int], line: int, out: Path) -> None:
    # ETH_P_ALL: only taps for all protocols get the copies the kernel sends (PACKET_OUTGOING)
    sock = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.ntohs(0x0003))
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 32 * 1024 * 1024)
    sock.setsockopt(socket.SOL_SOCKET, SO_TIMESTAMPNS, 1)
    code = _bpf(rtp[0], rtp[1], line)
    program = ctypes.create_string_buffer(code, len(code))  # the kernel copies it at attach time
    sock.setsockopt(socket.SOL_SOCKET, SO_ATTACH_FILTER, struct.pack("HL", len(code) // 8, ctypes.addressof(program)))
    sock.bind(("lo", 0))
    rtp_times, rtp_ports = array("d"), array("H")
    invites: dict[str, float] = {}
    oks: dict[str, float] = {}
    running = [True]
    signal.signal(signal.SIGTERM, lambda *_: running.__setitem__(0, False))
    sock.settimeout(0.2)
    print("ready", flush=True)
    while running[0]:
        try:
            data, ancillary, _, _ = sock.recvmsg(2048, socket.CMSG_SPACE(16))
        except TimeoutError:
            continue
        except InterruptedError:
            continue
        when = next(
            (
                s + ns / 1e9
                for level, kind, raw in ancillary
                if level == socket.SOL_SOCKET and kind == SO_TIMESTAMPNS
                for s, ns in [struct.unpack("qq", raw[:16])]
            ),
            None,
        )
        if when is None or len(data) < 42:
            continue
        ip = data[14:]
        udp = ip[(ip[0] & 0x0F) * 4 :]
        source, dest = struct.unpack("!HH", udp[:4])
        payload = udp[8:]
        if rtp[0] <= source <= rtp[1]:
            rtp_times.append(when)
            rtp_ports.append(source)
        elif dest == line and payload.startswith(b"INVITE "):
            call_id = _call_id(payload)
            if call_id and b";tag=" not in _header(payload, b"To"):
                invites.setdefault(call_id, when)
        elif source == line and payload.startswith(b"SIP/2.0 200") and b"INVITE" in _header(payload, b"CSeq"):
            call_id = _call_id(payload)
            if call_id:
                oks.setdefault(call_id, when)
    stats = sock.getsockopt(SOL_PACKET, PACKET_STATISTICS, 8)
    packets, drops = struct.unpack("II", stats)
    out.write_text(
        json.dumps(
            {
                "rtp_times": rtp_times.tolist(),
                "rtp_ports": rtp_ports.tolist(),
                "invites": invites,
                "oks": oks,
                "kernel_drops": drops,
                "seen": packets,
            }
        )
    )


def _header(payload: bytes, name: bytes) -> bytes:
    for line in payload.split(b"\r\n\r\n", 1)[0].split(b"\r\n")[1:]:
        key, _, value = line.partition(b":")
        if key.strip().lower() == name.lower() or (name == b"Call-ID" and key.strip().lower() == b"i"):
            return value.strip()
    return b""


def _call_id(payload: bytes) -> str:
    return _header(payload, b"Call-ID").decode(errors="replace")


@dataclass(frozen=True)
class WireFigures:
    intervals: int
    p50_ms: float
    p99_ms: float
    max_ms: float
    late_over_30ms: int
    answers: int
    answer_p50_ms: float
    answer_p99_ms: float
    answer_max_ms: float
    kernel_drops: int


def summarise(raw: dict[str, Any], window: tuple[float, float]) -> WireFigures:
    """Per-stream intervals between consecutive packets inside ``window`` (epoch seconds),
    and INVITE-in to 200-out for every call."""
    last: dict[int, float] = {}
    gaps: list[float] = []
    for when, port in zip(raw["rtp_times"], raw["rtp_ports"], strict=True):
        if not window[0] <= when <= window[1]:
            continue
        previous = last.get(port)
        if previous is not None:
            gaps.append((when - previous) * 1000)
        last[port] = when
    answers = sorted((raw["oks"][c] - t) * 1000 for c, t in raw["invites"].items() if c in raw["oks"])
    gaps.sort()
    return WireFigures(
        len(gaps),
        _pct(gaps, 0.5),
        _pct(gaps, 0.99),
        round(gaps[-1], 2) if gaps else 0.0,
        sum(1 for g in gaps if g > 30),
        len(answers),
        _pct(answers, 0.5),
        _pct(answers, 0.99),
        round(answers[-1], 2) if answers else 0.0,
        raw["kernel_drops"],
    )


def _pct(values: list[float], fraction: float) -> float:
    if not values:
        return 0.0
    return round(values[min(len(values) - 1, int(fraction * len(values)))], 2)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rtp", required=True, help="our RTP port range, LOW-HIGH")
    parser.add_argument("--line", type=int, required=True, help="the SIP line's port")
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args(argv)
    low, _, high = args.rtp.partition("-")
    capture((int(low), int(high)), args.line, args.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
