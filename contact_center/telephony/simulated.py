"""A telephony adapter without a network, with the same port as the SIP adapter.

For the demo and for load benchmarks of everything above telephony. Drive it with
``inject_call``, ``press`` and ``far_end_hangup``; program dialled numbers with
``program`` and desk phones with ``set_phone``. Prompts "play" for their real length
times ``speed`` (0: instantly). It records what happened (``played``, ``on_hold`` — the
music and announcements hold would play, in order —, ``bridges``, ``rejected``) for tests.
Capacity counts legs like the SIP adapter's, with the same reserve for agent legs.
"""

from __future__ import annotations

import asyncio
import itertools
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from pathlib import Path

from contact_center.telephony import audio
from contact_center.telephony.base import AdapterCore
from contact_center.telephony.capacity import CapacityGuard
from contact_center.telephony.detail import new_leg
from contact_center.telephony.events import (
    BridgeEnded,
    CallArrived,
    CallHungUp,
    DigitReceived,
    HangupBy,
    LegKind,
    LineStatus,
    OriginateOutcome,
)
from contact_center.telephony.legs import Leg
from contact_center.telephony.originate import refused
from contact_center.telephony.port import CallEnded, MonitorMode, OriginateResult, Prompt
from contact_center.telephony.prompts import PromptLibrary


@dataclass(frozen=True)
class Programmed:
    """How a dialled number behaves: ``outcome`` after ``delay`` seconds; once answered, how loud each
    20 ms frame it sends is (``levels``, then silence): a person's "Hello?" or a machine's greeting."""

    outcome: OriginateOutcome
    delay: float = 0.0
    levels: tuple[int, ...] = ()


def _finish(future: asyncio.Future[None]) -> None:
    if not future.done():
        future.set_result(None)


_CODES = {
    OriginateOutcome.ANSWERED: 200,
    OriginateOutcome.BUSY: 486,
    OriginateOutcome.NO_ANSWER: 487,
    OriginateOutcome.FAILED: 404,
}
_REASONS = {
    OriginateOutcome.ANSWERED: "OK",
    OriginateOutcome.BUSY: "Busy Here",
    OriginateOutcome.NO_ANSWER: "Request Terminated",
    OriginateOutcome.FAILED: "Not Found",
}


class SimulatedTelephony(AdapterCore):
    def __init__(
        self,
        prompts: PromptLibrary,
        *,
        line: str = "ivr",
        speed: float = 0.0,
        max_calls: int = 10_000,
        reserve: int | None = None,
        hold_music: Path | None = None,
        clock: Callable[[], float] = time.time,
        unprogrammed: Programmed | None = None,
        id_prefix: str = "sim",
    ) -> None:
        super().__init__(prompts, clock, hold_music)
        # How a number nobody programmed behaves: by default it fails (404); the demo makes every phone
        # answer, since each agent's "phone" is their browser.
        self.unprogrammed = unprogrammed or Programmed(OriginateOutcome.FAILED)
        self.id_prefix = id_prefix  # leg ids are unique per adapter; give each node of a cluster its own
        self.line = line
        self.speed = speed
        self.capacity = CapacityGuard(max_calls, reserve=reserve)
        self.programs: dict[str, Programmed] = {}
        self.phones: dict[str, bool] = {}
        self.played: list[tuple[str, Prompt]] = []
        self.on_hold: list[tuple[str, Prompt]] = []
        # Everything a caller heard in order, prompts and hold (music or announcements): the caller simulator.
        self.heard: list[tuple[str, Prompt, bool]] = []  # (call id, prompt, on hold)
        self.bridges: list[tuple[str, str]] = []
        self.monitors: dict[str, tuple[str, MonitorMode]] = {}  # listener leg -> (agent leg, mode), while up
        self.rejected: list[tuple[str, int]] = []
        self._ids = itertools.count(1)
        self._playing: dict[str, asyncio.Future[None]] = {}
        self._voices: dict[str, tuple[int, ...]] = {}  # answered leg -> what its far end says (levels)

    async def start(self) -> None:
        return None

    async def stop(self) -> None:
        for leg in self.legs.live():
            self._end(leg, HangupBy.SYSTEM, None)
        self.close_events()

    # -- driving the simulation -------------------------------------------------------
    def program(self, number: str, outcome: OriginateOutcome, delay: float = 0.0, levels: tuple[int, ...] = ()) -> None:
        self.programs[number] = Programmed(outcome, delay, levels)

    def line_status(self) -> dict[str, LineStatus]:
        return {self.line: LineStatus.REGISTERED}  # a simulated line never loses its registrar

    def set_phone(self, extension: str, registered: bool | None) -> None:
        """What ``phone_status`` says for ``extension`` (None: forget, back to the default)."""
        if registered is None:
            self.phones.pop(extension, None)
        else:
            self.phones[extension] = registered

    async def phone_status(self, extension: str) -> bool | None:
        """As set by ``set_phone``; otherwise a programmed number that would not fail is a
        registered phone, and anything else is not."""
        if extension in self.phones:
            return self.phones[extension]
        program = self.programs.get(extension, self.unprogrammed)
        return program.outcome is not OriginateOutcome.FAILED

    def inject_call(self, caller: str, dialled: str) -> str | None:
        """A call arrives; returns its id, or None if over capacity (a 503 in SIP)."""
        if not self.capacity.try_admit():
            self.rejected.append((caller, 503))
            return None
        call_id = f"{self.id_prefix}-{next(self._ids)}"
        self.legs.add(Leg(call_id, new_leg(call_id, LegKind.INBOUND, caller, dialled, self.clock)))
        self.emit(CallArrived(call_id, caller, dialled, self.line, self.clock()))
        return call_id

    def press(self, call_id: str, digits: str) -> None:
        leg = self.legs.get(call_id)
        for digit in digits:
            leg.push_digit(digit)
            self.emit(DigitReceived(call_id, digit, self.clock()))

    def far_end_hangup(self, call_id: str) -> None:
        self._end(self.legs.get(call_id), HangupBy.REMOTE, 200, "far end hung up")

    # -- port -------------------------------------------------------------------------
    async def answer(self, call_id: str) -> None:
        leg = self.legs.get(call_id)
        leg.check()
        leg.answered = True
        leg.recorder.code(200)
        leg.recorder.answered()

    async def reject(self, call_id: str, code: int = 486) -> None:
        self._end(self.legs.get(call_id), HangupBy.LOCAL, code)

    async def play(self, call_id: str, prompt: Prompt, *, barge_in: bool = True) -> str | None:
        self.played.append((call_id, prompt))
        self.heard.append((call_id, prompt, False))
        return await super().play(call_id, prompt, barge_in=barge_in)

    def _hold_playing(self, leg: Leg, prompt: Prompt) -> None:
        self.on_hold.append((leg.call_id, prompt))
        self.heard.append((leg.call_id, prompt, True))

    def _media_play(self, leg: Leg, pcm: bytes, *, loop: bool = False, start: int = 0) -> asyncio.Future[None]:
        seconds = max(0, len(pcm) - start * audio.FRAME_BYTES) / (audio.RATE * 2) * self.speed
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        if not loop:
            asyncio.get_running_loop().call_later(seconds, _finish, future)
        self._playing[leg.call_id] = future
        return future

    def _media_stop(self, leg: Leg) -> None:
        future = self._playing.pop(leg.call_id, None)
        if future is not None and not future.done():
            future.cancel()

    async def originate(
        self, number: str, *, ring_timeout: float = 30.0, kind: LegKind = LegKind.AGENT
    ) -> OriginateResult:
        if not self.capacity.try_admit(inbound=False):
            return refused(number, kind, self.line, 503, "over capacity", self.clock)
        call_id = f"{self.id_prefix}-{next(self._ids)}"
        leg = Leg(call_id, new_leg(call_id, kind, self.line, number, self.clock))
        self.legs.add(leg)
        program = self.programs.get(number, self.unprogrammed)
        outcome = program.outcome
        if program.delay > ring_timeout:
            outcome, program = OriginateOutcome.NO_ANSWER, Programmed(outcome, ring_timeout)
        if program.delay > 0:
            leg.recorder.code(180)
        await asyncio.sleep(program.delay)
        code = _CODES[outcome]
        if outcome is OriginateOutcome.ANSWERED:
            leg.answered = True
            self._voices[call_id] = program.levels
            leg.recorder.code(200)
            leg.recorder.answered()
            return OriginateResult(outcome, call_id, code, leg.recorder.snapshot(), "OK")
        by = HangupBy.LOCAL if outcome is OriginateOutcome.NO_ANSWER else HangupBy.REMOTE
        self._end(leg, by, code, _REASONS[outcome])  # CallHungUp too, as from the SIP adapter
        return OriginateResult(outcome, None, code, leg.recorder.snapshot(), _REASONS[outcome])

    async def bridge(self, a: str, b: str) -> None:
        leg_a, leg_b = self.legs.get(a), self.legs.get(b)
        leg_a.check()
        leg_b.check()
        await self.stop_hold(a)
        await self.stop_hold(b)
        leg_a.bridged_with, leg_b.bridged_with = b, a
        leg_a.recorder.connected(b)
        leg_b.recorder.connected(a)
        self.bridges.append((a, b))

    async def monitor(self, listener: str, agent: str, mode: MonitorMode) -> None:
        await self._monitoring(listener, agent)
        self.monitors[listener] = (agent, mode)

    async def levels(self, call_id: str) -> AsyncIterator[int]:
        leg = self.legs.get(call_id)
        leg.check()
        said = self._voices.get(call_id, ())
        for frame in itertools.count():
            leg.check()
            await asyncio.sleep(0.02 * self.speed)  # speed 0: as fast as it is read
            yield said[frame] if frame < len(said) else 0

    async def start_recording(self, call_id: str, path: Path) -> None:
        leg = self.legs.get(call_id)
        leg.check()
        leg.recorder.recording(path)

    async def stop_recording(self, call_id: str) -> Path | None:
        path = self.legs.get(call_id).recorder.snapshot().recording
        if path is not None and not path.exists():
            await asyncio.to_thread(audio.write_wav, path, b"\x00\x00" * audio.FRAME_SAMPLES)
        return path

    async def hangup(self, call_id: str) -> None:
        leg = self.legs.find(call_id)
        if leg is not None:
            self._end(leg, HangupBy.LOCAL, None)

    def _end(self, leg: Leg, by: HangupBy, code: int | None, reason: str = "") -> None:
        if not leg.recorder.ended(by, code, reason):
            return
        self._media_stop(leg)
        if leg.hold_task is not None:
            leg.hold_task.cancel()
        leg.end()
        self.capacity.release()
        self.emit(CallHungUp(leg.call_id, by, self.clock(), code, reason))
        self.monitors.pop(leg.call_id, None)
        other = self.legs.find(leg.bridged_with) if leg.bridged_with else None
        if other is not None:
            other.bridged_with = leg.bridged_with = None
            self.emit(BridgeEnded(other.call_id, leg.call_id, leg.call_id, self.clock()))

    def leg(self, call_id: str) -> Leg:
        """The live leg (for tests); raises CallEnded if unknown."""
        leg = self.legs.get(call_id)
        if leg.is_ended:
            raise CallEnded(call_id)
        return leg
