"""The media engine: every RTP stream of a process on two threads.

pyVoIP runs two busy-polling threads per call and schedules each packet relative to
the previous send, so it drifts (21.5 ms mean at 190 calls). Here one receiver thread
waits on all sockets with ``select`` and one clock thread sends a frame to every
stream on a schedule anchored to the monotonic clock (tick n at start + n * 20 ms).
Bridging is a relay on that same tick: leg A sends what leg B received.

The clock thread asks the OS for real-time scheduling (SCHED_RR, the lowest real-time
priority), else a nice of -10, as media servers do: on a shared box the RTP interval's
p99 is set by how long a woken clock thread waits for a core, not by our own CPU use
(``contact-center bench telephony`` shows both). Without the privilege it runs as it is.
"""

from __future__ import annotations

import contextlib
import logging
import os
import selectors
import socket
import threading
import time
from collections.abc import Callable

from contact_center.telephony.audio import ULAW_SILENCE
from contact_center.telephony.stream import Stream
from contact_center.telephony.timing import SendStats

log = logging.getLogger(__name__)
PTIME = 0.020


class MediaEngine:
    def __init__(self, *, clock: Callable[[], float] = time.monotonic, realtime: bool = True) -> None:
        self.clock = clock
        self.realtime = realtime
        self.scheduling = "normal"  # what the clock thread got: "SCHED_RR", "nice -10" or "normal"
        self.stats = SendStats()
        self._streams: dict[int, Stream] = {}
        self._lock = threading.Lock()
        self._running = threading.Event()
        self._threads: list[threading.Thread] = []
        self._wake_r, self._wake_w = socket.socketpair()
        self._wake_r.setblocking(False)
        self._closing: list[Stream] = []

    # -- lifecycle ----------------------------------------------------------------------
    def start(self) -> None:
        if self._running.is_set():
            return
        self._running.set()
        for name, target in (("media-clock", self._clock_loop), ("media-recv", self._recv_loop)):
            thread = threading.Thread(target=target, name=name, daemon=True)
            thread.start()
            self._threads.append(thread)

    def stop(self) -> None:
        """Close every stream and join both threads (idempotent)."""
        if self._wake_w.fileno() == -1:
            return
        for stream in list(self._streams.values()):
            self.close_stream(stream)
        self._running.clear()
        self._wake()
        for thread in self._threads:
            thread.join(timeout=5)
        self._threads.clear()
        self._close_pending()
        self._wake_r.close()
        self._wake_w.close()

    @property
    def threads(self) -> list[threading.Thread]:
        return list(self._threads)

    # -- streams --------------------------------------------------------------------------
    def open_stream(
        self,
        local: tuple[str, int],
        remote: tuple[str, int] | None,
        *,
        payload_type: int = 0,
        event_type: int | None = 101,
        on_digit: Callable[[str], None] | None = None,
    ) -> Stream:
        sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        try:
            sock.bind(local)
        except OSError:
            sock.close()
            raise
        sock.setblocking(False)
        stream = Stream(sock, remote, payload_type, event_type, on_digit)
        with self._lock:
            self._streams[sock.fileno()] = stream
        self._wake()
        return stream

    def close_stream(self, stream: Stream) -> None:
        """Idempotent; the socket is closed by the receiver thread once it lets go of it."""
        with self._lock:
            if stream.closed:
                return
            stream.closed = True
            self._streams.pop(stream.fileno, None)
            self._closing.append(stream)
        stream.finish()
        if self._running.is_set():
            self._wake()
        else:
            self._close_pending()

    @property
    def stream_count(self) -> int:
        return len(self._streams)

    # -- threads --------------------------------------------------------------------------
    def _wake(self) -> None:
        with contextlib.suppress(OSError):  # a full wake-up buffer already means "wake up"
            self._wake_w.send(b"x")

    def _close_pending(self) -> None:
        with self._lock:
            closing, self._closing = self._closing, []
        for stream in closing:
            stream.sock.close()

    def _recv_loop(self) -> None:
        selector = selectors.DefaultSelector()
        selector.register(self._wake_r, selectors.EVENT_READ)
        registered: dict[int, Stream] = {}
        try:
            while self._running.is_set():
                for key, _ in selector.select(timeout=0.5):
                    if key.fileobj is self._wake_r:
                        while True:
                            try:
                                self._wake_r.recv(4096)
                            except BlockingIOError:
                                break
                        continue
                    stream = registered.get(key.fd)
                    if stream is not None and not stream.closed:
                        stream.receive_ready()
                with self._lock:
                    current = dict(self._streams)
                    closing, self._closing = self._closing, []
                for stream in closing:  # unregister before closing: the fd may be reused at once
                    if registered.get(stream.fileno) is stream:
                        selector.unregister(registered.pop(stream.fileno).sock)
                    stream.sock.close()
                for fd, stream in current.items():
                    if fd not in registered:
                        selector.register(stream.sock, selectors.EVENT_READ)
                        registered[fd] = stream
        except Exception:  # never expected; log loudly rather than die silently
            log.exception("media receiver failed")
        finally:
            selector.close()

    def _raise_priority(self) -> None:
        tid = threading.get_native_id()
        try:
            os.sched_setscheduler(tid, os.SCHED_RR, os.sched_param(1))
            self.scheduling = "SCHED_RR"
            return
        except (OSError, AttributeError):
            pass
        try:
            os.setpriority(os.PRIO_PROCESS, tid, -10)
            self.scheduling = "nice -10"
        except (OSError, AttributeError):
            log.info("media clock runs at normal priority (no CAP_SYS_NICE)")

    def _clock_loop(self) -> None:
        if self.realtime:
            self._raise_priority()
        next_tick = self.clock()
        while self._running.is_set():
            next_tick += PTIME
            with self._lock:
                streams = list(self._streams.values())
            for stream in streams:
                stream.take_inbound()
            now = self.clock()
            for stream in streams:
                try:
                    stream.send_tick(now, self.stats)
                except Exception:
                    log.exception("media tick failed for a stream; it goes on with silence")
                    stream.current_out = ULAW_SILENCE
            delay = next_tick - self.clock()
            if delay > 0:
                time.sleep(delay)
            elif delay < -10 * PTIME:  # hopelessly behind (suspended?): start again from now
                self.stats.resyncs += 1
                next_tick = self.clock()
