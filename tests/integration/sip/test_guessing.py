"""The deploy proxy against digest guessing and floods: a guessing source is banned after a few wrong
digests and a flooding one by pike, each ban logged; a phone on another address registers all along."""

from __future__ import annotations

import asyncio
import hashlib
import re
import socket
import time
from collections.abc import Callable
from typing import Any

import pytest

MAX_AUTH_FAILURES = 5  # deploy/kamailio/kamailio.cfg's default


def _md5(text: str) -> str:
    return hashlib.md5(text.encode()).hexdigest()  # SIP digest is MD5 by definition


class Registrar:
    """A hand-made phone: REGISTER with or without a digest, from a chosen loopback address."""

    def __init__(self, proxy_port: int, address: str) -> None:
        self.proxy_port = proxy_port
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.bind((address, 0))
        self.address, self.port = self.sock.getsockname()
        self.cseq = 0

    def close(self) -> None:
        self.sock.close()

    def register(
        self, user: str, *, nonce: str | None = None, password: str = "", wait: float = 1.0
    ) -> tuple[int | None, str | None]:
        """Send one REGISTER; the final status and the nonce of a challenge (None, None: no answer)."""
        self.cseq += 1
        uri = f"sip:127.0.0.1:{self.proxy_port}"
        auth = ""
        if nonce is not None:
            response = _md5(f"{_md5(f'{user}:127.0.0.1:{password}')}:{nonce}:{_md5(f'REGISTER:{uri}')}")
            auth = (
                f'Authorization: Digest username="{user}", realm="127.0.0.1", nonce="{nonce}", uri="{uri}", '
                f'response="{response}", algorithm=MD5\r\n'
            )
        message = (
            f"REGISTER {uri} SIP/2.0\r\nVia: SIP/2.0/UDP {self.address}:{self.port};branch=z9hG4bKg{self.cseq}"
            f"x{time.monotonic_ns()}\r\nMax-Forwards: 70\r\nFrom: <sip:{user}@127.0.0.1>;tag=g{self.port}\r\n"
            f"To: <sip:{user}@127.0.0.1>\r\nCall-ID: guess-{self.port}@{self.address}\r\nCSeq: {self.cseq} "
            f"REGISTER\r\nContact: <sip:{user}@{self.address}:{self.port}>\r\nExpires: 60\r\n{auth}"
            "Content-Length: 0\r\n\r\n"
        )
        self.sock.sendto(message.encode(), ("127.0.0.1", self.proxy_port))
        self.sock.settimeout(wait)
        try:
            while True:
                answer = self.sock.recv(8192).decode(errors="replace")
                status = int(answer.split(" ", 2)[1])
                if status >= 200:
                    found = re.search(r'nonce="([^"]+)"', answer)
                    return status, found.group(1) if found else None
        except TimeoutError:
            return None, None

    def log_in(self, user: str, password: str) -> int | None:
        status, nonce = self.register(user)
        if status != 401:
            return status
        return self.register(user, nonce=nonce, password=password)[0]


@pytest.fixture
def registrars() -> Any:
    made: list[Registrar] = []

    def make(proxy_port: int, address: str) -> Registrar:
        made.append(Registrar(proxy_port, address))
        return made[-1]

    yield make
    for registrar in made:
        registrar.close()


async def test_digest_guessing_is_banned_and_a_phone_elsewhere_still_registers(
    kamailio: Callable[..., Any],
    ports: Callable[..., int],
    registrars: Callable[[int, str], Registrar],
) -> None:
    proxy = kamailio(users={"2001": "agent-pw", "2002": "other-pw"}, workers=[ports()])
    guesser = registrars(proxy.port, "127.0.0.2")

    # Known and unknown users are challenged alike, with and without a wrong digest.
    known, known_nonce = guesser.register("2001")
    unknown, unknown_nonce = guesser.register("9999")
    assert (known, unknown) == (401, 401) and known_nonce and unknown_nonce

    answers = []
    status, nonce = known, known_nonce
    for attempt in range(MAX_AUTH_FAILURES + 20):
        status, fresh = await asyncio.to_thread(
            guesser.register, "2001", nonce=nonce, password=f"guess-{attempt}", wait=0.5
        )
        answers.append(status)
        nonce = fresh or nonce
    assert answers[: MAX_AUTH_FAILURES - 1] == [401] * (MAX_AUTH_FAILURES - 1)
    assert set(answers[MAX_AUTH_FAILURES:]) == {None}, answers  # banned: nothing is answered any more
    # The right password from the banned address is not heard either: guessing stopped there.
    assert await asyncio.to_thread(guesser.register, "2001", nonce=nonce, password="agent-pw", wait=0.5) == (None, None)

    # A phone on another address registers with its password, during the ban.
    phone = registrars(proxy.port, "127.0.0.1")
    assert await asyncio.to_thread(phone.log_in, "2002", "other-pw") == 200
    bans = [line for line in proxy.log().splitlines() if "banned" in line]
    assert len(bans) == 1 and "127.0.0.2" in bans[0] and "guessing" in bans[0], bans


async def test_a_request_flood_is_cut_off_and_logged(
    kamailio: Callable[..., Any],
    ports: Callable[..., int],
    registrars: Callable[[int, str], Registrar],
) -> None:
    proxy = kamailio(users={"2001": "agent-pw"}, workers=[ports()])
    flooder = registrars(proxy.port, "127.0.0.3")
    options = (
        f"OPTIONS sip:127.0.0.1:{proxy.port} SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.3:{flooder.port};branch="
        "z9hG4bKf{n}\r\nFrom: <sip:f@127.0.0.3>;tag=f\r\nTo: <sip:127.0.0.1>\r\nCall-ID: flood{n}\r\n"
        "CSeq: 1 OPTIONS\r\nMax-Forwards: 5\r\nContent-Length: 0\r\n\r\n"
    )

    def flood() -> int:  # type: ignore[return]
        flooder.sock.setblocking(False)
        answered = 0
        for n in range(2000):
            flooder.sock.sendto(options.format(n=n).encode(), ("127.0.0.1", proxy.port))
            if n % 50 == 0:
                time.sleep(0.02)  # 2,000 requests over about a second
        time.sleep(0.5)
        try:
            while flooder.sock.recv(8192):
                answered += 1
        except BlockingIOError:
            return answered

    answered = await asyncio.to_thread(flood)
    assert 0 < answered < 200, answered  # the first ones in the window, then nothing
    floods = [line for line in proxy.log().splitlines() if "request flood from 127.0.0.3" in line]
    assert len(floods) >= 1
    phone = registrars(proxy.port, "127.0.0.1")
    assert await asyncio.to_thread(phone.log_in, "2001", "agent-pw") == 200
