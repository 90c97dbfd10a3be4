"""A marketing campaign's target list and its channels: who it reaches (taken from a segment), the e-mail it sends
them (each once, never to an address that opted out, with a link to opt out), and the phone numbers it hands to
an outbound dialer campaign's list.

An opt-out is kept by address (``EmailOptOut``) and honoured by every campaign: the unsubscribe link carries the
address and an HMAC of it under the server's secret, so nobody can opt out someone else."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
from dataclasses import dataclass
from typing import Annotated, Any

from pydantic import StringConstraints
from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from contact_center.crm import segments
from contact_center.crm.errors import Conflict, NotFound
from contact_center.crm.phone_schemas import Strict
from contact_center.crm.schemas import NON_BLANK, Id
from contact_center.store.tables import Campaign, CampaignTarget, DialingRecord, EmailOptOut, MarketingCampaign

SENDING_BATCH = 50


class TargetsIn(Strict):
    segment_id: Id  # the segment whose members join the list


class MailIn(Strict):
    subject: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200), NON_BLANK]
    body: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=50_000), NON_BLANK]


class DialerListIn(Strict):
    campaign: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100), NON_BLANK]


async def _campaign(session: AsyncSession, campaign_id: int) -> MarketingCampaign:
    row = await session.get(MarketingCampaign, campaign_id)
    if row is None:
        raise NotFound("marketing_campaign", campaign_id)
    return row


async def add_segment(session: AsyncSession, campaign_id: int, segment_id: int) -> dict[str, Any]:
    """The segment's members now join the campaign's list (someone on it already stays as they are)."""
    await _campaign(session, campaign_id)
    segment = await segments.get(session, segment_id)
    listed = set(
        (await session.scalars(select(CampaignTarget.member).where(CampaignTarget.campaign_id == campaign_id))).all()
    )
    added = already = 0
    async for chunk in segments.all_members(session, segment):
        for member in chunk:
            if member.key in listed:
                already += 1
                continue
            listed.add(member.key)
            session.add(
                CampaignTarget(
                    campaign_id=campaign_id,
                    member=member.key,
                    customer_id=member.id if member.type == "customer" else None,
                    lead_id=member.id if member.type == "lead" else None,
                    name=member.name[:200],
                    email=member.email.lower() if member.email else None,
                    phone=member.phone,
                    mail_status="listed",
                )
            )
            added += 1
        await session.flush()
    return {"added": added, "already_listed": already} | await summary(session, campaign_id)


async def summary(session: AsyncSession, campaign_id: int) -> dict[str, Any]:
    """How many are on the list, with an e-mail address, with a phone, and per mail status."""
    await _campaign(session, campaign_id)
    by_status = dict(
        (
            await session.execute(
                select(CampaignTarget.mail_status, func.count())
                .where(CampaignTarget.campaign_id == campaign_id)
                .group_by(CampaignTarget.mail_status)
            )
        ).all()
    )
    reach = (
        await session.execute(
            select(func.count(), func.count(CampaignTarget.email), func.count(CampaignTarget.phone)).where(
                CampaignTarget.campaign_id == campaign_id
            )
        )
    ).one()
    return {
        "targets": int(reach[0]),
        "with_email": int(reach[1]),
        "with_phone": int(reach[2]),
        "mail": {
            status: int(by_status.get(status, 0)) for status in ("listed", "queued", "sent", "failed", "opted_out")
        },
    }


async def write_mail(session: AsyncSession, campaign_id: int, body: MailIn) -> dict[str, Any]:
    """The campaign's e-mail, queued for every target with an address who has not had it; opted-out addresses
    are marked and left out. A campaign sends one e-mail: writing it again changes what the rest still get."""
    campaign = await _campaign(session, campaign_id)
    if campaign.channel != "email":
        raise Conflict(f"campaign {campaign.name!r} is a {campaign.channel} campaign, not an e-mail one")
    campaign.mail_subject, campaign.mail_body = body.subject, body.body
    opted_out = select(EmailOptOut.email)
    waiting = (
        CampaignTarget.campaign_id == campaign_id,
        CampaignTarget.mail_status.in_(("listed", "failed")),
        CampaignTarget.email.is_not(None),
    )
    await session.execute(
        update(CampaignTarget).where(*waiting, CampaignTarget.email.in_(opted_out)).values(mail_status="opted_out")
    )
    await session.execute(update(CampaignTarget).where(*waiting).values(mail_status="queued", mail_error=None))
    await session.flush()
    return await summary(session, campaign_id)


@dataclass(frozen=True, slots=True)
class Outgoing:
    target_id: int
    campaign_id: int
    to: str
    subject: str
    body: str


async def next_mail(session: AsyncSession, limit: int = SENDING_BATCH) -> list[Outgoing]:
    """The next e-mails to send, oldest targets first."""
    rows = await session.execute(
        select(
            CampaignTarget.id,
            CampaignTarget.campaign_id,
            CampaignTarget.email,
            MarketingCampaign.mail_subject,
            MarketingCampaign.mail_body,
        )
        .join(MarketingCampaign, MarketingCampaign.id == CampaignTarget.campaign_id)
        .where(CampaignTarget.mail_status == "queued")
        .order_by(CampaignTarget.id)
        .limit(limit)
    )
    return [Outgoing(r[0], r[1], r[2], r[3] or "", r[4] or "") for r in rows if r[2]]


async def mailed(session: AsyncSession, target_id: int, now: dt.datetime, error: str | None = None) -> None:
    """What became of one e-mail; an address that opted out meanwhile is not sent (the sender asks ``opted_out``)."""
    values: dict[str, Any] = (
        {"mail_status": "failed", "mail_error": error[:300]}
        if error
        else {
            "mail_status": "sent",
            "mailed_at": now,
        }
    )
    await session.execute(update(CampaignTarget).where(CampaignTarget.id == target_id).values(**values))


async def has_opted_out(session: AsyncSession, email: str) -> bool:
    return await session.get(EmailOptOut, email.lower()) is not None


async def opt_out(session: AsyncSession, email: str, campaign_id: int | None, now: dt.datetime) -> None:
    """No more marketing e-mail to ``email`` from any campaign; what is queued for it is withdrawn."""
    address = email.lower()
    if await session.get(EmailOptOut, address) is None:
        known = campaign_id is not None and await session.get(MarketingCampaign, campaign_id) is not None
        session.add(EmailOptOut(email=address, at=now, campaign_id=campaign_id if known else None))
    await session.execute(
        update(CampaignTarget)
        .where(CampaignTarget.email == address, CampaignTarget.mail_status.in_(("listed", "queued", "failed")))
        .values(mail_status="opted_out")
    )
    await session.flush()


def unsubscribe_token(secret: str, email: str) -> str:
    digest = hmac.new(secret.encode(), b"unsubscribe:" + email.lower().encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest[:18]).decode()


def token_matches(secret: str, email: str, token: str) -> bool:
    return hmac.compare_digest(unsubscribe_token(secret, email), token)


async def to_dialer(session: AsyncSession, campaign_id: int, dialer_campaign: str) -> dict[str, Any]:
    """The targets' phone numbers on an outbound campaign's dialing list (made, as a draft in preview mode, if
    new); a number on that list already is skipped. The dialer checks calling windows and the do-not-call list
    when it dials."""
    marketing = await _campaign(session, campaign_id)
    campaign = (await session.scalars(select(Campaign).where(Campaign.name == dialer_campaign))).first()
    made = campaign is None
    if campaign is None:
        campaign = Campaign(name=dialer_campaign, mode="preview", status="draft")
        session.add(campaign)
        await session.flush()
    on_list = set(
        (await session.scalars(select(DialingRecord.number).where(DialingRecord.campaign_id == campaign.id))).all()
    )
    loaded = duplicates = without_phone = 0
    targets = await session.execute(
        select(CampaignTarget.phone, CampaignTarget.name, CampaignTarget.customer_id, CampaignTarget.lead_id)
        .where(CampaignTarget.campaign_id == campaign_id)
        .order_by(CampaignTarget.id)
    )
    for phone, name, customer_id, lead_id in targets:
        if not phone:
            without_phone += 1
            continue
        if phone in on_list:
            duplicates += 1
            continue
        on_list.add(phone)
        first, _, last = name.partition(" ")
        data = {"marketing_campaign": marketing.name} | ({"lead_id": str(lead_id)} if lead_id else {})
        session.add(
            DialingRecord(
                campaign_id=campaign.id,
                number=phone,
                first_name=first[:100],
                last_name=last[:100],
                customer_id=customer_id,
                data=data,
                source=f"marketing campaign {marketing.id}"[:300],
            )
        )
        loaded += 1
    await session.flush()
    return {
        "campaign": campaign.name,
        "created_campaign": made,
        "loaded": loaded,
        "already_on_list": duplicates,
        "without_phone": without_phone,
    }
