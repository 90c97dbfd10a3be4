"""What the API accepts and returns for each CRM record (pydantic: per-field errors and JSON Schema)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationInfo,
    field_validator,
    model_validator,
)

from contact_center.crm.json_shape import MAX_DETAILS_DEPTH, json_depth
from contact_center.crm.phone_schemas import PhoneIn, PhoneOut, Strict, check_phone, phones_before
from contact_center.store.tables import (
    ACTIVITY_TYPES,
    CASE_PRIORITIES,
    CASE_STATUSES,
    LEAD_RATINGS,
    LEAD_STATUSES,
    OPPORTUNITY_STAGES,
    ORDER_STATUSES,
)

# What the server records about calls it carried: a client may not claim a recording, call legs or SIP data.
SERVER_DETAILS = frozenset({"recording", "recording_id", "legs", "sip"})

# Blank names are refused once stripped; the document says so: some character that is not a space (nor NUL).
NON_BLANK = Field(json_schema_extra={"pattern": "^[^\\u0000]*[^\\s\\u0000][^\\u0000]*$"})
Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100), NON_BLANK]
Text200 = Annotated[str, StringConstraints(strip_whitespace=True, max_length=200)]
Currency = Annotated[str, StringConstraints(pattern=r"^[A-Z]{3}$")]
Email = Annotated[str, StringConstraints(strip_whitespace=True, pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$", max_length=200)]
Timezone = Annotated[str, StringConstraints(max_length=64)]
Language = Annotated[str, StringConstraints(pattern=r"^[a-z]{2}(-[A-Z]{2})?$")]
Id = Annotated[int, Field(ge=1, le=2**31 - 1)]
# Years a record can be about; outside them converting to UTC or adding a day overflows.
FIRST_YEAR, LAST_YEAR = 1900, 2999


def _plausible_year(value: dt.date) -> dt.date:
    if not FIRST_YEAR <= value.year <= LAST_YEAR:
        raise ValueError(f"use a year from {FIRST_YEAR} to {LAST_YEAR}")
    return value


# The API document says the years too (a pattern on the ISO text), so clients and the battery know them.
_YEARS = {"pattern": "^(19[0-9]{2}|2[0-9]{3})-"}
Instant = Annotated[AwareDatetime, AfterValidator(_plausible_year), Field(json_schema_extra=_YEARS)]
Day = Annotated[dt.date, AfterValidator(_plausible_year), Field(json_schema_extra=_YEARS)]
Cents = Annotated[int, Field(ge=0, le=10**15)]


def _check_timezone(value: str | None) -> str | None:
    if value is None:
        return None
    from zoneinfo import ZoneInfo

    try:
        ZoneInfo(value)
    except Exception:
        raise ValueError(f"unknown time zone {value!r} (use an IANA name such as Europe/Berlin)") from None
    return value


class Address(Strict):
    street: Text200 = ""
    city: Text200 = ""
    region: Text200 = ""
    postal_code: Annotated[str, StringConstraints(max_length=20)] = ""
    country: Annotated[str, StringConstraints(max_length=2)] = ""


class CustomerCreate(Strict):
    first_name: Name
    last_name: Name
    account_id: Id | None = None
    phones: list[PhoneIn] = Field(default_factory=list, max_length=20)
    emails: list[Email] = Field(default_factory=list, max_length=20)
    address: Address = Field(default_factory=Address)
    country: Annotated[str, StringConstraints(pattern=r"^[A-Z]{2}$")] | None = None
    timezone: Timezone | None = None
    language: Language = "en"
    tags: list[Annotated[str, StringConstraints(max_length=50)]] = Field(default_factory=list, max_length=50)
    vip: bool = False
    segment: Annotated[str, StringConstraints(max_length=32)] = "standard"
    account_manager_id: Id | None = None

    _phones = field_validator("phones", mode="before")(phones_before)
    _tz = field_validator("timezone")(_check_timezone)


class CustomerUpdate(CustomerCreate):
    """Every field optional: a PATCH changes only what it names. ``phones`` replaces the whole list."""

    first_name: Name = None  # type: ignore[assignment]
    last_name: Name = None  # type: ignore[assignment]


class CustomerOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    first_name: str
    last_name: str
    account_id: int | None
    phones: list[PhoneOut]
    emails: list[str]
    address: dict[str, Any]
    country: str | None
    timezone: str | None
    language: str
    tags: list[str]
    vip: bool
    segment: str
    account_manager_id: int | None
    created_at: dt.datetime
    updated_at: dt.datetime


class AccountCreate(Strict):
    name: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
    industry: Text200 = ""
    website: Text200 = ""
    segment: Annotated[str, StringConstraints(max_length=32)] = "standard"
    vip: bool = False
    timezone: Timezone | None = None
    language: Language = "en"
    address: Address = Field(default_factory=Address)
    emails: list[Email] = Field(default_factory=list, max_length=20)
    tags: list[Annotated[str, StringConstraints(max_length=50)]] = Field(default_factory=list, max_length=50)
    owner_id: Id | None = None
    phones: list[PhoneIn] = Field(default_factory=list, max_length=20)

    _phones = field_validator("phones", mode="before")(phones_before)
    _tz = field_validator("timezone")(_check_timezone)


class AccountUpdate(AccountCreate):
    name: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)] = None  # type: ignore[assignment]


class AccountOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    name: str
    industry: str
    website: str
    segment: str
    vip: bool
    timezone: str | None
    language: str
    address: dict[str, Any]
    emails: list[str]
    tags: list[str]
    owner_id: int | None
    phones: list[PhoneOut]
    created_at: dt.datetime
    updated_at: dt.datetime


class CaseCreate(Strict):
    subject: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=300)]
    description: Annotated[str, StringConstraints(max_length=20000)] = ""
    status: Literal[CASE_STATUSES] = "new"  # type: ignore[valid-type]
    priority: Literal[CASE_PRIORITIES] = "normal"  # type: ignore[valid-type]
    category: Annotated[str, StringConstraints(max_length=64)] = "general"
    customer_id: Id | None = None
    account_id: Id | None = None
    owner_id: Id | None = None
    calendar: Annotated[str, StringConstraints(max_length=64)] | None = None
    team: Annotated[str, StringConstraints(max_length=100)] | None = None  # the team that owns it, by name
    sla_target_minutes: Annotated[int, Field(gt=0, le=60 * 24 * 365)] | None = None


class CaseUpdate(CaseCreate):
    subject: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=300)] = None  # type: ignore[assignment]


class CaseOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    number: int | None
    subject: str
    description: str
    status: str
    priority: str
    category: str
    customer_id: int | None
    account_id: int | None
    owner_id: int | None
    team_id: int | None
    calendar_id: int | None
    sla_target_minutes: int | None
    sla_due_at: dt.datetime | None
    escalation_level: int
    first_responded_at: dt.datetime | None
    resolved_at: dt.datetime | None
    created_at: dt.datetime
    updated_at: dt.datetime


class LeadCreate(Strict):
    first_name: Annotated[str, StringConstraints(strip_whitespace=True, max_length=100)] = ""
    last_name: Name
    company: Text200 = ""
    email: Email | None = None
    phone: Annotated[str, StringConstraints(max_length=40)] | None = None
    source: Annotated[str, StringConstraints(max_length=64)] = "web"
    score: Annotated[int, Field(ge=0, le=100)] = 0
    rating: Literal[LEAD_RATINGS] = "cold"  # type: ignore[valid-type]
    status: Literal[LEAD_STATUSES] = "new"  # type: ignore[valid-type]
    owner_id: Id | None = None
    customer_id: Id | None = None
    notes: Annotated[str, StringConstraints(max_length=20000)] = ""
    campaign_id: Id | None = None  # the marketing campaign that brought the lead

    @field_validator("phone")
    @classmethod
    def _phone(cls, value: str | None, info: ValidationInfo) -> str | None:
        return check_phone(value, info) if value else value


class LeadUpdate(LeadCreate):
    last_name: Name = None  # type: ignore[assignment]


class LeadOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    first_name: str
    last_name: str
    company: str
    email: str | None
    phone: str | None
    source: str
    score: int
    rating: str
    status: str
    owner_id: int | None
    customer_id: int | None
    notes: str
    campaign_id: int | None = None
    checks: list[dict[str, str]] = []  # what the checks on entry found (code, reason)
    created_at: dt.datetime
    updated_at: dt.datetime


class WebLeadIn(Strict):
    """What a prospect sends from the public web form (no login): who they are, how to reach them, what they
    want. A phone number or an e-mail address is needed; the rest is optional."""

    first_name: Annotated[str, StringConstraints(strip_whitespace=True, max_length=100)] = ""
    last_name: Name
    company: Text200 = ""
    email: Email | None = None
    phone: Annotated[str, StringConstraints(max_length=40)] | None = None
    message: Annotated[str, StringConstraints(max_length=2000)] = ""

    @field_validator("phone")
    @classmethod
    def _phone(cls, value: str | None, info: ValidationInfo) -> str | None:
        return check_phone(value, info) if value else None

    @model_validator(mode="after")
    def _reachable(self) -> WebLeadIn:
        if not self.phone and not self.email:
            raise ValueError("give a phone number or an e-mail address, so that we can get back to you")
        return self


class Product(Strict):
    sku: Annotated[str, StringConstraints(max_length=64)]
    name: Text200 = ""
    quantity: Annotated[int, Field(ge=1, le=10**6)] = 1
    unit_price_cents: Cents = 0


class OpportunityCreate(Strict):
    name: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
    customer_id: Id | None = None
    account_id: Id | None = None
    owner_id: Id | None = None
    stage: Literal[OPPORTUNITY_STAGES] = "prospecting"  # type: ignore[valid-type]
    amount_cents: Cents = 0
    currency: Currency = "USD"
    probability: Annotated[int, Field(ge=0, le=100)] = 10
    expected_close: Day | None = None
    products: list[Product] = Field(default_factory=list, max_length=200)
    campaign_id: Id | None = None  # the marketing campaign the deal is credited to

    @field_validator("stage", mode="before")
    @classmethod
    def _old_stage_names(cls, value: Any) -> Any:
        """``closed_won`` / ``closed_lost`` (the names before 0014) still mean won / lost."""
        return {"closed_won": "won", "closed_lost": "lost"}.get(value, value) if isinstance(value, str) else value


class OpportunityUpdate(OpportunityCreate):
    name: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)] = None  # type: ignore[assignment]


class OpportunityOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    name: str
    customer_id: int | None
    account_id: int | None
    owner_id: int | None
    stage: str
    amount_cents: int
    currency: str
    probability: int
    expected_close: dt.date | None
    products: list[dict[str, Any]]
    campaign_id: int | None = None
    closed_at: dt.datetime | None
    created_at: dt.datetime
    updated_at: dt.datetime


class OrderItem(Strict):
    sku: Annotated[str, StringConstraints(max_length=64)]
    name: Text200 = ""
    quantity: Annotated[int, Field(ge=1, le=10**6)] = 1
    unit_price_cents: Cents = 0


class OrderCreate(Strict):
    number: Annotated[str, StringConstraints(pattern=r"^[0-9A-Za-z-]{1,32}$")]
    customer_id: Id | None = None
    status: Literal[ORDER_STATUSES] = "pending"  # type: ignore[valid-type]
    items: list[OrderItem] = Field(default_factory=list, max_length=500)
    total_cents: Cents | None = None
    currency: Currency = "USD"
    placed_at: Instant | None = None
    shipped_at: Instant | None = None
    delivered_at: Instant | None = None
    carrier: Annotated[str, StringConstraints(max_length=64)] | None = None
    tracking_number: Annotated[str, StringConstraints(max_length=64)] | None = None
    notes: Annotated[str, StringConstraints(max_length=20000)] = ""


class OrderUpdate(OrderCreate):
    number: Annotated[str, StringConstraints(pattern=r"^[0-9A-Za-z-]{1,32}$")] = None  # type: ignore[assignment]


class OrderOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    number: str
    customer_id: int | None
    status: str
    items: list[dict[str, Any]]
    total_cents: int
    currency: str
    placed_at: dt.datetime
    shipped_at: dt.datetime | None
    delivered_at: dt.datetime | None
    carrier: str | None
    tracking_number: str | None
    notes: str
    created_at: dt.datetime
    updated_at: dt.datetime


class ActivityCreate(Strict):
    type: Literal[ACTIVITY_TYPES]  # type: ignore[valid-type]
    channel: Literal["phone", "email", "web", "chat", "sms", "in_person", "system"] = "phone"
    direction: Literal["inbound", "outbound", "internal"] | None = None
    subject: Annotated[str, StringConstraints(max_length=300)] = ""
    customer_id: Id | None = None
    account_id: Id | None = None
    agent_id: Id | None = None
    case_id: Id | None = None
    opportunity_id: Id | None = None
    lead_id: Id | None = None
    interaction_id: Annotated[str, StringConstraints(max_length=64)] | None = None
    queue: Annotated[str, StringConstraints(max_length=64)] | None = None
    disposition: Annotated[str, StringConstraints(max_length=64)] | None = None
    outcome: Annotated[str, StringConstraints(max_length=64)] | None = None
    started_at: Instant | None = None
    ended_at: Instant | None = None
    details: dict[str, Any] = Field(default_factory=dict)

    @field_validator("details")
    @classmethod
    def _details_are_the_clients_own(cls, details: dict[str, Any]) -> dict[str, Any]:
        taken = sorted(SERVER_DETAILS.intersection(details))
        if taken:
            raise ValueError(f"{', '.join(taken)} {'is' if len(taken) == 1 else 'are'} written by the server only")
        if json_depth(details) > MAX_DETAILS_DEPTH:
            raise ValueError(f"nests deeper than {MAX_DETAILS_DEPTH} levels")
        return details


class ActivityOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    type: str
    channel: str
    direction: str | None
    subject: str
    customer_id: int | None
    account_id: int | None
    agent_id: int | None
    case_id: int | None
    opportunity_id: int | None
    lead_id: int | None
    interaction_id: str | None
    queue: str | None
    disposition: str | None
    outcome: str | None
    started_at: dt.datetime
    ended_at: dt.datetime | None
    details: dict[str, Any]
    created_at: dt.datetime


class KbArticleCreate(Strict):
    title: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=300)]
    body: Annotated[str, StringConstraints(min_length=1, max_length=200000)]
    category: Annotated[str, StringConstraints(max_length=64)] = "general"
    tags: list[Annotated[str, StringConstraints(max_length=50)]] = Field(default_factory=list, max_length=50)


class KbArticleUpdate(KbArticleCreate):
    """A change to an article: the fields sent replace the stored ones."""

    title: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=300)] = None  # type: ignore[assignment]
    body: Annotated[str, StringConstraints(min_length=1, max_length=200000)] = None  # type: ignore[assignment]


class KbArticleOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    title: str
    body: str
    category: str
    tags: list[str]
    created_at: dt.datetime
    updated_at: dt.datetime
    retired_at: dt.datetime | None = None


class ContractBrief(BaseModel):
    id: int
    tier: str
    starts_on: dt.date
    ends_on: dt.date


class EquipmentBrief(BaseModel):
    id: int
    model: str
    serial: str
    installed_on: dt.date | None
    warranty_until: dt.date | None = Field(description="the last day parts are covered")
    labour_warranty_until: dt.date | None = Field(description="the last day labour is covered")


class VisitBrief(BaseModel):
    id: int
    starts_at: dt.datetime
    ends_at: dt.datetime
    skill: str
    case_id: int | None
    technician: str


class Customer360Out(BaseModel):
    """What a screen-pop shows, in one answer: the customer and what is going on with them."""

    customer: CustomerOut
    account: AccountOut | None
    activities: list[ActivityOut] = Field(description="the last 20, newest first")
    open_cases: list[CaseOut] = Field(description="the soonest due first")
    open_opportunities: list[OpportunityOut] = Field(description="the soonest expected to close first")
    recent_orders: list[OrderOut] = Field(description="the last 5 placed, newest first")
    contracts: list[ContractBrief] = Field(description="service contracts, the latest ending first (at most 5)")
    equipment: list[EquipmentBrief] = Field(description="the customer's equipment with its warranty (at most 10)")
    appointments: list[VisitBrief] = Field(description="booked technician visits, soonest first (at most 5)")
