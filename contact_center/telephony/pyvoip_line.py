"""One SIP line: pyVoIP's ``VoIPPhone`` with its call handling fixed.

Runs on pyVoIP's receive thread and on executor threads; reports to a ``LineListener``
(the asyncio adapter), which must only hand things over to its loop. Fixes over 1.6.8:
no 1 s answer delay (180 at once, the call is handed over at once); CANCEL ends a
ringing call with 200 + 487; every final INVITE response (404/486/480/487/503...) ends a
dialled call with the right ACK instead of a KeyError; a dialled call is registered
before its INVITE leaves; random Call-IDs (1.6.8 repeats sha256(n) on every run);
503 + Retry-After over capacity; re-INVITEs answered without rebinding RTP; ``stop``
ends every call and joins every thread.
"""

from __future__ import annotations

import logging
import random
import threading
from typing import Any, Protocol

# isort: off
from pyVoIP.VoIP import VoIP  # first: pyVoIP has an import cycle
from pyVoIP import RTP, SIP
# isort: on
from pyVoIP.VoIP.status import PhoneStatus

from contact_center.telephony import sip_messages as sm
from contact_center.telephony.capacity import NoPortsLeft, PortPool
from contact_center.telephony.events import HangupBy
from contact_center.telephony.media import MediaEngine
from contact_center.telephony.pyvoip_fixes import FixedMessage, FixedSIPClient, FixedVoIPCall, NotAcceptable

log = logging.getLogger(__name__)
UA = "contact-center (pyVoIP 1.6.8)"
AUDIO_OK = {"0", "pcmu", "telephone-event"}


class LineListener(Protocol):
    """Called from pyVoIP's threads; implementations hand over to their loop and return."""

    def admit(self) -> bool: ...
    def release(self) -> None: ...
    def arrived(self, line: FixedVoIPPhone, call: FixedVoIPCall) -> None: ...
    def progress(self, call_id: str, code: int) -> None: ...
    def answered(self, call_id: str) -> None: ...
    def ended(self, call_id: str, by: HangupBy, code: int | None) -> None: ...
    def digit(self, call_id: str, digit: str) -> None: ...


class FixedVoIPPhone(VoIP.VoIPPhone):
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
    ) -> None:
        super().__init__(server, port, user, password, myIP=local_ip, callCallback=None, sipPort=local_port)
        self.engine, self.pool, self.listener, self.retry_after = engine, ports, listener, retry_after
        self.sip = FixedSIPClient(
            server,
            port,
            user,
            password,
            phone=self,
            myIP=local_ip,
            myPort=local_port,
            callCallback=self.callback,
            fatalCallback=self.fatal,
            trusted=trusted,
        )
        self.sip.default_expires = register_expires
        self.sip.register_timeout = 5
        self.call_threads: dict[str, threading.Thread] = {}

    # -- ports: a pool, released when the call ends ----------------------------------------
    def request_port(self, blocking: bool = True) -> int:
        return self.pool.take()

    def release_ports(self, call: Any = None) -> None:
        if isinstance(call, FixedVoIPCall) and call.rtp_port is not None:
            self.pool.give_back(call.rtp_port)

    # -- SIP in -------------------------------------------------------------------------------
    def callback(self, message: SIP.SIPMessage) -> None:
        if message.type == SIP.SIPMessageType.RESPONSE:
            self._on_response(message)
        elif message.method == "INVITE":
            self._on_invite(message)
        elif message.method in ("BYE", "CANCEL"):
            call = self.calls.get(message.headers["Call-ID"])
            if call is None:
                self.sip.send(sm.response(message.raw, 481, "Call/Transaction Does Not Exist"))
                return
            self.sip.send(sm.response(message.raw, 200, "OK"))
            if message.method == "BYE":
                self.finish(call, HangupBy.REMOTE, 200)
            elif call.state == VoIP.CallState.RINGING and call.dialog is not None:
                self.sip.send(sm.response(call.request.raw, 487, "Request Terminated", to_tag=call.dialog.local_tag))
                self.finish(call, HangupBy.REMOTE, 487)

    def _on_invite(self, message: SIP.SIPMessage) -> None:
        call_id = message.headers["Call-ID"]
        existing = self.calls.get(call_id)
        if existing is not None:  # a retransmission or a re-INVITE: answer with the same SDP
            if existing.state == VoIP.CallState.ANSWERED and existing.stream is not None:
                self.sip.send(self._answer(message, existing))
            return
        if not self.listener.admit():
            self.sip.send(
                sm.response(
                    message.raw,
                    503,
                    "Service Unavailable",
                    to_tag=sm.new_tag(),
                    extra=[f"Retry-After: {self.retry_after}"],
                )
            )
            return
        try:
            for media in message.body.get("m", []):  # keep what pyVoIP can parse without warnings
                media["methods"] = [
                    x
                    for x in media["methods"]
                    if x == "0"
                    or str(media["attributes"].get(x, {}).get("rtpmap", {}).get("name", "")).lower() in AUDIO_OK
                ]
            call = FixedVoIPCall(
                self, VoIP.CallState.RINGING, message, random.randint(1, 10**9), self.myIP, sendmode=self.recvmode
            )
        except (NotAcceptable, NoPortsLeft, Exception) as exc:
            code, reason = (
                (488, "Not Acceptable Here")
                if isinstance(exc, NotAcceptable)
                else (503, "Service Unavailable")
                if isinstance(exc, NoPortsLeft)
                else (400, "Bad Request")
            )
            log.warning("INVITE %s refused with %d: %s", call_id, code, exc)
            self.sip.send(sm.response(message.raw, code, reason, to_tag=sm.new_tag()))
            self.listener.release()
            return
        lines = sm.header_lines(message.raw)
        call.dialog = sm.Dialog(
            call_id,
            local_uri=_untagged(sm.first(lines, "To")),
            local_tag=sm.new_tag(),
            remote_uri=_untagged(sm.first(lines, "From")),
            remote_tag=sm.tag_of(sm.first(lines, "From") or ""),
            remote_target=sm.uri_of(sm.first(lines, "Contact") or sm.first(lines, "From") or ""),
            local_contact=self._contact(),
            via_host=f"{self.myIP}:{self.sip.myPort}",
        )
        self.calls[call_id] = call
        self.sip.send(
            sm.response(
                message.raw, 180, "Ringing", to_tag=call.dialog.local_tag, extra=[f"Contact: {self._contact()}"]
            )
        )
        self.listener.arrived(self, call)  # from this thread, so it always precedes the call's end
        thread = threading.Thread(target=self._call_thread, args=(call,), name=f"sip-call-{call_id[:12]}", daemon=True)
        self.call_threads[call_id] = thread
        thread.start()

    def _call_thread(self, call: FixedVoIPCall) -> None:
        """pyVoIP's per-call callback thread, kept alive until the call ends (1.6.8 forgets
        calls whose thread has returned and then ignores their BYE)."""
        try:
            call.ended.wait()
        finally:
            self.call_threads.pop(call.call_id, None)

    def _on_response(self, message: SIP.SIPMessage) -> None:
        call = self.calls.get(str(message.headers.get("Call-ID")))
        if call is None or message.headers["CSeq"]["method"] != "INVITE" or call.dialog is None:
            return
        code = int(message.status)
        self.listener.progress(call.call_id, code)
        if code < 200:
            return
        if code >= 300:
            self.sip.send(call.dialog.ack_failure(message.headers["To"]["tag"]))
            self.finish(call, HangupBy.LOCAL if call.cancelling else HangupBy.REMOTE, code)
            return
        call.dialog.remote_tag = message.headers["To"]["tag"]
        call.dialog.remote_target = sm.uri_of(message.headers.get("Contact", "")) or call.dialog.remote_target
        if call.state == VoIP.CallState.DIALING:
            try:
                call.answered(message)
            except Exception as exc:
                log.warning("answer SDP from %s unusable: %s", call.call_id, exc)
                call.state = VoIP.CallState.ANSWERED
                call.cancelling = True
        self.sip.send(call.dialog.ack_2xx())  # also re-ACKs a retransmitted 200
        if call.cancelling:  # answered while we gave up on it (ring timeout): hang up at once
            self.hangup(call)
        elif not call.answered_event.is_set():
            call.answered_event.set()
            self.listener.answered(call.call_id)

    # -- SIP out (executor threads) -------------------------------------------------------------
    def answer(self, call: FixedVoIPCall) -> None:
        if call.state != VoIP.CallState.RINGING:
            raise VoIP.InvalidStateError("call is not ringing")
        call.gen_ms()  # starts the media stream
        self.sip.send(self._answer(call.request, call))
        call.state = VoIP.CallState.ANSWERED

    def _answer(self, request: SIP.SIPMessage, call: FixedVoIPCall) -> bytes:
        client = call.RTPClients[0]
        body = sm.sdp(self.myIP, client.inPort, int(call.session_id), client.event_type or 101)
        assert call.dialog is not None
        return sm.response(
            request.raw,
            200,
            "OK",
            to_tag=call.dialog.local_tag,
            extra=[f"Contact: {self._contact()}", f"User-Agent: {UA}"],
            body=body,
        )

    def dial(self, number: str) -> FixedVoIPCall:
        port = self.pool.take()
        call_id, session = sm.new_call_id(self.myIP), random.randint(1, 10**9)
        dialog = sm.Dialog(
            call_id,
            local_uri=f"<sip:{self.username}@{self.server}>",
            local_tag=sm.new_tag(),
            remote_uri=f"<sip:{number}@{self.server}>",
            remote_tag="",
            remote_target=f"sip:{number}@{self.server}",
            local_contact=self._contact(),
            via_host=f"{self.myIP}:{self.sip.myPort}",
            next_cseq=2,
            invite_uri=f"sip:{number}@{self.server}:{self.port}",
            invite_branch=sm.new_branch(),
        )
        invite = dialog.invite(sm.sdp(self.myIP, port, session), UA)
        media = {port: {0: RTP.PayloadType.PCMU, 101: RTP.PayloadType.EVENT}}
        call = FixedVoIPCall(
            self, VoIP.CallState.DIALING, FixedMessage(invite), session, self.myIP, ms=media, sendmode=self.sendmode
        )
        call.rtp_port, call.dialog = port, dialog
        self.calls[call_id] = call  # before the INVITE leaves: its answer can come back at once
        self.sip.send(invite)
        return call

    def hangup(self, call: FixedVoIPCall, code: int = 480, by: HangupBy = HangupBy.LOCAL) -> None:
        """BYE if answered, CANCEL if dialling, a final ``code`` if ringing."""
        if call.dialog is None or call.ended.is_set():
            return
        if call.state == VoIP.CallState.ANSWERED:
            self.sip.send(call.dialog.bye())
            self.finish(call, by, None)
        elif call.state == VoIP.CallState.RINGING:
            self.sip.send(
                sm.response(call.request.raw, code, _REASONS.get(code, "Unavailable"), to_tag=call.dialog.local_tag)
            )
            self.finish(call, by, code)
        elif call.state == VoIP.CallState.DIALING and not call.cancelling:
            call.cancelling = True
            self.sip.send(call.dialog.cancel())  # the 487 (or a racing 200) finishes it

    def finish(self, call: FixedVoIPCall, by: HangupBy, code: int | None) -> None:
        """End a call exactly once: media closed, port back, thread released, listener told."""
        with call.finish_lock:
            if call.ended.is_set():
                return
            call.state = VoIP.CallState.ENDED
            call.stop_media()
            self.release_ports(call)
            self.calls.pop(call.call_id, None)
            call.ended.set()
            call.answered_event.set()
        self.listener.ended(call.call_id, by, code)

    def stop(self, failed: bool = False) -> None:
        for call in list(self.calls.values()):
            self.hangup(call, 503, HangupBy.SYSTEM)
            self.finish(call, HangupBy.SYSTEM, None)  # a dialled call will not wait for its 487
        self.sip.stop()
        for thread in list(self.call_threads.values()):
            thread.join(timeout=2)
        self._status = PhoneStatus.FAILED if failed else PhoneStatus.INACTIVE

    def _contact(self) -> str:
        return f"<sip:{self.username}@{self.myIP}:{self.sip.myPort}>"


_REASONS = {480: "Temporarily Unavailable", 486: "Busy Here", 503: "Service Unavailable", 603: "Decline"}


def _untagged(header: str | None) -> str:
    return (header or "").split(";tag=")[0].strip()
