"""Every table, importable from one place (``from contact_center.store.tables import Customer``)."""

from contact_center.store.tables.activity import ACTIVITY_TYPES, Activity, Recording
from contact_center.store.tables.alerts import BoardAlert
from contact_center.store.tables.audit import AuditEntry
from contact_center.store.tables.base import Base, utcnow
from contact_center.store.tables.callbacks import CALLBACK_STATUSES, ScheduledCallback
from contact_center.store.tables.catalog import QUOTE_STATUSES, PriceList, PriceListItem, Product, Quote
from contact_center.store.tables.dialing import RECORD_STATUSES, DialingAttempt, DialingRecord, DncNumber
from contact_center.store.tables.field_service import (
    APPOINTMENT_STATUSES,
    SERVICE_ORDER_STATUSES,
    Appointment,
    MaintenancePlan,
    ServiceOrder,
    ServiceOrderPart,
    StockLevel,
    Technician,
    TechnicianQuarter,
)
from contact_center.store.tables.installed import (
    ContractTier,
    Equipment,
    ServiceContract,
    WarrantyClaim,
    contract_equipment,
)
from contact_center.store.tables.marketing import (
    MARKETING_CHANNELS,
    RESPONSE_KINDS,
    CampaignCost,
    CampaignResponse,
    MarketingCampaign,
    MarketingPlan,
)
from contact_center.store.tables.meta import MetaValue
from contact_center.store.tables.org import (
    ROLES,
    AgentSkill,
    ApiToken,
    Calendar,
    Campaign,
    DispositionCode,
    Queue,
    QueueMember,
    Skill,
    Team,
    User,
    WebSession,
)
from contact_center.store.tables.people import Account, Customer, Phone
from contact_center.store.tables.portal import PortalLink, PortalSession
from contact_center.store.tables.routing import AcdEventRow
from contact_center.store.tables.sales import (
    LEAD_RATINGS,
    LEAD_STATUSES,
    OPPORTUNITY_STAGES,
    ORDER_STATUSES,
    ForecastSnapshot,
    Lead,
    Opportunity,
    Order,
)
from contact_center.store.tables.service import CASE_PRIORITIES, CASE_STATUSES, Case, KbArticle
from contact_center.store.tables.webhooks import WEBHOOK_EVENTS, WebhookDelivery, WebhookSubscription

__all__ = [
    "ACTIVITY_TYPES",
    "APPOINTMENT_STATUSES",
    "CALLBACK_STATUSES",
    "CASE_PRIORITIES",
    "CASE_STATUSES",
    "LEAD_RATINGS",
    "LEAD_STATUSES",
    "MARKETING_CHANNELS",
    "OPPORTUNITY_STAGES",
    "ORDER_STATUSES",
    "QUOTE_STATUSES",
    "RECORD_STATUSES",
    "RESPONSE_KINDS",
    "ROLES",
    "SERVICE_ORDER_STATUSES",
    "WEBHOOK_EVENTS",
    "Account",
    "AcdEventRow",
    "Activity",
    "AgentSkill",
    "ApiToken",
    "Appointment",
    "AuditEntry",
    "Base",
    "BoardAlert",
    "Calendar",
    "Campaign",
    "CampaignCost",
    "CampaignResponse",
    "Case",
    "ContractTier",
    "Customer",
    "DialingAttempt",
    "DialingRecord",
    "DispositionCode",
    "DncNumber",
    "Equipment",
    "ForecastSnapshot",
    "KbArticle",
    "Lead",
    "MaintenancePlan",
    "MarketingCampaign",
    "MarketingPlan",
    "MetaValue",
    "Opportunity",
    "Order",
    "Phone",
    "PortalLink",
    "PortalSession",
    "PriceList",
    "PriceListItem",
    "Product",
    "Queue",
    "QueueMember",
    "Quote",
    "Recording",
    "ScheduledCallback",
    "ServiceContract",
    "ServiceOrder",
    "ServiceOrderPart",
    "Skill",
    "StockLevel",
    "Team",
    "Technician",
    "TechnicianQuarter",
    "User",
    "WarrantyClaim",
    "WebSession",
    "WebhookDelivery",
    "WebhookSubscription",
    "contract_equipment",
    "utcnow",
]
