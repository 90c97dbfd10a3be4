"""Passwords, tokens and the login throttle."""

from __future__ import annotations

import functools
import hashlib
import hmac
import ipaddress
import secrets
from collections import deque
from dataclasses import dataclass, field

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

_hasher = PasswordHasher()


@functools.cache
def _dummy_hash() -> str:
    # Verifying against this keeps the time of "no such user" equal to "wrong password".
    # Made on first use: hashing at import would slow every CLI command by a tenth of a second.
    return _hasher.hash("not-a-real-password")


MIN_PASSWORD_LENGTH = 8


def hash_password(password: str) -> str:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise ValueError(f"password must have at least {MIN_PASSWORD_LENGTH} characters")
    return _hasher.hash(password)


def verify_password(stored_hash: str | None, password: str) -> bool:
    try:
        return _hasher.verify(stored_hash or _dummy_hash(), password) and stored_hash is not None
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def new_token(prefix: str = "") -> str:
    return prefix + secrets.token_urlsafe(32)


def token_digest(token: str) -> str:
    """Only digests are stored: a leaked database does not leak live sessions or API tokens."""
    return hashlib.sha256(token.encode()).hexdigest()


def device_token(secret: str, username: str, device_id: str | None = None) -> str:
    """A signed "this browser has logged in as this user before" token (the known-device cookie)."""
    device_id = device_id or secrets.token_urlsafe(12)
    mac = hmac.new(secret.encode(), f"device:{device_id}:{username.lower()}".encode(), hashlib.sha256).hexdigest()
    return f"{device_id}.{mac[:32]}"


def device_id_if_valid(secret: str, username: str, token: str | None) -> str | None:
    if not token or "." not in token:
        return None
    device_id = token.split(".", 1)[0]
    return device_id if hmac.compare_digest(device_token(secret, username, device_id), token) else None


Network = ipaddress.IPv4Network | ipaddress.IPv6Network


@functools.cache
def _networks(trusted: tuple[str, ...]) -> tuple[Network, ...]:
    return tuple(ipaddress.ip_network(n, strict=False) for n in trusted)


def _is_trusted(address: str, trusted: tuple[str, ...]) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in network for network in _networks(trusted))


def client_address(peer: str | None, forwarded_for: list[str], trusted: tuple[str, ...]) -> str:
    """The address a request came from, looking through our own reverse proxies only.

    ``forwarded_for`` holds the X-Forwarded-For header values in order. Only when the peer is a
    trusted proxy is the header read, from the right: each proxy appends the address it saw, so
    the right-most address that is not one of ours is the client. Entries further left were
    written by whoever sent the request and could be anything; from an untrusted peer the whole
    header could be, so then it is ignored.
    """
    address = peer or "unknown"
    if not trusted or not _is_trusted(address, trusted):
        return address
    hops = [hop.strip() for value in forwarded_for for hop in value.split(",") if hop.strip()]
    for hop in reversed(hops):
        try:
            ipaddress.ip_address(hop)
        except ValueError:
            return address  # garbage where a proxy's entry should be: keep what we know for sure
        if not _is_trusted(hop, trusted):
            return hop
        address = hop
    return address


@dataclass
class LoginThrottle:
    """Slows password guessing without letting anyone lock agents out.

    Attempts are counted per (account, source) and per address, where the source is the
    browser's known-device cookie when it has one, else the address. After ``free_attempts``
    failures for one pair, each further attempt waits twice as long as the last (capped); an
    address that fails ``address_limit`` times within the window is paused for the window,
    except for browsers that have logged in as that account before: behind a proxy or an
    office NAT everyone shares an address, and a stranger's guesses must not lock the floor
    out. Failures against one account from many sources never lock that account.

    An attempt is counted when it starts (``attempt``) and forgiven on success, so a burst of
    simultaneous guesses cannot slip past the limit while passwords are being checked.
    """

    free_attempts: int = 5
    base_delay: float = 1.0
    max_delay: float = 900.0
    address_limit: int = 50
    window: float = 900.0
    _pairs: dict[tuple[str, str], deque[float]] = field(default_factory=dict)
    _addresses: dict[str, deque[float]] = field(default_factory=dict)

    def retry_after(self, username: str, address: str, now: float, device: str | None = None) -> float:
        """Seconds to wait before this attempt may be checked; 0 when allowed."""
        waits = [0.0]
        if device is None:
            by_address = self._recent(self._addresses.get(address), now)
            if len(by_address) >= self.address_limit:
                waits.append(by_address[0] + self.window - now)
        pair = self._recent(self._pairs.get(self._key(username, address, device)), now)
        if len(pair) >= self.free_attempts:
            delay = min(self.max_delay, self.base_delay * 2 ** (len(pair) - self.free_attempts))
            waits.append(pair[-1] + delay - now)
        return max(waits)

    def attempt(self, username: str, address: str, now: float, device: str | None = None) -> None:
        """Count an attempt as failed until ``succeeded`` says otherwise."""
        self._pairs.setdefault(self._key(username, address, device), deque()).append(now)
        self._addresses.setdefault(address, deque()).append(now)
        self._prune(now)

    def failed(self, username: str, address: str, now: float, device: str | None = None) -> None:
        self.attempt(username, address, now, device)

    def succeeded(self, username: str, address: str, device: str | None = None) -> None:
        self._pairs.pop(self._key(username, address, device), None)
        times = self._addresses.get(address)
        if times:
            times.pop()

    @staticmethod
    def _key(username: str, address: str, device: str | None) -> tuple[str, str]:
        return (username.lower(), f"device:{device}" if device else address)

    def _recent(self, times: deque[float] | None, now: float) -> deque[float]:
        if times is None:
            return deque()
        while times and times[0] <= now - self.window:
            times.popleft()
        return times

    def _prune(self, now: float) -> None:
        # Keep memory bounded under a spray of random usernames or addresses.
        for table in (self._pairs, self._addresses):
            if len(table) > 100_000:
                for key in [k for k, v in table.items() if not self._recent(v, now)]:
                    del table[key]  # type: ignore[arg-type]
