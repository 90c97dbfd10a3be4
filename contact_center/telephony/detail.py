"""Per-leg call detail: what the call-session service turns into a call activity.

Adapters own one ``LegRecorder`` per leg and stamp it as things happen; ``snapshot()``
hands out an immutable ``CallDetail``. The clock is injected so tests can pin times.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path

from contact_center.telephony.events import HangupBy, LegKind


@dataclass(frozen=True)
class CallDetail:
    """Times are epoch seconds; ``None`` means it did not happen on this leg."""

    call_id: str
    kind: LegKind
    caller: str
    dialled: str
    arrived_at: float | None = None  # INVITE received (inbound) or sent (agent/outbound)
    answered_at: float | None = None
    queued_at: float | None = None
    connected_at: float | None = None  # bridged to the other leg
    hold_started_at: float | None = None
    hold_seconds: float = 0.0
    ended_at: float | None = None
    hung_up_by: HangupBy | None = None
    sip_codes: tuple[int, ...] = ()  # final and provisional codes seen/sent, in order
    ringing_at: float | None = None  # first 18x sent (inbound) or received (agent/outbound)
    final_code: int | None = None  # the code that ended the INVITE (200 answered, 486, 404, 487...)
    end_reason: str = ""  # the final response's reason phrase, or why the leg ended ("far end hung up")
    recording: Path | None = None
    bridged_with: str | None = None
    digits: str = ""

    @property
    def ring_seconds(self) -> float | None:
        """From the INVITE to the answer (or to the end of an unanswered leg)."""
        stop = self.answered_at if self.answered_at is not None else self.ended_at
        return None if self.arrived_at is None or stop is None else max(0.0, stop - self.arrived_at)

    @property
    def talk_seconds(self) -> float | None:
        if self.connected_at is None or self.ended_at is None:
            return None
        return max(0.0, self.ended_at - self.connected_at)


@dataclass
class LegRecorder:
    """Mutable builder behind a ``CallDetail``; every method records one fact."""

    detail: CallDetail
    clock: Callable[[], float]
    _hold_since: float | None = field(default=None, init=False)

    def _set(self, **changes: object) -> None:
        self.detail = replace(self.detail, **changes)  # type: ignore[arg-type]

    def code(self, sip_code: int) -> None:
        self._set(sip_codes=(*self.detail.sip_codes, sip_code))
        if 180 <= sip_code < 190 and self.detail.ringing_at is None:
            self._set(ringing_at=self.clock())
        if sip_code >= 200 and self.detail.final_code is None and self.detail.answered_at is None:
            self._set(final_code=sip_code)

    def answered(self) -> None:
        if self.detail.answered_at is None:
            self._set(answered_at=self.clock())

    def queued(self) -> None:
        self._set(queued_at=self.clock())

    def connected(self, other_call_id: str) -> None:
        self._set(connected_at=self.clock(), bridged_with=other_call_id)

    def hold(self, on: bool) -> None:
        now = self.clock()
        if on and self._hold_since is None:
            self._hold_since = now
            if self.detail.hold_started_at is None:
                self._set(hold_started_at=now)
        elif not on and self._hold_since is not None:
            self._set(hold_seconds=self.detail.hold_seconds + now - self._hold_since)
            self._hold_since = None

    def digit(self, digit: str) -> None:
        self._set(digits=self.detail.digits + digit)

    def set_reason(self, reason: str) -> None:
        self._set(end_reason=reason)

    def recording(self, path: Path) -> None:
        self._set(recording=path)

    def ended(self, by: HangupBy, sip_code: int | None = None, reason: str = "") -> bool:
        """Stamp the end once; returns False if the leg had already ended."""
        if self.detail.ended_at is not None:
            return False
        self.hold(False)
        self._set(ended_at=self.clock(), hung_up_by=by, end_reason=reason)
        if sip_code is not None:
            self.code(sip_code)
        return True

    @property
    def is_ended(self) -> bool:
        return self.detail.ended_at is not None

    def snapshot(self) -> CallDetail:
        return self.detail


def new_leg(call_id: str, kind: LegKind, caller: str, dialled: str, clock: Callable[[], float]) -> LegRecorder:
    return LegRecorder(CallDetail(call_id, kind, caller, dialled, arrived_at=clock()), clock)
