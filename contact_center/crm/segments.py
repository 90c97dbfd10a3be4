"""Segments: saved filters over customers or leads, and who is in one now. A campaign's target list is taken from
a segment (``crm/campaign_targets.py``); the segment itself stays a filter, so it grows with the CRM."""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Annotated, Any, Literal

from pydantic import BaseModel, StringConstraints, ValidationError, ValidationInfo, field_validator
from sqlalchemy import Select, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from contact_center.crm.errors import Conflict, NotFound
from contact_center.crm.phone_schemas import Strict
from contact_center.crm.schemas import NON_BLANK, Day, Id
from contact_center.store.tables import LEAD_RATINGS, LEAD_STATUSES, SEGMENT_KINDS, Customer, Lead, Phone, Segment

Short = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=64), NON_BLANK]


class CustomerFilter(Strict):
    """Customers: every field given must match (none given: every customer)."""

    country: Annotated[str, StringConstraints(pattern=r"^[A-Z]{2}$")] | None = None
    segment: Short | None = None
    vip: bool | None = None
    language: Short | None = None
    created_from: Day | None = None
    created_to: Day | None = None


class LeadFilter(Strict):
    """Leads: every field given must match (none given: every lead)."""

    source: Short | None = None
    rating: Literal[LEAD_RATINGS] | None = None  # type: ignore[valid-type]
    status: Literal[LEAD_STATUSES] | None = None  # type: ignore[valid-type]
    campaign_id: Id | None = None
    created_from: Day | None = None
    created_to: Day | None = None


FILTERS: dict[str, type[BaseModel]] = {"customers": CustomerFilter, "leads": LeadFilter}


class SegmentCreate(Strict):
    name: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200), NON_BLANK]
    kind: Literal[SEGMENT_KINDS]  # type: ignore[valid-type]
    filter: dict[str, Any] = {}

    @field_validator("filter")
    @classmethod
    def _filter_of_kind(cls, value: dict[str, Any], info: ValidationInfo) -> dict[str, Any]:
        kind = info.data.get("kind")
        if kind not in FILTERS:
            return value  # the kind is refused on its own
        try:
            checked = FILTERS[kind].model_validate(value)
        except ValidationError as exc:
            first = exc.errors()[0]
            where = ".".join(str(p) for p in first["loc"])
            raise ValueError(f"{where}: {first['msg']}" if where else first["msg"]) from None
        found: dict[str, Any] = checked.model_dump(mode="json", exclude_none=True)
        return found


@dataclass(frozen=True, slots=True)
class Member:
    type: str  # customer | lead
    id: int
    name: str
    email: str | None
    phone: str | None

    @property
    def key(self) -> str:
        return f"{self.type}:{self.id}"

    def json(self) -> dict[str, Any]:
        return {"type": self.type, "id": self.id, "name": self.name, "email": self.email, "phone": self.phone}


def segment_json(row: Segment) -> dict[str, Any]:
    return {"id": row.id, "name": row.name, "kind": row.kind, "filter": row.filter}


async def create(session: AsyncSession, body: SegmentCreate) -> Segment:
    twin = await session.scalar(select(Segment.id).where(Segment.name == body.name))
    if twin is not None:
        raise Conflict(f"a segment is named {body.name!r} already", {"type": "segment", "id": twin})
    row = Segment(name=body.name, kind=body.kind, filter=body.filter)
    session.add(row)
    await session.flush()
    return row


async def get(session: AsyncSession, segment_id: int) -> Segment:
    row = await session.get(Segment, segment_id)
    if row is None:
        raise NotFound("segment", segment_id)
    return row


def _day_start(day: str) -> dt.datetime:
    return dt.datetime.combine(dt.date.fromisoformat(day), dt.time(), dt.UTC)


def _query(segment: Segment) -> Select[Any]:
    f = segment.filter
    columns: list[Any]
    fields: tuple[tuple[Any, str], ...]
    if segment.kind == "customers":
        columns = [Customer.id, Customer.first_name, Customer.last_name, Customer.emails]
        fields = ((Customer.country, "country"), (Customer.segment, "segment"), (Customer.vip, "vip"))
        fields += ((Customer.language, "language"),)
        created, order = Customer.created_at, Customer.id
    else:
        columns = [Lead.id, Lead.first_name, Lead.last_name, Lead.email, Lead.phone]
        fields = ((Lead.source, "source"), (Lead.rating, "rating"), (Lead.status, "status"))
        fields += ((Lead.campaign_id, "campaign_id"),)
        created, order = Lead.created_at, Lead.id
    query: Select[Any] = select(*columns)
    for column, key in fields:
        if key in f:
            query = query.where(column == f[key])
    if "created_from" in f:
        query = query.where(created >= _day_start(f["created_from"]))
    if "created_to" in f:
        query = query.where(created < _day_start(f["created_to"]) + dt.timedelta(days=1))
    return query.order_by(order)


async def count(session: AsyncSession, segment: Segment) -> int:
    return int(await session.scalar(select(func.count()).select_from(_query(segment).order_by(None).subquery())) or 0)


async def members(session: AsyncSession, segment: Segment, *, after: int = 0, limit: int = 1000) -> list[Member]:
    """Who is in the segment now, by id, ``limit`` at a time after id ``after``."""
    table = Customer if segment.kind == "customers" else Lead
    rows = (await session.execute(_query(segment).where(table.id > after).limit(limit))).all()
    if segment.kind == "leads":
        return [Member("lead", r[0], f"{r[1]} {r[2]}".strip(), r[3], r[4]) for r in rows]
    ids = [r[0] for r in rows]
    phones: dict[int, str] = {}
    if ids:
        first = (
            select(Phone.customer_id, func.min(Phone.id))
            .where(Phone.customer_id.in_(ids))
            .group_by(Phone.customer_id)
            .subquery()
        )
        for customer_id, e164 in await session.execute(
            select(Phone.customer_id, Phone.e164).join(first, Phone.id == first.c[1])
        ):
            if customer_id is not None:
                phones[customer_id] = e164
    return [Member("customer", r[0], f"{r[1]} {r[2]}".strip(), (r[3] or [None])[0], phones.get(r[0])) for r in rows]


async def all_members(session: AsyncSession, segment: Segment, chunk: int = 1000) -> AsyncIterator[list[Member]]:
    after = 0
    while found := await members(session, segment, after=after, limit=chunk):
        yield found
        after = found[-1].id
