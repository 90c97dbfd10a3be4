"""A loopback SIP rig for benchmarks: Kamailio (deploy/kamailio/kamailio.cfg) and sipp peers.

Every process is started in its own session, dies with us (PR_SET_PDEATHSIG) and is
ended by its process-group id. The scenarios are the ones the SIP tests use, inlined.
"""

from __future__ import annotations

import ctypes
import os
import shutil
import signal
import socket
import struct
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path

from contact_center.telephony import audio

DEPLOY_CFG = Path(__file__).resolve().parents[2] / "deploy" / "kamailio" / "kamailio.cfg"

_CALLER = """<?xml version="1.0" encoding="ISO-8859-1" ?>
<scenario name="load caller: talks for -d ms, then hangs up">
  <send retrans="500"><![CDATA[
      INVITE sip:[service]@[remote_ip]:[remote_port] SIP/2.0
      Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
      From: <sip:+1555[call_number]@[local_ip]:[local_port]>;tag=[pid]T[call_number]
      To: <sip:[service]@[remote_ip]:[remote_port]>
      Call-ID: [call_id]
      CSeq: 1 INVITE
      Contact: <sip:sipp@[local_ip]:[local_port]>
      Max-Forwards: 70
      Content-Type: application/sdp
      Content-Length: [len]

      v=0
      o=user1 53655765 2353687637 IN IP4 [local_ip]
      s=-
      c=IN IP4 [media_ip]
      t=0 0
      m=audio [auto_media_port] RTP/AVP 0 101
      a=rtpmap:0 PCMU/8000
      a=rtpmap:101 telephone-event/8000
    ]]></send>
  <recv response="100" optional="true"/>
  <recv response="180" optional="true"/>
  <recv response="200" rtd="true" rrs="true"/>
  <send><![CDATA[
      ACK [next_url] SIP/2.0
      Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
      [routes]
      From: <sip:+1555[call_number]@[local_ip]:[local_port]>;tag=[pid]T[call_number]
      To: <sip:[service]@[remote_ip]:[remote_port]>[peer_tag_param]
      Call-ID: [call_id]
      CSeq: 1 ACK
      Content-Length: 0
    ]]></send>
  <nop><action><exec rtp_stream="voice.wav,-1,0"/></action></nop>
  <pause/>
  <send retrans="500"><![CDATA[
      BYE [next_url] SIP/2.0
      Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
      [routes]
      From: <sip:+1555[call_number]@[local_ip]:[local_port]>;tag=[pid]T[call_number]
      To: <sip:[service]@[remote_ip]:[remote_port]>[peer_tag_param]
      Call-ID: [call_id]
      CSeq: 2 BYE
      Content-Length: 0
    ]]></send>
  <recv response="200" crlf="true"/>
</scenario>
"""


def _die_with_parent() -> None:
    ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Rig:
    directory: Path
    proxy_port: int = field(default_factory=free_port)
    carrier_port: int = field(default_factory=free_port)
    procs: list[subprocess.Popen[bytes]] = field(default_factory=list)

    def start(self, args: list[str], name: str) -> subprocess.Popen[bytes]:
        with (self.directory / f"{name}.log").open("wb") as out:
            proc = subprocess.Popen(
                args,
                cwd=self.directory,
                stdout=out,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                start_new_session=True,
                preexec_fn=_die_with_parent,
            )
        self.procs.append(proc)
        return proc

    def kamailio(self, users: dict[str, str], workers: list[int], static: dict[str, int]) -> None:
        shutil.copy(DEPLOY_CFG, self.directory / "kamailio.cfg")
        (self.directory / "local.cfg").write_text(
            "\n".join(
                [
                    f"listen=udp:127.0.0.1:{self.proxy_port}",
                    f'alias="127.0.0.1:{self.proxy_port}"',
                    "#!define WORKERS_SET 1",
                    f'#!define DISPATCHER_LIST "{self.directory / "dispatcher.list"}"',
                    f"#!define CARRIER_PORT_MIN {self.carrier_port}",
                    f"#!define CARRIER_PORT_MAX {self.carrier_port}",
                    '#!substdef "!CARRIER_IP!127.0.0.1!g"',
                    '#!substdef "!SERVICE_NUMBERS!100!g"',
                    '#!substdef "!OUTBOUND_NUMBERS!9[0-9]+!g"',
                    '#!substdef "!TRUNK_URI!!g"',
                    # Hundreds of agents' phones share 127.0.0.1 here: the flood limit is for one phone per address.
                    '#!substdef "!PIKE_DENSITY!100000!g"',
                    "",
                ]
            )
        )
        (self.directory / "users.cfg").write_text("".join(f'$sht(users=>{u}) = "{p}";\n' for u, p in users.items()))
        (self.directory / "extensions.cfg").write_text(
            "".join(f'$sht(static=>{e}) = "sip:127.0.0.1:{p}";\n' for e, p in static.items())
        )
        (self.directory / "dispatcher.list").write_text("".join(f"1 sip:127.0.0.1:{w} 0 0\n" for w in workers))
        self.start(
            [
                "kamailio",
                "-f",
                str(self.directory / "kamailio.cfg"),
                "-DD",
                "-E",
                "-m",
                "64",
                "-M",
                "8",
                "-Y",
                str(self.directory),
            ],
            "kamailio",
        )
        time.sleep(1.0)  # kamailio forks its workers; a benchmark can afford the wait

    def agent(self, port: int) -> None:
        """A sipp UAS answering every call and echoing its RTP (the agents' phones)."""
        self.start(
            [
                "sipp",
                "-sn",
                "uas",
                "-i",
                "127.0.0.1",
                "-p",
                str(port),
                "-mi",
                "127.0.0.1",
                "-mp",
                str(free_port()),
                "-rtp_echo",
                "-nostdin",
                "-nd",
            ],
            "agents",
        )

    def callers(self, calls: int, rate: float, talk_ms: int, voice_pcm: bytes) -> subprocess.Popen[bytes]:
        (self.directory / "caller.xml").write_text(_CALLER)
        (self.directory / "voice.wav").write_bytes(ulaw_wav(voice_pcm))
        return self.start(
            [
                "sipp",
                f"127.0.0.1:{self.proxy_port}",
                "-sf",
                "caller.xml",
                "-s",
                "100",
                "-i",
                "127.0.0.1",
                "-p",
                str(self.carrier_port),
                "-mi",
                "127.0.0.1",
                "-m",
                str(calls),
                "-l",
                str(calls),
                "-r",
                str(rate),
                "-d",
                str(talk_ms),
                "-nostdin",
                "-trace_stat",
                "-stf",
                "stat.csv",
                "-timeout",
                "300s",
            ],
            "callers",
        )

    def stop(self) -> None:
        for proc in self.procs:
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGTERM)
                try:
                    proc.wait(timeout=5)
                except subprocess.TimeoutExpired:
                    os.killpg(proc.pid, signal.SIGKILL)
                    proc.wait()


def ulaw_wav(pcm: bytes) -> bytes:
    """An 8 kHz mu-law WAV (format 7), the format sipp's rtp_stream plays."""
    data = audio.ulaw_encode(pcm)
    fmt = struct.pack("<HHIIHHH", 7, 1, audio.RATE, audio.RATE, 1, 8, 0)
    body = b"WAVE" + b"fmt " + struct.pack("<I", len(fmt)) + fmt + b"fact" + struct.pack("<II", 4, len(data))
    body += b"data" + struct.pack("<I", len(data)) + data
    return b"RIFF" + struct.pack("<I", len(body)) + body
