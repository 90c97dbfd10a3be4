"""SIP requests and responses that pyVoIP 1.6.8 gets wrong, built as plain text.

Why each exists (defects seen on the wire, see docs/telephony.md):
- ``ack_2xx``: pyVoIP's ACK uses the To-URI as Request-URI and a fresh random To-tag, so a
  strict UA never matches it and retransmits 200 OK until it drops the call. Ours goes to
  the callee's Contact with the dialog's To-tag and a new branch (RFC 3261 13.2.2.4).
- ``ack_failure``: the hop-by-hop ACK for a 3xx-6xx reuses the INVITE's branch and URI (17.1.1.3).
- ``bye``: pyVoIP's BYE reuses the INVITE's Via/branch and CSeq space; ours is a new
  transaction with the dialog's next CSeq.
- ``cancel``: pyVoIP cannot cancel an INVITE at all (ring timeout needs it).
- ``response``: copies the request's Via, From, To, Call-ID and CSeq lines verbatim, and its
  Record-Route into 18x/2xx (pyVoIP drops it, so peers sent ACK/BYE straight to the worker).
- ``Dialog.route_set``: in-dialog requests carry the dialog's Route set (RFC 3261 12.1),
  learnt from Record-Route, so the proxy can check them against the dialogs it set up
  instead of relaying whatever names a worker in its Request-URI.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Sequence
from dataclasses import dataclass

_COMPACT = {
    "v": "Via",
    "f": "From",
    "t": "To",
    "i": "Call-ID",
    "m": "Contact",
    "l": "Content-Length",
    "c": "Content-Type",
}


def new_tag() -> str:
    return secrets.token_hex(6)


def new_branch() -> str:
    return "z9hG4bK" + secrets.token_hex(10)


def new_call_id(host: str) -> str:
    return f"{secrets.token_hex(16)}@{host}"


def header_lines(raw: bytes) -> list[tuple[str, str]]:
    """(name, value) for each header line, compact names expanded; tolerant of junk."""
    head = raw.split(b"\r\n\r\n", 1)[0].decode("utf-8", errors="replace")
    out = []
    for line in head.split("\r\n")[1:]:
        name, sep, value = line.partition(":")
        if sep:
            name = name.strip()
            out.append((_COMPACT.get(name.lower(), name) if len(name) == 1 else name, value.strip()))
    return out


def first(lines: Sequence[tuple[str, str]], name: str) -> str | None:
    return next((v for n, v in lines if n.lower() == name.lower()), None)


def uri_of(header: str) -> str:
    """The URI inside a name-addr (``"Bob" <sip:b@h>;tag=x`` -> ``sip:b@h``) or addr-spec."""
    match = re.search(r"<([^>]*)>", header)
    return match.group(1) if match else header.split(";", 1)[0].strip()


def tag_of(header: str) -> str:
    match = re.search(r";\s*tag=([^;>\s]+)", header.split(">", 1)[-1] if ">" in header else header)
    return match.group(1) if match else ""


def split_values(value: str) -> list[str]:
    """A header value holding several comma-separated entries (commas inside <> or "" stay)."""
    out, depth, quoted, start = [], 0, False, 0
    for i, ch in enumerate(value):
        if ch == '"':
            quoted = not quoted
        elif not quoted and ch == "<":
            depth += 1
        elif not quoted and ch == ">":
            depth = max(0, depth - 1)
        elif ch == "," and not quoted and depth == 0:
            out.append(value[start:i].strip())
            start = i + 1
    out.append(value[start:].strip())
    return [v for v in out if v]


def route_set(lines: Sequence[tuple[str, str]], *, reverse: bool) -> tuple[str, ...]:
    """The Record-Route entries of a message in order (the callee's view of the route set),
    or reversed (the caller's view, from the 2xx)."""
    entries = [e for n, v in lines if n.lower() == "record-route" for e in split_values(v)]
    return tuple(reversed(entries)) if reverse else tuple(entries)


def user_of(header: str) -> str:
    match = re.match(r"sips?:([^@;>]+)@", uri_of(header))
    return match.group(1) if match else ""


@dataclass
class Dialog:
    """Our view of one dialog; headers are name-addrs without tags."""

    call_id: str
    local_uri: str
    local_tag: str
    remote_uri: str
    remote_tag: str
    remote_target: str  # Request-URI of in-dialog requests: the peer's Contact
    local_contact: str
    via_host: str  # our "ip:port"
    next_cseq: int = 1
    invite_uri: str = ""
    invite_branch: str = ""
    invite_cseq: int = 1
    route_set: tuple[str, ...] = ()

    def _request(
        self,
        method: str,
        uri: str,
        branch: str,
        cseq: int,
        *,
        to_tag: str | None,
        extra: Sequence[str] = (),
        body: str = "",
        routed: bool = False,
    ) -> bytes:
        to = self.remote_uri + (f";tag={to_tag}" if to_tag else "")
        lines = [
            f"{method} {uri} SIP/2.0",
            f"Via: SIP/2.0/UDP {self.via_host};branch={branch};rport",
            *([f"Route: {r}" for r in self.route_set] if routed else []),
            "Max-Forwards: 70",
            f"From: {self.local_uri};tag={self.local_tag}",
            f"To: {to}",
            f"Call-ID: {self.call_id}",
            f"CSeq: {cseq} {method}",
            *extra,
            f"Content-Length: {len(body.encode())}",
        ]
        return ("\r\n".join(lines) + "\r\n\r\n" + body).encode()

    def invite(self, sdp: str, user_agent: str) -> bytes:
        return self._request(
            "INVITE",
            self.invite_uri,
            self.invite_branch,
            self.invite_cseq,
            to_tag=None,
            extra=[
                f"Contact: {self.local_contact}",
                f"User-Agent: {user_agent}",
                "Allow: INVITE, ACK, BYE, CANCEL, OPTIONS",
                "Content-Type: application/sdp",
            ],
            body=sdp,
        )

    def ack_2xx(self) -> bytes:
        return self._request(
            "ACK", self.remote_target, new_branch(), self.invite_cseq, to_tag=self.remote_tag, routed=True
        )

    def ack_failure(self, response_to_tag: str) -> bytes:
        return self._request("ACK", self.invite_uri, self.invite_branch, self.invite_cseq, to_tag=response_to_tag)

    def cancel(self) -> bytes:
        return self._request("CANCEL", self.invite_uri, self.invite_branch, self.invite_cseq, to_tag=None)

    def bye(self) -> bytes:
        cseq, self.next_cseq = self.next_cseq, self.next_cseq + 1
        return self._request(
            "BYE",
            self.remote_target,
            new_branch(),
            cseq,
            to_tag=self.remote_tag,
            extra=[f"Contact: {self.local_contact}"],
            routed=True,
        )


def response(
    request_raw: bytes,
    code: int,
    reason: str,
    *,
    to_tag: str | None = None,
    extra: Sequence[str] = (),
    body: str = "",
    content_type: str = "application/sdp",
) -> bytes:
    """A response to ``request_raw`` with its Via/From/To/Call-ID/CSeq copied verbatim.
    ``to_tag`` is added to To unless the request's To already has one."""
    lines = header_lines(request_raw)
    out = [f"SIP/2.0 {code} {reason}"]
    out += [f"Via: {v}" for n, v in lines if n.lower() == "via"]
    if 100 < code < 300:  # the dialog's route set: in-dialog requests must come back through the proxy
        out += [f"Record-Route: {v}" for n, v in lines if n.lower() == "record-route"]
    to = first(lines, "To") or ""
    if to_tag and not tag_of(to):
        to += f";tag={to_tag}"
    out += [
        f"From: {first(lines, 'From') or ''}",
        f"To: {to}",
        f"Call-ID: {first(lines, 'Call-ID') or ''}",
        f"CSeq: {first(lines, 'CSeq') or ''}",
        *extra,
    ]
    if body:
        out.append(f"Content-Type: {content_type}")
    out.append(f"Content-Length: {len(body.encode())}")
    return ("\r\n".join(out) + "\r\n\r\n" + body).encode()


def options(uri: str, *, from_uri: str, via_host: str, user_agent: str) -> tuple[str, bytes]:
    """An out-of-dialog OPTIONS (probing a phone through the proxy); returns (Call-ID, message)."""
    call_id = new_call_id(via_host.split(":")[0])
    to = uri if uri.startswith("<") else f"<{uri}>"
    lines = [
        f"OPTIONS {uri.strip('<>')} SIP/2.0",
        f"Via: SIP/2.0/UDP {via_host};branch={new_branch()};rport",
        "Max-Forwards: 70",
        f"From: {from_uri};tag={new_tag()}",
        f"To: {to}",
        f"Call-ID: {call_id}",
        "CSeq: 1 OPTIONS",
        "Accept: application/sdp",
        f"User-Agent: {user_agent}",
        "Content-Length: 0",
    ]
    return call_id, ("\r\n".join(lines) + "\r\n\r\n").encode()


def cseq_of(lines: Sequence[tuple[str, str]]) -> tuple[int, str]:
    """(number, method) of the CSeq header; (-1, "") when missing or unreadable."""
    number, _, method = (first(lines, "CSeq") or "").partition(" ")
    return (int(number), method.strip().upper()) if number.strip().isdigit() else (-1, "")


def status_of(raw: bytes) -> tuple[int, str] | None:
    """(code, reason) of a response's status line, None for a request or junk."""
    head = raw.split(b"\r\n", 1)[0].decode("utf-8", errors="replace")
    parts = head.split(" ", 2)
    if len(parts) >= 2 and parts[0] == "SIP/2.0" and parts[1].isdigit() and len(parts[1]) == 3:
        return int(parts[1]), parts[2] if len(parts) > 2 else ""
    return None
