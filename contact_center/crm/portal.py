"""The customer portal's sign-in and what a signed-in customer may read: their own records only."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from contact_center.clock import utc_iso
from contact_center.crm import scheduled_callbacks
from contact_center.crm.cases import create_case, update_case
from contact_center.crm.customers import customer_with_email
from contact_center.crm.errors import Conflict, ValidationFailed
from contact_center.crm.kb import search_articles
from contact_center.crm.phones import try_e164
from contact_center.crm.schemas import CaseCreate, CaseUpdate
from contact_center.security import new_token, token_digest
from contact_center.store.tables import Activity, Case, Customer, Phone, PortalLink, PortalSession

LINK_LIFETIME = dt.timedelta(minutes=15)
SESSION_LIFETIME = dt.timedelta(hours=8)


async def new_link(session: AsyncSession, email: str, now: dt.datetime) -> tuple[str, int] | None:
    """A one-time sign-in token for the customer with this e-mail, and their id; None when nobody has it."""
    customer_id = await customer_with_email(session, email)
    if customer_id is None:
        return None
    token = new_token()
    session.add(
        PortalLink(
            token_digest=token_digest(token),
            customer_id=customer_id,
            email=email.strip().lower(),
            expires_at=now + LINK_LIFETIME,
        )
    )
    return token, customer_id


async def use_link(session: AsyncSession, token: str, now: dt.datetime) -> str | None:
    """The link used (once, before it expires): a new portal session's cookie; None when it is no good."""
    link = await session.get(PortalLink, token_digest(token), with_for_update=True)
    if link is None or link.used_at is not None or link.expires_at <= now:
        return None
    link.used_at = now
    cookie = new_token()
    session.add(PortalSession(id=token_digest(cookie), customer_id=link.customer_id, expires_at=now + SESSION_LIFETIME))
    await session.execute(delete(PortalSession).where(PortalSession.expires_at <= now))
    return cookie


async def signed_in(session: AsyncSession, cookie: str | None, now: dt.datetime) -> int | None:
    """The customer a portal cookie belongs to, while it is valid."""
    if not cookie:
        return None
    found = await session.get(PortalSession, token_digest(cookie))
    return found.customer_id if found is not None and found.expires_at > now else None


async def sign_out(session: AsyncSession, cookie: str) -> None:
    await session.execute(delete(PortalSession).where(PortalSession.id == token_digest(cookie)))


async def me(session: AsyncSession, customer_id: int) -> dict[str, Any]:
    customer = await session.get(Customer, customer_id)
    assert customer is not None
    return {"id": customer.id, "first_name": customer.first_name, "last_name": customer.last_name}


def case_json(case: Case) -> dict[str, Any]:
    return {
        "id": case.id,
        "number": case.number,
        "subject": case.subject,
        "status": case.status,
        "priority": case.priority,
        "opened_at": utc_iso(case.created_at),
        "sla_due_at": utc_iso(case.sla_due_at) if case.sla_due_at else None,
    }


async def cases(session: AsyncSession, customer_id: int) -> list[dict[str, Any]]:
    rows = await session.scalars(select(Case).where(Case.customer_id == customer_id).order_by(Case.id.desc()))
    return [case_json(c) for c in rows.all()]


async def case(session: AsyncSession, customer_id: int, case_id: int) -> dict[str, Any] | None:
    """One of the customer's cases; None for anyone else's (the portal answers 404, never 403)."""
    found = await session.get(Case, case_id)
    return case_json(found) if found is not None and found.customer_id == customer_id else None


async def open_case(session: AsyncSession, customer_id: int, subject: str, description: str, now: dt.datetime) -> Case:
    """A case the customer opens in the portal, on their timeline (its SLA from their contract, if any)."""
    case = await create_case(
        session, CaseCreate(subject=subject, description=description, customer_id=customer_id), now
    )
    session.add(_said_in_portal(f"Opened case {case.number} in the portal", customer_id, case.id, now))
    await session.flush()
    return case


async def reply(session: AsyncSession, customer_id: int, case_id: int, text: str, now: dt.datetime) -> Case | None:
    """The customer's reply on one of their cases, on the case's timeline. A case waiting on the customer, or
    resolved, is open again (the customer answered, or it was not solved); a closed one takes no reply (a new
    case is the way). None: not their case."""
    case = await session.get(Case, case_id)
    if case is None or case.customer_id != customer_id:
        return None
    if case.status == "closed":
        raise Conflict(f"case {case.number} is closed: open a new one")
    if case.status in ("pending_customer", "resolved"):
        case = await update_case(session, case.id, CaseUpdate(status="open"), None, now)
    session.add(_said_in_portal(f"Reply in the portal on case {case.number}", customer_id, case.id, now, text=text))
    await session.flush()
    return case


def _said_in_portal(subject: str, customer_id: int, case_id: int, now: dt.datetime, **details: str) -> Activity:
    """What the customer did in the portal, on the case's and their timeline."""
    return Activity(
        type="note",
        channel="web",
        direction="inbound",
        subject=subject,
        customer_id=customer_id,
        case_id=case_id,
        started_at=now,
        details={"source": "portal", **details},
    )


async def ask_callback(
    session: AsyncSession, customer_id: int, number: str | None, queue: str, now: dt.datetime, region: str
) -> dict[str, Any]:
    """A callback the customer asks for: due now, it enters routing like the IVR's callbacks (inside the
    customer's calling hours); on their timeline. Their own number unless they give another."""
    e164 = try_e164(number, region) if number else None
    if number and e164 is None:
        raise ValidationFailed.one("number", f"{number!r} is not a phone number")
    if e164 is None:
        e164 = await session.scalar(select(Phone.e164).where(Phone.customer_id == customer_id).limit(1))
    if e164 is None:
        raise ValidationFailed.one("number", "give the number to call you on")
    row = scheduled_callbacks.schedule(
        session,
        number=e164,
        queue=queue,
        due_at=now,
        customer_id=customer_id,
        agent_id=None,
        interaction_id=None,
        activity_id=None,
    )
    session.add(
        Activity(
            type="callback",
            channel="web",
            direction="inbound",
            subject=f"Asked for a callback on {e164}",
            customer_id=customer_id,
            started_at=now,
            queue=queue,
            details={"source": "portal", "number": e164},
        )
    )
    await session.flush()
    return {"callback_id": row.id, "number": e164, "queue": queue}


async def kb(session: AsyncSession, q: str) -> list[dict[str, Any]]:
    return [{"id": a.id, "title": a.title, "body": a.body} for a in await search_articles(session, q, limit=10)]
