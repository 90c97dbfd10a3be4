"""A real local SMTP server (aiosmtpd) for tests: what the server sends lands in ``Inbox.messages``. The
``smtp`` fixture (tests/conftest.py) starts one on a free port."""

from __future__ import annotations

import email
import socket
from collections.abc import Iterator
from typing import Any

from aiosmtpd.controller import Controller


class Inbox:
    def __init__(self) -> None:
        self.messages: list[email.message.Message] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # aiosmtpd calls it so
        self.messages.append(email.message_from_bytes(envelope.content))
        return "250 OK"


def local_smtp() -> Iterator[tuple[Inbox, int]]:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield inbox, port
    finally:
        controller.stop()
