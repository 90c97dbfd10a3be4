"""Leads that come in from outside (the public web form, a file of leads): checked, scored, assigned and put on
the timeline.

What the checks find is kept with the lead (``Lead.checks``), never a reason to drop what a prospect
typed. A lead we have already (the same phone or e-mail) is not made twice: the new request goes on that
lead's timeline, so whoever owns it sees that the prospect asked again. Someone who is a customer already
becomes a lead linked to them (an existing customer asking is an upsell, not a stranger).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from disposable_email_domains import blocklist
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from contact_center.crm.customers import customer_with_email
from contact_center.crm.schemas import WebLeadIn
from contact_center.domain.sales.lead_quality import LeadFacts, assess, owner_for
from contact_center.store.tables import Activity, Lead, Phone, Queue, QueueMember, User

OPEN_STATUSES = ("new", "contacted", "qualified")
SOURCE = "web_form"


@dataclass(frozen=True, slots=True)
class Channel:
    """Where leads come from: the source they are given, and the timeline entry's type, channel and wording."""

    source: str
    activity_type: str
    activity_channel: str
    came: str  # "Lead from the web form"
    again: str  # "Web form again"


WEB_FORM = Channel(SOURCE, "web_form", "web", "Lead from the web form", "Web form again")


@dataclass(frozen=True, slots=True)
class Intake:
    lead: Lead
    created: bool  # False: the prospect was a lead already and asked again


async def take_web_lead(session: AsyncSession, form: WebLeadIn, now: dt.datetime, sales_queue: str) -> Intake:
    return await take_lead(session, form, now, sales_queue, WEB_FORM)


async def take_lead(
    session: AsyncSession,
    form: WebLeadIn,
    now: dt.datetime,
    sales_queue: str,
    channel: Channel,
    campaign_id: int | None = None,
) -> Intake:
    email = form.email.strip().lower() if form.email else None
    existing_lead = await _lead_with(session, form.phone, email)
    name = " ".join(filter(None, (form.first_name, form.last_name)))
    if existing_lead is not None:
        lead = await session.get_one(Lead, existing_lead)
        session.add(_timeline(lead, f"{channel.again}: {name}", form, now, channel, checks=[]))
        await session.flush()
        return Intake(lead, created=False)
    customer = await _customer_with(session, form.phone, email)
    domain = email.rsplit("@", 1)[1] if email else None
    assessment = assess(
        LeadFacts(
            source=channel.source,
            phone=form.phone is not None,
            email_domain=domain,
            disposable_email=domain is not None and _disposable(domain),
            company=bool(form.company.strip()),
            message_length=len(form.message.strip()),
            existing_customer=customer,
        )
    )
    checks = [{"code": c.code, "reason": c.reason} for c in assessment.checks]
    lead = Lead(
        first_name=form.first_name,
        last_name=form.last_name,
        company=form.company,
        email=email,
        phone=form.phone,
        source=channel.source,
        score=assessment.score,
        rating=assessment.rating,
        status="new",
        owner_id=owner_for(await _open_leads_by_seller(session, sales_queue)),
        customer_id=customer,
        notes=form.message,
        checks=checks,
        campaign_id=campaign_id,
    )
    session.add(lead)
    await session.flush()
    session.add(
        _timeline(
            lead,
            f"{channel.came}: {name} ({assessment.rating}, {assessment.score})",
            form,
            now,
            channel,
            checks=checks,
        )
    )
    await session.flush()
    return Intake(lead, created=True)


def _disposable(domain: str) -> bool:
    """A throw-away mail domain, or a subdomain of one (x.mailinator.com)."""
    parts = domain.split(".")
    return any(".".join(parts[i:]) in blocklist for i in range(len(parts) - 1))


async def _lead_with(session: AsyncSession, phone: str | None, email: str | None) -> int | None:
    if phone:
        found = await session.scalar(select(Lead.id).where(Lead.phone == phone).order_by(Lead.id).limit(1))
        if found is not None:
            return int(found)
    if email:
        found = await session.scalar(select(Lead.id).where(func.lower(Lead.email) == email).order_by(Lead.id).limit(1))
        if found is not None:
            return int(found)
    return None


async def _customer_with(session: AsyncSession, phone: str | None, email: str | None) -> int | None:
    if phone:
        found = await session.scalar(select(Phone.customer_id).where(Phone.e164 == phone).limit(1))
        if found is not None:
            return int(found)
    return await customer_with_email(session, email) if email else None


async def _open_leads_by_seller(session: AsyncSession, sales_queue: str) -> dict[int, int]:
    """Each active agent of the sales queue with how many open leads they own (0 for none)."""
    sellers = (
        await session.scalars(
            select(User.id)
            .join(QueueMember, QueueMember.user_id == User.id)
            .join(Queue, Queue.id == QueueMember.queue_id)
            .where(Queue.name == sales_queue, User.active.is_(True))
        )
    ).all()
    counts = dict(
        (
            await session.execute(
                select(Lead.owner_id, func.count())
                .where(Lead.owner_id.in_(sellers), Lead.status.in_(OPEN_STATUSES))
                .group_by(Lead.owner_id)
            )
        ).all()
    )
    return {int(user_id): int(counts.get(user_id, 0)) for user_id in sellers}


def _timeline(
    lead: Lead, subject: str, form: WebLeadIn, now: dt.datetime, channel: Channel, *, checks: list[dict[str, str]]
) -> Activity:
    return Activity(
        type=channel.activity_type,
        channel=channel.activity_channel,
        direction="inbound",
        subject=subject[:300],
        lead_id=lead.id,
        customer_id=lead.customer_id,
        agent_id=lead.owner_id,
        started_at=now,
        created_at=now,
        details={"message": form.message, "company": form.company, "checks": checks},
    )
