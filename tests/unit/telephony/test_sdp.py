"""SDP offer/answer: one audio stream chosen, every other m-line disabled, errors sorted."""

import pytest

from contact_center.telephony import sdp

TWO_AUDIO = (
    "v=0\r\no=x 1 1 IN IP4 10.0.0.9\r\ns=-\r\nc=IN IP4 10.0.0.9\r\nt=0 0\r\n"
    "m=audio 40000 RTP/AVP 8\r\na=rtpmap:8 PCMA/8000\r\n"
    "m=audio 40002 RTP/AVP 96 0 97\r\nc=IN IP4 10.0.0.10\r\na=rtpmap:96 opus/48000/2\r\n"
    "a=rtpmap:97 telephone-event/8000\r\n"
    "m=video 40004 RTP/AVP 99\r\n"
)


def test_the_first_audio_stream_with_pcmu_is_chosen_with_its_own_address() -> None:
    offer = sdp.parse(TWO_AUDIO)
    assert [m.kind for m in offer.media] == ["audio", "audio", "video"]
    assert sdp.choose(offer) == sdp.Chosen(index=1, address="10.0.0.10", port=40002, event_type=97)


def test_the_answer_keeps_every_m_line_and_disables_all_but_the_chosen_one() -> None:
    offer = sdp.parse(TWO_AUDIO)
    body = sdp.answer(offer, sdp.choose(offer), "10.0.0.2", 20000, 7)
    media = [line for line in body.split("\r\n") if line.startswith("m=")]
    assert media == ["m=audio 0 RTP/AVP 8", "m=audio 20000 RTP/AVP 0 97", "m=video 0 RTP/AVP 99"]
    assert "a=rtpmap:97 telephone-event/8000" in body and "PCMA" not in body


def test_pcmu_by_rtpmap_disabled_streams_and_no_event() -> None:
    body = "v=0\r\nc=IN IP4 1.2.3.4\r\nm=audio 0 RTP/AVP 0\r\nm=audio 5000 RTP/AVP 100\r\na=rtpmap:100 PCMU/8000\r\n"
    assert sdp.choose(sdp.parse(body)) == sdp.Chosen(1, "1.2.3.4", 5000, None)


@pytest.mark.parametrize(
    "body",
    [
        "m=audio 4000 RTP/AVP 8\r\nc=IN IP4 1.2.3.4\r\n",  # PCMA only
        "c=IN IP4 1.2.3.4\r\nm=audio 4000 RTP/SAVP 0\r\n",  # SRTP
        "c=IN IP4 0.0.0.0\r\nm=audio 4000 RTP/AVP 0\r\n",
    ],
)  # old-style hold
def test_offers_we_cannot_take_are_not_acceptable(body: str) -> None:
    with pytest.raises(sdp.NotAcceptable):
        sdp.choose(sdp.parse(body))


@pytest.mark.parametrize(
    "body",
    [
        "",
        "garbage",
        "v=0\r\nc=IN IP4\r\nm=audio 1 RTP/AVP 0\r\n",
        "m=audio notaport RTP/AVP 0\r\n",
        "m=audio 99999 RTP/AVP 0\r\n",
        "c=IN IP6 ::1\r\nm=audio 4000 RTP/AVP 0\r\n",
    ],
)
def test_unreadable_sdp_is_an_sdp_error(body: str) -> None:
    with pytest.raises(sdp.SdpError):
        sdp.parse(body)


def test_our_offer_is_pcmu_and_telephone_event_only() -> None:
    body = sdp.offer("10.0.0.2", 20002, 42)
    assert "m=audio 20002 RTP/AVP 0 101" in body and "PCMA" not in body
    assert sdp.choose(sdp.parse(body)) == sdp.Chosen(0, "10.0.0.2", 20002, 101)
