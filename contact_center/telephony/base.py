"""What both adapters share on the loop side: the event stream, legs, play with barge-in,
digit collection and hold with music and announcements.

Subclasses supply the media: ``_media_play`` starts audio on a leg (from a given 20 ms
frame) and returns a future that completes when it has all been sent; ``_media_stop``
cuts it short.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

from contact_center.telephony.audio import FRAME_BYTES
from contact_center.telephony.detail import CallDetail
from contact_center.telephony.events import TelephonyEvent
from contact_center.telephony.legs import Leg, LegTable
from contact_center.telephony.port import AnnouncementSource, Prompt, PromptFile
from contact_center.telephony.prompts import PromptLibrary

log = logging.getLogger(__name__)
_STOP = object()


FRAME_SECONDS = 0.020


class AdapterCore:
    def __init__(
        self, prompts: PromptLibrary, clock: Callable[[], float] = time.time, hold_music: Path | None = None
    ) -> None:
        self.prompts = prompts
        self.clock = clock
        self.hold_music = hold_music  # a WAV (CC_HOLD_MUSIC); None: the generated tune
        self.legs = LegTable()
        self._events: asyncio.Queue[TelephonyEvent | object] = asyncio.Queue()

    # -- events -----------------------------------------------------------------------
    def emit(self, event: TelephonyEvent) -> None:
        self._events.put_nowait(event)

    def close_events(self) -> None:
        self._events.put_nowait(_STOP)

    async def events(self) -> AsyncIterator[TelephonyEvent]:
        while True:
            item = await self._events.get()
            if item is _STOP:
                return
            yield item  # type: ignore[misc]

    # -- media hooks ------------------------------------------------------------------
    def _media_play(self, leg: Leg, pcm: bytes, *, loop: bool = False, start: int = 0) -> asyncio.Future[None]:
        raise NotImplementedError

    async def _prepare(self, pcm: bytes) -> None:
        """Get ``pcm`` ready to play (the SIP adapter encodes it once, off the loop)."""

    def _hold_playing(self, leg: Leg, prompt: Prompt) -> None:
        """What hold is playing now (music, then an announcement...); a hook for the simulation."""

    def _media_stop(self, leg: Leg) -> None:
        raise NotImplementedError

    # -- commands shared by the adapters ----------------------------------------------
    async def play(self, call_id: str, prompt: Prompt, *, barge_in: bool = True) -> str | None:
        leg = self.legs.get(call_id)
        await self.stop_hold(call_id)
        pcm = await leg.until_ended(self.prompts.load(prompt))
        await leg.until_ended(self._prepare(pcm))
        if barge_in and leg.has_digit():  # type-ahead: a digit already pressed skips the prompt
            return await leg.next_digit(0)
        return await self._play_pcm(leg, pcm, barge_in=barge_in)

    async def _play_pcm(self, leg: Leg, pcm: bytes, *, barge_in: bool) -> str | None:
        leg.check()
        done = self._media_play(leg, pcm)
        digit: asyncio.Task[str | None] | None = None
        try:
            if not barge_in:
                await leg.until_ended(done)
                return None
            digit = asyncio.ensure_future(leg.next_digit(None))
            waiting: set[asyncio.Future[Any]] = {done, digit}
            await leg.until_ended(asyncio.wait(waiting, return_when=asyncio.FIRST_COMPLETED))
            if digit.done():
                return digit.result()
            return None
        finally:
            if digit is not None and not digit.done():
                digit.cancel()
            elif digit is not None and not digit.cancelled():
                digit.exception()  # retrieved: the call ending while we listened is reported by until_ended
            if not done.done():
                self._media_stop(leg)
                done.cancel()

    async def collect_digits(
        self,
        call_id: str,
        *,
        max_digits: int = 1,
        first_timeout: float = 5.0,
        inter_digit_timeout: float = 3.0,
        terminators: str = "#",
    ) -> str:
        leg = self.legs.get(call_id)
        leg.check()
        return await leg.collect(max_digits, first_timeout, inter_digit_timeout, terminators)

    async def start_hold(
        self,
        call_id: str,
        music: Prompt | None = None,
        *,
        announce: AnnouncementSource | None = None,
        every: float = 30.0,
    ) -> None:
        leg = self.legs.get(call_id)
        await self.stop_hold(call_id)
        leg.check()
        if music is None:
            music_pcm, source = await leg.until_ended(self.prompts.hold_music_from(self.hold_music))
            music = PromptFile(source)
        else:
            music_pcm = await leg.until_ended(self.prompts.load(music))
        await leg.until_ended(self._prepare(music_pcm))
        leg.recorder.hold(True)
        leg.hold_task = asyncio.create_task(self._hold_loop(leg, music, music_pcm, announce, every))

    async def _hold_loop(
        self, leg: Leg, music: Prompt, pcm: bytes, announce: AnnouncementSource | None, every: float
    ) -> None:
        """Music, and every ``every`` seconds an announcement; the music then goes on where
        it stopped rather than from the top, as on any decent phone system."""
        frames = max(1, len(pcm) // FRAME_BYTES)
        position = 0
        loop = asyncio.get_running_loop()
        with contextlib.suppress(Exception):  # a hold loop never takes the loop down with it
            while not leg.is_ended:
                self._hold_playing(leg, music)
                started = loop.time()
                playing = self._media_play(leg, pcm, loop=True, start=position)
                ended = asyncio.ensure_future(leg.wait_ended())
                try:
                    await asyncio.wait({playing, ended}, timeout=every, return_when=asyncio.FIRST_COMPLETED)
                finally:
                    ended.cancel()
                    self._media_stop(leg)
                    playing.cancel()
                position = (position + round((loop.time() - started) / FRAME_SECONDS)) % frames
                prompt = announce() if announce is not None and not leg.is_ended else None
                if prompt is not None:
                    self._hold_playing(leg, prompt)
                    announcement = await self.prompts.load(prompt)
                    await self._prepare(announcement)
                    await self._play_pcm(leg, announcement, barge_in=False)

    async def stop_hold(self, call_id: str) -> None:
        leg = self.legs.find(call_id)
        if leg is None or leg.hold_task is None:
            return
        task, leg.hold_task = leg.hold_task, None
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
        self._media_stop(leg)
        leg.recorder.hold(False)

    async def _monitoring(self, listener: str, agent: str) -> str:
        """Both legs up, the agent's bridged and the listener's hold music off; the customer's leg."""
        leg_s, leg_a = self.legs.get(listener), self.legs.get(agent)
        leg_s.check()
        leg_a.check()
        if leg_a.bridged_with is None:
            raise ValueError(f"{agent} is not bridged to anyone")
        await self.stop_hold(listener)
        leg_s.recorder.connected(agent)
        return leg_a.bridged_with

    def mark_queued(self, call_id: str) -> None:
        self.legs.get(call_id).recorder.queued()

    def detail(self, call_id: str) -> CallDetail:
        return self.legs.get(call_id).recorder.snapshot()
