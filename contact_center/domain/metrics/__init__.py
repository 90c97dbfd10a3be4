"""Contact-center metrics folded from the routing event log (definitions in docs/routing.md). Pure."""

from contact_center.domain.metrics.agent_time import AgentTimeLedger, occupancy
from contact_center.domain.metrics.contacts import Contact, ContactLedger
from contact_center.domain.metrics.live import LiveMetrics
from contact_center.domain.metrics.stats import MetricsConfig, QueueStats, by_group, compute, intervals, select

__all__ = [
    "AgentTimeLedger",
    "Contact",
    "ContactLedger",
    "LiveMetrics",
    "MetricsConfig",
    "QueueStats",
    "by_group",
    "compute",
    "intervals",
    "occupancy",
    "select",
]
