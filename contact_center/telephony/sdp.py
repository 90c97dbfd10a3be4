"""SDP offer/answer (RFC 3264) for one audio stream, as pure functions.

pyVoIP 1.6.8 takes one RTP port per audio m-line of an offer and keeps none of them
when it gives up, ignores media-level ``c=`` lines and port-0 (disabled) streams, and
cannot answer an INVITE without SDP. Here an offer is parsed once, exactly one audio
stream with PCMU is chosen, and the answer has as many m-lines as the offer with every
other one disabled (port 0), as RFC 3264 section 6 asks.
"""

from __future__ import annotations

from dataclasses import dataclass, field

PCMU = 0
DEFAULT_EVENT = 101


class SdpError(ValueError):
    """The body is not SDP we can read (400)."""


class NotAcceptable(ValueError):
    """The offer has no audio stream we can take (488)."""


@dataclass(frozen=True)
class MediaLine:
    kind: str  # "audio", "video", ...
    port: int
    proto: str
    formats: tuple[str, ...]
    address: str | None  # media-level c=, else the session's
    rtpmap: dict[str, str] = field(default_factory=dict)  # payload type -> "name/rate" (lower case)


@dataclass(frozen=True)
class Offer:
    media: tuple[MediaLine, ...]


@dataclass(frozen=True)
class Chosen:
    """The stream we take: where to send RTP and which payload types mean what."""

    index: int
    address: str
    port: int
    event_type: int | None


@dataclass
class _Building:
    kind: str
    port: int
    proto: str
    formats: tuple[str, ...]
    address: str | None = None
    rtpmap: dict[str, str] = field(default_factory=dict)


def parse(body: str) -> Offer:
    """Raises ``SdpError`` for anything that is not readable SDP with at least one m= line."""
    session_address: str | None = None
    media: list[_Building] = []
    for raw in body.replace("\r\n", "\n").split("\n"):
        line = raw.strip()
        if not line:
            continue
        if len(line) < 2 or line[1] != "=":
            raise SdpError(f"not an SDP line: {line[:40]!r}")
        kind, value = line[0], line[2:].strip()
        if kind == "c":
            address = _connection_address(value)
            if media:
                media[-1].address = address
            else:
                session_address = address
        elif kind == "m":
            parts = value.split()
            if len(parts) < 4 or not parts[1].split("/")[0].isdigit():
                raise SdpError(f"bad m= line: {value[:60]!r}")
            port = int(parts[1].split("/")[0])
            if port > 65535:
                raise SdpError(f"bad port in m= line: {port}")
            media.append(_Building(parts[0], port, parts[2], tuple(parts[3:])))
        elif kind == "a" and media and value.startswith("rtpmap:"):
            pt, _, encoding = value[7:].partition(" ")
            media[-1].rtpmap[pt.strip()] = encoding.strip().lower()
    if not media:
        raise SdpError("no m= line")
    return Offer(
        tuple(MediaLine(m.kind, m.port, m.proto, m.formats, m.address or session_address, m.rtpmap) for m in media)
    )


def _connection_address(value: str) -> str:
    parts = value.split()
    if len(parts) != 3 or parts[0] != "IN" or parts[1] != "IP4" or not parts[2]:
        raise SdpError(f"bad c= line (IPv4 only): {value[:60]!r}")
    return parts[2].split("/")[0]


def choose(offer: Offer) -> Chosen:
    """The first enabled RTP/AVP audio stream offering PCMU (static 0 or by rtpmap)."""
    for index, line in enumerate(offer.media):
        if line.kind != "audio" or line.port == 0 or line.proto.upper() != "RTP/AVP":
            continue
        if not any(pt == "0" or line.rtpmap.get(pt, "").startswith("pcmu/8000") for pt in line.formats):
            continue
        if line.address is None or line.address == "0.0.0.0":  # an old-style "on hold" offer
            raise NotAcceptable("audio stream without a connection address")
        event = next(
            (
                int(pt)
                for pt in line.formats
                if pt.isdigit() and line.rtpmap.get(pt, "").startswith("telephone-event/8000")
            ),
            None,
        )
        return Chosen(index, line.address, line.port, event)
    raise NotAcceptable("no RTP/AVP audio stream with PCMU")


def answer(offer: Offer, chosen: Chosen, ip: str, port: int, session_id: int) -> str:
    """Our answer: PCMU (+ telephone-event if offered) on the chosen line, the rest disabled."""
    lines = [
        "v=0",
        f"o=contact-center {session_id} {session_id + 1} IN IP4 {ip}",
        "s=contact-center",
        f"c=IN IP4 {ip}",
        "t=0 0",
    ]
    for index, line in enumerate(offer.media):
        if index != chosen.index:
            lines.append(f"m={line.kind} 0 {line.proto} {line.formats[0] if line.formats else '0'}")
            continue
        formats = "0" if chosen.event_type is None else f"0 {chosen.event_type}"
        lines += [f"m=audio {port} RTP/AVP {formats}", "a=rtpmap:0 PCMU/8000"]
        if chosen.event_type is not None:
            lines += [f"a=rtpmap:{chosen.event_type} telephone-event/8000", f"a=fmtp:{chosen.event_type} 0-15"]
        lines += ["a=ptime:20", "a=sendrecv"]
    return "\r\n".join([*lines, ""])


def offer(ip: str, port: int, session_id: int, event_type: int = DEFAULT_EVENT) -> str:
    """Our offer (outbound calls, and the 200 to an INVITE without SDP): PCMU only, since
    pyVoIP 1.6.8 encodes PCMA with the PCMU encoder, plus telephone-event."""
    return "\r\n".join(
        [
            "v=0",
            f"o=contact-center {session_id} {session_id + 1} IN IP4 {ip}",
            "s=contact-center",
            f"c=IN IP4 {ip}",
            "t=0 0",
            f"m=audio {port} RTP/AVP 0 {event_type}",
            "a=rtpmap:0 PCMU/8000",
            f"a=rtpmap:{event_type} telephone-event/8000",
            f"a=fmtp:{event_type} 0-15",
            "a=ptime:20",
            "a=sendrecv",
            "",
        ]
    )
