"""How events from pyVoIP's threads reach the asyncio loop, for ``SipTelephony``.

``ThreadListener`` runs on pyVoIP's receive thread and the media threads: it only admits or
releases capacity (thread-safe) and posts with ``loop.call_soon_threadsafe``. The
``LineReactions._on_*`` methods then run on the loop and turn facts into leg state and events.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

from contact_center.telephony import sip_messages
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
    LineStatusChanged,
)
from contact_center.telephony.legs import Leg
from contact_center.telephony.pyvoip_fixes import FixedVoIPCall
from contact_center.telephony.pyvoip_line import FixedVoIPPhone
from contact_center.telephony.stream import Stream


class LineReactions(AdapterCore):
    capacity: CapacityGuard
    _loop: asyncio.AbstractEventLoop | None
    _calls: dict[str, tuple[FixedVoIPPhone, FixedVoIPCall]]
    _outcomes: dict[str, asyncio.Future[int]]

    def _stream_or_none(self, call_id: str) -> Stream | None:
        found = self._calls.get(call_id)
        return found[1].stream if found is not None else None

    def _on_line_status(self, line: str, status: LineStatus, reason: str) -> None:
        self.emit(LineStatusChanged(line, status, self.clock(), reason))

    # -- loop-side reactions to line events ----------------------------------------------------
    def _post(self, fn: Callable[..., None], *args: Any) -> None:
        if self._loop is not None and not self._loop.is_closed():
            self._loop.call_soon_threadsafe(fn, *args)

    def _on_arrived(self, phone: FixedVoIPPhone, call: FixedVoIPCall) -> None:
        lines = sip_messages.header_lines(call.request.raw if call.request is not None else b"")
        caller = sip_messages.user_of(sip_messages.first(lines, "From") or "")
        dialled = sip_messages.user_of(sip_messages.first(lines, "To") or "")
        self._calls[call.call_id] = (phone, call)
        leg = self.legs.add(Leg(call.call_id, new_leg(call.call_id, LegKind.INBOUND, caller, dialled, self.clock)))
        leg.recorder.code(180)
        self.emit(CallArrived(call.call_id, caller, dialled, phone.username, self.clock()))

    def _on_progress(self, call_id: str, code: int) -> None:
        leg = self.legs.find(call_id)
        if leg is not None:
            leg.recorder.code(code)

    def _on_answered(self, call_id: str) -> None:
        future = self._outcomes.get(call_id)
        if future is not None and not future.done():
            future.set_result(200)

    def _on_digit(self, call_id: str, digit: str) -> None:
        leg = self.legs.find(call_id)
        if leg is not None and not leg.is_ended:
            leg.push_digit(digit)
            self.emit(DigitReceived(call_id, digit, self.clock()))

    def _on_ended(self, call_id: str, by: HangupBy, code: int | None, reason: str) -> None:
        self._calls.pop(call_id, None)
        future = self._outcomes.get(call_id)
        if future is not None and not future.done():
            future.set_result(code if code is not None else 487)  # ended by us while dialling
        leg = self.legs.find(call_id)
        if leg is None or not leg.recorder.ended(by, code, reason):
            return
        if leg.hold_task is not None:
            leg.hold_task.cancel()
        leg.end()
        self.emit(CallHungUp(call_id, by, self.clock(), code, reason))
        other = self.legs.find(leg.bridged_with) if leg.bridged_with else None
        if other is not None:
            stream = self._stream_or_none(other.call_id)
            if stream is not None:
                stream.relay_from = None
            other.bridged_with = leg.bridged_with = None
            self.emit(BridgeEnded(other.call_id, call_id, call_id, self.clock()))


class ThreadListener:
    """pyVoIP-thread side: admit/release run in place (thread-safe); the rest goes to the loop."""

    def __init__(self, adapter: LineReactions) -> None:
        self.adapter = adapter

    def admit(self) -> bool:
        return self.adapter.capacity.try_admit(inbound=True)

    def release(self) -> None:
        self.adapter.capacity.release()

    def arrived(self, line: FixedVoIPPhone, call: FixedVoIPCall) -> None:
        self.adapter._post(self.adapter._on_arrived, line, call)

    def progress(self, call_id: str, code: int) -> None:
        self.adapter._post(self.adapter._on_progress, call_id, code)

    def answered(self, call_id: str) -> None:
        self.adapter._post(self.adapter._on_answered, call_id)

    def ended(self, call_id: str, by: HangupBy, code: int | None, reason: str) -> None:
        self.adapter.capacity.release()
        self.adapter._post(self.adapter._on_ended, call_id, by, code, reason)

    def line_status(self, line: str, status: LineStatus, reason: str) -> None:
        self.adapter._post(self.adapter._on_line_status, line, status, reason)

    def digit(self, call_id: str, digit: str) -> None:
        self.adapter._post(self.adapter._on_digit, call_id, digit)
