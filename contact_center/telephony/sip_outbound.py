"""Dialled calls on a SIP line (a part of ``FixedVoIPPhone``; runs on the line's threads).

Fixes over pyVoIP 1.6.8: the call is known before its INVITE leaves, so an immediate
final answer (the proxy's 404) finds it (1.6.8: ``KeyError``); every final response
(404/486/480/487/503/6xx, also codes pyVoIP's status enum lacks) ends it with the right
hop-by-hop ACK; the 2xx ACK goes to the callee's Contact with the dialog's To-tag and
Route set; the INVITE is retransmitted until the proxy answers (timer A) and given up
after 64*T1 (timer B); a 200 racing our CANCEL gets ACK + BYE.
"""

from __future__ import annotations

import logging
import random
from typing import TYPE_CHECKING

# isort: off
from pyVoIP.VoIP import VoIP  # first: pyVoIP has an import cycle
# isort: on

from contact_center.telephony import sdp
from contact_center.telephony import sip_messages as sm
from contact_center.telephony.events import HangupBy
from contact_center.telephony.pyvoip_fixes import FixedVoIPCall
from contact_center.telephony.sip_parts import UA, PhoneParts
from contact_center.telephony.sip_timers import Retransmit

log = logging.getLogger(__name__)


class OutboundCalls(PhoneParts):
    username: str
    server: str
    port: int

    if TYPE_CHECKING:

        def hangup(self, call: FixedVoIPCall, code: int = 480, by: HangupBy = HangupBy.LOCAL) -> None: ...

    def dial(self, number: str, call_id: str) -> FixedVoIPCall:
        """Send an INVITE for ``number`` through the proxy. ``call_id`` is chosen by the
        caller, which is ready for this call's events before the INVITE leaves."""
        port = self.pool.take()
        session = random.randint(1, 10**9)
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
        call = FixedVoIPCall(self, VoIP.CallState.DIALING, None, call_id, session, dialog)  # type: ignore[arg-type]
        call.rtp_port = port
        try:  # bound now, so the callee's first packets after its 200 find the socket
            call.stream = self.engine.open_stream(
                (self.myIP, port),
                None,
                payload_type=0,
                event_type=sdp.DEFAULT_EVENT,
                on_digit=lambda d: self.listener.digit(call_id, d),
            )
        except OSError:
            self.pool.give_back(port)
            raise
        invite = dialog.invite(sdp.offer(self.myIP, port, session), UA)
        call.retransmit = Retransmit(
            self.timers,
            lambda: self.sip.send(invite),
            until=64 * self.t1,
            t1=self.t1,
            t2=8 * self.t1,
            start=False,
            on_timeout=lambda: self.finish(call, HangupBy.SYSTEM, 408, "no answer from the proxy"),
        )
        self.calls[call_id] = call  # before the INVITE leaves: its answer can come back at once
        call.retransmit.start()
        return call

    def _on_invite_response(self, code: int, reason: str, lines: list[tuple[str, str]], raw: bytes) -> None:
        call = self.calls.get(sm.first(lines, "Call-ID") or "")
        if call is None or call.request is not None:
            return  # unknown (ended) or an inbound call: we never send INVITEs in those
        with call.lock:
            if call.state == VoIP.CallState.ANSWERED:
                if 200 <= code < 300:
                    self.sip.send(call.dialog.ack_2xx())  # a retransmitted 200: our ACK was lost
                return
            if call.state != VoIP.CallState.DIALING:
                return
            call.provisional = True
            call.stop_retransmitting()  # any answer ends timer A/B: the proxy has the INVITE
            self.listener.progress(call.call_id, code)
            if code < 200:
                return
            to_tag = sm.tag_of(sm.first(lines, "To") or "")
            if code >= 300:
                self.sip.send(call.dialog.ack_failure(to_tag))
                call.final_code, call.final_reason = code, reason
                self.finish(call, HangupBy.LOCAL if call.cancelling else HangupBy.REMOTE, code, reason)
                return
            self._answered(call, to_tag, lines, raw)

    def _answered(self, call: FixedVoIPCall, to_tag: str, lines: list[tuple[str, str]], raw: bytes) -> None:
        dialog = call.dialog
        first = call.state == VoIP.CallState.DIALING
        if first:
            dialog.remote_tag = to_tag
            dialog.remote_target = sm.uri_of(sm.first(lines, "Contact") or "") or dialog.remote_target
            dialog.route_set = sm.route_set(lines, reverse=True)
            call.state = VoIP.CallState.ANSWERED
            call.final_code, call.final_reason = 200, "OK"
            try:
                body = raw.split(b"\r\n\r\n", 1)[1].decode("utf-8", errors="replace") if b"\r\n\r\n" in raw else ""
                chosen = sdp.choose(sdp.parse(body))
                if call.stream is not None:
                    call.stream.retarget((chosen.address, chosen.port), chosen.event_type)
            except (sdp.SdpError, sdp.NotAcceptable) as exc:
                log.warning("answer SDP from %s unusable (%s): hanging up", call.call_id, exc)
                call.cancelling = True
        self.sip.send(dialog.ack_2xx())
        if call.cancelling:  # answered while we gave up on it (ring timeout), or unusable: hang up
            self.hangup(call)
        elif not call.answered_event.is_set():
            call.answered_event.set()
            self.listener.answered(call.call_id)
