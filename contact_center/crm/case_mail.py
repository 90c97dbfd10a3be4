"""E-mail as a case channel: an agent writes to the customer about a case, the customer answers by e-mail,
and the answer comes back into the case. Both are ``email`` activities on the case's and the customer's
timeline.

An outgoing case e-mail's subject carries the case's tag (``[Case #20417]``). An incoming one is put on the
case its subject names only when it comes from one of that case's customer's addresses; anything else is
refused (the MTA bounces it), so knowing a case number is not enough to write into someone's case.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from email.utils import parseaddr
from typing import Annotated

from pydantic import StringConstraints
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from contact_center.crm.cases import update_case
from contact_center.crm.errors import NotFound, ValidationFailed
from contact_center.crm.phone_schemas import Strict
from contact_center.crm.schemas import NON_BLANK, CaseUpdate
from contact_center.store.tables import Activity, Case, Customer

TAG = re.compile(r"\[Case #(\d{1,12})\]", re.IGNORECASE)
MAX_TEXT = 20_000
MAX_MESSAGE_BYTES = 5_000_000


class CaseReply(Strict):
    text: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=MAX_TEXT), NON_BLANK]


@dataclass(frozen=True, slots=True)
class Outgoing:
    activity_id: int
    to: str
    subject: str
    body: str


def subject_of(case: Case) -> str:
    return f"[Case #{case.number}] {case.subject}"


async def write_to_customer(
    session: AsyncSession, case_id: int, text: str, *, now: dt.datetime, agent_id: int | None, actor: str
) -> Outgoing:
    """The agent's message to the case's customer, on the timeline; the caller sends it once this commits."""
    case = await session.get(Case, case_id)
    if case is None:
        raise NotFound("case", case_id)
    customer = await session.get(Customer, case.customer_id) if case.customer_id is not None else None
    if customer is None or not customer.emails:
        raise ValidationFailed.one("case_id", f"case {case.number}'s customer has no e-mail address")
    to = customer.emails[0]
    subject = subject_of(case)
    body = f"{text}\n\n-- \n{actor}\nTo answer, reply to this e-mail and keep [Case #{case.number}] in the subject.\n"
    activity = _email(case, subject, "outbound", now, agent_id=agent_id, to=to, text=text)
    session.add(activity)
    await session.flush()
    return Outgoing(activity.id, to, subject, body)


@dataclass(frozen=True, slots=True)
class Received:
    case_id: int
    case_number: int | None
    activity_id: int
    reopened: bool
    status: str


async def receive(session: AsyncSession, raw: bytes, now: dt.datetime) -> Received:
    """A customer's e-mail (RFC 5322 bytes, as the MTA got it) into the case its subject names."""
    if len(raw) > MAX_MESSAGE_BYTES:
        raise ValidationFailed.one("message", f"larger than {MAX_MESSAGE_BYTES} bytes")
    message = BytesParser(policy=policy.default).parsebytes(raw)
    assert isinstance(message, EmailMessage)
    sender = parseaddr(str(message.get("From", "")))[1].strip().lower()
    subject = str(message.get("Subject", ""))
    if not sender:
        raise ValidationFailed.one("From", "the message names no sender")
    tag = TAG.search(subject)
    if tag is None:
        raise ValidationFailed.one("Subject", "names no case (like [Case #20417])")
    number = int(tag.group(1))
    case = (await session.scalars(select(Case).where(Case.number == number))).first()
    customer = await session.get(Customer, case.customer_id) if case and case.customer_id else None
    if case is None or customer is None or sender not in {e.strip().lower() for e in customer.emails}:
        # The same answer whether the case does not exist or is someone else's.
        raise ValidationFailed.one("From", f"{sender} cannot write to case {number}")
    text = _text_of(message)
    reopened = False
    if case.status in ("pending_customer", "resolved"):
        case = await update_case(session, case.id, CaseUpdate(status="open"), None, now)
        reopened = True
    activity = _email(
        case,
        subject[:300],
        "inbound",
        now,
        agent_id=None,
        sender=sender,
        text=text,
        message_id=str(message.get("Message-ID", ""))[:300],
    )
    session.add(activity)
    await session.flush()
    # A closed case stays closed; what the customer wrote is on its timeline all the same (nothing lost).
    return Received(case.id, case.number, activity.id, reopened, case.status)


def _text_of(message: EmailMessage) -> str:
    """The plain text the customer wrote: the text part, without the quoted message below it."""
    part = message.get_body(preferencelist=("plain", "html"))
    content = part.get_content() if part is not None else ""
    if part is not None and part.get_content_type() == "text/html":
        content = re.sub(r"<[^>]+>", " ", content)
    lines = []
    for line in str(content).splitlines():
        if line.startswith(">") or re.match(r"^On .+ wrote:$", line.strip()):
            break
        lines.append(line)
    return "\n".join(lines).strip()[:MAX_TEXT]


def _email(
    case: Case, subject: str, direction: str, now: dt.datetime, *, agent_id: int | None, **details: str
) -> Activity:
    return Activity(
        type="email",
        channel="email",
        direction=direction,
        subject=subject[:300],
        customer_id=case.customer_id,
        case_id=case.id,
        agent_id=agent_id,
        started_at=now,
        details={"source": "case_mail", **details},
    )


__all__ = ["CaseReply", "Outgoing", "Received", "receive", "subject_of", "write_to_customer"]
