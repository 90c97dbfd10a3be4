"""The media engine with real UDP sockets on 127.0.0.1 (no SIP)."""

import socket
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from contact_center.telephony import audio, rtp
from contact_center.telephony.media import MediaEngine
from contact_center.telephony.recording import Recording


def eventually(check: Callable[[], bool], within: float = 5.0) -> None:
    deadline = time.monotonic() + within
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError("condition not met in time")
        time.sleep(0.01)


class Peer:
    """A plain UDP socket playing the far end."""

    def __init__(self) -> None:
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.settimeout(2)
        self.addr = self.sock.getsockname()

    def packets(self, n: int) -> list[rtp.RtpPacket]:
        return [rtp.parse(self.sock.recv(2048)) for _ in range(n)]

    def send(self, to: tuple[str, int], data: bytes) -> None:
        self.sock.sendto(data, to)


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def peers() -> Iterator[Callable[[], Peer]]:
    made: list[Peer] = []

    def make() -> Peer:
        made.append(Peer())
        return made[-1]

    yield make
    for peer in made:
        peer.sock.close()


@pytest.fixture
def engine() -> Iterator[MediaEngine]:
    engine = MediaEngine()
    engine.start()
    yield engine
    engine.stop()
    assert not any(t.is_alive() for t in engine.threads)


def test_playback_goes_out_in_order_then_silence(engine: MediaEngine, peers: Callable[[], Peer]) -> None:
    peer = peers()
    stream = engine.open_stream(("127.0.0.1", free_port()), peer.addr)
    frames = [bytes([i]) * 160 for i in range(1, 6)]
    done = threading.Event()
    stream.play(frames, loop=False, on_done=done.set)
    got = [p.payload for p in peer.packets(40)]
    start = got.index(frames[0])
    assert got[start : start + 5] == frames
    assert got[start + 5] == audio.ULAW_SILENCE
    assert done.wait(2)
    packets = peer.packets(3)
    assert [p.payload_type for p in packets] == [0, 0, 0]
    assert packets[1].sequence == (packets[0].sequence + 1) & 0xFFFF
    assert packets[1].timestamp == packets[0].timestamp + 160


def test_dtmf_events_reach_the_callback_once_per_press(engine: MediaEngine, peers: Callable[[], Peer]) -> None:
    peer = peers()
    digits: list[str] = []
    port = free_port()
    engine.open_stream(("127.0.0.1", port), peer.addr, on_digit=digits.append)
    time.sleep(0.1)  # let the receiver register the socket (packets would only wait, not be lost)
    for ts, key in ((1000, 1), (2000, 2), (3000, 11)):
        for i in range(4):
            payload = bytes([key, 0x80 if i == 3 else 0]) + (160 * (i + 1)).to_bytes(2, "big")
            peer.send(("127.0.0.1", port), rtp.build(101, i, ts, 9, payload, marker=i == 0))
    peer.send(("127.0.0.1", port), b"garbage")
    eventually(lambda: len(digits) == 3)
    assert digits == ["1", "2", "#"]


def test_relay_sends_what_the_other_leg_received(engine: MediaEngine, peers: Callable[[], Peer]) -> None:
    caller, agent = peers(), peers()
    a_port, b_port = free_port(), free_port()
    leg_a = engine.open_stream(("127.0.0.1", a_port), caller.addr)
    leg_b = engine.open_stream(("127.0.0.1", b_port), agent.addr)
    leg_b.relay_from, leg_a.relay_from = leg_a, leg_b
    marked = [bytes([0x10 + i]) * 160 for i in range(20)]

    def talk() -> None:
        start = time.monotonic()
        for i, frame in enumerate(marked):
            caller.send(("127.0.0.1", a_port), rtp.build(0, i, i * 160, 5, frame))
            time.sleep(max(0, start + (i + 1) * 0.02 - time.monotonic()))

    threading.Thread(target=talk).start()
    received = [p.payload for p in agent.packets(80)]
    relayed = [f for f in received if f != audio.ULAW_SILENCE]
    assert relayed[:15] == marked[:15]  # order kept, nothing duplicated


def test_recording_mixes_both_directions(engine: MediaEngine, tmp_path: Path, peers: Callable[[], Peer]) -> None:
    peer = peers()
    port = free_port()
    stream = engine.open_stream(("127.0.0.1", port), peer.addr)
    prompt = audio.tone(600, 1.0)
    with ThreadPoolExecutor(1) as writer:
        recording = Recording(tmp_path / "rec.wav", writer)
        stream.recorder = recording
        done = threading.Event()
        stream.play([audio.ulaw_encode(f) for f in audio.frames(prompt)], loop=False, on_done=done.set)
        assert done.wait(5)
        engine.close_stream(stream)
        assert recording.finished.wait(5)
    recorded = audio.read_wav(tmp_path / "rec.wav")
    assert len(recorded) >= len(prompt)
    from array import array

    assert audio.best_correlation(list(array("h", prompt)), list(array("h", recorded)), window=4000) > 0.99


def test_closed_streams_free_their_ports(engine: MediaEngine, peers: Callable[[], Peer]) -> None:
    peer = peers()
    port = free_port()
    stream = engine.open_stream(("127.0.0.1", port), peer.addr)
    engine.close_stream(stream)
    engine.close_stream(stream)  # idempotent

    def rebindable() -> bool:
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        try:
            s.bind(("127.0.0.1", port))
            return True
        except OSError:
            return False
        finally:
            s.close()

    eventually(rebindable)
    assert engine.stream_count == 0
