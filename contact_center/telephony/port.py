"""The telephony port: what a call session may ask of the phone network.

Two adapters implement it: ``SipTelephony`` (pyVoIP, real SIP/RTP) and
``SimulatedTelephony`` (in-memory, for the demo and load benchmarks above telephony).
Calls are named by ``call_id`` strings. Any command on a leg that has ended, or that
ends while the command waits (the caller hangs up during a prompt), raises ``CallEnded``.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Literal, Protocol, runtime_checkable

from contact_center.telephony.detail import CallDetail
from contact_center.telephony.events import LegKind, LineStatus, OriginateOutcome, TelephonyEvent

# Listen: the supervisor hears both sides, nobody hears them. Whisper: the agent hears them too (coaching).
# Barge: the customer as well (a three-way call).
MonitorMode = Literal["listen", "whisper", "barge"]
MONITOR_MODES: tuple[MonitorMode, ...] = ("listen", "whisper", "barge")


class CallEnded(Exception):
    """The leg is gone (far-end hang-up, rejected, or never existed)."""

    def __init__(self, call_id: str) -> None:
        super().__init__(f"call {call_id} has ended")
        self.call_id = call_id


@dataclass(frozen=True)
class PromptFile:
    """A WAV file (any rate/width/channels; converted to 8 kHz mono on first use)."""

    path: Path


@dataclass(frozen=True)
class Speech:
    """Text rendered by espeak-ng with ``voice``; cached on disk by text + voice."""

    text: str
    voice: str = "en"


Prompt = PromptFile | Speech


@dataclass(frozen=True)
class OriginateResult:
    """How one dialling attempt went: everything needed to record it, answered or not.

    ``call_id`` is set only when ``outcome`` is ANSWERED (the leg to bridge or hang up);
    ``leg_id`` always names the attempt (also for one refused before it left, e.g. over
    capacity). ``sip_code``/``reason`` are the final response (200, 486 Busy Here, 404
    Not Found, 487 after our CANCEL, 503...); the times are on ``detail`` (``arrived_at``
    = INVITE sent, ``ringing_at``, ``answered_at``, ``ended_at`` for a failed attempt).
    """

    outcome: OriginateOutcome
    call_id: str | None
    sip_code: int | None
    detail: CallDetail
    reason: str = ""

    @property
    def leg_id(self) -> str:
        return self.detail.call_id


AnnouncementSource = Callable[[], Prompt | None]


@runtime_checkable
class TelephonyPort(Protocol):
    """Commands on call legs and a stream of events; one event consumer per adapter."""

    async def start(self) -> None:
        """Register the line(s) and start taking calls. Raises if registration fails."""

    async def stop(self) -> None:
        """Hang up every leg, unregister, and end every thread and socket the adapter made."""

    def events(self) -> AsyncIterator[TelephonyEvent]:
        """CallArrived, DigitReceived, CallHungUp and BridgeEnded, in the order they happened."""
        ...

    async def answer(self, call_id: str) -> None:
        """Answer a ringing inbound leg (200 OK, media starts)."""

    async def reject(self, call_id: str, code: int = 486) -> None:
        """Refuse a ringing inbound leg with a final SIP code (486 busy, 480, 503...)."""

    async def play(self, call_id: str, prompt: Prompt, *, barge_in: bool = True) -> str | None:
        """Play a prompt to the leg; return the digit that interrupted it (barge-in) or None.

        A missing or broken prompt is logged and replaced by spoken fallback text; it never
        ends the call. With ``barge_in`` False, digits pressed during the prompt stay buffered
        for the next ``collect_digits``.
        """
        ...

    async def collect_digits(
        self,
        call_id: str,
        *,
        max_digits: int = 1,
        first_timeout: float = 5.0,
        inter_digit_timeout: float = 3.0,
        terminators: str = "#",
    ) -> str:
        """Return digits pressed (buffered ones first) until ``max_digits``, a terminator
        (kept in the result) or a timeout; an empty string means no input at all."""
        ...

    async def start_hold(
        self,
        call_id: str,
        music: Prompt | None = None,
        *,
        announce: AnnouncementSource | None = None,
        every: float = 30.0,
    ) -> None:
        """Loop ``music`` (default: the adapter's hold music, its ``hold_music`` WAV or a
        generated tune) to the leg until ``stop_hold``; every ``every`` seconds interrupt it
        with what ``announce()`` returns (queue position, expected wait), if anything, then
        carry on with the music where it was. Returns at once."""

    async def stop_hold(self, call_id: str) -> None:
        """Stop hold music (no-op if not on hold)."""

    async def originate(
        self, number: str, *, ring_timeout: float = 30.0, kind: LegKind = LegKind.AGENT
    ) -> OriginateResult:
        """Dial ``number`` through the proxy; wait at most ``ring_timeout`` seconds for an answer
        (then CANCEL: NO_ANSWER). Busy (486/600/603) is BUSY, 404/unreachable is FAILED."""
        ...

    async def bridge(self, a: str, b: str) -> None:
        """Relay audio both ways between two answered legs; when either ends, the bridge ends
        (``BridgeEnded``) and the other leg stays up for the session to decide."""

    async def monitor(self, listener: str, agent: str, mode: MonitorMode) -> None:
        """``listener`` (an answered leg: a supervisor's phone) joins the bridge ``agent`` is in: it hears the
        agent and the customer; with whisper the agent hears it too, with barge both do. Called again, the
        mode changes; hanging ``listener`` up ends it. CallEnded if either leg has ended, ValueError if
        ``agent`` is not bridged to anyone."""

    def levels(self, call_id: str) -> AsyncIterator[int]:
        """How loud each 20 ms frame the far end sends is from now on (RMS of 16-bit linear audio; 0 for a
        frame that never came), for as long as it is read; CallEnded when the leg ends. What answering-
        machine detection listens to."""
        ...

    async def start_recording(self, call_id: str, path: Path) -> None:
        """Record both directions of the leg, mixed, to a mono 8 kHz WAV at ``path``."""

    async def stop_recording(self, call_id: str) -> Path | None:
        """Finish the recording and return its path (also on the leg's ``CallDetail``)."""
        ...

    async def hangup(self, call_id: str) -> None:
        """End the leg from our side (BYE if answered, CANCEL if dialling, 480 if ringing).
        Hanging up a leg that already ended does nothing."""

    def mark_queued(self, call_id: str) -> None:
        """Note on the leg's detail that the session put it in a queue (the queue time)."""

    def detail(self, call_id: str) -> CallDetail:
        """The leg's call detail so far (times, who hung up, SIP codes, recording path)."""
        ...

    def line_status(self) -> dict[str, LineStatus]:
        """Each SIP line's registration, by line user (changes also come as LineStatusChanged)."""
        ...

    async def phone_status(self, extension: str) -> bool | None:
        """Is the phone at ``extension`` registered and reachable? True yes, False no (not
        registered, or registered but not answering), None unknown (could not ask).
        Answers are cached for a few seconds, so polling it for every desk is cheap."""
        ...
