import pytest

from contact_center.telephony import rtp


def event(digit: int, end: bool, duration: int) -> bytes:
    return bytes([digit, (0x80 if end else 0) | 10]) + duration.to_bytes(2, "big")


def test_build_and_parse_round_trip() -> None:
    data = rtp.build(0, 65535, 2**32 - 1, 1234, b"\xff" * 160, marker=True)
    packet = rtp.parse(data)
    assert (packet.payload_type, packet.marker, packet.sequence, packet.timestamp, packet.ssrc) == (
        0,
        True,
        65535,
        2**32 - 1,
        1234,
    )
    assert packet.payload == b"\xff" * 160


def test_parse_skips_csrc_extension_and_padding() -> None:
    header = bytes([0x80 | 0x20 | 0x10 | 1, 0]) + (1).to_bytes(2, "big") + (2).to_bytes(4, "big")
    header += (3).to_bytes(4, "big")
    csrc = b"\x00\x00\x00\x09"
    extension = b"\xbe\xde\x00\x01" + b"\x01\x02\x03\x04"
    packet = rtp.parse(header + csrc + extension + b"abc" + b"\x00\x02")
    assert packet.payload == b"abc"


@pytest.mark.parametrize("data", [b"", b"\x80\x00", bytes([0x40]) + b"\x00" * 11, bytes([0x8F]) + b"\x00" * 11])
def test_malformed_packets_raise_value_error(data: bytes) -> None:
    with pytest.raises(ValueError):
        rtp.parse(data)


def test_one_digit_per_press_even_with_repeated_end_packets() -> None:
    detector = rtp.DigitDetector()
    press = [rtp.RtpPacket(101, i == 0, i, 8000, 1, event(1, i >= 3, 160 * (i + 1))) for i in range(6)]
    assert [detector.feed(p) for p in press] == ["1", None, None, None, None, None]
    again = rtp.RtpPacket(101, True, 10, 16000, 1, event(1, False, 160))
    assert detector.feed(again) == "1"
    star = rtp.RtpPacket(101, True, 11, 16000, 1, event(10, False, 160))
    assert detector.feed(star) == "*"


def test_a_replayed_press_with_the_same_timestamp_counts_once_it_ended() -> None:
    detector = rtp.DigitDetector()
    first = [
        rtp.RtpPacket(101, True, 1, 500, 1, event(11, False, 160)),
        rtp.RtpPacket(101, False, 2, 500, 1, event(11, True, 800)),
    ]
    assert [detector.feed(p) for p in first + first] == ["#", None, "#", None]


def test_non_dtmf_events_are_rejected() -> None:
    with pytest.raises(ValueError):
        rtp.parse_event(bytes([16, 0, 0, 0]))


def test_wire_figures_per_stream_intervals_inside_the_window_and_answer_times() -> None:
    from contact_center.bench.wire_probe import summarise

    times = [10.00, 10.02, 10.04, 10.075, 99.0, 10.01, 10.03, 10.05]  # stream 30000, then 30002
    ports = [30000] * 5 + [30002] * 3
    raw = {
        "rtp_times": times,
        "rtp_ports": ports,
        "invites": {"a": 5.0, "b": 6.0, "lost": 7.0},
        "oks": {"a": 5.001, "b": 6.003},
        "kernel_drops": 0,
    }
    figures = summarise(raw, (10.0, 11.0))
    assert figures.intervals == 5 and figures.max_ms == 35.0 and figures.late_over_30ms == 1
    assert figures.p50_ms == 20.0 and figures.answers == 2 and figures.answer_max_ms == 3.0
