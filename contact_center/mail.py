"""E-mail out: over SMTP (CC_SMTP_URL) with aiosmtplib, or, with no SMTP server configured, into a pickup
folder (CC_VAR_DIR/outbox, one .eml file per message) where a developer can read it."""

from __future__ import annotations

import email.policy
import logging
import time
import uuid
from collections.abc import Mapping
from email.message import EmailMessage
from email.utils import parseaddr
from pathlib import Path
from typing import Protocol
from urllib.parse import unquote, urlsplit

import aiosmtplib

log = logging.getLogger(__name__)


class Mailer(Protocol):
    async def send(
        self, to: str, subject: str, body: str, *, reply_to: str | None = None, headers: Headers | None = None
    ) -> None: ...


Headers = Mapping[str, str]  # more header fields (List-Unsubscribe on marketing e-mail)
# Header lines up to SMTP's own limit: a long List-Unsubscribe URL folded at 78 would become RFC 2047 encoded
# words, which mail programs do not read as a link.
SMTP_POLICY = email.policy.SMTP.clone(max_line_length=998)


def _message(
    sender: str, to: str, subject: str, body: str, reply_to: str | None, headers: Headers | None = None
) -> EmailMessage:
    message = EmailMessage(policy=SMTP_POLICY)
    message["From"], message["To"], message["Subject"] = sender, to, subject
    if reply_to:
        message["Reply-To"] = reply_to  # where the customer's answer goes: the inbound mailbox
    for name, value in (headers or {}).items():
        message[name] = value
    message["Message-ID"] = f"<{uuid.uuid4().hex}@contact-center>"
    message.set_content(body)
    return message


class SmtpMailer:
    def __init__(self, url: str, sender: str) -> None:
        parts = urlsplit(url)
        self.host, self.sender = parts.hostname or "localhost", sender
        self.tls = parts.scheme == "smtps"
        self.port = parts.port or (465 if self.tls else 25)
        self.username = unquote(parts.username) if parts.username else None
        self.password = unquote(parts.password) if parts.password else None

    async def send(
        self, to: str, subject: str, body: str, *, reply_to: str | None = None, headers: Headers | None = None
    ) -> None:
        message = _message(self.sender, to, subject, body, reply_to, headers)
        # Flattened here, with our policy: aiosmtplib would flatten an EmailMessage with SMTP's 78-column one.
        await aiosmtplib.send(
            message.as_bytes(),
            sender=parseaddr(self.sender)[1],
            recipients=[to],
            hostname=self.host,
            port=self.port,
            use_tls=self.tls,
            username=self.username,
            password=self.password,
            timeout=15,
        )


class OutboxMailer:
    def __init__(self, folder: Path, sender: str) -> None:
        self.folder, self.sender = folder, sender

    async def send(
        self, to: str, subject: str, body: str, *, reply_to: str | None = None, headers: Headers | None = None
    ) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        path = self.folder / f"{time.strftime('%Y%m%d-%H%M%S')}-{uuid.uuid4().hex[:8]}.eml"
        path.write_bytes(bytes(_message(self.sender, to, subject, body, reply_to, headers)))
        log.info("no SMTP server configured (CC_SMTP_URL): the e-mail to a customer is in %s", path)


def build_mailer(smtp_url: str | None, sender: str, var_dir: Path) -> Mailer:
    return SmtpMailer(smtp_url, sender) if smtp_url else OutboxMailer(var_dir / "outbox", sender)
