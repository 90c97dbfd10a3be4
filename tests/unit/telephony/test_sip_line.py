"""The SIP line's call handling without a network: messages go to a list, timers are manual.

What the wire tests cannot make happen on demand: a lost ACK, a CANCEL racing our answer,
an offer with several audio streams, pyVoIP's 1-second answer path.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field

import pytest

# isort: off
from pyVoIP.VoIP import VoIP
# isort: on

from contact_center.telephony import sdp
from contact_center.telephony import sip_messages as sm
from contact_center.telephony.capacity import PortPool
from contact_center.telephony.events import HangupBy, LineStatus
from contact_center.telephony.media import MediaEngine
from contact_center.telephony.pyvoip_fixes import FixedMessage, FixedVoIPCall
from contact_center.telephony.pyvoip_line import FixedVoIPPhone
from tests.unit.telephony.manual_timers import ManualTimers

OFFER = (
    "v=0\r\no=x 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n"
    "m=audio 40000 RTP/AVP 8\r\na=rtpmap:8 PCMA/8000\r\n"
    "m=audio 40002 RTP/AVP 0 101\r\na=rtpmap:101 telephone-event/8000\r\n"
    "m=audio 40004 RTP/AVP 0\r\n"
)


def invite(call_id: str = "c1", body: str = OFFER, to_tag: str = "") -> FixedMessage:
    raw = (
        f"INVITE sip:100@127.0.0.1:5070 SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:5060;branch=z9hG4bK{call_id}\r\n"
        f"Record-Route: <sip:127.0.0.1:5060;lr;did=1.2>\r\nFrom: <sip:+1555@127.0.0.1>;tag=f{call_id}\r\n"
        f"To: <sip:100@127.0.0.1>{';tag=' + to_tag if to_tag else ''}\r\nCall-ID: {call_id}\r\n"
        f"CSeq: 1 INVITE\r\nContact: <sip:caller@127.0.0.1:5080>\r\n"
        + ("Content-Type: application/sdp\r\n" if body else "")
        + f"Content-Length: {len(body)}\r\n\r\n{body}"
    )
    return FixedMessage(raw.encode())


def request(method: str, call: FixedVoIPCall, body: str = "", cseq: int = 1) -> FixedMessage:
    raw = (
        f"{method} sip:ivr@127.0.0.1:5070 SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:5060;branch=z9hG4bK{method}\r\n"
        f"From: <sip:+1555@127.0.0.1>;tag=f{call.call_id}\r\n"
        f"To: <sip:100@127.0.0.1>;tag={call.dialog.local_tag}\r\nCall-ID: {call.call_id}\r\n"
        f"CSeq: {cseq} {method}\r\n"
        + ("Content-Type: application/sdp\r\n" if body else "")
        + f"Content-Length: {len(body)}\r\n\r\n{body}"
    )
    return FixedMessage(raw.encode())


@dataclass
class Listener:
    events: list[tuple[object, ...]] = field(default_factory=list)

    def admit(self) -> bool:
        return True

    def release(self) -> None:
        self.events.append(("release",))

    def arrived(self, line: object, call: FixedVoIPCall) -> None:
        self.events.append(("arrived", call.call_id))

    def progress(self, call_id: str, code: int) -> None:
        self.events.append(("progress", code))

    def answered(self, call_id: str) -> None:
        self.events.append(("answered", call_id))

    def ended(self, call_id: str, by: HangupBy, code: int | None, reason: str) -> None:
        self.events.append(("ended", call_id, by, code, reason))

    def digit(self, call_id: str, digit: str) -> None:
        self.events.append(("digit", digit))

    def line_status(self, line: str, status: LineStatus, reason: str) -> None:
        self.events.append(("status", status))


@pytest.fixture
def line() -> Iterator[tuple[FixedVoIPPhone, list[bytes], Listener, ManualTimers]]:
    sent: list[bytes] = []
    engine, listener, timers = MediaEngine(), Listener(), ManualTimers()
    phone = FixedVoIPPhone(
        "127.0.0.1",
        5060,
        "ivr",
        "pw",
        local_ip="127.0.0.1",
        local_port=5070,
        engine=engine,
        ports=PortPool(42000, 42100),
        listener=listener,
        trusted={("127.0.0.1", 5060)},
    )
    phone.timers = timers  # type: ignore[assignment]
    phone.sip.send = sent.append  # type: ignore[method-assign, assignment]
    yield phone, sent, listener, timers
    for call in list(phone.calls.values()):
        phone.finish(call, HangupBy.SYSTEM, None)
    engine.stop()


def statuses(sent: list[bytes]) -> list[int]:
    return [s[0] for s in map(sm.status_of, sent) if s is not None]


def answers(sent: list[bytes]) -> list[tuple[int, str]]:
    """(code, CSeq method) of each response sent."""
    out = []
    for message in sent:
        status = sm.status_of(message)
        if status is not None:
            out.append((status[0], sm.cseq_of(sm.header_lines(message))[1]))
    return out


def test_no_one_second_answer_delay_180_and_the_call_handed_over_at_once(line, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    phone, sent, listener, _ = line

    def no_timer(*args: object, **kwargs: object) -> None:
        raise AssertionError("pyVoIP's Timer(1, callCallback) answer path was taken")

    monkeypatch.setattr(VoIP, "Timer", no_timer)
    monkeypatch.setattr(VoIP.VoIPPhone, "_callback_MSG_Invite", no_timer)
    phone.callback(invite())
    assert statuses(sent) == [180] and listener.events == [("arrived", "c1")]  # before callback returned
    phone.answer(phone.calls["c1"])
    assert statuses(sent) == [180, 200]


def test_an_offer_with_several_audio_streams_takes_one_port_and_answers_each_m_line(line) -> None:  # type: ignore[no-untyped-def]
    phone, sent, _, _ = line
    phone.callback(invite())
    phone.answer(phone.calls["c1"])
    assert len(phone.pool.in_use) == 1
    body = sent[-1].split(b"\r\n\r\n", 1)[1].decode()
    assert [m.port != 0 for m in sdp.parse(body).media] == [False, True, False]
    assert phone.calls["c1"].stream.remote == ("127.0.0.1", 40002)
    phone.callback(request("BYE", phone.calls["c1"], cseq=2))
    assert phone.pool.in_use == frozenset()


def test_refused_offers_give_their_port_back(line) -> None:  # type: ignore[no-untyped-def]
    phone, sent, listener, _ = line
    phone.callback(invite("pcma", "v=0\r\nc=IN IP4 127.0.0.1\r\nm=audio 4000 RTP/AVP 8\r\n"))
    phone.callback(invite("junk", "v=0\r\nc=IN IP4\r\nm=audio 4000 RTP/AVP 0\r\n"))
    assert statuses(sent) == [488, 400] and phone.pool.in_use == frozenset() and phone.calls == {}
    assert listener.events == [("release",), ("release",)]


def test_our_200_is_retransmitted_until_the_ack(line) -> None:  # type: ignore[no-untyped-def]
    phone, sent, _, timers = line
    phone.callback(invite())
    call = phone.calls["c1"]
    phone.answer(call)
    timers.advance(3.6)  # 0, 0.5, 1.5 and 3.5 s
    assert statuses(sent).count(200) == 4
    phone.callback(request("ACK", call))
    timers.advance(60)
    assert statuses(sent).count(200) == 4 and not call.ended.is_set()


def test_without_an_ack_the_call_is_ended_with_a_bye_after_64_t1(line) -> None:  # type: ignore[no-untyped-def]
    phone, sent, listener, timers = line
    phone.callback(invite())
    call = phone.calls["c1"]
    phone.answer(call)
    timers.advance(31.9)
    assert not call.ended.is_set()
    timers.advance(0.2)
    assert sent[-1].startswith(b"BYE sip:caller@127.0.0.1:5080 SIP/2.0")
    assert b"Route: <sip:127.0.0.1:5060;lr;did=1.2>" in sent[-1]  # through the proxy, as the dialog was set up
    assert listener.events[-1] == ("ended", "c1", HangupBy.SYSTEM, 408, "no ACK for our 200 OK")
    assert phone.pool.in_use == frozenset()


def test_answer_and_cancel_never_both_win(line) -> None:  # type: ignore[no-untyped-def]
    phone, sent, _, _ = line
    for round_ in range(40):
        call_id = f"race{round_}"
        phone.callback(invite(call_id))
        call = phone.calls[call_id]
        before = len(sent)
        go = threading.Barrier(2)

        def answer(call: FixedVoIPCall = call, go: threading.Barrier = go) -> None:
            go.wait()
            with contextlib.suppress(VoIP.InvalidStateError):  # the CANCEL won
                phone.answer(call)

        thread = threading.Thread(target=answer)
        thread.start()
        go.wait()
        phone.callback(request("CANCEL", call))
        thread.join()
        invite_finals = [status for status, method in answers(sent[before:]) if method == "INVITE"]
        assert invite_finals in ([200], [487]), (round_, invite_finals)  # never 200 after 487, never both
        phone.finish(call, HangupBy.SYSTEM, None)


def test_a_to_tag_for_a_dialog_we_do_not_have_gets_481_never_a_call(line) -> None:  # type: ignore[no-untyped-def]
    phone, sent, listener, _ = line
    phone.callback(invite("forged", to_tag="made-up"))
    assert statuses(sent) == [481] and phone.calls == {} and listener.events == []


def test_delayed_offer_our_offer_in_the_200_and_the_answer_from_the_ack(line) -> None:  # type: ignore[no-untyped-def]
    phone, sent, listener, _ = line
    phone.callback(invite("late", body=""))
    call = phone.calls["late"]
    phone.answer(call)
    ok = sent[-1].split(b"\r\n\r\n", 1)[1].decode()
    assert sdp.choose(sdp.parse(ok)).port == call.rtp_port  # our offer
    assert call.stream is not None and call.stream.remote is None  # nothing sent until the answer
    phone.callback(
        request(
            "ACK",
            call,
            body="v=0\r\nc=IN IP4 127.0.0.1\r\nm=audio 41000 RTP/AVP 0 101\r\na=rtpmap:101 telephone-event/8000\r\n",
        )
    )
    assert call.stream.remote == ("127.0.0.1", 41000) and call.stream.event_type == 101
    phone.callback(invite("late2", body=""))
    second = phone.calls["late2"]
    phone.answer(second)
    phone.callback(request("ACK", second))  # no answer in the ACK: hang up
    assert sent[-1].startswith(b"BYE ") and listener.events[-1][3:] == (488, "no usable SDP answer in the ACK")


def test_fast_final_response_to_our_invite_finds_the_call(line) -> None:  # type: ignore[no-untyped-def]
    phone, sent, listener, _ = line
    call = phone.dial("2001", "out1")
    invite_sent = sent[-1]
    not_found = sm.response(invite_sent, 404, "Not Found", to_tag="kam")
    phone.sip.handle(not_found)
    assert listener.events[-1] == ("ended", "out1", HangupBy.REMOTE, 404, "Not Found")
    assert sent[-1].startswith(b"ACK sip:2001@127.0.0.1:5060 SIP/2.0")  # the hop-by-hop ACK
    assert call.final_code == 404 and phone.pool.in_use == frozenset()
