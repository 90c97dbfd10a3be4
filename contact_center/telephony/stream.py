"""One RTP stream (one call leg's media), driven by the media engine's two threads.

The receiver thread calls ``receive_ready``; the clock thread calls ``take_inbound`` and
``send_tick`` every 20 ms. Everything else (``play``, ``relay_from``, ``also_hears``, ``recorder``,
``retarget``) is set from other threads with single attribute writes, which the GIL makes
atomic.

Only packets from the negotiated remote address and port are taken (anyone else on the
network could otherwise inject audio or digits into a call); until the remote is known
(a delayed offer before its ACK, a dialled call before its 200) nothing is sent or taken.
"""

from __future__ import annotations

import logging
import random
import socket
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from contact_center.telephony import rtp
from contact_center.telephony.audio import FRAME_SAMPLES, ULAW_SILENCE, mix_ulaw, rms
from contact_center.telephony.timing import SendStats

log = logging.getLogger(__name__)
JITTER_FRAMES = 2  # frames buffered before playout starts (40 ms)
MAX_BUFFERED = 8


class FrameSink(Protocol):
    def add(self, inbound: bytes | None, outbound: bytes) -> None: ...
    def close(self) -> None: ...


@dataclass
class Playback:
    frames: list[bytes]
    loop: bool
    on_done: Callable[[], None]
    position: int = 0


class Stream:
    def __init__(
        self,
        sock: socket.socket,
        remote: tuple[str, int] | None,
        payload_type: int,
        event_type: int | None,
        on_digit: Callable[[str], None] | None,
    ) -> None:
        self.sock = sock
        self.fileno = sock.fileno()
        self.local_port: int = sock.getsockname()[1]
        self.remote = remote
        self.payload_type = payload_type
        self.event_type = event_type
        self.on_digit = on_digit
        self.closed = False
        self.relay_from: Stream | None = None  # the leg it is bridged to: what that leg's phone says, we send
        self.also_hears: tuple[Stream, ...] = ()  # mixed in: a supervisor listening in, whispering or barging
        self.recorder: FrameSink | None = None
        self.tap: list[bytes] | None = None  # every inbound audio payload, for tests and benchmarks
        self.level_sink: Callable[[int], None] | None = None  # told each inbound frame's loudness (AMD)
        self.current_in: bytes | None = None
        self.current_out = ULAW_SILENCE
        self.packets_in = self.packets_out = self.bad_packets = self.stray_packets = 0
        self._detector = rtp.DigitDetector()
        self._inbound: deque[bytes] = deque(maxlen=MAX_BUFFERED)
        self._primed = False
        self._playback: Playback | None = None
        self._seq = random.randrange(1 << 16)
        self._ts = random.randrange(1 << 32)
        self._ssrc = random.randrange(1, 1 << 32)
        self._marker = True
        self._last_sent: float | None = None

    # -- commands (any thread) -----------------------------------------------------------
    def play(self, frames: list[bytes], *, loop: bool, on_done: Callable[[], None], start: int = 0) -> None:
        self._playback = Playback(frames, loop, on_done, start % len(frames) if frames else 0)

    def retarget(self, remote: tuple[str, int], event_type: int | None) -> None:
        """Where the far end's media is, once known (or moved by a re-INVITE)."""
        self.event_type = event_type
        self.remote = remote

    def stop_playing(self) -> None:
        self._playback = None

    def finish(self) -> None:
        self._playback = None
        self.relay_from = None
        self.also_hears = ()
        recorder, self.recorder = self.recorder, None
        if recorder is not None:
            recorder.close()

    # -- receiver thread -----------------------------------------------------------------
    def receive_ready(self) -> None:
        for _ in range(64):  # bounded so one flooded socket cannot starve the others
            try:
                data, source = self.sock.recvfrom(2048)
            except (BlockingIOError, InterruptedError):
                return
            except OSError:
                return
            if source != self.remote:
                self.stray_packets += 1
                continue
            try:
                packet = rtp.parse(data)
                self._handle(packet)
            except ValueError:
                self.bad_packets += 1

    def _handle(self, packet: rtp.RtpPacket) -> None:
        self.packets_in += 1
        if packet.payload_type == self.event_type:
            digit = self._detector.feed(packet)
            if digit is not None and self.on_digit is not None:
                self.on_digit(digit)
        elif packet.payload_type == self.payload_type:
            payload = packet.payload
            if len(payload) != FRAME_SAMPLES:
                payload = (payload + ULAW_SILENCE)[:FRAME_SAMPLES]
            self._inbound.append(payload)
            if self.tap is not None:
                self.tap.append(payload)
        else:
            self.bad_packets += 1

    # -- clock thread --------------------------------------------------------------------
    def take_inbound(self) -> None:
        queue = self._inbound
        if not self._primed and len(queue) >= JITTER_FRAMES:
            self._primed = True
        if self._primed and queue:
            self.current_in = queue.popleft()
        else:
            self._primed = False
            self.current_in = None
        sink = self.level_sink
        if sink is not None:
            sink(rms(self.current_in) if self.current_in is not None else 0)

    def send_tick(self, now: float, stats: SendStats) -> None:
        out = self._next_frame()
        self.current_out = out
        remote = self.remote
        if remote is not None:  # before that, the stream's clock runs but nothing goes out
            try:
                self.sock.sendto(
                    rtp.build(self.payload_type, self._seq, self._ts, self._ssrc, out, self._marker), remote
                )
                self.packets_out += 1
            except OSError:
                stats.send_errors += 1
            self._marker = False
            self._seq = (self._seq + 1) & 0xFFFF
            if self._last_sent is not None:
                stats.add_interval(now - self._last_sent)
            self._last_sent = now
        self._ts = (self._ts + FRAME_SAMPLES) & 0xFFFFFFFF
        recorder = self.recorder
        if recorder is not None:
            recorder.add(self.current_in, out)

    def _next_frame(self) -> bytes:
        playback = self._playback
        if playback is not None:
            if playback.position >= len(playback.frames) and playback.loop and playback.frames:
                playback.position = 0
            if playback.position < len(playback.frames):
                frame = playback.frames[playback.position]
                playback.position += 1
                return frame
            self._playback = None
            playback.on_done()
        partner = self.relay_from
        heard = partner.current_in if partner is not None else None
        if not self.also_hears:
            return heard if heard is not None else ULAW_SILENCE
        talking = [] if heard is None else [heard]
        # A leg that has ended keeps its last frame: leave it out rather than buzz until it is unhooked.
        talking += [s.current_in for s in self.also_hears if not s.closed and s.current_in is not None]
        if not talking:
            return ULAW_SILENCE
        return talking[0] if len(talking) == 1 else mix_ulaw(talking)
