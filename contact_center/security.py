"""Passwords, tokens and the login throttle."""

from __future__ import annotations

import hashlib
import secrets
from collections import deque
from dataclasses import dataclass, field

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

_hasher = PasswordHasher()
# Verifying against this keeps the time of "no such user" equal to "wrong password".
_DUMMY_HASH = _hasher.hash("not-a-real-password")
MIN_PASSWORD_LENGTH = 8


def hash_password(password: str) -> str:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise ValueError(f"password must have at least {MIN_PASSWORD_LENGTH} characters")
    return _hasher.hash(password)


def verify_password(stored_hash: str | None, password: str) -> bool:
    try:
        return _hasher.verify(stored_hash or _DUMMY_HASH, password) and stored_hash is not None
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def new_token(prefix: str = "") -> str:
    return prefix + secrets.token_urlsafe(32)


def token_digest(token: str) -> str:
    """Only digests are stored: a leaked database does not leak live sessions or API tokens."""
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass
class LoginThrottle:
    """Slows password guessing without letting anyone lock agents out.

    Failures are counted per (account, address) and per address. After ``free_attempts``
    failures for one pair, each further attempt must wait twice as long as the last
    (capped); an address that fails ``address_limit`` times within the window is paused
    for the window. Failures against one account from many addresses never lock that
    account, so an attacker cannot keep a real agent from logging in from their desk.
    """

    free_attempts: int = 5
    base_delay: float = 1.0
    max_delay: float = 900.0
    address_limit: int = 50
    window: float = 900.0
    _pairs: dict[tuple[str, str], deque[float]] = field(default_factory=dict)
    _addresses: dict[str, deque[float]] = field(default_factory=dict)

    def retry_after(self, username: str, address: str, now: float) -> float:
        """Seconds to wait before this attempt may be checked; 0 when allowed."""
        waits = [0.0]
        by_address = self._recent(self._addresses.get(address), now)
        if len(by_address) >= self.address_limit:
            waits.append(by_address[0] + self.window - now)
        pair = self._recent(self._pairs.get((username.lower(), address)), now)
        if len(pair) >= self.free_attempts:
            delay = min(self.max_delay, self.base_delay * 2 ** (len(pair) - self.free_attempts))
            waits.append(pair[-1] + delay - now)
        return max(waits)

    def failed(self, username: str, address: str, now: float) -> None:
        self._pairs.setdefault((username.lower(), address), deque()).append(now)
        self._addresses.setdefault(address, deque()).append(now)
        self._prune(now)

    def succeeded(self, username: str, address: str) -> None:
        self._pairs.pop((username.lower(), address), None)

    def _recent(self, times: deque[float] | None, now: float) -> deque[float]:
        if times is None:
            return deque()
        while times and times[0] <= now - self.window:
            times.popleft()
        return times

    def _prune(self, now: float) -> None:
        # Keep memory bounded under a spray of random usernames.
        if len(self._pairs) > 100_000:
            for key in [k for k, v in self._pairs.items() if not self._recent(v, now)]:
                del self._pairs[key]
