"""One inbound call, one task: answer, identify, IVR, then hand the caller to routing and wait.

The session owns the caller's leg. Routing decides who answers; the call center tells the session
when an agent accepted (``connect_agent``) and when the far end or the agent hung up.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from pathlib import Path

from contact_center.clock import Clock
from contact_center.domain.acd.commands import AbandonCall, EnqueueCall, RequestCallback
from contact_center.domain.ivr import Enqueue, FlowEnd, HangUp, RecordVoicemail, Start, TransferCall
from contact_center.domain.ivr import RequestCallback as IvrCallback
from contact_center.domain.ivr.model import FlowSet
from contact_center.ivr.directory import Directory
from contact_center.services.acd import AcdService
from contact_center.services.call_record import CallRecord, leg_json, write_call_activity, write_ivr_activity
from contact_center.services.ivr_runner import run_ivr, to_prompt
from contact_center.telephony.port import CallEnded, Speech, TelephonyPort

log = logging.getLogger(__name__)
HOLD_MUSIC = Speech("Thank you for waiting. Your call is important to us. An agent will be with you shortly.")
CALLBACK_CONFIRMATION = Speech("Thank you. We will call you back as soon as an agent is free. Goodbye.")
VOICEMAIL_DONE = Speech("Thank you for your message. Goodbye.")
DEFAULT_SKILL_LEVEL = 1


class CallSession:
    def __init__(
        self,
        record: CallRecord,
        *,
        port: TelephonyPort,
        acd: AcdService,
        flows: FlowSet,
        entry: str,
        directory: Directory,
        clock: Clock,
        var_dir: Path,
        identify: Callable[[CallRecord], Awaitable[None]],
    ) -> None:
        self.record = record
        self.port = port
        self.acd = acd
        self.flows = flows
        self.entry = entry
        self.directory = directory
        self.clock = clock
        self.var_dir = var_dir
        self.identify = identify
        self.in_queue = False
        self.finished = asyncio.Event()
        self._abandon: asyncio.Task[object] | None = None

    @property
    def call_id(self) -> str:
        return self.record.call_id

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
            await write_ivr_activity(self.acd.engine, self.record, end.trail.to_activity())
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
            await self._enqueue(end.queue, end.priority, end.skills)
        elif isinstance(end, IvrCallback):
            await self._enqueue(end.queue, end.priority, end.skills)
            await self.acd.handle(RequestCallback(self.call_id, end.number or self.record.caller_number))
            self.in_queue = False
            await self.port.play(self.call_id, CALLBACK_CONFIRMATION, barge_in=False)
            await self._hang_up_caller("callback_requested")
        elif isinstance(end, RecordVoicemail):
            await self._voicemail(end)
        elif isinstance(end, TransferCall):
            await self._transfer_out(end.number)
        else:
            reason = end.reason if isinstance(end, HangUp) else "abandoned_in_ivr"
            if isinstance(end, HangUp):
                await self._hang_up_caller(reason)
            else:
                self.caller_gone("caller")

    async def _enqueue(self, queue: str, priority: int, skills: tuple[str, ...]) -> None:
        self.record.queue = queue
        self.record.queued_at = self.clock.now()
        self.port.mark_queued(self.call_id)
        await self.port.start_hold(self.call_id, HOLD_MUSIC, every=30.0)
        self.in_queue = True
        skill_levels = dict.fromkeys(skills, DEFAULT_SKILL_LEVEL)
        command = EnqueueCall(self.call_id, queue, priority, skill_levels, caller_number=self.record.caller_number)
        await self.acd.handle(command)

    async def _voicemail(self, end: RecordVoicemail) -> None:
        if end.prompt is not None:
            await self.port.play(self.call_id, to_prompt(end.prompt), barge_in=False)
        path = self.var_dir / "voicemail" / f"{self.call_id}.wav"
        path.parent.mkdir(parents=True, exist_ok=True)
        await self.port.start_recording(self.call_id, path)
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(end.max_seconds):
                await self.finished.wait()
        self.record.recording = str(await self.port.stop_recording(self.call_id) or path)
        if not self.finished.is_set():
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

    def caller_gone(self, by: str) -> None:
        """The caller's leg ended (by the caller, us, or a failure); wrap the call up once."""
        if self.finished.is_set():
            return
        self.record.ended_at = self.clock.now()
        self.record.hung_up_by = self.record.hung_up_by or by
        if self.in_queue:
            self.in_queue = False
            self._abandon = asyncio.get_running_loop().create_task(self.acd.handle(AbandonCall(self.call_id)))
        self.finished.set()

    async def log_unanswered(self) -> None:
        """Calls that never reached an agent are logged as soon as they end."""
        if not self.record.logged and self.record.agent_user_id is None:
            self.record.legs = [leg_json(self.port.detail(self.call_id))]
            outcome = self.record.end_reason or ("abandoned" if self.record.queue else "ivr_only")
            await write_call_activity(self.acd.engine, self.record, disposition=None, wrap_seconds=0, outcome=outcome)
