"""Webhook rules with no I/O: how a payload is signed, and when a failed delivery is tried again."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac

MAX_ATTEMPTS = 8
FIRST_RETRY = dt.timedelta(seconds=30)
LONGEST_WAIT = dt.timedelta(hours=1)


def signature(secret: str, timestamp: str, body: bytes) -> str:
    """``sha256=`` and the HMAC of ``timestamp.body``: a receiver checks it with the subscription's secret and
    refuses an old timestamp, so a payload can be neither forged nor replayed."""
    mac = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256)
    return "sha256=" + mac.hexdigest()


def retry_at(attempts: int, now: dt.datetime) -> dt.datetime | None:
    """After ``attempts`` failed tries: when to try again (30 s, 1 min, 2 min, ... at most an hour apart), or
    None when the delivery has failed for good."""
    if attempts >= MAX_ATTEMPTS:
        return None
    wait: dt.timedelta = min(FIRST_RETRY * (2 ** max(0, attempts - 1)), LONGEST_WAIT)
    return now + wait
