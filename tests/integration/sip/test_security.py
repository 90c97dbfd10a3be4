"""Digest auth at the proxy, nothing answered from outside it, no way past the proxy's checks
with a forged dialog, malformed SIP/SDP survived."""

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


def invite(
    to: str, port: int, me: int, call_id: str, sdp: str, *, to_tag: str = "", route: str = "", uri: str | None = None
) -> bytes:
    """An INVITE for ``to`` at 127.0.0.1:``port``, or for the whole ``uri`` when given."""
    uri = uri or f"sip:{to}@127.0.0.1:{port}"
    return (
        f"INVITE {uri} SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:{me};branch=z9hG4bK{call_id}\r\n"
        + (f"Route: {route}\r\n" if route else "")
        + f"Max-Forwards: 70\r\nFrom: <sip:+15550009999@127.0.0.1>;tag=x{call_id}\r\n"
        f"To: <{uri}>{';tag=' + to_tag if to_tag else ''}\r\nCall-ID: {call_id}\r\nCSeq: 1 INVITE\r\n"
        f"Contact: <sip:raw@127.0.0.1:{me}>\r\nContent-Type: application/sdp\r\n"
        f"Content-Length: {len(sdp)}\r\n\r\n{sdp}"
    ).encode()


def final_status(sock: socket.socket, give_up: float = 3.0) -> int | None:
    sock.settimeout(give_up)
    try:
        while True:
            status = int(sock.recv(8192).split(b" ", 2)[1])
            if status >= 200:
                return status
    except TimeoutError:
        return None


async def test_wrong_line_password_fails_to_start_and_leaves_nothing(
    kamailio: Callable[..., Any],
    telephony: Callable[..., Awaitable[SipTelephony]],
    ports: Callable[..., int],
) -> None:
    line = ports()
    proxy = kamailio(users={"ivr": "right"}, workers=[line])
    with pytest.raises(Exception, match=r"(?i)invalid|password|refused"):
        await telephony(proxy, port=line, password="wrong")
    # the fixture's teardown checks that no thread or port was left behind


async def test_agents_must_authenticate_and_nobody_talks_to_the_line_directly(
    kamailio: Callable[..., Any],
    telephony: Callable[..., Awaitable[SipTelephony]],
    ports: Callable[..., int],
    udp_sockets: Callable[[int], socket.socket],
) -> None:
    line = ports()
    proxy = kamailio(users={"ivr": "ivr-secret", "2001": "agent-pw"}, workers=[line])
    tel = await telephony(proxy, port=line)
    phone = udp_sockets(ports())
    me = phone.getsockname()[1]
    phone.sendto(invite("100", proxy.port, me, "noauth", SDP_OK), ("127.0.0.1", proxy.port))
    assert await asyncio.to_thread(final_status, phone) == 407  # an agent's phone without credentials
    phone.sendto(invite("100", line, me, "direct", SDP_OK), ("127.0.0.1", line))
    assert await asyncio.to_thread(final_status, phone, 1.0) is None  # the line ignores non-proxy SIP
    assert tel.lines[0].sip.dropped == 1
    assert tel.capacity.active == 0


async def test_malformed_sdp_and_unsupported_codecs_are_refused_and_the_line_goes_on(
    kamailio: Callable[..., Any],
    telephony: Callable[..., Awaitable[SipTelephony]],
    ports: Callable[..., int],
    udp_sockets: Callable[[int], socket.socket],
) -> None:
    line = ports()
    proxy = kamailio(users={"ivr": "ivr-secret"}, workers=[line])
    tel = await telephony(proxy, port=line)
    carrier = udp_sockets(proxy.carrier_ports[0])
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


async def test_a_forged_in_dialog_invite_never_reaches_the_ivr(
    kamailio: Callable[..., Any],
    telephony: Callable[..., Awaitable[SipTelephony]],
    ports: Callable[..., int],
    udp_sockets: Callable[[int], socket.socket],
) -> None:
    """The reviewer's attack: an outsider skips the carrier-address check, the service-number
    list and digest auth by sending an "in-dialog" INVITE (made-up To-tag) whose Request-URI
    names the worker. The proxy (deploy/kamailio/kamailio.cfg, as deployed) refuses it, with
    or without a forged Route naming the proxy; from a trusted address it reaches the worker,
    which answers 481 instead of starting a call."""
    line = ports()
    proxy = kamailio(users={"ivr": "ivr-secret"}, workers=[line])
    tel = await telephony(proxy, port=line)
    outsider = udp_sockets(ports())
    me = outsider.getsockname()[1]
    worker = f"sip:ivr@127.0.0.1:{line}"
    attacks = {
        "no-route": invite("", 0, me, "attack1", SDP_OK, to_tag="fake", uri=worker),
        "forged-route": invite(
            "",
            0,
            me,
            "attack2",
            SDP_OK,
            to_tag="fake",
            uri=worker,
            route=f"<sip:127.0.0.1:{proxy.port};lr;ftag=xattack2;did=abc.1>",
        ),
    }
    for name, message in attacks.items():
        outsider.sendto(message, ("127.0.0.1", proxy.port))
        assert await asyncio.to_thread(final_status, outsider) == 403, name
    # the carrier is trusted to send in-dialog requests without a Route set; the worker itself refuses
    carrier = udp_sockets(proxy.carrier_ports[1])
    carrier.sendto(
        invite("", 0, carrier.getsockname()[1], "attack3", SDP_OK, to_tag="fake", uri=worker), ("127.0.0.1", proxy.port)
    )
    assert await asyncio.to_thread(final_status, carrier) == 481
    assert tel.capacity.active == 0 and tel.legs.live() == [] and tel.pool.in_use == frozenset()

    # a real call still works, and our side of its dialog routes through the proxy
    carrier.sendto(invite("100", proxy.port, carrier.getsockname()[1], "real", SDP_OK), ("127.0.0.1", proxy.port))
    async for event in tel.events():
        assert isinstance(event, CallArrived) and event.call_id == "real"
        break
    dialog = tel.lines[0].calls["real"].dialog
    assert len(dialog.route_set) == 1 and f"127.0.0.1:{proxy.port};lr" in dialog.route_set[0]
    assert "did=" in dialog.route_set[0]  # the dialog module tracks it: in-dialog requests get checked
    await tel.hangup("real")
    assert await asyncio.to_thread(final_status, carrier) == 480
