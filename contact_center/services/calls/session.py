"""One inbound call, one task: answer, identify, IVR, then hand the caller to routing and wait.

The session owns the caller's leg. Routing decides who answers; the call center tells the session
when an agent accepted (``connect_agent``) and when the far end or the agent hung up.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable, Coroutine
from pathlib import Path
from typing import Any

from contact_center.clock import Clock
from contact_center.domain.acd.commands import Command, EnqueueCall, RequestCallback
from contact_center.domain.acd.config import QueueConfig
from contact_center.domain.acd.wait_estimate import WaitEstimate
from contact_center.domain.ivr import Enqueue, FlowEnd, HangUp, RecordVoicemail, Start, TransferCall
from contact_center.domain.ivr import RequestCallback as IvrCallback
from contact_center.domain.ivr.model import FlowSet
from contact_center.flows.directory import Directory
from contact_center.services.calls.ivr_runner import run_ivr, to_prompt
from contact_center.services.calls.record import (
    CallRecord,
    leg_json,
    write_call_activity,
    write_ivr_activity,
    write_voicemail_activity,
)
from contact_center.store.activity_log import ActivityLog
from contact_center.telephony.port import CallEnded, Prompt, PromptFile, Speech, TelephonyPort

log = logging.getLogger(__name__)
CALLBACK_CONFIRMATION = Speech("Thank you. We will call you back as soon as an agent is free. Goodbye.")
VOICEMAIL_DONE = Speech("Thank you for your message. Goodbye.")
QUEUE_VOICEMAIL = Speech(
    "All our agents are still busy. Please leave a message after the tone, and we will call you back."
)
QUEUE_CLOSED = Speech("We are sorry, all our agents are busy. Please call again later. Goodbye.")
QUEUE_VOICEMAIL_SECONDS = 120.0
ANNOUNCE_EVERY = 30.0  # seconds of hold music between announcements
DEFAULT_SKILL_LEVEL = 1


class Conversation:
    """A customer on the line whom an agent may talk to: an inbound caller, or a customer we called.

    ``leg`` is the customer's telephony leg: an inbound caller's leg is the interaction itself; a
    customer we dial gets their leg once the dialling starts."""

    def __init__(self, record: CallRecord, clock: Clock, abandon: Callable[[], None] = lambda: None) -> None:
        self.record = record
        self.clock = clock
        self.abandon = abandon  # tells routing the caller left the queue (through the call's owner)
        self.in_queue = False
        self.finished = asyncio.Event()
        self._logging_unanswered = False
        self.accepting = False  # an agent's accept is with routing right now

    @property
    def call_id(self) -> str:
        return self.record.call_id

    @property
    def leg(self) -> str | None:
        return self.record.customer_leg

    @property
    def in_self_service(self) -> bool:
        """On the line and serving themselves (the IVR, a voicemail), never queued: a customer we dial is not."""
        return False

    def caller_gone(self, by: str) -> None:
        """The customer's leg ended (by them, us, or a failure); wrap the call up once."""
        if self.finished.is_set():
            return
        self.record.ended_at = self.clock.now()
        self.record.hung_up_by = self.record.hung_up_by or by
        if self.in_queue:
            self.in_queue = False
            self.abandon()
        self.finished.set()


class CallSession(Conversation):
    @property
    def in_self_service(self) -> bool:
        return self.record.queued_at is None and self.record.connected_at is None and not self.finished.is_set()

    def __init__(
        self,
        record: CallRecord,
        *,
        port: TelephonyPort,
        routing: Callable[[Command], Awaitable[object]],
        activities: ActivityLog,
        flows: FlowSet,
        entry: str,
        directory: Directory,
        clock: Clock,
        var_dir: Path,
        identify: Callable[[CallRecord], Awaitable[None]],
        abandon: Callable[[], None] = lambda: None,
        estimate_wait: Callable[[str], WaitEstimate | None] = lambda call_id: None,
        agent_key: Callable[[str | None], str | None] = lambda name: None,
        queue_settings: Callable[[str], QueueConfig | None] = lambda queue: None,
    ) -> None:
        super().__init__(record, clock, abandon)
        record.customer_leg = record.customer_leg or record.call_id
        self.port = port
        self.routing = routing  # commands to routing; what it decides comes back through the call's owner
        self.activities = activities  # the one writer of the timeline
        self.flows = flows
        self.entry = entry
        self.directory = directory
        self.var_dir = var_dir
        self.identify = identify
        self.estimate_wait = estimate_wait
        self.agent_key = agent_key  # the routing id of an agent the IVR names (the account manager)
        self.queue_settings = queue_settings  # what a waiting caller hears in each queue
        self.announce_position = True
        self.callback_offered = False

    async def run(self) -> None:
        try:
            await self.port.answer(self.call_id)
            await self.identify(self.record)
            start = Start(at=self.clock.now(), caller=self.record.caller_number, dialed=self.record.dialled)
            end = await run_ivr(self.port, self.call_id, self.flows, self.entry, start, self.directory, self.clock)
            self.record.ivr = end.trail.to_dict()
            self.record.ivr_outcome = type(end).__name__
            if end.trail.customer_id and not self.record.customer_id:
                self.record.customer_id = end.trail.customer_id
            await write_ivr_activity(self.activities, self.record, end.trail.to_activity())
            await self._after_ivr(end)
        except CallEnded:
            self.caller_gone("caller")
        except Exception:
            log.exception("call %s failed", self.call_id)
            self.record.end_reason = "failure"
            with contextlib.suppress(Exception):
                await self.port.hangup(self.call_id)
            self.caller_gone("failure")
        await self.finished.wait()

    async def _after_ivr(self, end: FlowEnd) -> None:
        if isinstance(end, Enqueue):
            self.record.queue_data = dict(end.data)
            await self._enqueue(end.queue, end.priority, end.skills, preferred=self.agent_key(end.agent))
        elif isinstance(end, IvrCallback):
            await self._enqueue(end.queue, end.priority, end.skills)
            # The flow's callback node said its own goodbye (its `say`), so nothing more is played here.
            await self._leave_for_callback(end.number or self.record.caller_number, request=True, confirm=False)
        elif isinstance(end, RecordVoicemail):
            await self._voicemail(end.mailbox, end.prompt and to_prompt(end.prompt), end.max_seconds)
        elif isinstance(end, TransferCall):
            await self._transfer_out(end.number)
        else:
            reason = end.reason if isinstance(end, HangUp) else "abandoned_in_ivr"
            if isinstance(end, HangUp):
                await self._hang_up_caller(reason)
            else:
                self.caller_gone("caller")

    async def _enqueue(
        self, queue: str, priority: int, skills: tuple[str, ...], *, preferred: str | None = None
    ) -> None:
        self.record.queue = queue
        self.record.queued_at = self.clock.now()
        self.port.mark_queued(self.call_id)
        settings = self.queue_settings(queue)
        if settings is not None and settings.announcement:
            await self.port.play(self.call_id, Speech(settings.announcement), barge_in=False)
        self.announce_position = settings.announce_position if settings is not None else True
        # The queue's hold music, else the adapter's (CC_HOLD_MUSIC, or its own tune), with the place in
        # line between stretches.
        every = settings.announce_every_seconds if settings is not None else ANNOUNCE_EVERY
        music = self._hold_music(settings)
        await self.port.start_hold(self.call_id, music, announce=self._announcement, every=every)
        self.in_queue = True
        skill_levels = dict.fromkeys(skills, DEFAULT_SKILL_LEVEL)
        command = EnqueueCall(
            self.call_id,
            queue,
            priority,
            skill_levels,
            caller_number=self.record.caller_number,
            preferred_agent=preferred,
        )
        await self.routing(command)

    # --- while the caller waits ----------------------------------------------------------------

    def _hold_music(self, settings: QueueConfig | None) -> PromptFile | None:
        """The queue's own hold music: a WAV named in CC_VAR_DIR/hold-music (or a path); None: the default."""
        if settings is None or not settings.hold_music:
            return None
        path = Path(settings.hold_music)
        path = path if path.is_absolute() else self.var_dir / "hold-music" / path
        if not path.is_file():
            log.warning("queue %s: hold music %s is not there; the default plays", settings.id, path)
            return None
        return PromptFile(path)

    def _announcement(self) -> Prompt | None:
        """Said between stretches of hold music: place in line, expected wait (unless the queue says not
        to), the callback offer."""
        if not self.in_queue:
            return None
        text = ""
        wait = self.estimate_wait(self.call_id) if self.announce_position else None
        if wait is not None:
            text = f"You are number {wait.position} in line."
            if wait.minutes is not None:
                text += f" Your expected wait is about {wait.minutes} minute{'s' if wait.minutes > 1 else ''}."
        if self.callback_offered:
            text += " To be called back without losing your place in line, press 1."
        return Speech(text.strip()) if text else None

    def offer_callback(self) -> Coroutine[Any, Any, None] | None:
        """Routing says this caller may leave and be called back (an escalation rule): what listens for 1
        (the call's owner runs it), or None when there is nothing to offer."""
        if self.callback_offered or not self.in_queue or not self.record.caller_number.startswith("+"):
            return None  # a withheld number cannot be called back
        self.callback_offered = True
        return self._listen_for_callback()

    async def _listen_for_callback(self) -> None:
        with contextlib.suppress(CallEnded):
            while self.in_queue and not self.finished.is_set():
                digit = await self.port.collect_digits(
                    self.call_id, max_digits=1, first_timeout=ANNOUNCE_EVERY, inter_digit_timeout=1.0, terminators=""
                )
                if digit == "1" and self.in_queue:
                    await self._leave_for_callback(self.record.caller_number, request=True)
                    return

    async def _leave_for_callback(self, number: str, *, request: bool, confirm: bool = True) -> None:
        """The caller keeps their place but leaves the line; an agent calls them back when it comes."""
        if request:
            await self.routing(RequestCallback(self.call_id, number))
        self.in_queue = False
        self.record.callback_number = number
        with contextlib.suppress(CallEnded):
            await self.port.stop_hold(self.call_id)
            if confirm:
                await self.port.play(self.call_id, CALLBACK_CONFIRMATION, barge_in=False)
        await self._hang_up_caller("callback_requested")

    async def left_queue(self, destination: str, reason: str) -> None:
        """Routing took the caller out of the queue (max wait, queue full): voicemail, callback or goodbye."""
        self.in_queue = False
        self.record.end_reason = reason
        with contextlib.suppress(CallEnded):
            await self.port.stop_hold(self.call_id)
            if destination == "voicemail":
                await self._voicemail(self.record.queue or "general", QUEUE_VOICEMAIL, QUEUE_VOICEMAIL_SECONDS)
                return
            await self.port.play(self.call_id, QUEUE_CLOSED, barge_in=False)
        await self._hang_up_caller(reason)

    async def called_back_instead(self, number: str) -> None:
        """Routing turned the wait into a callback (the queue's exit): tell the caller and let them go."""
        await self._leave_for_callback(number, request=False)

    # --- endings ---------------------------------------------------------------------------------

    async def _voicemail(self, mailbox: str, prompt: Prompt | None, max_seconds: float) -> None:
        if prompt is not None:
            await self.port.play(self.call_id, prompt, barge_in=False)
        path = self.var_dir / "voicemail" / mailbox / f"{self.call_id}.wav"
        path.parent.mkdir(parents=True, exist_ok=True)
        started = self.clock.now()
        await self.port.start_recording(self.call_id, path)
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(max_seconds):
                await self.finished.wait()
        with contextlib.suppress(CallEnded):
            self.record.recording = str(await self.port.stop_recording(self.call_id) or path)
        self.record.recording = self.record.recording or str(path)
        seconds = (self.clock.now() - started).total_seconds()
        await write_voicemail_activity(self.activities, self.record, mailbox, self.record.recording, seconds)
        if not self.finished.is_set():
            with contextlib.suppress(CallEnded):
                await self.port.play(self.call_id, VOICEMAIL_DONE, barge_in=False)
            await self._hang_up_caller("voicemail")

    async def _transfer_out(self, number: str) -> None:
        result = await self.port.originate(number, ring_timeout=30.0)
        self.record.sip["transfer"] = {"number": number, "outcome": str(result.outcome), "code": result.sip_code}
        if result.call_id is None:
            await self._hang_up_caller("transfer_failed")
            return
        await self.port.bridge(self.call_id, result.call_id)
        self.record.end_reason = "transferred_out"

    async def _hang_up_caller(self, reason: str) -> None:
        self.record.end_reason = reason
        with contextlib.suppress(CallEnded):
            await self.port.hangup(self.call_id)
        self.caller_gone("system")

    async def log_unanswered(self) -> None:
        """Calls that never reached an agent are logged as soon as they end (once, whoever asks first)."""
        if not self.record.logged and not self._logging_unanswered and self.record.agent_user_id is None:
            self._logging_unanswered = True
            self.record.legs = [leg_json(self.port.detail(self.call_id))]
            outcome = self.record.end_reason or ("abandoned" if self.record.queue else "ivr_only")
            await write_call_activity(self.activities, self.record, disposition=None, wrap_seconds=0, outcome=outcome)
