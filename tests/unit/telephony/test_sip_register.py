"""Registration: digest, refresh, and a failed refresh reported and retried with backoff."""

from __future__ import annotations

import hashlib
from typing import cast

import pytest

from contact_center.telephony import sip_messages as sm
from contact_center.telephony.events import LineStatus
from contact_center.telephony.sip_register import (
    Registration,
    RegistrationFailed,
    digest_authorization,
    parse_challenge,
)
from tests.unit.telephony.manual_timers import ManualTimers


class Registrar:
    """Collects what the line sends and answers like Kamailio's www_challenge."""

    def __init__(self) -> None:
        self.sent: list[bytes] = []

    def last(self) -> list[tuple[str, str]]:
        return sm.header_lines(self.sent[-1])

    def reply(self, reg: Registration, code: int, reason: str, *extra: tuple[str, str]) -> None:
        lines = self.last()
        reg.on_response(
            code,
            reason,
            [("Call-ID", sm.first(lines, "Call-ID") or ""), ("CSeq", sm.first(lines, "CSeq") or ""), *extra],
        )


CHALLENGE = ("WWW-Authenticate", 'Digest realm="proxy", nonce="n1"')


@pytest.fixture
def line() -> tuple[Registration, Registrar, ManualTimers, list[tuple[LineStatus, str]]]:
    timers, registrar, statuses = ManualTimers(), Registrar(), []
    reg = Registration(
        server="proxy",
        port=5060,
        user="ivr",
        password="pw",
        contact_host="10.0.0.2:5070",
        send=registrar.sent.append,
        timers=timers,  # type: ignore[arg-type]
        on_status=lambda s, r: statuses.append((s, r)),
        expires=300,
        timeout=5,
    )
    return reg, registrar, timers, statuses


def test_digest_matches_rfc_2617_arithmetic() -> None:
    challenge = parse_challenge('Digest realm="r", nonce="abc", qop="auth", opaque="o"')
    assert challenge == {"realm": "r", "nonce": "abc", "qop": "auth", "opaque": "o"}
    value = digest_authorization("REGISTER", "sip:proxy:5060", "ivr", "pw", challenge, cnonce="c")

    def md5(text: str) -> str:
        return hashlib.md5(text.encode()).hexdigest()

    expected = md5(f"{md5('ivr:r:pw')}:abc:00000001:c:auth:{md5('REGISTER:sip:proxy:5060')}")
    assert f'response="{expected}"' in value and 'opaque="o"' in value and "qop=auth" in value
    with pytest.raises(ValueError):
        digest_authorization("REGISTER", "u", "a", "b", {"algorithm": "SHA-256"})


def test_challenge_answered_then_registered_then_refreshed(line) -> None:  # type: ignore[no-untyped-def]
    reg, registrar, timers, statuses = line
    reg._attempt(300)
    assert registrar.sent[-1].startswith(b"REGISTER sip:proxy:5060 SIP/2.0")
    registrar.reply(reg, 401, "Unauthorized", CHALLENGE)
    assert (sm.first(registrar.last(), "Authorization") or "").startswith('Digest username="ivr", realm="proxy"')
    registrar.reply(reg, 200, "OK", ("Contact", "<sip:ivr@10.0.0.2:5070>;expires=120"))
    assert reg.status is LineStatus.REGISTERED and statuses == []  # start() says so: no event
    sent = len(registrar.sent)
    timers.advance(89)
    assert len(registrar.sent) == sent  # refreshed 30 s before the granted 120 s run out, not earlier
    timers.advance(1.1)
    assert len(registrar.sent) == sent + 1
    assert sm.first(registrar.last(), "Authorization") is None  # a new transaction, challenged afresh


def test_a_failed_refresh_is_reported_and_retried_with_backoff(line) -> None:  # type: ignore[no-untyped-def]
    reg, registrar, timers, statuses = line
    reg._attempt(300)
    registrar.reply(reg, 200, "OK")
    timers.advance(270)  # the refresh goes out, and nobody answers it
    timers.advance(6)
    assert reg.status is LineStatus.RETRYING
    assert statuses[-1][0] is LineStatus.RETRYING and "no answer from registrar" in statuses[-1][1]
    assert "retrying in 1 s" in statuses[-1][1]
    timers.advance(1)  # the retry goes out; the registrar is back and refuses the credentials now
    registrar.reply(reg, 403, "Forbidden")
    assert "403 Forbidden" in statuses[-1][1] and "retrying in 2 s" in statuses[-1][1]
    timers.advance(2)
    registrar.reply(reg, 200, "OK")
    assert cast(LineStatus, reg.status) is LineStatus.REGISTERED and statuses[-1] == (LineStatus.REGISTERED, "")


def test_wrong_password_is_refused_on_the_second_challenge(line) -> None:  # type: ignore[no-untyped-def]
    reg, registrar, _, _ = line
    reg._attempt(300)
    registrar.reply(reg, 401, "Unauthorized", CHALLENGE)
    registrar.reply(reg, 401, "Unauthorized", CHALLENGE)  # same nonce again: the password is wrong
    assert "credentials refused" in reg.last_reason
    reg.timeout = 0.0
    with pytest.raises(RegistrationFailed, match="refused"):
        reg.register_blocking()


def test_late_answers_to_abandoned_attempts_are_ignored(line) -> None:  # type: ignore[no-untyped-def]
    reg, registrar, _, statuses = line
    reg._attempt(300)
    stale = registrar.last()
    reg._attempt(300)
    reg.on_response(200, "OK", [("Call-ID", sm.first(stale, "Call-ID") or ""), ("CSeq", sm.first(stale, "CSeq") or "")])
    assert reg.status is LineStatus.REGISTERING and statuses == []
