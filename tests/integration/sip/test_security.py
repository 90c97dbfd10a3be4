"""Digest auth at the proxy, nothing answered from outside it, malformed SIP/SDP survived."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import Awaitable, Callable
from typing import Any

import pytest

from contact_center.telephony.events import CallArrived
from contact_center.telephony.sip import SipTelephony

SDP_OK = "v=0\r\no=x 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio 40000 RTP/AVP 0\r\n"
SDP_PCMA = SDP_OK.replace("RTP/AVP 0", "RTP/AVP 8")
SDP_BROKEN = "v=0\r\nc=IN IP4\r\nm=audio notaport RTP/AVP 0\r\na=rtpmap:0\r\n"


def invite(to: str, port: int, me: int, call_id: str, sdp: str) -> bytes:
    return (f"INVITE sip:{to}@127.0.0.1:{port} SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:{me};branch=z9hG4bK{call_id}\r\n"
            f"Max-Forwards: 70\r\nFrom: <sip:+15550009999@127.0.0.1>;tag=x{call_id}\r\n"
            f"To: <sip:{to}@127.0.0.1>\r\nCall-ID: {call_id}\r\nCSeq: 1 INVITE\r\n"
            f"Contact: <sip:raw@127.0.0.1:{me}>\r\nContent-Type: application/sdp\r\n"
            f"Content-Length: {len(sdp)}\r\n\r\n{sdp}").encode()


def final_status(sock: socket.socket, give_up: float = 3.0) -> int | None:
    sock.settimeout(give_up)
    try:
        while True:
            status = int(sock.recv(8192).split(b" ", 2)[1])
            if status >= 200:
                return status
    except TimeoutError:
        return None


@pytest.fixture
def raw_from(ports: Callable[..., int]) -> Callable[[int], socket.socket]:
    made: list[socket.socket] = []

    def bind(port: int) -> socket.socket:
        sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        sock.bind(("127.0.0.1", port))
        made.append(sock)
        return sock

    yield bind  # type: ignore[misc]
    for sock in made:
        sock.close()


async def test_wrong_line_password_fails_to_start_and_leaves_nothing(
    kamailio: Callable[..., Any], telephony: Callable[..., Awaitable[SipTelephony]], ports: Callable[..., int],
) -> None:
    line = ports()
    proxy = kamailio(users={"ivr": "right"}, workers=[line])
    with pytest.raises(Exception, match=r"(?i)invalid|password|refused"):
        await telephony(proxy, port=line, password="wrong")
    # the fixture's teardown checks that no thread or port was left behind


async def test_agents_must_authenticate_and_nobody_talks_to_the_line_directly(
    kamailio: Callable[..., Any], telephony: Callable[..., Awaitable[SipTelephony]], ports: Callable[..., int],
    raw_from: Callable[[int], socket.socket],
) -> None:
    line = ports()
    proxy = kamailio(users={"ivr": "ivr-secret", "2001": "agent-pw"}, workers=[line])
    tel = await telephony(proxy, port=line)
    phone = raw_from(ports())
    me = phone.getsockname()[1]
    phone.sendto(invite("100", proxy.port, me, "noauth", SDP_OK), ("127.0.0.1", proxy.port))
    assert await asyncio.to_thread(final_status, phone) == 407  # an agent's phone without credentials
    phone.sendto(invite("100", line, me, "direct", SDP_OK), ("127.0.0.1", line))
    assert await asyncio.to_thread(final_status, phone, 1.0) is None  # the line ignores non-proxy SIP
    assert tel.lines[0].sip.dropped == 1
    assert tel.capacity.active == 0


async def test_malformed_sdp_and_unsupported_codecs_are_refused_and_the_line_goes_on(
    kamailio: Callable[..., Any], telephony: Callable[..., Awaitable[SipTelephony]], ports: Callable[..., int],
    raw_from: Callable[[int], socket.socket],
) -> None:
    line = ports()
    proxy = kamailio(users={"ivr": "ivr-secret"}, workers=[line])
    tel = await telephony(proxy, port=line)
    carrier = raw_from(proxy.carrier_ports[0])
    for call_id, sdp, expected in (("broken", SDP_BROKEN, 400), ("pcma", SDP_PCMA, 488), ("garbage", "\x00\xff", 400)):
        carrier.sendto(invite("100", proxy.port, carrier.getsockname()[1], call_id, sdp), ("127.0.0.1", proxy.port))
        assert await asyncio.to_thread(final_status, carrier) == expected, call_id
    assert tel.capacity.active == 0 and tel.pool.in_use == frozenset()
    carrier.sendto(invite("100", proxy.port, carrier.getsockname()[1], "fine", SDP_OK), ("127.0.0.1", proxy.port))
    async for event in tel.events():
        assert isinstance(event, CallArrived) and event.call_id == "fine"
        break
    await tel.hangup("fine")  # answers the ringing INVITE with 480
    assert await asyncio.to_thread(final_status, carrier) == 480
