"""Webhook signatures and retry times by hand-worked cases."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac

from contact_center.domain.webhooks import MAX_ATTEMPTS, retry_at, signature

NOW = dt.datetime(2026, 12, 6, 9, 0, tzinfo=dt.UTC)


def test_the_signature_is_the_hmac_of_timestamp_dot_body() -> None:
    expected = hmac.new(b"s3cret", b'1765011600.{"a":1}', hashlib.sha256).hexdigest()
    assert signature("s3cret", "1765011600", b'{"a":1}') == f"sha256={expected}"
    assert signature("other", "1765011600", b'{"a":1}') != signature("s3cret", "1765011600", b'{"a":1}')


def test_retries_back_off_and_stop() -> None:
    waits = [(retry_at(n, NOW) or NOW) - NOW for n in range(1, MAX_ATTEMPTS)]
    assert [int(w.total_seconds()) for w in waits] == [30, 60, 120, 240, 480, 960, 1920]
    assert retry_at(MAX_ATTEMPTS, NOW) is None
