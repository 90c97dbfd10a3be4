"""The line on a bad day, on the wire through Kamailio: the registrar goes away and comes
back; a caller never ACKs our 200; an INVITE without SDP; RTP from a stranger; malformed SIP
that reaches the worker."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import Awaitable, Callable
from typing import Any

from contact_center.telephony import rtp, sdp
from contact_center.telephony import sip_messages as sm
from contact_center.telephony.events import (
    CallArrived,
    CallHungUp,
    DigitReceived,
    HangupBy,
    LineStatus,
    LineStatusChanged,
)
from contact_center.telephony.port import TelephonyPort
from contact_center.telephony.sip import SipTelephony


async def next_of(tel: SipTelephony, kind: type, give_up: float = 10) -> Any:
    async def wait() -> Any:
        async for event in tel.events():
            if isinstance(event, kind):
                return event
        raise AssertionError(f"no {kind.__name__}")

    return await asyncio.wait_for(wait(), give_up)


class RawCaller:
    """A hand-driven SIP caller at one of the carrier's addresses (trusted by the proxy)."""

    def __init__(self, sock: socket.socket, proxy_port: int) -> None:
        self.sock, self.proxy = sock, ("127.0.0.1", proxy_port)
        self.port = sock.getsockname()[1]
        self.call_id = sm.new_call_id("127.0.0.1")
        self.tag = sm.new_tag()
        self.seen: list[bytes] = []

    def invite(self, body: str = "") -> None:
        self.send("INVITE", "sip:100@127.0.0.1", 1, body=body, branch="z9hG4bKinv" + self.tag)

    def send(
        self,
        method: str,
        uri: str,
        cseq: int,
        *,
        body: str = "",
        to_tag: str = "",
        route: str = "",
        branch: str | None = None,
    ) -> None:
        lines = [
            f"{method} {uri} SIP/2.0",
            f"Via: SIP/2.0/UDP 127.0.0.1:{self.port};branch={branch or sm.new_branch()}",
            *([f"Route: {route}"] if route else []),
            "Max-Forwards: 70",
            f"From: <sip:+15550007777@127.0.0.1>;tag={self.tag}",
            f"To: <sip:100@127.0.0.1>{';tag=' + to_tag if to_tag else ''}",
            f"Call-ID: {self.call_id}",
            f"CSeq: {cseq} {method}",
            f"Contact: <sip:raw@127.0.0.1:{self.port}>",
            *(["Content-Type: application/sdp"] if body else []),
            f"Content-Length: {len(body)}",
        ]
        self.sock.sendto(("\r\n".join(lines) + "\r\n\r\n" + body).encode(), self.proxy)

    def read(self, until: Callable[[bytes], bool], timeout: float = 8.0) -> bytes:
        """Messages until one for which ``until`` is true (all kept in ``seen``)."""
        self.sock.settimeout(timeout)
        while True:
            message = self.sock.recv(65535)
            self.seen.append(message)
            if until(message):
                return message

    def answered(self) -> tuple[bytes, str, str, sdp.Chosen | None]:
        """Wait for the 200: (it, To-tag, Route for in-dialog requests, the offer/answer in it)."""
        ok = self.read(lambda m: m.startswith(b"SIP/2.0 200"))
        lines = sm.header_lines(ok)
        body = ok.split(b"\r\n\r\n", 1)[1].decode()
        chosen = sdp.choose(sdp.parse(body)) if body.strip() else None
        return ok, sm.tag_of(sm.first(lines, "To") or ""), ", ".join(sm.route_set(lines, reverse=True)), chosen


def offer(port: int) -> str:
    return sdp.offer("127.0.0.1", port, 1)


async def test_registration_lost_is_reported_and_retried_until_the_registrar_is_back(
    kamailio: Callable[..., Any],
    telephony: Callable[..., Awaitable[SipTelephony]],
    ports: Callable[..., int],
    sipp: Callable[..., Any],
) -> None:
    line = ports()
    proxy = kamailio(users={"ivr": "ivr-secret"}, workers=[line])
    tel = await telephony(proxy, port=line, register_expires=4, register_timeout=1.0)
    assert isinstance(tel, TelephonyPort) and tel.line_status() == {"ivr": LineStatus.REGISTERED}
    proxy.crash()
    lost = await next_of(tel, LineStatusChanged)
    assert (lost.line, lost.status) == ("ivr", LineStatus.RETRYING) and "no answer from registrar" in lost.reason
    assert tel.line_status() == {"ivr": LineStatus.RETRYING}
    proxy.restart()
    back = await next_of(tel, LineStatusChanged, give_up=20)
    while back.status is LineStatus.RETRYING:  # retries that went out before Kamailio was up again
        back = await next_of(tel, LineStatusChanged, give_up=20)
    assert back.status is LineStatus.REGISTERED and tel.line_status() == {"ivr": LineStatus.REGISTERED}

    async def session() -> CallHungUp:  # and calls reach the line again
        arrived = await next_of(tel, CallArrived)
        await tel.answer(arrived.call_id)
        hung_up: CallHungUp = await next_of(tel, CallHungUp)
        return hung_up

    task = asyncio.create_task(session())
    result = await sipp("uac_bye_early.xml", proxy)
    assert result.returncode == 0, result.log
    assert (await task).by is HangupBy.REMOTE


async def test_no_ack_for_our_200_retransmits_it_then_hangs_up_with_a_bye(
    kamailio: Callable[..., Any],
    telephony: Callable[..., Awaitable[SipTelephony]],
    ports: Callable[..., int],
    udp_sockets: Callable[[int], socket.socket],
) -> None:
    line = ports()
    proxy = kamailio(users={"ivr": "ivr-secret"}, workers=[line])
    tel = await telephony(proxy, port=line, t1=0.05)  # 64*T1 = 3.2 s instead of 32 s
    caller = RawCaller(udp_sockets(proxy.carrier_ports[0]), proxy.port)
    caller.invite(offer(ports(even=True)))
    arrived = await next_of(tel, CallArrived)
    await tel.answer(arrived.call_id)
    bye = await asyncio.to_thread(caller.read, lambda m: m.startswith(b"BYE "))  # and we never ACK
    oks = [m for m in caller.seen if m.startswith(b"SIP/2.0 200")]
    assert len(oks) >= 4  # retransmitted (0, T1, 3*T1, 7*T1 ... through the proxy)
    assert b"Route:" not in bye  # the proxy consumed its own Route entry: the BYE came through it
    hung_up = await next_of(tel, CallHungUp)
    assert (hung_up.by, hung_up.sip_code, hung_up.reason) == (HangupBy.SYSTEM, 408, "no ACK for our 200 OK")
    assert tel.pool.in_use == frozenset() and tel.capacity.active == 0


async def test_delayed_offer_and_rtp_only_from_the_negotiated_address(
    kamailio: Callable[..., Any],
    telephony: Callable[..., Awaitable[SipTelephony]],
    ports: Callable[..., int],
    udp_sockets: Callable[[int], socket.socket],
) -> None:
    """An INVITE without SDP gets our offer in the 200 and the caller's answer in its ACK.
    Digits (or audio) sent from any other address than the negotiated one are ignored."""
    line = ports()
    proxy = kamailio(users={"ivr": "ivr-secret"}, workers=[line])
    tel = await telephony(proxy, port=line)
    caller = RawCaller(udp_sockets(proxy.carrier_ports[0]), proxy.port)
    media, stranger = udp_sockets(ports(even=True)), udp_sockets(ports(even=True))
    caller.invite()  # no SDP
    arrived = await next_of(tel, CallArrived)
    await tel.answer(arrived.call_id)
    _, to_tag, route, ours = await asyncio.to_thread(caller.answered)
    assert ours is not None and ours.event_type == 101  # our offer
    caller.send("ACK", f"sip:ivr@127.0.0.1:{line}", 1, to_tag=to_tag, route=route, body=offer(media.getsockname()[1]))
    media.settimeout(3)
    packet = rtp.parse(await asyncio.to_thread(media.recv, 2048))  # our media now flows to the answer's address
    assert packet.payload_type == 0

    def key(digit: int, ts: int) -> bytes:
        return rtp.build(101, 1, ts, 99, bytes([digit, 0x0A, 0, 160]), marker=True)

    stranger.sendto(key(5, 1000), ("127.0.0.1", ours.port))  # "5" from someone else: ignored
    media.sendto(key(7, 2000), ("127.0.0.1", ours.port))  # "7" from the caller: taken
    digit = await next_of(tel, DigitReceived)
    assert digit.digit == "7" and tel.detail(arrived.call_id).digits == "7"
    stream = tel.stream_of(arrived.call_id)
    assert stream is not None and stream.stray_packets >= 1
    await tel.hangup(arrived.call_id)
    assert await asyncio.to_thread(caller.read, lambda m: m.startswith(b"BYE "))


MALFORMED = [
    b"\x00\x01\x02 not sip at all",
    b"INVITE sip:100@127.0.0.1 SIP/2.0\r\n\r\n",  # no headers at all
    b"INVITE sip:100@127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:1;branch=z9hG4bKa\r\nCall-ID: m1\r\n"
    b"From: garbage\r\nTo: <sip:100@x>\r\nCSeq: one INVITE\r\nContent-Length: 0\r\n\r\n",  # bad From, CSeq
    b"INVITE sip:100@127.0.0.1 SIP/3.0\r\nVia: SIP/2.0/UDP 127.0.0.1:1;branch=z9hG4bKb\r\nCall-ID: m2\r\n\r\n",
    b"BYE sip:ivr@127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:1;branch=z9hG4bKc\r\nFrom: <sip:a@b>;tag=1\r\n"
    b"To: <sip:b@c>;tag=2\r\nCall-ID: nobody\r\nCSeq: 2 BYE\r\nContent-Length: 0\r\n\r\n",  # unknown dialog: 481
    b"SIP/2.0 200 OK\r\nCSeq: 1 INVITE\r\nCall-ID: no-such-call\r\n\r\n",  # a response to nothing
    b"SIP/2.0 99999 Weird\r\n\r\n",
    b"ACK sip:x SIP/2.0\r\nCall-ID: \xff\xfe\r\n\r\n",
    b"OPTIONS sip:ivr@127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:1;branch=z9hG4bKd\r\n"
    b"From: <sip:a@b>;tag=1\r\nTo: <sip:b@c>\r\nCall-ID: o1\r\nCSeq: 1 OPTIONS\r\nContent-Length: 99\r\n\r\n",
    b"INVITE sip:100@127.0.0.1 SIP/2.0\r\n" + b"X-Junk: " + b"A" * 7000 + b"\r\n\r\n",
]


async def test_malformed_sip_reaching_the_worker_never_stops_the_line(
    kamailio: Callable[..., Any],
    telephony: Callable[..., Awaitable[SipTelephony]],
    ports: Callable[..., int],
    udp_sockets: Callable[[int], socket.socket],
    sipp: Callable[..., Any],
) -> None:
    """The proxy's sanity checks stop most of this; here it arrives anyway (as from a proxy
    with a bug), straight at the worker from an address it trusts."""
    line = ports()
    proxy = kamailio(users={"ivr": "ivr-secret"}, workers=[line])
    tel = await telephony(proxy, port=line)
    evil = udp_sockets(ports())
    client = tel.lines[0].sip
    client.trusted.add(evil.getsockname())
    replies: list[bytes] = []  # the line answers to the proxy, whoever sent: note what it says
    real_send = client.send

    def spy(data: bytes) -> None:
        replies.append(data)
        real_send(data)

    client.send = spy  # type: ignore[method-assign]
    for message in MALFORMED:
        evil.sendto(message, ("127.0.0.1", line))

    def answered() -> list[int]:
        return sorted(s[0] for s in map(sm.status_of, list(replies)) if s is not None)

    for _ in range(200):  # the replies come from the line's own thread, in no promised order
        if client.malformed >= 4 and {200, 400, 481} <= set(answered()):
            break
        await asyncio.sleep(0.05)
    client.send = real_send  # type: ignore[method-assign]
    codes = answered()
    assert set(codes) == {200, 400, 481}, codes  # OPTIONS answered, bad requests refused, the unknown BYE 481
    assert client.malformed >= 4 and client.recv_thread is not None and client.recv_thread.is_alive()
    assert tel.legs.live() == [] and tel.capacity.active == 0

    async def session() -> None:  # and a real call still goes through
        arrived = await next_of(tel, CallArrived)
        await tel.answer(arrived.call_id)
        await next_of(tel, CallHungUp)

    task = asyncio.create_task(session())
    result = await sipp("uac_bye_early.xml", proxy)
    assert result.returncode == 0, result.log
    await asyncio.wait_for(task, 10)
