"""Customers' equipment and service contracts, and what each piece is entitled to today."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from pydantic import Field, StringConstraints, ValidationInfo, field_validator
from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from contact_center.crm import contract_tiers
from contact_center.crm.changes import change_activity
from contact_center.crm.contract_tiers import TierName
from contact_center.crm.errors import Conflict, FieldError, NotFound, ValidationFailed
from contact_center.crm.phone_schemas import Strict
from contact_center.crm.schemas import Day, Id
from contact_center.domain.service.entitlements import ContractTerm, Tier, entitlement, warranty_cover
from contact_center.store.tables import (
    Case,
    Customer,
    Equipment,
    Opportunity,
    Product,
    ServiceContract,
    WarrantyClaim,
    contract_equipment,
)

Label = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]


class EquipmentCreate(Strict):
    customer_id: Id
    model: Label  # a product's SKU or name (its warranty), or any model name
    serial: Label
    installed_on: Day | None = None
    location: Annotated[str, StringConstraints(strip_whitespace=True, max_length=200)] = ""


class ContractCreate(Strict):
    customer_id: Id
    tier: TierName  # one of the contract tiers (GET /api/v1/contract-tiers)
    starts_on: Day
    ends_on: Day
    equipment_ids: list[Id] = Field(default_factory=list, max_length=1000)

    @field_validator("ends_on")
    @classmethod
    def _after_start(cls, value: dt.date, info: ValidationInfo) -> dt.date:
        starts = info.data.get("starts_on")
        if starts is not None and value < starts:
            raise ValueError("is before starts_on")
        return value


def equipment_json(row: Equipment) -> dict[str, Any]:
    return {
        "id": row.id,
        "customer_id": row.customer_id,
        "product_id": row.product_id,
        "model": row.model,
        "serial": row.serial,
        "installed_on": row.installed_on.isoformat() if row.installed_on else None,
        "location": row.location,
    }


def contract_json(row: ServiceContract, equipment_ids: list[int], tier: Tier) -> dict[str, Any]:
    return {
        "id": row.id,
        "customer_id": row.customer_id,
        "tier": row.tier,
        "starts_on": row.starts_on.isoformat(),
        "ends_on": row.ends_on.isoformat(),
        "equipment_ids": equipment_ids,
        "response_hours": tier.response_hours,
        "resolution_hours": tier.resolution_hours,
        "visits_per_year": tier.visits_per_year,
        "cover_calendar": tier.cover_calendar,
    }


async def add_equipment(session: AsyncSession, data: EquipmentCreate, today: dt.date) -> Equipment:
    errors: list[FieldError] = []
    if await session.get(Customer, data.customer_id) is None:
        errors.append(FieldError("customer_id", f"no customer {data.customer_id}"))
    if data.installed_on is not None and data.installed_on > today:
        errors.append(FieldError("installed_on", "is in the future"))
    if errors:
        raise ValidationFailed(errors)
    taken = await session.scalar(
        select(Equipment.id).where(Equipment.model == data.model, Equipment.serial == data.serial)
    )
    if taken is not None:
        raise Conflict(f"{data.model} serial {data.serial} is registered already", {"type": "equipment", "id": taken})
    product = await session.scalar(select(Product.id).where(or_(Product.sku == data.model, Product.name == data.model)))
    row = Equipment(**data.model_dump(), product_id=product)
    session.add(row)
    await session.flush()
    return row


async def add_contract(session: AsyncSession, data: ContractCreate) -> ServiceContract:
    errors: list[FieldError] = []
    if await contract_tiers.tier(session, data.tier) is None:
        known = ", ".join(await contract_tiers.tiers(session))
        errors.append(FieldError("tier", f"no contract tier {data.tier!r} (there are {known or 'none'})"))
    if await session.get(Customer, data.customer_id) is None:
        errors.append(FieldError("customer_id", f"no customer {data.customer_id}"))
    wanted = set(data.equipment_ids)
    owned = set(
        (
            await session.scalars(
                select(Equipment.id).where(Equipment.id.in_(wanted), Equipment.customer_id == data.customer_id)
            )
        ).all()
    )
    if wanted - owned:
        missing = ", ".join(str(i) for i in sorted(wanted - owned))
        errors.append(FieldError("equipment_ids", f"not this customer's equipment: {missing}"))
    if errors:
        raise ValidationFailed(errors)
    row = ServiceContract(customer_id=data.customer_id, tier=data.tier, starts_on=data.starts_on, ends_on=data.ends_on)
    session.add(row)
    await session.flush()
    if wanted:
        await session.execute(
            contract_equipment.insert(), [{"contract_id": row.id, "equipment_id": e} for e in sorted(wanted)]
        )
    return row


async def entitlements(session: AsyncSession, customer_id: int, today: dt.date) -> list[dict[str, Any]]:
    """Per piece of the customer's equipment: its warranty and the contract covering it (null when none)."""
    if await session.get(Customer, customer_id) is None:
        raise NotFound("customer", customer_id)
    pieces = (
        await session.execute(
            select(Equipment, Product.warranty_months, Product.warranty_labour_months)
            .outerjoin(Product, Product.id == Equipment.product_id)
            .where(Equipment.customer_id == customer_id)
            .order_by(Equipment.id)
        )
    ).all()
    covers: dict[int, list[ContractTerm]] = {}
    query = (
        select(contract_equipment.c.equipment_id, ServiceContract)
        .join(ServiceContract, ServiceContract.id == contract_equipment.c.contract_id)
        .where(ServiceContract.customer_id == customer_id)
    )
    for equipment_id, contract in (await session.execute(query)).all():
        covers.setdefault(equipment_id, []).append(
            ContractTerm(contract.id, contract.tier, contract.starts_on, contract.ends_on)
        )
    items = []
    for piece, months, labour_months in pieces:
        found = entitlement(piece.installed_on, months or 0, covers.get(piece.id, []), today)
        labour = warranty_cover(piece.installed_on, months or 0, labour_months or 0, today)
        contract = found.contract
        items.append(
            {
                **equipment_json(piece),
                "equipment_id": piece.id,
                "warranty_until": found.warranty_until.isoformat() if found.warranty_until else None,
                "in_warranty": found.in_warranty,
                "labour_warranty_until": labour.labour_until.isoformat() if labour.labour_until else None,
                "in_labour_warranty": labour.labour,
                "contract": None
                if contract is None
                else {
                    "id": contract.id,
                    "tier": contract.tier,
                    "starts_on": contract.starts_on.isoformat(),
                    "ends_on": contract.ends_on.isoformat(),
                    "active": found.contract_active,
                },
            }
        )
    return items


async def contract_equipment_ids(session: AsyncSession, contract_id: int) -> list[int]:
    query = select(contract_equipment.c.equipment_id).where(contract_equipment.c.contract_id == contract_id)
    return sorted((await session.scalars(query)).all())


RENEWAL_LEAD_DAYS = 60  # a contract's renewal is a deal this long before it ends


async def open_renewals(
    session: AsyncSession, today: dt.date, lead_days: int = RENEWAL_LEAD_DAYS
) -> list[dict[str, Any]]:
    """Each contract ending within ``lead_days`` that has no renewal deal yet gets one: an opportunity for
    the customer, owned by their account manager, expected to close when the contract ends, on the timeline.
    What was made (``contract_id``, ``opportunity_id``, ``owner_id``, ``customer_id``, ``ends_on``)."""
    query = select(ServiceContract).where(
        ServiceContract.renewal_opportunity_id.is_(None),
        ServiceContract.ends_on >= today,
        ServiceContract.ends_on <= today + dt.timedelta(days=lead_days),
    )
    made = []
    for contract in (await session.scalars(query.order_by(ServiceContract.ends_on, ServiceContract.id))).all():
        customer = await session.get_one(Customer, contract.customer_id)
        name = f"Renewal: {contract.tier} contract, {customer.first_name} {customer.last_name}".strip()
        deal = Opportunity(
            name=name[:200],
            customer_id=customer.id,
            account_id=customer.account_id,
            owner_id=customer.account_manager_id,
            stage="prospecting",
            probability=50,
            expected_close=contract.ends_on,
        )
        session.add(deal)
        await session.flush()
        contract.renewal_opportunity_id = deal.id
        session.add(
            change_activity(
                "opportunity_change",
                f"Renewal opened: the {contract.tier} contract ends on {contract.ends_on.isoformat()}",
                {"stage": {"from": None, "to": "prospecting"}},
                agent_id=None,
                now=dt.datetime.combine(today, dt.time(), dt.UTC),
                outcome="prospecting",
                customer_id=customer.id,
                account_id=customer.account_id,
                opportunity_id=deal.id,
            )
        )
        made.append(
            {
                "contract_id": contract.id,
                "opportunity_id": deal.id,
                "owner_id": customer.account_manager_id,
                "customer_id": customer.id,
                "name": deal.name,
                "ends_on": contract.ends_on.isoformat(),
            }
        )
    await session.flush()
    return made


# --- warranty claims -------------------------------------------------------------------------------


class ClaimCreate(Strict):
    problem: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=2000)]
    case_id: Id | None = None  # the customer's case it came from, when there is one


async def file_claim(
    session: AsyncSession, equipment_id: int, data: ClaimCreate, *, now: dt.datetime, actor: str, agent_id: int | None
) -> WarrantyClaim:
    """A claim under the piece's warranty, checked by its model's parts and labour months from its install date;
    refused (naming why) when the warranty covers nothing today. On the customer's timeline."""
    found = (
        await session.execute(
            select(Equipment, Product.warranty_months, Product.warranty_labour_months)
            .outerjoin(Product, Product.id == Equipment.product_id)
            .where(Equipment.id == equipment_id)
        )
    ).first()
    if found is None:
        raise NotFound("equipment", equipment_id)
    piece, parts_months, labour_months = found
    if data.case_id is not None:
        case = await session.get(Case, data.case_id)
        if case is None or case.customer_id != piece.customer_id:
            raise ValidationFailed.one("case_id", f"no case {data.case_id} of this equipment's customer")
    today = now.date()
    cover = warranty_cover(piece.installed_on, parts_months or 0, labour_months or 0, today)
    if cover.covers is None:
        raise ValidationFailed.one("equipment_id", _why_not_covered(piece, cover.parts_until, cover.labour_until))
    claim = WarrantyClaim(
        equipment_id=piece.id,
        customer_id=piece.customer_id,
        case_id=data.case_id,
        problem=data.problem,
        covers=cover.covers,
        claimed_on=today,
        created_by=actor,
    )
    session.add(claim)
    await session.flush()
    session.add(
        change_activity(
            "warranty_claim",
            f"Warranty claim on {piece.model} {piece.serial} ({cover.covers.replace('_', ' ')}): {data.problem}",
            {"claim": {"from": None, "to": claim.id}},
            agent_id=agent_id,
            now=now,
            outcome=cover.covers,
            extra={"equipment_id": piece.id, "claim_id": claim.id},
            customer_id=piece.customer_id,
            case_id=data.case_id,
        )
    )
    return claim


def _why_not_covered(piece: Equipment, parts_until: dt.date | None, labour_until: dt.date | None) -> str:
    if piece.installed_on is None:
        return f"{piece.model} {piece.serial} has no install date: its warranty cannot be checked"
    if parts_until is None and labour_until is None:
        return f"{piece.model} has no warranty in the catalog"
    ended = max(d for d in (parts_until, labour_until) if d is not None)
    return f"out of warranty: it ended on {ended.isoformat()}"


async def claims(session: AsyncSession, equipment_id: int) -> list[WarrantyClaim]:
    if await session.get(Equipment, equipment_id) is None:
        raise NotFound("equipment", equipment_id)
    query = select(WarrantyClaim).where(WarrantyClaim.equipment_id == equipment_id).order_by(WarrantyClaim.id.desc())
    return list((await session.scalars(query)).all())


def claim_json(row: WarrantyClaim) -> dict[str, Any]:
    return {
        "id": row.id,
        "equipment_id": row.equipment_id,
        "customer_id": row.customer_id,
        "case_id": row.case_id,
        "problem": row.problem,
        "covers": row.covers,
        "claimed_on": row.claimed_on.isoformat(),
        "created_by": row.created_by,
    }
