"""Call recording: both directions of a leg, mixed, to an 8 kHz mono 16-bit WAV.

The media clock hands each 20 ms pair of mu-law frames to ``Recording.add``; decoding,
mixing and file writes happen on one writer thread per engine, a second at a time, so
the clock never waits on a disk and memory stays flat on long calls.
"""

from __future__ import annotations

import logging
import threading
import wave
from concurrent.futures import Executor
from pathlib import Path

from contact_center.telephony import audio

log = logging.getLogger(__name__)
CHUNK_FRAMES = 50  # one second


class Recording:
    def __init__(self, path: Path, writer: Executor) -> None:
        self.path = path
        self._writer = writer
        self._pending: list[tuple[bytes | None, bytes]] = []
        self._lock = threading.Lock()
        self._closed = False
        self._wav: wave.Wave_write | None = None
        self.frames_written = 0
        self.finished = threading.Event()
        writer.submit(self._open)

    def add(self, inbound: bytes | None, outbound: bytes) -> None:
        """Clock thread: queue one frame pair; every second's worth goes to the writer."""
        self._pending.append((inbound, outbound))
        if len(self._pending) >= CHUNK_FRAMES:
            chunk, self._pending = self._pending, []
            self._submit(chunk)

    def close(self) -> None:
        with self._lock:
            if self._closed:
                return
            self._closed = True
        chunk, self._pending = self._pending, []
        self._submit(chunk)
        self._writer.submit(self._close)

    def _submit(self, chunk: list[tuple[bytes | None, bytes]]) -> None:
        try:
            self._writer.submit(self._write, chunk)
        except RuntimeError:  # writer shut down: the engine is stopping
            log.warning("recording %s lost its last %d frames", self.path, len(chunk))

    # -- writer thread ---------------------------------------------------------------------
    def _open(self) -> None:
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            wav = wave.open(str(self.path), "wb")  # noqa: SIM115 - stays open across chunks
            wav.setnchannels(1)
            wav.setsampwidth(2)
            wav.setframerate(audio.RATE)
            self._wav = wav
        except OSError:
            log.exception("cannot open recording %s", self.path)

    def _write(self, chunk: list[tuple[bytes | None, bytes]]) -> None:
        if self._wav is None:
            return
        pcm = bytearray()
        for inbound, outbound in chunk:
            out = audio.ulaw_decode(outbound)
            pcm += audio.mix(audio.ulaw_decode(inbound), out) if inbound is not None else out
        self._wav.writeframes(bytes(pcm))
        self.frames_written += len(chunk)

    def _close(self) -> None:
        try:
            if self._wav is not None:
                self._wav.close()
        finally:
            self._wav = None
            self.finished.set()
