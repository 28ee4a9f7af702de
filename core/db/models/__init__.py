"""All tables; importing this module registers every model on `Base.metadata`."""

from core.db.models.audit import AuditEntry
from core.db.models.connection import (
    Connection,
    Resource,
    ResourceState,
    SyncSnapshot,
    UnrecognizedItem,
)
from core.db.models.costs import (
    CostAmount,
    CostKey,
    CostLine,
    CurrencyRate,
    UsageMetric,
    cost_line_staging,
)
from core.db.models.delivery import ChatStatus, JobLease, OutboxMessage, ReportSchedule
from core.db.models.intelligence import (
    AlertEvent,
    AlertFeedback,
    AllocationRule,
    AnomalyExclusion,
    Budget,
    Recommendation,
)
from core.db.models.org import (
    BoundChat,
    Invite,
    Membership,
    NotificationPreference,
    Organization,
    User,
)
from core.db.models.rollups import CostRollup, ResourceMonth, ResourceMonthState, ServiceRollup

__all__ = [
    "AlertEvent", "AlertFeedback", "AllocationRule", "AnomalyExclusion", "AuditEntry",
    "BoundChat", "Budget", "ChatStatus", "Connection", "CostAmount", "CostKey", "CostLine",
    "CostRollup", "CurrencyRate", "Invite",
    "JobLease", "Membership", "NotificationPreference", "Organization", "OutboxMessage",
    "Recommendation", "ReportSchedule", "Resource", "ResourceMonth", "ResourceMonthState",
    "ResourceState", "ServiceRollup",
    "SyncSnapshot",
    "UnrecognizedItem", "UsageMetric", "User", "cost_line_staging",
]

# lines added through the ORM are written narrow by its flush listener (the view `cost_lines`
# cannot take them): registered with the models
from core.db import cost_store as _cost_store  # noqa: E402,F401,I001
