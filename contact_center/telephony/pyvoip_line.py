"""One SIP line: pyVoIP's ``VoIPPhone`` with its call handling replaced.

Runs on the line's receive and timer threads and on executor threads; reports to a
``LineListener`` (the asyncio adapter), which must only hand things over to its loop.
Inbound calls are in ``sip_inbound``, dialled ones in ``sip_outbound``; this module holds
what both share: the lifecycle, the end of a call, ports, probes of agents' phones.

Fixes over 1.6.8 here: no per-call threads at all (1.6.8 ran a callback ``Timer`` per
call and forgot calls whose thread had returned); ``stop`` ends every call, unregisters
and joins every thread; RTP ports come from a pool and go back when the call ends.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Protocol

# isort: off
from pyVoIP.VoIP import VoIP  # first: pyVoIP has an import cycle
from pyVoIP import SIP

# isort: on
from pyVoIP.VoIP.status import PhoneStatus

from contact_center.telephony import sip_messages as sm
from contact_center.telephony.capacity import PortPool
from contact_center.telephony.events import HangupBy, LineStatus
from contact_center.telephony.media import MediaEngine
from contact_center.telephony.pyvoip_fixes import FixedSIPClient, FixedVoIPCall
from contact_center.telephony.sip_inbound import InboundCalls
from contact_center.telephony.sip_outbound import OutboundCalls
from contact_center.telephony.sip_parts import UA
from contact_center.telephony.sip_register import Registration
from contact_center.telephony.sip_timers import T1, Retransmit, TimerThread

log = logging.getLogger(__name__)
PROBE_TIMEOUT = 8.0  # longer than the proxy's 5 s fr_timer, so its 408 arrives first


class LineListener(Protocol):
    """Called from the line's threads; implementations hand over to their loop and return."""

    def admit(self) -> bool: ...
    def release(self) -> None: ...
    def arrived(self, line: FixedVoIPPhone, call: FixedVoIPCall) -> None: ...
    def progress(self, call_id: str, code: int) -> None: ...
    def answered(self, call_id: str) -> None: ...
    def ended(self, call_id: str, by: HangupBy, code: int | None, reason: str) -> None: ...
    def digit(self, call_id: str, digit: str) -> None: ...
    def line_status(self, line: str, status: LineStatus, reason: str) -> None: ...


class FixedVoIPPhone(InboundCalls, OutboundCalls, VoIP.VoIPPhone):
    sip: FixedSIPClient
    calls: dict[str, FixedVoIPCall]  # type: ignore[assignment]  # only ours are ever added

    def __init__(
        self,
        server: str,
        port: int,
        user: str,
        password: str,
        *,
        local_ip: str,
        local_port: int,
        engine: MediaEngine,
        ports: PortPool,
        listener: LineListener,
        trusted: set[tuple[str, int]],
        register_expires: int = 300,
        retry_after: int = 5,
        register_timeout: float = 5.0,
        t1: float = T1,
    ) -> None:
        super().__init__(server, port, user, password, myIP=local_ip, callCallback=None, sipPort=local_port)
        self.engine, self.pool, self.listener, self.retry_after = engine, ports, listener, retry_after
        self.t1 = t1  # RFC 3261's T1 (0.5 s); tests shorten it to see 64*T1 time-outs happen
        self.timers = TimerThread(f"sip-timers-{user}")
        self.sip = FixedSIPClient(
            server,
            port,
            user,
            password,
            phone=self,
            myIP=local_ip,
            myPort=local_port,
            callCallback=self.callback,
            fatalCallback=None,
            trusted=trusted,
        )
        self.sip.registration = Registration(
            server=server,
            port=port,
            user=user,
            password=password,
            contact_host=f"{local_ip}:{local_port}",
            send=self.sip.send,
            timers=self.timers,
            expires=register_expires,
            timeout=register_timeout,
            user_agent=UA,
            on_status=lambda status, reason: listener.line_status(user, status, reason),
        )
        self.sip.on_response = {
            "REGISTER": self.sip.registration.on_response,
            "INVITE": self._on_invite_response,
            "OPTIONS": self._on_probe_response,
            "BYE": _ignore,
            "CANCEL": _ignore,
        }
        self.probes: dict[str, tuple[Callable[[int | None, str], None], Retransmit]] = {}

    # -- lifecycle ------------------------------------------------------------------------------
    def start(self) -> None:
        self.timers.start()
        self._status = PhoneStatus.REGISTERING
        try:
            self.sip.start()
        except BaseException:
            self._status = PhoneStatus.FAILED
            self.timers.stop()
            raise
        self._status = PhoneStatus.REGISTERED

    def stop(self, failed: bool = False) -> None:
        for call in list(self.calls.values()):
            self.hangup(call, 503, HangupBy.SYSTEM)
            self.finish(call, HangupBy.SYSTEM, None, "line stopped")  # a dialled call will not wait for its 487
        self.sip.stop()  # unregisters (needs the timers), then joins the receive thread
        self.timers.stop()
        for on_result, _ in list(self.probes.values()):
            on_result(None, "line stopped")
        self.probes.clear()
        self._status = PhoneStatus.FAILED if failed else PhoneStatus.INACTIVE

    @property
    def line_status(self) -> LineStatus:
        return self.sip.registration.status

    # -- SIP in (receive thread) ------------------------------------------------------------------
    def callback(self, message: SIP.SIPMessage) -> None:
        if message.method == "INVITE":
            self._on_invite(message)
        elif message.method == "ACK":
            self._on_ack(message)
        elif message.method in ("BYE", "CANCEL"):
            call = self.calls.get(message.headers["Call-ID"])
            if call is None:
                self.sip.send(sm.response(message.raw, 481, "Call/Transaction Does Not Exist", to_tag=sm.new_tag()))
                return
            self.sip.send(sm.response(message.raw, 200, "OK"))
            if message.method == "BYE":
                self.finish(call, HangupBy.REMOTE, 200, "far end hung up")
            else:
                self._on_cancel(call)

    # -- the end of a call ------------------------------------------------------------------------
    def hangup(self, call: FixedVoIPCall, code: int = 480, by: HangupBy = HangupBy.LOCAL) -> None:
        """BYE if answered, CANCEL if dialling, a final ``code`` if ringing."""
        with call.lock:
            if call.ended.is_set():
                return
            if call.state == VoIP.CallState.ANSWERED:
                self.sip.send(call.dialog.bye())
                self.finish(call, by, None, "hung up by us" if by is HangupBy.LOCAL else "shutdown")
            elif call.state == VoIP.CallState.RINGING and call.request is not None:
                reason = _REASONS.get(code, "Unavailable")
                self.sip.send(sm.response(call.request.raw, code, reason, to_tag=call.dialog.local_tag))
                self.finish(call, by, code, reason)
            elif call.state == VoIP.CallState.DIALING and not call.cancelling:
                call.cancelling = True
                self.sip.send(call.dialog.cancel())  # the 487 (or a racing 200) finishes it

    def finish(self, call: FixedVoIPCall, by: HangupBy, code: int | None, reason: str = "") -> None:
        """End a call exactly once: retransmissions stopped, media closed, port back, listener told."""
        with call.lock:
            if call.ended.is_set():
                return
            call.state = VoIP.CallState.ENDED
            call.stop_retransmitting()
            call.stop_media()
            self.release_ports(call)
            self.calls.pop(call.call_id, None)
            call.ended.set()
            call.answered_event.set()
        self.listener.ended(call.call_id, by, code, reason)

    # -- ports: a pool, released when the call ends -----------------------------------------------
    def request_port(self, blocking: bool = True) -> int:
        return self.pool.take()

    def release_ports(self, call: object = None) -> None:
        if isinstance(call, FixedVoIPCall) and call.rtp_port is not None:
            self.pool.give_back(call.rtp_port)

    # -- is an agent's phone registered? -------------------------------------------------------------
    def probe(self, extension: str, on_result: Callable[[int | None, str], None]) -> None:
        """OPTIONS to ``extension`` through the proxy; ``on_result(code, reason)`` once, from a
        SIP thread (``None`` when nothing answered)."""
        call_id, message = sm.options(
            f"sip:{extension}@{self.server}:{self.port}",
            from_uri=f"<sip:{self.username}@{self.server}>",
            via_host=f"{self.myIP}:{self.sip.myPort}",
            user_agent=UA,
        )

        def timed_out() -> None:
            entry = self.probes.pop(call_id, None)
            if entry is not None:
                entry[0](None, "no answer")

        retransmit = Retransmit(
            self.timers, lambda: self.sip.send(message), until=PROBE_TIMEOUT, on_timeout=timed_out, start=False
        )
        self.probes[call_id] = (on_result, retransmit)
        retransmit.start()

    def _on_probe_response(self, code: int, reason: str, lines: list[tuple[str, str]], raw: bytes) -> None:
        if code < 200:
            return
        entry = self.probes.pop(sm.first(lines, "Call-ID") or "", None)
        if entry is not None:
            entry[1].stop()
            entry[0](code, reason)

    def _contact(self) -> str:
        return f"<sip:{self.username}@{self.myIP}:{self.sip.myPort}>"


_REASONS = {480: "Temporarily Unavailable", 486: "Busy Here", 503: "Service Unavailable", 603: "Decline"}


def _ignore(code: int, reason: str, lines: list[tuple[str, str]], raw: bytes) -> None:
    """Answers to our BYE and CANCEL: nothing waits for them (the call ended when we sent them)."""
