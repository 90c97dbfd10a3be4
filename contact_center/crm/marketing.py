"""Marketing campaigns as stored: made, their costs and responses recorded, and their effectiveness read back
from the leads and deals that name them (domain/sales/marketing.py says how it is counted)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from pydantic import Field, StringConstraints, ValidationInfo, field_validator
from sqlalchemy import and_, case, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from contact_center.crm.errors import Conflict, NotFound, ValidationFailed
from contact_center.crm.phone_schemas import Strict
from contact_center.crm.schemas import NON_BLANK, Currency, Day, Id
from contact_center.domain.sales.marketing import Counts, attainment, effect, revenue_in_group
from contact_center.store.tables import (
    MARKETING_CHANNELS,
    RESPONSE_KINDS,
    CampaignCost,
    CampaignResponse,
    Customer,
    Lead,
    MarketingCampaign,
    MarketingPlan,
    Opportunity,
    Order,
    Product,
)

Cents = Annotated[int, Field(ge=0, le=10**12)]


class CampaignCreate(Strict):
    name: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200), NON_BLANK]
    channel: Literal[MARKETING_CHANNELS]  # type: ignore[valid-type]
    product_group: (
        Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=64), NON_BLANK] | None
    ) = None
    starts_on: Day
    ends_on: Day | None = None
    budget_cents: Cents = 0
    currency: Currency = "USD"
    description: Annotated[str, StringConstraints(max_length=5000)] = ""

    @field_validator("ends_on")
    @classmethod
    def _after_start(cls, value: dt.date | None, info: ValidationInfo) -> dt.date | None:
        starts = info.data.get("starts_on")
        if value is not None and starts is not None and value < starts:
            raise ValueError("is before starts_on")
        return value


class CostIn(Strict):
    spent_on: Day
    amount_cents: Annotated[int, Field(ge=1, le=10**12)]
    note: Annotated[str, StringConstraints(max_length=300)] = ""


class ResponseIn(Strict):
    kind: Literal[RESPONSE_KINDS]  # type: ignore[valid-type]
    lead_id: Id | None = None
    customer_id: Id | None = None


def campaign_json(row: MarketingCampaign) -> dict[str, Any]:
    return {
        "id": row.id,
        "name": row.name,
        "channel": row.channel,
        "product_group": row.product_group,
        "starts_on": row.starts_on.isoformat(),
        "ends_on": row.ends_on.isoformat() if row.ends_on else None,
        "budget_cents": row.budget_cents,
        "currency": row.currency,
        "description": row.description,
    }


async def create(session: AsyncSession, data: CampaignCreate) -> MarketingCampaign:
    clash = await session.scalar(select(MarketingCampaign.id).where(MarketingCampaign.name == data.name))
    if clash is not None:
        raise Conflict(f"a campaign named {data.name!r} exists already", {"type": "marketing_campaign", "id": clash})
    row = MarketingCampaign(**data.model_dump())
    session.add(row)
    await session.flush()
    return row


async def _campaign(session: AsyncSession, campaign_id: int) -> MarketingCampaign:
    row = await session.get(MarketingCampaign, campaign_id)
    if row is None:
        raise NotFound("marketing campaign", campaign_id)
    return row


async def add_cost(session: AsyncSession, campaign_id: int, data: CostIn) -> dict[str, Any]:
    await _campaign(session, campaign_id)
    row = CampaignCost(campaign_id=campaign_id, **data.model_dump())
    session.add(row)
    await session.flush()
    return {"id": row.id, "campaign_id": campaign_id, **data.model_dump(mode="json")}


async def add_response(session: AsyncSession, campaign_id: int, data: ResponseIn, now: dt.datetime) -> dict[str, Any]:
    """Someone answered the campaign. A lead who answers and came from no campaign yet is credited to this one."""
    await _campaign(session, campaign_id)
    if (data.lead_id is None) == (data.customer_id is None):
        raise ValidationFailed.one("lead_id", "name the lead or the customer who responded (one of them)")
    if data.lead_id is not None:
        lead = await session.get(Lead, data.lead_id)
        if lead is None:
            raise ValidationFailed.one("lead_id", f"no lead {data.lead_id}")
        if lead.campaign_id is None:
            lead.campaign_id = campaign_id
    elif await session.get(Customer, data.customer_id) is None:
        raise ValidationFailed.one("customer_id", f"no customer {data.customer_id}")
    row = CampaignResponse(campaign_id=campaign_id, at=now, **data.model_dump())
    session.add(row)
    await session.flush()
    return {"id": row.id, "campaign_id": campaign_id, "at": now.isoformat(), **data.model_dump()}


async def effectiveness(session: AsyncSession) -> list[dict[str, Any]]:
    """Every campaign with its counts, costs, cost per lead and ROI; newest first. Each figure is one grouped
    query over an indexed column (campaign_id), whatever the number of campaigns."""
    campaigns = (await session.scalars(select(MarketingCampaign).order_by(MarketingCampaign.starts_on.desc()))).all()
    responses = dict(
        (
            await session.execute(
                select(CampaignResponse.campaign_id, func.count()).group_by(CampaignResponse.campaign_id)
            )
        ).all()
    )
    costs = dict(
        (
            await session.execute(
                select(CampaignCost.campaign_id, func.sum(CampaignCost.amount_cents)).group_by(CampaignCost.campaign_id)
            )
        ).all()
    )
    leads = {
        row[0]: (row[1], row[2])
        for row in await session.execute(
            select(Lead.campaign_id, func.count(), func.sum(case((Lead.rating == "hot", 1), else_=0)))
            .where(Lead.campaign_id.is_not(None))
            .group_by(Lead.campaign_id)
        )
    }
    # Won revenue in the campaign's own currency: amounts in others are not added in (no rates are kept); how
    # many deals were won in another currency is said beside.
    won = Opportunity.stage == "won"
    same = Opportunity.currency == MarketingCampaign.currency
    deals = {
        row[0]: (row[1], row[2], row[3], row[4])
        for row in await session.execute(
            select(
                Opportunity.campaign_id,
                func.count(),
                func.sum(case((won, 1), else_=0)),
                func.sum(case((and_(won, same), Opportunity.amount_cents), else_=0)),
                func.sum(case((and_(won, ~same), 1), else_=0)),
            )
            .join(MarketingCampaign, MarketingCampaign.id == Opportunity.campaign_id)
            .group_by(Opportunity.campaign_id)
        )
    }
    out = []
    for c in campaigns:
        lead_count, hot = leads.get(c.id, (0, 0))
        deal_count, won_deals, revenue, elsewhere = deals.get(c.id, (0, 0, 0, 0))
        counts = Counts(
            responses=int(responses.get(c.id, 0)),
            leads=int(lead_count),
            hot_leads=int(hot or 0),
            opportunities=int(deal_count),
            won=int(won_deals or 0),
            won_revenue_cents=int(revenue or 0),
            cost_cents=int(costs.get(c.id) or 0),
        )
        e = effect(counts)
        out.append(
            campaign_json(c)
            | {
                "responses": counts.responses,
                "leads": counts.leads,
                "hot_leads": counts.hot_leads,
                "opportunities": counts.opportunities,
                "won": counts.won,
                "won_revenue_cents": counts.won_revenue_cents,
                "won_in_other_currencies": int(elsewhere or 0),
                "cost_cents": counts.cost_cents,
                "cost_per_lead_cents": e.cost_per_lead_cents,
                "cost_per_won_cents": e.cost_per_won_cents,
                "lead_to_won": e.lead_to_won,
                "roi": e.roi,
            }
        )
    return out


# --- marketing plans ---------------------------------------------------------------------------------------


class PlanCreate(Strict):
    period_start: Day
    period_end: Day
    product_group: (
        Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=64), NON_BLANK] | None
    ) = None
    geography: Annotated[str, StringConstraints(pattern=r"^[A-Z]{2}$")] | None = None  # a customer's country
    target_leads: Annotated[int, Field(ge=0, le=10**9)] = 0
    target_revenue_cents: Cents = 0
    currency: Currency = "USD"
    notes: Annotated[str, StringConstraints(max_length=5000)] = ""

    @field_validator("period_end")
    @classmethod
    def _in_order(cls, value: dt.date, info: ValidationInfo) -> dt.date:
        starts = info.data.get("period_start")
        if starts is not None and value < starts:
            raise ValueError("is before period_start")
        return value


async def add_plan(session: AsyncSession, data: PlanCreate) -> dict[str, Any]:
    row = MarketingPlan(**data.model_dump())
    session.add(row)
    await session.flush()
    return (await plans_with_actuals(session, [row]))[0]


async def plans(session: AsyncSession) -> list[dict[str, Any]]:
    rows = (
        await session.scalars(select(MarketingPlan).order_by(MarketingPlan.period_start.desc(), MarketingPlan.id))
    ).all()
    return await plans_with_actuals(session, list(rows))


async def plans_with_actuals(session: AsyncSession, rows: list[MarketingPlan]) -> list[dict[str, Any]]:
    """Each plan with its actuals: leads made in the period (by campaigns for its product group; in its geography
    once converted to a customer there) and revenue from orders placed in the period (lines of its product group,
    customers in its geography, in its currency), and how much of each target they reached."""
    group_of_sku = dict((await session.execute(select(Product.sku, Product.group))).all())
    out = []
    for plan in rows:
        start = dt.datetime.combine(plan.period_start, dt.time(), dt.UTC)
        end = dt.datetime.combine(plan.period_end + dt.timedelta(days=1), dt.time(), dt.UTC)
        leads = select(func.count()).select_from(Lead).where(Lead.created_at >= start, Lead.created_at < end)
        if plan.product_group is not None:
            leads = leads.join(MarketingCampaign, MarketingCampaign.id == Lead.campaign_id).where(
                MarketingCampaign.product_group == plan.product_group
            )
        if plan.geography is not None:
            leads = leads.join(Customer, Customer.id == Lead.customer_id).where(Customer.country == plan.geography)
        orders = select(Order.items).where(
            Order.placed_at >= start,
            Order.placed_at < end,
            Order.currency == plan.currency,
            Order.status != "cancelled",
        )
        if plan.geography is not None:
            orders = orders.join(Customer, Customer.id == Order.customer_id).where(Customer.country == plan.geography)
        actual_leads = int(await session.scalar(leads) or 0)
        revenue = sum(
            revenue_in_group(items or [], group_of_sku, plan.product_group)
            for items in (await session.scalars(orders)).all()
        )
        out.append(
            {
                "id": plan.id,
                "period_start": plan.period_start.isoformat(),
                "period_end": plan.period_end.isoformat(),
                "product_group": plan.product_group,
                "geography": plan.geography,
                "currency": plan.currency,
                "notes": plan.notes,
                "target_leads": plan.target_leads,
                "actual_leads": actual_leads,
                "leads_attained": attainment(plan.target_leads, actual_leads),
                "target_revenue_cents": plan.target_revenue_cents,
                "actual_revenue_cents": revenue,
                "revenue_attained": attainment(plan.target_revenue_cents, revenue),
            }
        )
    return out


REPORT_COLUMNS = (
    "name",
    "channel",
    "starts_on",
    "currency",
    "budget_cents",
    "cost_cents",
    "responses",
    "leads",
    "hot_leads",
    "opportunities",
    "won",
    "won_revenue_cents",
    "won_in_other_currencies",
    "cost_per_lead_cents",
    "lead_to_won",
    "roi",
)

PLAN_COLUMNS = (
    "period_start",
    "period_end",
    "product_group",
    "geography",
    "currency",
    "target_leads",
    "actual_leads",
    "leads_attained",
    "target_revenue_cents",
    "actual_revenue_cents",
    "revenue_attained",
    "notes",
)
