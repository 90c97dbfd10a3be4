"""Inbound calls on a SIP line (a part of ``FixedVoIPPhone``; runs on the line's threads).

Fixes over pyVoIP 1.6.8: 180 at once and the call handed over at once (1.6.8 waits 1 s in
a ``Timer``); the offer is negotiated by ``sdp`` (one RTP port whatever the number of
m-lines; 400 for unreadable SDP, 488 for no PCMU); an INVITE without SDP (delayed offer)
gets our offer in the 200 and its answer is read from the ACK; the 200 OK is retransmitted
until the ACK (RFC 3261 13.3.1.4) and the call ended with a BYE after 64*T1 without one;
answer and CANCEL are serialised on the call's lock, so a 200 never follows a 487; CANCEL
ends a ringing call with 200 + 487; an INVITE with a To-tag for a dialog we do not have
gets 481 (never a new call); 503 + Retry-After over capacity.
"""

from __future__ import annotations

import logging
import random

# isort: off
from pyVoIP.VoIP import VoIP  # first: pyVoIP has an import cycle
from pyVoIP import SIP
# isort: on

from contact_center.telephony import sdp
from contact_center.telephony import sip_messages as sm
from contact_center.telephony.capacity import NoPortsLeft
from contact_center.telephony.events import HangupBy
from contact_center.telephony.pyvoip_fixes import ALLOW, FixedMessage, FixedVoIPCall
from contact_center.telephony.sip_parts import UA, PhoneParts
from contact_center.telephony.sip_timers import Retransmit

log = logging.getLogger(__name__)


class InboundCalls(PhoneParts):
    retry_after: int

    def _on_invite(self, message: SIP.SIPMessage) -> None:
        lines = sm.header_lines(message.raw)
        call_id = sm.first(lines, "Call-ID") or ""
        to_tag = sm.tag_of(sm.first(lines, "To") or "")
        existing = self.calls.get(call_id)
        if existing is not None:
            self._on_reinvite(existing, message, to_tag)
            return
        if to_tag:  # a "re-INVITE" for a dialog we never had: never a new call
            self.sip.send(sm.response(message.raw, 481, "Call/Transaction Does Not Exist"))
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
            offer, chosen = _negotiate(message)
            port = self.pool.take()
        except (sdp.SdpError, sdp.NotAcceptable, NoPortsLeft) as exc:
            code, reason = (
                (488, "Not Acceptable Here")
                if isinstance(exc, sdp.NotAcceptable)
                else (503, "Service Unavailable")
                if isinstance(exc, NoPortsLeft)
                else (400, "Bad Request")
            )
            log.warning("INVITE %s refused with %d: %s", call_id, code, exc)
            self.listener.release()  # before the answer: whoever sees it may count the legs
            self.sip.send(
                sm.response(message.raw, code, reason, to_tag=sm.new_tag(), extra=[ALLOW] if code == 488 else [])
            )
            return
        dialog = sm.Dialog(
            call_id,
            local_uri=_untagged(sm.first(lines, "To")),
            local_tag=sm.new_tag(),
            remote_uri=_untagged(sm.first(lines, "From")),
            remote_tag=sm.tag_of(sm.first(lines, "From") or ""),
            remote_target=sm.uri_of(sm.first(lines, "Contact") or sm.first(lines, "From") or ""),
            local_contact=self._contact(),
            via_host=f"{self.myIP}:{self.sip.myPort}",
            route_set=sm.route_set(lines, reverse=False),
        )
        call = FixedVoIPCall(
            self,  # type: ignore[arg-type]
            VoIP.CallState.RINGING,
            message,
            call_id,
            random.randint(1, 10**9),
            dialog,
        )
        call.rtp_port, call.offer, call.chosen = port, offer, chosen
        self.calls[call_id] = call
        self.sip.send(
            sm.response(message.raw, 180, "Ringing", to_tag=dialog.local_tag, extra=[f"Contact: {self._contact()}"])
        )
        self.listener.arrived(self, call)  # type: ignore[arg-type]  # from this thread: it precedes the end

    def _on_reinvite(self, call: FixedVoIPCall, message: SIP.SIPMessage, to_tag: str) -> None:
        with call.lock:
            if not to_tag:  # the INVITE again: repeat our last answer to it
                if call.state == VoIP.CallState.RINGING and call.request is not None:
                    self.sip.send(
                        sm.response(
                            call.request.raw,
                            180,
                            "Ringing",
                            to_tag=call.dialog.local_tag,
                            extra=[f"Contact: {self._contact()}"],
                        )
                    )
                elif call.state == VoIP.CallState.ANSWERED and call.stream is not None and call.acked:
                    self.sip.send(self._ok(call, message))
                return  # while unacknowledged, the retransmission timer resends the 200 anyway
            if to_tag != call.dialog.local_tag or call.state != VoIP.CallState.ANSWERED:
                self.sip.send(sm.response(message.raw, 481, "Call/Transaction Does Not Exist"))
                return
            try:  # a re-INVITE (session refresh, moved media): same port, maybe a new remote address
                offer, chosen = _negotiate(message)
            except (sdp.SdpError, sdp.NotAcceptable):
                self.sip.send(sm.response(message.raw, 488, "Not Acceptable Here", extra=[ALLOW]))
                return
            if offer is not None and chosen is not None and call.stream is not None:
                call.offer, call.chosen = offer, chosen
                call.stream.retarget((chosen.address, chosen.port), chosen.event_type)
            self.sip.send(self._ok(call, message))

    def answer(self, call: FixedVoIPCall) -> None:
        with call.lock:  # a CANCEL waits for us, then finds the call answered (or the reverse)
            if call.state != VoIP.CallState.RINGING or call.ended.is_set():
                raise VoIP.InvalidStateError("call is not ringing")
            assert call.rtp_port is not None
            chosen = call.chosen
            call.stream = self.engine.open_stream(
                (self.myIP, call.rtp_port),
                (chosen.address, chosen.port) if chosen is not None else None,  # delayed offer: from the ACK
                payload_type=0,
                event_type=chosen.event_type if chosen is not None else sdp.DEFAULT_EVENT,
                on_digit=lambda d: self.listener.digit(call.call_id, d),
            )
            assert call.request is not None
            message = self._ok(call, call.request)
            call.state = VoIP.CallState.ANSWERED
            call.retransmit = Retransmit(
                self.timers,
                lambda: self.sip.send(message),
                until=64 * self.t1,
                t1=self.t1,
                t2=8 * self.t1,
                on_timeout=lambda: self._no_ack(call),
            )

    def _ok(self, call: FixedVoIPCall, request: SIP.SIPMessage) -> bytes:
        assert call.rtp_port is not None
        if call.offer is not None and call.chosen is not None:
            body = sdp.answer(call.offer, call.chosen, self.myIP, call.rtp_port, int(call.session_id))
        else:
            body = sdp.offer(self.myIP, call.rtp_port, int(call.session_id))
        return sm.response(
            request.raw,
            200,
            "OK",
            to_tag=call.dialog.local_tag,
            body=body,
            extra=[f"Contact: {self._contact()}", ALLOW, f"User-Agent: {UA}"],
        )

    def _no_ack(self, call: FixedVoIPCall) -> None:
        """64*T1 without an ACK for our 200: the caller never got it; end the call (RFC 3261 13.3.1.4)."""
        with call.lock:
            if call.ended.is_set() or call.acked:
                return
            log.warning("no ACK for the 200 OK of %s in %.0f s: hanging up", call.call_id, 64 * self.t1)
            self.sip.send(call.dialog.bye())
            self.finish(call, HangupBy.SYSTEM, 408, "no ACK for our 200 OK")

    def _on_ack(self, message: SIP.SIPMessage) -> None:
        call = self.calls.get(str(message.headers.get("Call-ID")))
        if call is None or call.state != VoIP.CallState.ANSWERED or call.acked or call.request is None:
            return  # an ACK for a 487/4xx we sent (the proxy's hop-by-hop one), or a repeat
        with call.lock:
            call.acked = True
            call.stop_retransmitting()
            if call.offer is not None:
                return
            try:  # delayed offer: the ACK carries the answer to the offer in our 200
                answer = sdp.parse(message.body_text if isinstance(message, FixedMessage) else "")
                chosen = sdp.choose(answer)
            except (sdp.SdpError, sdp.NotAcceptable) as exc:
                log.warning("ACK of %s has no usable SDP answer (%s): hanging up", call.call_id, exc)
                self.sip.send(call.dialog.bye())
                self.finish(call, HangupBy.SYSTEM, 488, "no usable SDP answer in the ACK")
                return
            call.offer, call.chosen = answer, chosen
            if call.stream is not None:
                call.stream.retarget((chosen.address, chosen.port), chosen.event_type)

    def _on_cancel(self, call: FixedVoIPCall) -> None:
        with call.lock:  # after answer: the 200 went out first and the CANCEL changes nothing (RFC 3261 9.2)
            if call.state == VoIP.CallState.RINGING and call.request is not None:
                self.sip.send(sm.response(call.request.raw, 487, "Request Terminated", to_tag=call.dialog.local_tag))
                self.finish(call, HangupBy.REMOTE, 487, "caller cancelled")


def _negotiate(message: SIP.SIPMessage) -> tuple[sdp.Offer | None, sdp.Chosen | None]:
    """The offer in an INVITE and the stream we take; (None, None) for an INVITE without SDP."""
    body = message.body_text if isinstance(message, FixedMessage) else ""
    if not body.strip():
        return None, None
    offer = sdp.parse(body)
    return offer, sdp.choose(offer)


def _untagged(header: str | None) -> str:
    return (header or "").split(";tag=")[0].strip()
