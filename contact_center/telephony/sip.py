"""``SipTelephony``: the telephony port over pyVoIP, for real SIP/RTP calls.

Threads stop here. The lines' receive and timer threads and the media threads report
through ``LineListener`` methods, which only ``loop.call_soon_threadsafe`` onto the loop;
blocking line calls (register, answer, dial, hang up, stop) run in ``asyncio.to_thread``.
Capacity counts legs: a caller bridged to an agent uses two, and ``reserve`` legs are
kept for agents' and outbound legs (see ``capacity``).
"""

from __future__ import annotations

import asyncio
import logging
import sys
import time
from collections.abc import AsyncIterator, Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from contact_center.telephony import audio, sip_messages
from contact_center.telephony.capacity import CapacityGuard, NoPortsLeft, PortPool
from contact_center.telephony.detail import new_leg
from contact_center.telephony.events import HangupBy, LegKind, LineStatus, OriginateOutcome
from contact_center.telephony.legs import Leg
from contact_center.telephony.media import MediaEngine
from contact_center.telephony.originate import outcome_for, refused
from contact_center.telephony.phone_status import PhoneStatusCache
from contact_center.telephony.port import CallEnded, MonitorMode, OriginateResult
from contact_center.telephony.prompts import PromptLibrary
from contact_center.telephony.pyvoip_fixes import FixedVoIPCall
from contact_center.telephony.pyvoip_line import FixedVoIPPhone
from contact_center.telephony.recording import Recording
from contact_center.telephony.sip_reactions import LineReactions, ThreadListener
from contact_center.telephony.stream import Stream

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class SipLine:
    """One registration of the server at the proxy (CC_SIP_* settings)."""

    registrar: str  # "host:port"
    user: str
    password: str = ""
    local_ip: str = "127.0.0.1"
    local_port: int = 5070


class SipTelephony(LineReactions):
    def __init__(
        self,
        prompts: PromptLibrary,
        *,
        rtp_ports: tuple[int, int] = (20000, 20999),
        max_calls: int = 60,
        reserve: int | None = None,
        hold_music: Path | None = None,
        register_expires: int = 300,
        retry_after: int = 5,
        phone_status_ttl: float = 10.0,
        register_timeout: float = 5.0,
        t1: float = 0.5,
        media_realtime: bool = True,
        clock: Callable[[], float] = time.time,
        switch_interval: float | None = 0.002,
    ) -> None:
        super().__init__(prompts, clock, hold_music)
        # The media clock must get the GIL within a few ms: at the default 5 ms hand-off the
        # RTP send interval p99 reached 40 ms at 200 calls; at 1-2 ms it stays near 22 ms.
        self.switch_interval = switch_interval
        self._saved_switch_interval: float | None = None
        self.engine = MediaEngine(realtime=media_realtime)
        self.pool = PortPool(*rtp_ports)
        self.capacity = CapacityGuard(max_calls, retry_after, reserve)
        self.register_expires, self.register_timeout, self.t1 = register_expires, register_timeout, t1
        self.phones = PhoneStatusCache(self._probe, ttl=phone_status_ttl)
        self.lines: list[FixedVoIPPhone] = []
        self._specs: list[SipLine] = []
        self._calls: dict[str, tuple[FixedVoIPPhone, FixedVoIPCall]] = {}
        self._outcomes: dict[str, asyncio.Future[int]] = {}
        self._encoded: dict[bytes, list[bytes]] = {}
        self._writer = ThreadPoolExecutor(1, thread_name_prefix="recording-writer")
        self._loop: asyncio.AbstractEventLoop | None = None

    def open_line(self, line: SipLine) -> None:
        """Add a line to register at ``start`` (one per telephony worker process, usually)."""
        self._specs.append(line)

    # -- lifecycle ------------------------------------------------------------------------------
    async def start(self) -> None:
        self._loop = asyncio.get_running_loop()
        if self.switch_interval is not None:
            self._saved_switch_interval = sys.getswitchinterval()
            sys.setswitchinterval(self.switch_interval)
        self.engine.start()
        try:
            for spec in self._specs:
                host, _, port = spec.registrar.rpartition(":")
                proxy = await asyncio.to_thread(_resolve, host, int(port))
                phone = FixedVoIPPhone(
                    host,
                    int(port),
                    spec.user,
                    spec.password,
                    local_ip=spec.local_ip,
                    local_port=spec.local_port,
                    engine=self.engine,
                    ports=self.pool,
                    listener=ThreadListener(self),
                    trusted={proxy},
                    register_expires=self.register_expires,
                    retry_after=self.capacity.retry_after,
                    register_timeout=self.register_timeout,
                    t1=self.t1,
                )
                self.lines.append(phone)
                try:
                    await asyncio.to_thread(phone.start)
                except BaseException:
                    self.lines.remove(phone)
                    raise
        except BaseException:
            await self.stop()
            raise

    async def stop(self) -> None:
        for phone in self.lines:
            await asyncio.to_thread(phone.stop)
        self.lines.clear()
        await asyncio.to_thread(self.engine.stop)
        await asyncio.to_thread(self._writer.shutdown, True)
        if self._saved_switch_interval is not None:
            sys.setswitchinterval(self._saved_switch_interval)
            self._saved_switch_interval = None
        self.close_events()

    # -- commands ---------------------------------------------------------------------------------
    def _call(self, call_id: str) -> tuple[Leg, FixedVoIPPhone, FixedVoIPCall]:
        leg = self.legs.get(call_id)
        leg.check()
        found = self._calls.get(call_id)
        if found is None:
            raise CallEnded(call_id)
        return leg, found[0], found[1]

    def _stream(self, call_id: str) -> Stream:
        _, _, call = self._call(call_id)
        if call.stream is None:
            raise RuntimeError(f"call {call_id} has no media yet: answer it first")
        return call.stream

    async def answer(self, call_id: str) -> None:
        leg, phone, call = self._call(call_id)
        try:
            await leg.until_ended(asyncio.to_thread(phone.answer, call))
        except Exception as exc:
            if isinstance(exc, CallEnded) or call.ended.is_set():
                raise CallEnded(call_id) from exc
            raise
        leg.answered = True
        leg.recorder.code(200)
        leg.recorder.answered()

    async def reject(self, call_id: str, code: int = 486) -> None:
        _, phone, call = self._call(call_id)
        await asyncio.to_thread(phone.hangup, call, code)

    async def hangup(self, call_id: str) -> None:
        found = self._calls.get(call_id)
        if found is not None:
            await self.stop_hold(call_id)
            await asyncio.to_thread(found[0].hangup, found[1])

    async def _prepare(self, pcm: bytes) -> None:
        # Encoding is pure Python (16 s of hold music: tens of ms): in a thread, once per
        # prompt, so the loop goes on taking calls meanwhile.
        if pcm not in self._encoded:
            self._remember(pcm, await asyncio.to_thread(_encode, pcm))

    def _remember(self, pcm: bytes, frames: list[bytes]) -> list[bytes]:
        if len(self._encoded) >= 32:
            self._encoded.pop(next(iter(self._encoded)))
        self._encoded[pcm] = frames
        return frames

    def _media_play(self, leg: Leg, pcm: bytes, *, loop: bool = False, start: int = 0) -> asyncio.Future[None]:
        stream = self._stream(leg.call_id)
        frames = self._encoded.get(pcm) or self._remember(pcm, _encode(pcm))
        running = asyncio.get_running_loop()
        done: asyncio.Future[None] = running.create_future()

        def finished() -> None:  # media clock thread
            if not running.is_closed():
                running.call_soon_threadsafe(_settle, done)

        stream.play(frames, loop=loop, on_done=finished, start=start)
        return done

    def _media_stop(self, leg: Leg) -> None:
        stream = self._stream_or_none(leg.call_id)
        if stream is not None:
            stream.stop_playing()

    async def originate(
        self, number: str, *, ring_timeout: float = 30.0, kind: LegKind = LegKind.AGENT
    ) -> OriginateResult:
        if not self.lines:
            raise RuntimeError("no SIP line is registered")
        phone = self.lines[0]
        if not self.capacity.try_admit(inbound=False):
            return refused(number, kind, phone.username, 503, "over capacity", self.clock)
        # The leg and its result exist before the INVITE leaves: the proxy's 404 for an
        # unregistered phone can come back before ``dial`` has even returned.
        call_id = sip_messages.new_call_id(phone.myIP)
        leg = self.legs.add(Leg(call_id, new_leg(call_id, kind, phone.username, number, self.clock)))
        outcome = self._outcomes[call_id] = asyncio.get_running_loop().create_future()
        try:
            call = await asyncio.to_thread(phone.dial, number, call_id)
        except (NoPortsLeft, OSError) as exc:
            self._outcomes.pop(call_id, None)
            self.capacity.release()
            leg.recorder.ended(HangupBy.SYSTEM, 503, f"no RTP port: {exc}")
            leg.end()
            return OriginateResult(OriginateOutcome.FAILED, None, 503, leg.recorder.snapshot(), "no RTP port")
        if not leg.is_ended:
            self._calls[call_id] = (phone, call)
        timed_out = False
        try:
            code = await asyncio.wait_for(asyncio.shield(outcome), ring_timeout)
        except TimeoutError:
            timed_out = True
            await asyncio.to_thread(phone.hangup, call)  # CANCEL; the 487 (or a racing 200 + BYE) ends it
            try:
                code = await asyncio.wait_for(asyncio.shield(outcome), 5)
            except TimeoutError:
                await asyncio.to_thread(phone.finish, call, HangupBy.LOCAL, 408, "no answer to our CANCEL")
                code = 408
        finally:
            self._outcomes.pop(call_id, None)
        if timed_out:
            code = code if code >= 300 else 487
            leg.recorder.set_reason(f"no answer in {ring_timeout:g} s")
            return OriginateResult(
                OriginateOutcome.NO_ANSWER,
                None,
                code,
                leg.recorder.snapshot(),
                call.final_reason or "Request Terminated",
            )
        if code == 200 and not leg.is_ended:
            leg.answered = True
            leg.recorder.answered()
            return OriginateResult(OriginateOutcome.ANSWERED, call_id, 200, leg.recorder.snapshot(), "OK")
        return OriginateResult(outcome_for(code), None, code, leg.recorder.snapshot(), call.final_reason)

    async def bridge(self, a: str, b: str) -> None:
        leg_a, leg_b = self.legs.get(a), self.legs.get(b)
        await self.stop_hold(a)
        await self.stop_hold(b)
        stream_a, stream_b = self._stream(a), self._stream(b)
        stream_a.stop_playing()
        stream_b.stop_playing()
        stream_a.relay_from, stream_b.relay_from = stream_b, stream_a
        leg_a.bridged_with, leg_b.bridged_with = b, a
        leg_a.recorder.connected(b)
        leg_b.recorder.connected(a)

    async def monitor(self, listener: str, agent: str, mode: MonitorMode) -> None:
        customer_leg = await self._monitoring(listener, agent)
        heard, agent_stream, customer = self._stream(listener), self._stream(agent), self._stream(customer_leg)
        heard.stop_playing()
        heard.relay_from, heard.also_hears = agent_stream, (customer,)
        agent_stream.also_hears = _joined(agent_stream.also_hears, heard, mode in ("whisper", "barge"))
        customer.also_hears = _joined(customer.also_hears, heard, mode == "barge")

    async def levels(self, call_id: str) -> AsyncIterator[int]:
        leg = self.legs.get(call_id)
        leg.check()
        stream = self._stream(call_id)
        loop = asyncio.get_running_loop()
        heard: asyncio.Queue[int] = asyncio.Queue()

        def tell(level: int) -> None:  # on the media clock thread
            loop.call_soon_threadsafe(heard.put_nowait, level)

        stream.level_sink = tell
        try:
            while True:
                yield await leg.until_ended(heard.get())
        finally:
            stream.level_sink = None

    async def start_recording(self, call_id: str, path: Path) -> None:
        stream = self._stream(call_id)
        if stream.recorder is not None:
            stream.recorder.close()
        stream.recorder = Recording(path, self._writer)
        self.legs.get(call_id).recorder.recording(path)

    async def stop_recording(self, call_id: str) -> Path | None:
        leg = self.legs.get(call_id)
        stream = self._stream_or_none(call_id)
        recording = stream.recorder if stream is not None else None
        if stream is not None:
            stream.recorder = None
        if isinstance(recording, Recording):
            recording.close()
            await asyncio.to_thread(recording.finished.wait, 10)
        return leg.recorder.snapshot().recording

    # -- lines and phones -------------------------------------------------------------------------
    def line_status(self) -> dict[str, LineStatus]:
        """Each line's registration (the same changes come as ``LineStatusChanged`` events)."""
        return {phone.username: phone.line_status for phone in self.lines}

    async def phone_status(self, extension: str) -> bool | None:
        return await self.phones.status(extension)

    async def _probe(self, extension: str) -> int | None:
        """OPTIONS through the proxy to ``extension``: the final code, or None if nothing answered."""
        if not self.lines:
            return None
        running = asyncio.get_running_loop()
        answer: asyncio.Future[int | None] = running.create_future()

        def done(code: int | None, reason: str) -> None:  # a SIP thread
            if not running.is_closed():
                running.call_soon_threadsafe(_settle_value, answer, code)

        self.lines[0].probe(extension, done)
        return await answer

    def stream_of(self, call_id: str) -> Stream | None:
        """The leg's RTP stream (taps and counters for tests and benchmarks)."""
        return self._stream_or_none(call_id)


def _joined(hears: tuple[Stream, ...], listener: Stream, heard: bool) -> tuple[Stream, ...]:
    others = tuple(s for s in hears if s is not listener and not s.closed)
    return (*others, listener) if heard else others


def _encode(pcm: bytes) -> list[bytes]:
    return [audio.ulaw_encode(f) for f in audio.frames(pcm)]


def _settle(future: asyncio.Future[None]) -> None:
    if not future.done():
        future.set_result(None)


def _settle_value(future: asyncio.Future[int | None], value: int | None) -> None:
    if not future.done():
        future.set_result(value)


def _resolve(host: str, port: int) -> tuple[str, int]:
    import socket

    return socket.gethostbyname(host), port
