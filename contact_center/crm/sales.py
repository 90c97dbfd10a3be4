"""Opportunities and leads: stage and status changes (and the other tracked fields) go on the timeline."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from contact_center.crm import webhooks
from contact_center.crm.changes import change_activity, describe, tracked_changes
from contact_center.crm.customers import create_customer, customer_with_email
from contact_center.crm.errors import Conflict, ValidationFailed
from contact_center.crm.generic import apply_update, create_record
from contact_center.crm.records import get_or_404
from contact_center.crm.schemas import CustomerCreate
from contact_center.store.tables import Activity, Lead, MarketingCampaign, Opportunity, Phone

CLOSED_STAGES = frozenset({"won", "lost"})
OPPORTUNITY_TRACKED = ("stage", "amount_cents", "currency", "probability", "expected_close", "owner_id")
LEAD_TRACKED = ("status", "score", "rating", "owner_id")
LABELS = {"amount_cents": "amount", "owner_id": "owner", "rating": "temperature"}
FORMATS = {"amount_cents": lambda cents: f"{cents / 100:,.2f}", "probability": lambda p: f"{p} %"}


async def create_lead(session: AsyncSession, values: dict[str, Any], now: dt.datetime) -> Lead:
    """A new lead, unless it is someone we know already: the same phone or e-mail as a lead or a customer
    is refused (409) naming that record, so nobody is called twice as a stranger."""
    phone, email = values.get("phone"), (values.get("email") or "").strip().lower() or None
    if phone:
        lead = await session.scalar(select(Lead.id).where(Lead.phone == phone).limit(1))
        if lead is not None:
            raise Conflict(f"lead {lead} has the phone {phone} already", {"type": "lead", "id": lead})
        customer = await session.scalar(select(Phone.customer_id).where(Phone.e164 == phone).limit(1))
        if customer is not None:
            raise Conflict(f"customer {customer} has the phone {phone}", {"type": "customer", "id": customer})
    if email:
        lead = await session.scalar(select(Lead.id).where(func.lower(Lead.email) == email).limit(1))
        if lead is not None:
            raise Conflict(f"lead {lead} has the e-mail {email} already", {"type": "lead", "id": lead})
        customer = await customer_with_email(session, email)
        if customer is not None:
            raise Conflict(f"customer {customer} has the e-mail {email}", {"type": "customer", "id": customer})
    values["email"] = email
    await _known_campaign(session, values)
    return await create_record(session, Lead, values)


async def _known_campaign(session: AsyncSession, values: dict[str, Any]) -> None:
    campaign_id = values.get("campaign_id")
    if campaign_id is not None and await session.get(MarketingCampaign, campaign_id) is None:
        raise ValidationFailed.one("campaign_id", f"no marketing campaign {campaign_id}")


async def create_opportunity(session: AsyncSession, values: dict[str, Any], now: dt.datetime) -> Opportunity:
    if values.get("stage") in CLOSED_STAGES:
        values["closed_at"] = now
    await _known_campaign(session, values)
    return await create_record(session, Opportunity, values)


async def update_opportunity(
    session: AsyncSession, opportunity_id: int, values: dict[str, Any], agent_id: int | None, now: dt.datetime
) -> Opportunity:
    """Apply a PATCH; a closing stage sets ``closed_at`` and reopening clears it, all in one opportunity_change."""
    row = await get_or_404(session, Opportunity, opportunity_id)
    await _known_campaign(session, values)
    changes = tracked_changes(row, values, OPPORTUNITY_TRACKED)
    if "stage" in changes:
        closing, was_closed = values["stage"] in CLOSED_STAGES, row.stage in CLOSED_STAGES
        if closing and not was_closed:
            values["closed_at"] = now
        elif was_closed and not closing:
            values["closed_at"] = None
    row = await apply_update(session, row, values)
    if changes:
        session.add(
            change_activity(
                "opportunity_change",
                f"Opportunity {row.name}: {describe(changes, LABELS, FORMATS)}",
                changes,
                agent_id=agent_id,
                now=now,
                outcome=row.stage,
                extra={"currency": row.currency},
                customer_id=row.customer_id,
                account_id=row.account_id,
                opportunity_id=row.id,
            )
        )
        await session.flush()
    return row


async def update_lead(
    session: AsyncSession, lead_id: int, values: dict[str, Any], agent_id: int | None, now: dt.datetime
) -> Lead:
    """Apply a PATCH; status, score, temperature and owner changes are one lead_change on the timeline."""
    row = await get_or_404(session, Lead, lead_id)
    await _known_campaign(session, values)
    changes = tracked_changes(row, values, LEAD_TRACKED)
    row = await apply_update(session, row, values)
    if changes:
        name = " ".join(filter(None, (row.first_name, row.last_name)))
        session.add(
            change_activity(
                "lead_change",
                f"Lead {name}: {describe(changes, LABELS, FORMATS)}",
                changes,
                agent_id=agent_id,
                now=now,
                outcome=row.status,
                customer_id=row.customer_id,
                lead_id=row.id,
            )
        )
        await session.flush()
    return row


async def convert_lead(
    session: AsyncSession,
    lead_id: int,
    opportunity_name: str | None,
    agent_id: int | None,
    now: dt.datetime,
    region: str,
) -> tuple[Lead, int, Opportunity]:
    """The lead becomes a customer (theirs when the lead already names one) and an opportunity; what the lead
    collected on the timeline moves to the customer, so nothing of its history is lost."""
    lead = await get_or_404(session, Lead, lead_id)
    if lead.status == "converted":
        raise Conflict(
            f"lead {lead_id} is converted already (customer {lead.customer_id})",
            {"type": "customer", "id": lead.customer_id},
        )
    customer_id = lead.customer_id
    if customer_id is None:
        data = CustomerCreate.model_validate(
            {
                "first_name": lead.first_name or "",
                "last_name": lead.last_name,
                "phones": [lead.phone] if lead.phone else [],
                "emails": [lead.email] if lead.email else [],
            }
        )
        customer_id = (await create_customer(session, data, region)).id
    name = opportunity_name or f"{lead.company or ' '.join(filter(None, (lead.first_name, lead.last_name)))}"
    opportunity = await create_opportunity(
        session,
        {
            "name": name[:200],
            "customer_id": customer_id,
            "owner_id": lead.owner_id or agent_id,
            "campaign_id": lead.campaign_id,  # first touch: the campaign that brought the lead gets the deal
        },
        now,
    )
    await session.execute(update(Activity).where(Activity.lead_id == lead.id).values(customer_id=customer_id))
    await update_lead(session, lead.id, {"status": "converted", "customer_id": customer_id}, agent_id, now)
    event = {"lead_id": lead.id, "customer_id": customer_id, "opportunity_id": opportunity.id, "source": lead.source}
    await webhooks.enqueue(session, "lead.converted", event, now)
    return lead, customer_id, opportunity
