"""pyVoIP 1.6.8, fixed by subclassing (no global monkey-patching). Only this module and
``pyvoip_line`` import pyVoIP. Each override says which defect it works around.

- ``FixedMessage``: parses OPTIONS/INFO/... instead of rejecting them as unparseable.
- ``FixedSIPClient``: drops datagrams that do not come from the proxy (security), never
  lets a malformed message escape the receive thread, answers OPTIONS (the dispatcher's
  keep-alive) and hands every response to the phone (1.6.8 silently drops 486/480/487...).
  Its receive thread is a daemon kept for ``join`` (1.6.8's threads outlive ``stop``).
- ``MediaRTPClient``: sends and receives through the shared ``MediaEngine`` instead of two
  busy-polling threads per call with a drifting clock; ``stop`` is idempotent and safe
  before ``start``; the port goes back to the pool (1.6.8 never releases RTP ports).
- ``FixedVoIPCall``: negotiates PCMU only (1.6.8 encodes PCMA with the PCMU encoder).
"""

from __future__ import annotations

import logging
import socket
import threading
from typing import TYPE_CHECKING, Any

# pyVoIP has an import cycle (SIP -> VoIP -> SIP): its VoIP module must be imported first.
# isort: off
from pyVoIP.VoIP import VoIP
from pyVoIP import RTP, SIP
# isort: on
from pyVoIP.VoIP.status import PhoneStatus

from contact_center.telephony import sip_messages
from contact_center.telephony.stream import Stream

if TYPE_CHECKING:
    from contact_center.telephony.pyvoip_line import FixedVoIPPhone

log = logging.getLogger(__name__)
EXTRA_METHODS = ["OPTIONS", "INFO", "UPDATE", "PRACK", "REFER", "NOTIFY", "MESSAGE", "SUBSCRIBE", "PUBLISH"]


class NotAcceptable(Exception):
    """The offer has no codec we accept (488)."""


class FixedMessage(SIP.SIPMessage):
    def parse(self, data: bytes) -> None:
        self.SIPCompatibleMethods = [*self.SIPCompatibleMethods, *EXTRA_METHODS]
        super().parse(data)


class FixedSIPClient(SIP.SIPClient):
    phone: FixedVoIPPhone

    def __init__(self, *args: Any, trusted: set[tuple[str, int]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.trusted = trusted
        self.dropped = 0
        self.malformed = 0
        self.recv_thread: threading.Thread | None = None

    def start(self) -> None:
        """Bind, register once (raising on failure, no silent retries), then receive."""
        if self.NSD:
            raise RuntimeError("SIP client already started")
        self.NSD = True
        self.s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.s.bind((self.myIP, self.myPort))
        self.out = self.s
        try:
            with self.recvLock:
                registered = getattr(self, "_SIPClient__register")()  # noqa: B009 - pyVoIP's private step
            if not registered:
                raise SIP.InvalidAccountInfoError("registration refused")
        except BaseException:
            self.NSD = False
            self._close_sockets()
            raise
        self.phone._status = PhoneStatus.REGISTERED
        getattr(self, "_SIPClient__start_register_timer")()  # noqa: B009 - re-registers before expiry
        self.recv_thread = threading.Thread(target=self.recv_loop, name=f"sip-recv-{self.username}", daemon=True)
        self.recv_thread.start()

    def stop(self) -> None:
        super().stop()  # cancels the register timer, unregisters, closes the socket
        if self.recv_thread is not None and self.recv_thread is not threading.current_thread():
            self.recv_thread.join(timeout=5)

    def recv(self) -> None:
        try:
            raw, source = self.s.recvfrom(8192)
        except BlockingIOError:
            raise
        except OSError:
            return  # socket closed under us while stopping
        if source not in self.trusted:
            self.dropped += 1  # nothing answers SIP that did not come through our proxy
            return
        if not raw.strip():
            return  # keep-alive
        try:
            message = FixedMessage(raw)
        except Exception as exc:
            self.malformed += 1
            log.warning("malformed SIP from %s:%s dropped (%s)", *source, exc)
            self._reply_bad_request(raw)
            return
        try:
            self.parse_message(message)
        except Exception:
            log.exception("SIP %s handling failed; the line carries on", message.heading[:60])

    def _reply_bad_request(self, raw: bytes) -> None:
        lines = sip_messages.header_lines(raw)
        is_request = not raw.startswith(b"SIP/")
        if is_request and sip_messages.first(lines, "Via") and sip_messages.first(lines, "Call-ID"):
            self.send(sip_messages.response(raw, 400, "Bad Request", to_tag=sip_messages.new_tag()))

    def parse_message(self, message: SIP.SIPMessage) -> None:
        if message.type == SIP.SIPMessageType.RESPONSE or message.method in ("INVITE", "BYE", "CANCEL", "ACK"):
            if self.callCallback is not None:
                self.callCallback(message)
        elif message.method == "OPTIONS":
            self.send(
                sip_messages.response(
                    message.raw,
                    200,
                    "OK",
                    to_tag=sip_messages.new_tag(),
                    extra=["Allow: INVITE, ACK, BYE, CANCEL, OPTIONS"],
                )
            )
        else:
            self.send(sip_messages.response(message.raw, 501, "Not Implemented", to_tag=sip_messages.new_tag()))

    def send(self, data: bytes) -> None:
        """Everything goes to the proxy: pyVoIP has no routing of its own."""
        try:
            self.out.sendto(data, (self.server, self.port))
        except OSError as exc:
            log.warning("SIP send failed: %s", exc)


class MediaRTPClient(RTP.RTPClient):
    def __init__(self, *args: Any, phone: FixedVoIPPhone, call_id: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.phone = phone
        self.call_id = call_id
        self.stream: Stream | None = None
        self.event_type = next((pt for pt, kind in self.assoc.items() if kind is RTP.PayloadType.EVENT), None)

    def start(self) -> None:
        if self.stream is None:
            self.stream = self.phone.engine.open_stream(
                (self.inIP, self.inPort),
                (self.outIP, self.outPort),
                payload_type=0,
                event_type=self.event_type,
                on_digit=lambda d: self.phone.listener.digit(self.call_id, d),
            )

    def stop(self) -> None:
        self.NSD = False
        if self.stream is not None:
            self.phone.engine.close_stream(self.stream)


class FixedVoIPCall(VoIP.VoIPCall):
    phone: FixedVoIPPhone
    RTPClients: list[MediaRTPClient]  # type: ignore[assignment]  # only ours are ever added
    rtp_port: int | None = None

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self.ended = threading.Event()
        self.answered_event = threading.Event()
        self.finish_lock = threading.Lock()
        self.dialog: sip_messages.Dialog | None = None
        self.cancelling = False
        try:
            super().__init__(*args, **kwargs)
        except BaseException:  # refused offer: give back the port pyVoIP took for it
            if self.rtp_port is not None:
                self.phone.release_ports(self)
            raise

    def create_rtp_clients(
        self, codecs: dict[int, Any], ip: str, port: int, request: SIP.SIPMessage, baseport: int
    ) -> None:
        if self.rtp_port is None:
            self.rtp_port = port
        if RTP.PayloadType.PCMU not in codecs.values():
            raise NotAcceptable("offer has no PCMU")
        wanted = {pt: kind for pt, kind in codecs.items() if kind in (RTP.PayloadType.PCMU, RTP.PayloadType.EVENT)}
        wanted = dict(sorted(wanted.items(), key=lambda item: item[1] is not RTP.PayloadType.PCMU))
        address = request.body["c"][0]["address"]
        self.RTPClients.append(
            MediaRTPClient(wanted, ip, port, address, baseport, self.sendmode, phone=self.phone, call_id=self.call_id)
        )

    @property
    def stream(self) -> Stream | None:
        return self.RTPClients[0].stream if self.RTPClients else None

    def stop_media(self) -> None:
        for client in self.RTPClients:
            client.stop()

    def __del__(self) -> None:  # 1.6.8 releases ports from here, racing our own release
        pass
