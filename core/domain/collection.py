"""What a connector returns: the normalised, provider-neutral records of one collection run.

Cost lines use FOCUS column names (snake_case of ChargePeriodStart, BilledCost, ...) so that
FOCUS import and FOCUS export are the identity. Connectors build these; core.sync applies them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from enum import StrEnum
from typing import Any

from core.domain.prices import PriceList

__all__ = [
    "ESTIMATED_TAG",
    "AccountInfo",
    "Collection",
    "CostLine",
    "ResourceKind",
    "ResourceRecord",
    "ResourceStatus",
    "UsageMetric",
    "Window",
]


# Tag on a cost line priced by InfraZen rather than billed by the provider (e.g. a Beget day
# never observed, priced at the daily rate): shown as "estimated" wherever the day is shown.
ESTIMATED_TAG = "infrazen:estimated"


class ResourceStatus(StrEnum):
    """Provider statuses normalised to a handful that cost and alert rules understand."""

    RUNNING = "running"
    STOPPED = "stopped"
    PENDING = "pending"
    ERROR = "error"
    DELETED = "deleted"
    UNKNOWN = "unknown"


class ResourceKind(StrEnum):
    """Resource types InfraZen reasons about (FOCUS ResourceType is free text; this is ours)."""

    SERVER = "server"
    VOLUME = "volume"
    SNAPSHOT = "snapshot"
    FLOATING_IP = "floating_ip"
    LOAD_BALANCER = "load_balancer"
    DATABASE = "database"
    KUBERNETES = "kubernetes"
    BUCKET = "bucket"
    FILE_STORAGE = "file_storage"
    CONTAINER_REGISTRY = "container_registry"
    BACKUP = "backup"
    DOMAIN = "domain"
    HOSTING = "hosting"
    NETWORK = "network"
    CDN = "cdn"
    OTHER = "other"


@dataclass(frozen=True, slots=True)
class Window:
    """A half-open [start, end) collection window in UTC days."""

    start: date
    end: date

    @classmethod
    def last_days(cls, days: int, today: date | None = None) -> Window:
        end = (today or datetime.now(UTC).date()) + timedelta(days=1)
        return cls(start=end - timedelta(days=days), end=end)

    def days(self) -> list[date]:
        return [self.start + timedelta(days=i) for i in range((self.end - self.start).days)]


@dataclass(frozen=True, slots=True)
class AccountInfo:
    """Who the credentials belong to, and the prepaid balance where the provider has one."""

    account_id: str
    display_name: str = ""
    balance: Decimal | None = None
    currency: str = "RUB"
    daily_rate: Decimal | None = None
    days_to_block: int | None = None
    plan: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class ResourceRecord:
    """One resource as the provider sees it now."""

    external_id: str
    name: str
    kind: ResourceKind
    status: ResourceStatus = ResourceStatus.UNKNOWN
    region: str | None = None
    project: str | None = None
    service_name: str | None = None
    daily_cost: Decimal | None = None
    currency: str = "RUB"
    tags: dict[str, str] = field(default_factory=dict)
    config: dict[str, Any] = field(default_factory=dict)
    created_at: datetime | None = None
    is_orphan: bool = False
    is_zombie: bool = False
    parent_external_id: str | None = None


@dataclass(frozen=True, slots=True)
class CostLine:
    """One FOCUS-shaped cost row (a day or an hour of one SKU of one resource)."""

    charge_period_start: datetime
    charge_period_end: datetime
    billed_cost: Decimal
    billing_currency: str = "RUB"
    effective_cost: Decimal | None = None
    list_cost: Decimal | None = None
    contracted_cost: Decimal | None = None
    service_name: str | None = None
    service_category: str | None = None
    resource_id: str | None = None
    resource_name: str | None = None
    resource_type: str | None = None
    region_id: str | None = None
    sub_account_id: str | None = None
    sub_account_name: str | None = None
    provider_name: str | None = None
    charge_category: str = "Usage"
    charge_description: str | None = None
    pricing_quantity: Decimal | None = None
    pricing_unit: str | None = None
    sku_id: str | None = None
    tags: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class UsageMetric:
    """A utilisation sample of one resource; `metric` is a `core.domain.metrics` name."""

    resource_id: str
    metric: str
    timestamp: datetime
    value: float
    unit: str = "percent"


@dataclass(slots=True)
class Collection:
    """Everything one `collect()` produced; partial failures are warnings, not exceptions."""

    account: AccountInfo
    resources: list[ResourceRecord] = field(default_factory=list)
    cost_lines: list[CostLine] = field(default_factory=list)
    usage: list[UsageMetric] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    unrecognized: list[dict[str, Any]] = field(default_factory=list)
    complete_inventory: bool = True
    # the provider's published price list, when this run read one (core caches it daily)
    prices: PriceList | None = None
    # None: every cost line is billing truth and replaces the window. A set: only lines of
    # these days were observed; lines of other days are estimates that fill (day, resource)
    # pairs nothing is stored for, so a day once recorded is never re-priced.
    observed_days: frozenset[date] | None = None
