"""Loop-side state of one call leg, shared by both adapters: digits, end, detail.

Everything here runs on the asyncio loop; adapters feed it from their threads with
``loop.call_soon_threadsafe``. Waits that outlive the leg raise ``CallEnded``.
"""

from __future__ import annotations

import asyncio
import inspect
from collections import deque
from collections.abc import Awaitable
from typing import TypeVar

from contact_center.telephony.detail import LegRecorder
from contact_center.telephony.port import CallEnded

T = TypeVar("T")


class Leg:
    def __init__(self, call_id: str, recorder: LegRecorder) -> None:
        self.call_id = call_id
        self.recorder = recorder
        self.answered = False
        self.bridged_with: str | None = None
        self.hold_task: asyncio.Task[None] | None = None
        self._digits: deque[str] = deque()
        self._digit_ready = asyncio.Event()
        self._ended = asyncio.Event()

    # -- facts pushed by the adapter --------------------------------------------------
    def push_digit(self, digit: str) -> None:
        self.recorder.digit(digit)
        self._digits.append(digit)
        self._digit_ready.set()

    def end(self) -> None:
        self._ended.set()
        self._digit_ready.set()

    @property
    def is_ended(self) -> bool:
        return self._ended.is_set()

    def check(self) -> None:
        if self._ended.is_set():
            raise CallEnded(self.call_id)

    async def wait_ended(self) -> None:
        await self._ended.wait()

    # -- waits used by commands -------------------------------------------------------
    async def until_ended(self, awaitable: Awaitable[T]) -> T:
        """Await ``awaitable`` unless the leg ends first (then cancel it, raise CallEnded)."""
        if self._ended.is_set():
            if inspect.iscoroutine(awaitable):
                awaitable.close()  # never started: close it, or Python warns it was never awaited
            raise CallEnded(self.call_id)
        work = asyncio.ensure_future(awaitable)
        ended = asyncio.ensure_future(self._ended.wait())
        try:
            await asyncio.wait({work, ended}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            ended.cancel()
        if work.done():
            return work.result()
        work.cancel()
        raise CallEnded(self.call_id)

    async def next_digit(self, wait: float | None) -> str | None:
        """Pop one buffered digit or wait up to ``wait`` seconds for one."""
        loop = asyncio.get_running_loop()
        deadline = None if wait is None else loop.time() + wait
        while not self._digits:
            self.check()
            self._digit_ready.clear()
            remaining = None if deadline is None else deadline - loop.time()
            if remaining is not None and remaining <= 0:
                return None
            try:
                await asyncio.wait_for(self._digit_ready.wait(), remaining)
            except TimeoutError:
                return None
        return self._digits.popleft()

    def has_digit(self) -> bool:
        return bool(self._digits)

    async def collect(self, max_digits: int, first_timeout: float, inter_digit_timeout: float, terminators: str) -> str:
        got = ""
        while len(got) < max_digits:
            digit = await self.next_digit(first_timeout if not got else inter_digit_timeout)
            if digit is None:
                break
            got += digit
            if digit in terminators:
                break
        return got


class LegTable:
    """The adapter's legs by call id; ``get`` raises CallEnded for unknown ids.

    Ended legs stay readable (``detail`` after the hang-up) until ``keep_ended`` newer
    ended legs push them out, so a long-running worker does not grow without bound.
    """

    def __init__(self, keep_ended: int = 5000) -> None:
        self._legs: dict[str, Leg] = {}
        self.keep_ended = keep_ended

    def add(self, leg: Leg) -> Leg:
        self._legs[leg.call_id] = leg
        if len(self._legs) > 2 * self.keep_ended:
            ended = [cid for cid, known in self._legs.items() if known.is_ended]  # oldest first
            for call_id in ended[: len(ended) - self.keep_ended]:
                del self._legs[call_id]
        return leg

    def get(self, call_id: str) -> Leg:
        leg = self._legs.get(call_id)
        if leg is None:
            raise CallEnded(call_id)
        return leg

    def find(self, call_id: str) -> Leg | None:
        return self._legs.get(call_id)

    def live(self) -> list[Leg]:
        return [leg for leg in self._legs.values() if not leg.is_ended]

    def __len__(self) -> int:
        return len(self._legs)
