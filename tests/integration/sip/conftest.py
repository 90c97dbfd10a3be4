"""Real SIP peers on 127.0.0.1: Kamailio (running deploy/kamailio/kamailio.cfg), sipp, baresip.

Every test gets its own ports; every process is started in its own session and ended by
its process-group id at teardown, which then checks that none is left. The adapter
fixture checks that ``stop`` leaves no thread and no RTP port behind.
"""

from __future__ import annotations

import asyncio
import ctypes
import os
import shutil
import signal
import socket
import struct
import subprocess
import threading
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from contact_center.telephony import audio
from contact_center.telephony.prompts import PromptLibrary
from contact_center.telephony.sip import SipLine, SipTelephony

from ...tools import require_tool

ROOT = Path(__file__).resolve().parents[3]
SCENARIOS = Path(__file__).parent / "scenarios"
KAMAILIO_CFG = ROOT / "deploy" / "kamailio" / "kamailio.cfg"
OUR_THREADS = ("sip-", "media-", "recording-writer", "RTP ", "SIP Recieve", "Phone Call", "SIP Register")


def _require(*tools: str) -> None:
    for tool in tools:
        require_tool(tool)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if str(item.path).startswith(str(Path(__file__).parent)):
            item.add_marker(pytest.mark.sip)


_taken: set[int] = set()


def free_port(even: bool = False) -> int:
    """A UDP port nobody uses now and no earlier call handed out."""
    while True:
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
            s.bind(("127.0.0.1", 0))
            port = int(s.getsockname()[1])
        if port not in _taken and port + 1 not in _taken and (not even or port % 2 == 0):
            _taken.update({port, port + 1})
            return port


def free_block(count: int) -> list[int]:
    """``count`` consecutive free UDP ports."""
    while True:
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
            s.bind(("127.0.0.1", 0))
            base = int(s.getsockname()[1])
        block = list(range(base, base + count))
        if not _taken.intersection(block) and all(_bindable(p) for p in block):
            _taken.update(block)
            return block


def _bindable(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            return False
        return True


def rtp_range(size: int = 40) -> tuple[int, int]:
    base = free_port(even=True)
    _taken.update(range(base, base + size + 1))
    return base, base + size


class Processes:
    """Processes started by one test, each the leader of its own process group."""

    def __init__(self) -> None:
        self.started: list[subprocess.Popen[bytes]] = []

    def start(self, args: list[str], cwd: Path, log: Path) -> subprocess.Popen[bytes]:
        out = log.open("wb")
        proc = subprocess.Popen(
            args,
            cwd=cwd,
            stdout=out,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
            preexec_fn=_die_with_parent,
        )
        out.close()
        self.started.append(proc)
        return proc

    def end(self, proc: subprocess.Popen[bytes]) -> None:
        if proc.poll() is None:
            with _suppress_lookup():
                os.killpg(proc.pid, signal.SIGTERM)
            try:
                proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                with _suppress_lookup():
                    os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(timeout=5)
        with _suppress_lookup():  # children (kamailio's workers) share the group
            os.killpg(proc.pid, signal.SIGKILL)

    def end_all(self) -> None:
        for proc in self.started:
            self.end(proc)
        left = [p.pid for p in self.started if _group_alive(p.pid)]
        assert not left, f"processes left behind: {left}"


def _die_with_parent() -> None:
    """If pytest itself is killed, its peers get SIGTERM instead of living on."""
    ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG


class _suppress_lookup:
    def __enter__(self) -> None:
        return None

    def __exit__(self, *exc: object) -> bool:
        return exc[0] is ProcessLookupError


def _group_alive(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    out = subprocess.run(["pgrep", "-g", str(pgid)], capture_output=True, text=True, check=False)
    return bool(out.stdout.strip())


@pytest.fixture
def procs() -> Iterator[Processes]:
    _require("kamailio", "sipp", "espeak-ng", "sox")
    processes = Processes()
    yield processes
    processes.end_all()


@pytest.fixture
def ports() -> Callable[..., int]:
    return free_port


@dataclass
class Proxy:
    port: int
    directory: Path
    proc: subprocess.Popen[bytes]
    carrier_ports: list[int]  # the carrier trunk: sipp callers send from these
    args: list[str] = field(default_factory=list)
    procs: Processes | None = None
    _turn: int = 0

    def crash(self) -> None:
        """Kill Kamailio (its registrations and dialogs go with it)."""
        assert self.procs is not None
        self.procs.end(self.proc)

    def restart(self) -> None:
        """Start it again on the same port with the same configuration."""
        assert self.procs is not None
        self.proc = self.procs.start(self.args, self.directory, self.directory / "kamailio-again.log")
        _wait_for_options(self)

    def next_carrier_port(self) -> int:
        self._turn += 1
        return self.carrier_ports[self._turn % len(self.carrier_ports)]

    @property
    def address(self) -> str:
        return f"127.0.0.1:{self.port}"

    def log(self) -> str:
        return (self.directory / "kamailio.log").read_text(errors="replace")


@pytest.fixture
def kamailio(tmp_path: Path, procs: Processes) -> Callable[..., Proxy]:
    def start(
        *, users: dict[str, str], workers: list[int], static: dict[str, int] | None = None, service: str = "100|200"
    ) -> Proxy:
        port = free_port()
        carrier = free_block(3)
        directory = tmp_path / f"kamailio-{port}"
        directory.mkdir()
        shutil.copy(KAMAILIO_CFG, directory / "kamailio.cfg")
        (directory / "local.cfg").write_text(
            "\n".join(
                [
                    f"listen=udp:127.0.0.1:{port}",
                    f'alias="127.0.0.1:{port}"',
                    "#!define WORKERS_SET 1",
                    f'#!define DISPATCHER_LIST "{directory / "dispatcher.list"}"',
                    f"#!define CARRIER_PORT_MIN {min(carrier)}",
                    f"#!define CARRIER_PORT_MAX {max(carrier)}",
                    '#!substdef "!CARRIER_IP!127.0.0.1!g"',
                    f'#!substdef "!SERVICE_NUMBERS!{service}!g"',
                    '#!substdef "!OUTBOUND_NUMBERS!9[0-9]+!g"',
                    '#!substdef "!TRUNK_URI!!g"',
                    "",
                ]
            )
        )
        (directory / "users.cfg").write_text("".join(f'$sht(users=>{u}) = "{p}";\n' for u, p in users.items()))
        (directory / "extensions.cfg").write_text(
            "".join(f'$sht(static=>{ext}) = "sip:127.0.0.1:{p}";\n' for ext, p in (static or {}).items())
        )
        (directory / "dispatcher.list").write_text("".join(f"1 sip:127.0.0.1:{w} 0 0\n" for w in workers))
        args = [
            "kamailio",
            "-f",
            str(directory / "kamailio.cfg"),
            "-DD",
            "-E",
            "-m",
            "32",
            "-M",
            "4",
            "-Y",
            str(directory),
        ]
        proc = procs.start(args, directory, directory / "kamailio.log")
        proxy = Proxy(port, directory, proc, carrier, args, procs)
        _wait_for_options(proxy)
        return proxy

    return start


def _wait_for_options(proxy: Proxy) -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.bind(("127.0.0.1", 0))
        s.settimeout(0.2)
        me = s.getsockname()[1]
        for attempt in range(50):
            if proxy.proc.poll() is not None:
                raise RuntimeError(f"kamailio exited:\n{proxy.log()[-3000:]}")
            s.sendto(
                (
                    f"OPTIONS sip:127.0.0.1:{proxy.port} SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:{me};branch=z9hG4bK"
                    f"probe{attempt}\r\nFrom: <sip:probe@127.0.0.1>;tag=p\r\nTo: <sip:127.0.0.1>\r\nCall-ID: "
                    f"probe{attempt}\r\nCSeq: 1 OPTIONS\r\nMax-Forwards: 5\r\nContent-Length: 0\r\n\r\n"
                ).encode(),
                ("127.0.0.1", proxy.port),
            )
            try:
                if s.recv(4096).startswith(b"SIP/2.0 200"):
                    return
            except TimeoutError:
                continue
    raise RuntimeError(f"kamailio did not answer OPTIONS:\n{proxy.log()[-3000:]}")


@dataclass
class SippResult:
    returncode: int
    log: str
    counts: dict[str, int] = field(default_factory=dict)


@pytest.fixture
def sipp(tmp_path: Path, procs: Processes, caller_wav: Path) -> Callable[..., Awaitable[SippResult]]:
    shutil.copy(caller_wav, tmp_path / "caller.wav")

    async def run(
        scenario: str,
        proxy: Proxy,
        *,
        service: str = "100",
        calls: int = 1,
        rate: float = 10,
        limit: int | None = None,
        give_up: float = 40,
        media_port: int | None = None,
    ) -> SippResult:
        """A caller: sipp UAC through the proxy's carrier port; waits for it to finish."""
        media = media_port or free_port(even=True)
        _taken.update(range(media, media + 4 * calls + 4))
        log = tmp_path / f"sipp-{scenario}-{media}.log"
        proc = procs.start(
            [
                "sipp",
                f"127.0.0.1:{proxy.port}",
                "-sf",
                str(SCENARIOS / scenario),
                "-s",
                service,
                "-i",
                "127.0.0.1",
                "-p",
                str(proxy.next_carrier_port()),
                "-mi",
                "127.0.0.1",
                "-mp",
                str(media),
                "-m",
                str(calls),
                "-l",
                str(limit or calls),
                "-r",
                str(rate),
                "-timeout",
                f"{int(give_up)}s",
                "-timeout_error",
                "-nostdin",
                "-trace_err",
                "-error_file",
                str(log) + ".err",
                "-nd",
                "-max_recv_loops",
                "100",
            ],
            tmp_path,
            log,
        )
        await asyncio.to_thread(proc.wait)
        return SippResult(proc.returncode, await asyncio.to_thread(_read_logs, log))

    return run


def _read_logs(log: Path) -> str:
    err = Path(str(log) + ".err")
    return log.read_text(errors="replace") + (err.read_text(errors="replace") if err.exists() else "")


@dataclass
class AgentPhone:
    port: int
    proc: subprocess.Popen[bytes]
    log: Path
    media: int = 0  # its RTP port

    async def finished(self) -> int:
        """Wait for sipp to end by itself (one call, -m 1) and return its exit status."""
        return await asyncio.to_thread(self.proc.wait, 20)


@pytest.fixture
def agent_phone(tmp_path: Path, procs: Processes) -> Callable[..., AgentPhone]:
    """A sipp UAS that echoes RTP (-rtp_echo), reachable as a static extension. Unlike a real phone it takes
    one call and cannot answer the OPTIONS the server asks phones with (sipp counts one as its call)."""

    def start(scenario: str, *, echo: bool = True, talks: Path | None = None) -> AgentPhone:
        """``echo`` False: the scenario talks by itself (rtp_stream of agent.wav) instead of echoing;
        ``talks``: the mu-law WAV it talks (its own copy, so several phones can say different things)."""
        port, media = free_port(), free_port(even=True)
        log = tmp_path / f"agent-{port}.log"
        cwd = tmp_path
        if talks is not None:
            cwd = tmp_path / f"phone-{port}"
            cwd.mkdir()
            shutil.copy(talks, cwd / "agent.wav")
        proc = procs.start(
            [
                "sipp",
                "-sf",
                str(SCENARIOS / scenario),
                "-i",
                "127.0.0.1",
                "-p",
                str(port),
                "-mi",
                "127.0.0.1",
                "-mp",
                str(media),
                *(["-rtp_echo"] if echo else []),
                "-nostdin",
                "-nd",
                "-m",
                "1",
                "-trace_err",
                "-error_file",
                str(log) + ".err",
            ],
            cwd,
            log,
        )
        for _ in range(100):  # bound once sipp owns the port
            with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
                try:
                    s.bind(("127.0.0.1", port))
                except OSError:
                    return AgentPhone(port, proc, log, media)
            time.sleep(0.02)
        raise RuntimeError("sipp agent phone did not start")

    return start


@pytest.fixture(scope="session")
def caller_wav(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A few seconds of speech as an 8 kHz mu-law WAV (what sipp's rtp_stream plays)."""
    directory = tmp_path_factory.mktemp("voice")
    speech = directory / "speech.wav"
    subprocess.run(["espeak-ng", "-w", str(speech), "One two three four five. The caller is speaking now."], check=True)
    pcm = audio.read_wav(speech)
    audio.write_wav(directory / "caller8k.wav", pcm)
    subprocess.run(["sox", str(directory / "caller8k.wav"), "-e", "u-law", str(directory / "caller.wav")], check=True)
    return directory / "caller.wav"


@pytest.fixture
def caller_pcm(caller_wav: Path) -> bytes:
    return audio.read_wav(caller_wav.parent / "caller8k.wav")


@pytest.fixture
async def telephony(tmp_path: Path) -> AsyncIterator[Callable[..., Awaitable[SipTelephony]]]:
    started: list[SipTelephony] = []

    async def start(
        proxy: Proxy,
        *,
        port: int,
        user: str = "ivr",
        password: str = "ivr-secret",
        max_calls: int = 20,
        extra_lines: list[SipLine] | None = None,
        **options: Any,
    ) -> SipTelephony:
        options.setdefault("register_expires", 300)
        adapter = SipTelephony(
            PromptLibrary(tmp_path / "prompts"), rtp_ports=rtp_range(), max_calls=max_calls, **options
        )
        adapter.open_line(SipLine(proxy.address, user, password, "127.0.0.1", port))
        for line in extra_lines or []:
            adapter.open_line(line)
        started.append(adapter)
        await adapter.start()
        return adapter

    yield start
    for adapter in started:
        await adapter.stop()
        assert adapter.pool.in_use == frozenset(), "RTP ports left assigned"
        assert adapter.engine.stream_count == 0
    left = [t.name for t in threading.enumerate() if t.name.startswith(OUR_THREADS)]
    assert not left, f"threads left behind: {left}"


class RtpSniffer:
    """Captures UDP datagrams sent to one port on lo (AF_PACKET; needs root or CAP_NET_RAW)."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.packets: list[tuple[int, bytes]] = []  # (source port, UDP payload)
        self.times: list[float] = []  # when each packet came (time.monotonic), in the same order
        self._sock = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.ntohs(0x0800))
        self._sock.bind(("lo", 0))
        self._sock.settimeout(0.1)
        self._running = True
        self._thread = threading.Thread(target=self._run, name="test-sniffer", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while self._running:
            try:
                data, addr = self._sock.recvfrom(65535)
            except TimeoutError:
                continue
            if addr[2] == socket.PACKET_OUTGOING or len(data) < 42 or data[23] != 17:
                continue
            ip = data[14:]
            udp = ip[(ip[0] & 0x0F) * 4 :]
            source, dest = struct.unpack("!HH", udp[:4])
            if dest == self.port:
                self.times.append(time.monotonic())
                self.packets.append((source, udp[8:]))

    def stop(self) -> None:
        self._running = False
        self._thread.join()
        self._sock.close()


@pytest.fixture
def sniff() -> Iterator[Callable[[int], RtpSniffer]]:
    made: list[RtpSniffer] = []

    def start(port: int) -> RtpSniffer:
        try:
            made.append(RtpSniffer(port))
        except PermissionError:
            if os.environ.get("CI"):
                raise  # CI runs as root: capturing must work there
            pytest.skip("capturing on lo needs root or CAP_NET_RAW")
        return made[-1]

    yield start
    for sniffer in made:
        sniffer.stop()


@pytest.fixture
def udp_sockets() -> Iterator[Callable[[int], socket.socket]]:
    """Bind UDP sockets on loopback ports (a hand-made SIP peer or RTP source); closed after the test."""
    made: list[socket.socket] = []

    def bind(port: int) -> socket.socket:
        sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        sock.bind(("127.0.0.1", port))
        made.append(sock)
        return sock

    yield bind
    for sock in made:
        sock.close()


def _baresip_config(directory: Path, account: str, sip_port: int, rtp: int, source: Path) -> None:
    directory.mkdir()
    (directory / "accounts").write_text(f"{account};answermode=auto;regint=300;audio_codecs=PCMU\n")
    (directory / "config").write_text(
        "\n".join(
            [
                "poll_method epoll",
                f"sip_listen 127.0.0.1:{sip_port}",
                "call_local_timeout 120",
                "call_max_calls 4",
                f"audio_source aufile,{source}",
                f"audio_alert aufile,{source}",
                "audio_player aufile,/dev/null",
                "ausrc_srate 8000",
                "auplay_srate 8000",
                "ausrc_channels 1",
                "auplay_channels 1",
                f"rtp_ports {rtp}-{rtp + 20}",
                "module_path /usr/lib/baresip/modules",
                "module g711.so",
                "module aufile.so",
                "module_app account.so",
                "module_app menu.so",
                "module_tmp uuid.so",
                "net_interface 127.0.0.1",
                "",
            ]
        )
    )


@pytest.fixture
def baresip(tmp_path: Path, procs: Processes) -> Callable[..., Awaitable[Path]]:
    """A real softphone: baresip registers ``user`` with the proxy (digest auth), auto-answers and talks
    ``voice`` (a WAV) on every call; returns its log once it is registered."""
    require_tool("baresip")

    async def start(proxy: Proxy, user: str, password: str, voice: Path) -> Path:
        directory = tmp_path / f"baresip-{user}"
        account = f"<sip:{user}@127.0.0.1:{proxy.port}>;auth_pass={password}"
        _baresip_config(directory, account, free_port(), free_port(even=True), voice)
        log = tmp_path / f"baresip-{user}.log"
        procs.start(["baresip", "-f", str(directory), "-s"], tmp_path, log)
        for _ in range(100):
            if "200 OK" in log.read_text(errors="replace") and "REGISTER" in log.read_text(errors="replace"):
                return log
            await asyncio.sleep(0.1)
        raise AssertionError(f"baresip did not register:\n{log.read_text(errors='replace')[-2000:]}")

    return start
