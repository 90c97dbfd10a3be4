"""pyVoIP 1.6.8, fixed by subclassing (no global monkey-patching). Only this module and
``pyvoip_line`` import pyVoIP. Each override says which defect it works around.

- ``FixedMessage``: parses OPTIONS/INFO/... instead of rejecting them as unparseable.
- ``FixedSIPClient``: one receive thread blocking in ``select`` (1.6.8 polls every 10 ms
  under a lock); drops datagrams that do not come from the proxy (security); never lets a
  malformed message escape the receive thread; answers OPTIONS (the dispatcher's
  keep-alive); hands every INVITE response to the phone (1.6.8 silently drops
  486/480/487...); registers through ``Registration`` (1.6.8 registers by reading the
  socket itself, and stops the phone silently after failed refreshes). Its threads are
  daemons joined in ``stop`` (1.6.8's outlive it).
- ``FixedVoIPCall``: a call's state without pyVoIP's SDP handling, which takes one RTP
  port per audio m-line and leaks them, ignores media-level c= and port 0, cannot answer
  an INVITE without SDP, and encodes PCMA with the PCMU encoder (``sdp`` does it instead).
"""

from __future__ import annotations

import logging
import select
import socket
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

# pyVoIP has an import cycle (SIP -> VoIP -> SIP): its VoIP module must be imported first.
# isort: off
from pyVoIP.VoIP import VoIP
from pyVoIP import SIP
# isort: on

from contact_center.log_limits import ThrottledLog
from contact_center.telephony import sip_messages as sm
from contact_center.telephony.sdp import Chosen, Offer
from contact_center.telephony.sip_register import Registration
from contact_center.telephony.sip_timers import Retransmit
from contact_center.telephony.stream import Stream

if TYPE_CHECKING:
    from contact_center.telephony.pyvoip_line import FixedVoIPPhone

log = logging.getLogger(__name__)
# Malformed datagrams can come by the thousand from anyone who can spoof the proxy's address.
noisy = ThrottledLog(log)
EXTRA_METHODS = ["OPTIONS", "INFO", "UPDATE", "PRACK", "REFER", "NOTIFY", "MESSAGE", "SUBSCRIBE", "PUBLISH"]
ALLOW = "Allow: INVITE, ACK, BYE, CANCEL, OPTIONS"


class FixedMessage(SIP.SIPMessage):
    """pyVoIP's header parser only: the body (SDP) is read by ``sdp``, since pyVoIP's SDP
    parser raises on lines it does not know and its offer handling is what leaks ports."""

    def parse(self, data: bytes) -> None:
        self.SIPCompatibleMethods = [*self.SIPCompatibleMethods, *EXTRA_METHODS]
        head = data.split(b"\r\n\r\n", 1)[0]
        super().parse(head + b"\r\n\r\n")

    @property
    def body_text(self) -> str:
        parts = self.raw.split(b"\r\n\r\n", 1)
        return parts[1].decode("utf-8", errors="replace") if len(parts) == 2 else ""


class FixedSIPClient(SIP.SIPClient):
    phone: FixedVoIPPhone
    registration: Registration

    def __init__(self, *args: Any, trusted: set[tuple[str, int]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.trusted = trusted
        self.dropped = 0
        self.malformed = 0
        self.recv_thread: threading.Thread | None = None
        # responses by CSeq method: (code, reason, header lines, raw); pyVoIP cannot even parse
        # codes its status enum lacks (422, 429, 580...)
        self.on_response: dict[str, Callable[[int, str, list[tuple[str, str]], bytes], None]] = {}

    def start(self) -> None:
        """Bind, start receiving, register once (raising ``RegistrationFailed``)."""
        if self.NSD:
            raise RuntimeError("SIP client already started")
        self.s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.s.bind((self.myIP, self.myPort))
        self.out = self.s
        self.NSD = True
        self.recv_thread = threading.Thread(target=self.recv_loop, name=f"sip-recv-{self.username}", daemon=True)
        self.recv_thread.start()
        try:
            self.registration.register_blocking()
        except BaseException:
            self._halt()
            raise

    def stop(self) -> None:
        if not self.NSD:
            return
        self.registration.unregister()
        self._halt()

    def _halt(self) -> None:
        self.NSD = False
        if self.recv_thread is not None and self.recv_thread is not threading.current_thread():
            self.recv_thread.join(timeout=5)
        self._close_sockets()

    def recv_loop(self) -> None:
        while self.NSD:
            try:
                ready, _, _ = select.select([self.s], [], [], 0.5)
            except (OSError, ValueError):
                return  # socket closed under us while stopping
            if ready:
                self.recv()

    def recv(self) -> None:
        try:
            raw, source = self.s.recvfrom(65535)
        except (BlockingIOError, InterruptedError):
            return
        except OSError:
            return
        if source not in self.trusted:
            self.dropped += 1  # nothing answers SIP that did not come through our proxy
            return
        if not raw.strip():
            return  # keep-alive
        try:
            self.handle(raw)
        except Exception:
            log.exception("SIP %r handling failed; the line carries on", raw[:60])

    def handle(self, raw: bytes) -> None:
        status = sm.status_of(raw)
        lines = sm.header_lines(raw)
        if status is not None:
            handler = self.on_response.get(sm.cseq_of(lines)[1])
            if handler is not None:
                handler(status[0], status[1], lines, raw)
            return
        try:
            message = FixedMessage(raw)
        except Exception as exc:
            self.malformed += 1
            noisy.log("malformed", logging.WARNING, "malformed SIP dropped (%s)", exc)
            self._reply_bad_request(raw, lines)
            return
        if status is None and not _has_dialog_headers(lines):
            self.malformed += 1
            self._reply_bad_request(raw, lines)
            return
        self.parse_message(message)

    def _reply_bad_request(self, raw: bytes, lines: list[tuple[str, str]]) -> None:
        if (
            sm.status_of(raw) is None
            and sm.first(lines, "Via")
            and sm.first(lines, "Call-ID")
            and not raw.startswith(b"ACK ")
        ):
            self.send(sm.response(raw, 400, "Bad Request", to_tag=sm.new_tag()))

    def parse_message(self, message: SIP.SIPMessage) -> None:
        if message.method in ("INVITE", "BYE", "CANCEL", "ACK"):
            if self.callCallback is not None:
                self.callCallback(message)
        elif message.method == "OPTIONS":
            self.send(sm.response(message.raw, 200, "OK", to_tag=sm.new_tag(), extra=[ALLOW]))
        else:
            self.send(sm.response(message.raw, 501, "Not Implemented", to_tag=sm.new_tag(), extra=[ALLOW]))

    def send(self, data: bytes) -> None:
        """Everything goes to the proxy: pyVoIP has no routing of its own."""
        try:
            self.out.sendto(data, (self.server, self.port))
        except OSError as exc:
            log.warning("SIP send failed: %s", exc)


def _has_dialog_headers(lines: list[tuple[str, str]]) -> bool:
    """What every request we act on needs: Via, From, To, Call-ID and a readable CSeq."""
    return all(sm.first(lines, h) for h in ("Via", "From", "To", "Call-ID")) and sm.cseq_of(lines)[0] >= 0


class FixedVoIPCall(VoIP.VoIPCall):
    """One call leg's SIP state. ``VoIPCall.__init__`` is deliberately not run: it is
    pyVoIP's SDP handling (see the module docstring); ``sdp`` negotiates instead."""

    phone: FixedVoIPPhone
    request: SIP.SIPMessage | None  # type: ignore[assignment]  # None for the calls we dial

    def __init__(
        self,
        phone: FixedVoIPPhone,
        state: VoIP.CallState,
        request: SIP.SIPMessage | None,
        call_id: str,
        session_id: int,
        dialog: sm.Dialog,
    ) -> None:
        self.phone, self.sip, self.state, self.request = phone, phone.sip, state, request
        self.call_id, self.session_id, self.dialog = call_id, str(session_id), dialog
        self.myIP = phone.myIP
        self.RTPClients = []
        self.rtp_port: int | None = None
        self.offer: Offer | None = None  # the inbound INVITE's offer (None: delayed offer)
        self.chosen: Chosen | None = None  # the remote stream we talk to
        self.stream: Stream | None = None
        self.lock = threading.RLock()  # answer, CANCEL, ACK and the end of the call, one at a time
        self.ended = threading.Event()
        self.answered_event = threading.Event()
        self.cancelling = False
        self.acked = False
        self.provisional = False
        self.final_code: int | None = None
        self.final_reason = ""
        self.retransmit: Retransmit | None = None  # our 200 until the ACK, or our INVITE until a reply

    def stop_retransmitting(self) -> None:
        if self.retransmit is not None:
            self.retransmit.stop()
            self.retransmit = None

    def stop_media(self) -> None:
        if self.stream is not None:
            self.phone.engine.close_stream(self.stream)

    def __del__(self) -> None:  # 1.6.8 releases ports from here, racing our own release
        pass
