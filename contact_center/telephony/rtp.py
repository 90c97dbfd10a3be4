"""RTP packets (RFC 3550) and RFC 4733 telephone-events, as pure functions.

Malformed packets raise ``ValueError``; the media engine drops them and carries on.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass

PCMU = 0
HEADER = struct.Struct("!BBHII")
DTMF_KEYS = "0123456789*#ABCD"


@dataclass(frozen=True)
class RtpPacket:
    payload_type: int
    marker: bool
    sequence: int
    timestamp: int
    ssrc: int
    payload: bytes


def build(payload_type: int, sequence: int, timestamp: int, ssrc: int, payload: bytes, marker: bool = False) -> bytes:
    second = (0x80 if marker else 0) | (payload_type & 0x7F)
    return HEADER.pack(0x80, second, sequence & 0xFFFF, timestamp & 0xFFFFFFFF, ssrc) + payload


def parse(data: bytes) -> RtpPacket:
    if len(data) < HEADER.size:
        raise ValueError("RTP packet shorter than its header")
    first, second, sequence, timestamp, ssrc = HEADER.unpack_from(data)
    if first >> 6 != 2:
        raise ValueError(f"RTP version {first >> 6}")
    offset = HEADER.size + 4 * (first & 0x0F)  # CSRC list
    if first & 0x10:  # header extension
        if len(data) < offset + 4:
            raise ValueError("truncated RTP extension")
        offset += 4 + 4 * int.from_bytes(data[offset + 2 : offset + 4], "big")
    end = len(data)
    if first & 0x20:  # padding
        end -= data[-1]
    if offset > end:
        raise ValueError("truncated RTP packet")
    return RtpPacket(second & 0x7F, bool(second & 0x80), sequence, timestamp, ssrc, data[offset:end])


@dataclass(frozen=True)
class ToneEvent:
    digit: str
    end: bool
    duration: int


def parse_event(payload: bytes) -> ToneEvent:
    if len(payload) < 4:
        raise ValueError("telephone-event payload shorter than 4 bytes")
    code = payload[0]
    if code >= len(DTMF_KEYS):
        raise ValueError(f"telephone-event {code} is not a DTMF key")
    return ToneEvent(DTMF_KEYS[code], bool(payload[1] & 0x80), int.from_bytes(payload[2:4], "big"))


class DigitDetector:
    """One digit per key press: a press is a new (timestamp, digit), or the same one
    starting again after its end packets (RFC 4733 repeats end packets three times)."""

    def __init__(self) -> None:
        self._last: tuple[int, str] | None = None
        self._last_ended = False

    def feed(self, packet: RtpPacket) -> str | None:
        event = parse_event(packet.payload)
        key = (packet.timestamp, event.digit)
        fresh = key != self._last or (self._last_ended and not event.end and packet.marker)
        self._last, self._last_ended = key, event.end
        return event.digit if fresh else None
