"""A SIP line's registration: REGISTER with digest auth, refreshed, retried with backoff.

pyVoIP 1.6.8 registers synchronously: it reads the line's socket itself under a lock, so
whatever datagram arrives first is taken for the registrar's answer (an INVITE in that
window was mishandled, and it bypassed our proxy-only filter), and after a few failed
refreshes it stops the whole phone without telling anyone. Here REGISTER is a transaction
like any other: sent and retransmitted on the line's timer thread, answered through the
line's receive loop. A failed refresh changes the line's status (reported through
``on_status``) and is retried after 1, 2, 4 ... 60 s; calls in progress are untouched.
"""

from __future__ import annotations

import hashlib
import re
import secrets
import threading
from collections.abc import Callable, Sequence

from contact_center.telephony import sip_messages as sm
from contact_center.telephony.events import LineStatus
from contact_center.telephony.sip_timers import Retransmit, TimerHandle, TimerThread

BACKOFF = (1.0, 2.0, 4.0, 8.0, 16.0, 30.0, 60.0)


class RegistrationFailed(Exception):
    """The registrar refused the line (bad credentials, 403...) or never answered."""


def parse_challenge(value: str) -> dict[str, str]:
    """``Digest realm="x", nonce="y", qop="auth"`` -> {"realm": "x", "nonce": "y", "qop": "auth"}."""
    scheme, _, params = value.strip().partition(" ")
    if scheme.lower() != "digest":
        raise ValueError(f"not a Digest challenge: {scheme!r}")
    return {
        k.lower(): v1 if v1 else v2
        for k, v1, v2 in re.findall(r'([A-Za-z0-9_-]+)\s*=\s*(?:"([^"]*)"|([^\s,]+))', params)
    }


def digest_authorization(
    method: str, uri: str, user: str, password: str, challenge: dict[str, str], cnonce: str | None = None
) -> str:
    """The Authorization value answering ``challenge`` (MD5, with qop=auth when offered)."""
    if challenge.get("algorithm", "MD5").upper() != "MD5":
        raise ValueError(f"unsupported digest algorithm {challenge['algorithm']}")
    realm, nonce = challenge.get("realm", ""), challenge.get("nonce", "")

    def md5(text: str) -> str:
        return hashlib.md5(text.encode()).hexdigest()  # SIP digest is MD5 by definition

    ha1, ha2 = md5(f"{user}:{realm}:{password}"), md5(f"{method}:{uri}")
    fields = [f'username="{user}"', f'realm="{realm}"', f'nonce="{nonce}"', f'uri="{uri}"']
    if "auth" in [q.strip() for q in challenge.get("qop", "").split(",")]:
        cnonce = cnonce or secrets.token_hex(8)
        response = md5(f"{ha1}:{nonce}:00000001:{cnonce}:auth:{ha2}")
        fields += ["qop=auth", "nc=00000001", f'cnonce="{cnonce}"']
    else:
        response = md5(f"{ha1}:{nonce}:{ha2}")
    fields += [f'response="{response}"', "algorithm=MD5"]
    if "opaque" in challenge:
        fields.append(f'opaque="{challenge["opaque"]}"')
    return "Digest " + ", ".join(fields)


class Registration:
    def __init__(
        self,
        *,
        server: str,
        port: int,
        user: str,
        password: str,
        contact_host: str,  # "ip:port" of the line
        send: Callable[[bytes], None],
        timers: TimerThread,
        on_status: Callable[[LineStatus, str], None],
        expires: int = 300,
        timeout: float = 5.0,
        user_agent: str = "contact-center",
    ) -> None:
        self.server, self.port, self.user, self.password = server, port, user, password
        self.contact_host, self.send, self.timers, self.on_status = contact_host, send, timers, on_status
        self.expires, self.timeout, self.user_agent = expires, timeout, user_agent
        self.uri = f"sip:{server}:{port}"
        self.call_id, self.from_tag, self.cseq = sm.new_call_id(contact_host.split(":")[0]), sm.new_tag(), 0
        self.status = LineStatus.REGISTERING
        self.failures = 0
        self.last_reason = ""
        self._asked = expires
        self._answered_nonce: str | None = None
        self._transaction: Retransmit | None = None
        self._refresh: TimerHandle | None = None
        self._done = threading.Event()  # the current attempt ended (registered or failed)
        self._ok = False
        self._stopping = False
        self._established = False  # registered at least once: later failures are retried
        self._lock = threading.RLock()

    # -- driving -------------------------------------------------------------------------
    def register_blocking(self) -> None:
        """The first registration, from ``start``: raises ``RegistrationFailed``."""
        self._attempt(self.expires)
        self._done.wait(self.timeout * 3)
        if not self._ok:
            with self._lock:
                self._stopping = True
                self._cancel()
            raise RegistrationFailed(
                f"registration of {self.user} at {self.server}:{self.port} refused: {self.last_reason or 'no answer'}"
            )

    def unregister(self, wait: float = 2.0) -> None:
        with self._lock:
            self._stopping = True
            self._cancel()
        if self.status is LineStatus.REGISTERED:
            self._attempt(0)
            self._done.wait(wait)
        with self._lock:
            self._cancel()
        self.status = LineStatus.STOPPED  # our own doing: no event

    def _attempt(self, expires: int, authorization: str | None = None) -> None:
        with self._lock:
            self._cancel()
            self._done.clear()
            self._ok = False
            self._asked = expires
            self.cseq += 1
            message = self._register(expires, authorization)
            self._transaction = Retransmit(
                self.timers,
                lambda: self.send(message),
                until=self.timeout,
                on_timeout=lambda: self._failed("no answer from registrar"),
            )

    def _register(self, expires: int, authorization: str | None) -> bytes:
        aor = f"<sip:{self.user}@{self.server}>"
        lines = [
            f"REGISTER {self.uri} SIP/2.0",
            f"Via: SIP/2.0/UDP {self.contact_host};branch={sm.new_branch()};rport",
            "Max-Forwards: 70",
            f"From: {aor};tag={self.from_tag}",
            f"To: {aor}",
            f"Call-ID: {self.call_id}",
            f"CSeq: {self.cseq} REGISTER",
            f"Contact: <sip:{self.user}@{self.contact_host}>;expires={expires}",
            f"Expires: {expires}",
            "Allow: INVITE, ACK, BYE, CANCEL, OPTIONS",
            f"User-Agent: {self.user_agent}",
            *([authorization] if authorization else []),
            "Content-Length: 0",
        ]
        return ("\r\n".join(lines) + "\r\n\r\n").encode()

    def _cancel(self) -> None:
        if self._transaction is not None:
            self._transaction.stop()
            self._transaction = None
        if self._refresh is not None:
            self._refresh.cancel()
            self._refresh = None

    # -- answers (the line's receive thread) ---------------------------------------------------
    def on_response(self, code: int, reason: str, lines: Sequence[tuple[str, str]], raw: bytes = b"") -> None:
        with self._lock:
            if sm.first(lines, "Call-ID") != self.call_id or sm.cseq_of(lines)[0] != self.cseq:
                return  # a late answer to an attempt we already gave up on
            if code < 200:
                return
            if self._transaction is not None:
                self._transaction.stop()
            if code in (401, 407):
                self._challenged(code, lines)
            elif 200 <= code < 300:
                self._registered(lines)
            else:
                self._failed(f"{code} {reason}".strip())

    def _challenged(self, code: int, lines: Sequence[tuple[str, str]]) -> None:
        header = "WWW-Authenticate" if code == 401 else "Proxy-Authenticate"
        try:
            challenge = parse_challenge(sm.first(lines, header) or "")
            nonce = challenge.get("nonce", "")
            if nonce == self._answered_nonce and challenge.get("stale", "").lower() != "true":
                raise ValueError("credentials refused")
            value = digest_authorization("REGISTER", self.uri, self.user, self.password, challenge)
        except ValueError as exc:
            self._failed(f"{code}: {exc} (invalid user or password?)")
            return
        self._answered_nonce = nonce
        name = "Authorization" if code == 401 else "Proxy-Authorization"
        self._attempt(self._asked, f"{name}: {value}")

    def _registered(self, lines: Sequence[tuple[str, str]]) -> None:
        self._ok = True
        self.failures = 0
        self._done.set()
        if self._asked == 0 or self._stopping:
            return
        # refresh by what we asked if the registrar granted more (Kamailio raises short
        # expiries to its min_expires): refreshing early is always allowed
        granted = min(self._asked, _granted_expires(lines, self.contact_host) or self._asked)
        if self._established:
            self._set(LineStatus.REGISTERED, "")
        else:  # the first registration: ``start`` returning says so, no event
            self.status = LineStatus.REGISTERED
            self._established = True
        self._refresh = self.timers.call_later(max(granted / 2, granted - 30), lambda: self._attempt(self.expires))

    def _failed(self, reason: str) -> None:
        with self._lock:
            self.last_reason = reason
            self._done.set()
            if self._stopping or self._asked == 0 or not self._established:
                return  # the first registration reports through register_blocking; stopping needs no retry
            delay = BACKOFF[min(self.failures, len(BACKOFF) - 1)]
            self.failures += 1
            self._set(LineStatus.RETRYING, f"{reason}; retrying in {delay:g} s")
            self._refresh = self.timers.call_later(delay, lambda: self._attempt(self.expires))

    def _set(self, status: LineStatus, reason: str) -> None:
        """Report a change after the first registration: lost (every retry, with its reason) and back."""
        changed = status is not self.status or status is LineStatus.RETRYING
        self.status = status
        if changed:
            self.on_status(status, reason)


def _granted_expires(lines: Sequence[tuple[str, str]], contact_host: str) -> int | None:
    for name, value in lines:
        if name.lower() == "contact":
            for entry in sm.split_values(value):
                if contact_host in entry:
                    match = re.search(r";\s*expires=(\d+)", entry)
                    if match:
                        return int(match.group(1))
    expires = sm.first(lines, "Expires")
    return int(expires) if expires and expires.strip().isdigit() else None
