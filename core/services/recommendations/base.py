"""What a rule sees (a context loaded once per evaluation) and what it returns (findings)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from core.db.models import Resource
from core.domain.prices import PriceList
from core.services.runway import RunwayView

__all__ = ["Finding", "ResourceCost", "Rule", "RuleContext", "Usage", "money", "resource_key"]


def money(value: Decimal) -> Decimal:
    return value.quantize(Decimal("0.01"))


@dataclass(frozen=True, slots=True)
class Usage:
    """p95 of the utilisation samples of the last 14 days, and how many days they span."""

    cpu_p95: float | None
    mem_p95: float | None
    days: int


@dataclass(frozen=True, slots=True)
class ResourceCost:
    """A resource's recent daily costs (oldest first, zeros included)."""

    daily: tuple[Decimal, ...]

    @property
    def recent_daily(self) -> Decimal:
        """Average of the last 7 days: what it costs now."""
        tail = self.daily[-7:]
        return sum(tail, Decimal(0)) / len(tail) if tail else Decimal(0)

    @property
    def monthly(self) -> Decimal:
        return money(self.recent_daily * 30)


@dataclass(frozen=True, slots=True)
class Finding:
    kind: str
    dedup_key: str
    monthly_saving: Decimal
    confidence: float
    params: dict[str, object]
    evidence: dict[str, object]
    resource_id: int | None = None
    connection_id: int | None = None
    baseline_daily_cost: Decimal | None = None


@dataclass
class RuleContext:
    org_id: int
    today: date
    currency: str
    resources: list[Resource]
    providers: dict[int, str]
    usage: dict[int, Usage]
    costs: dict[int, ResourceCost]
    runway: RunwayView
    weekdays: dict[int, tuple[Decimal, Decimal]] = field(default_factory=dict)
    price_overrides: dict[str, dict[str, object]] = field(default_factory=dict)
    price_lists: dict[int, PriceList] = field(default_factory=dict)  # connection → provider's
    thresholds: dict[str, dict[str, float]] = field(default_factory=dict)  # org overrides
    disabled: frozenset[str] = frozenset()  # kinds the org turned off

    def threshold(self, kind: str, name: str, default: float) -> float:
        """The org's value of a rule's threshold (`infrazen rec threshold`), else `default`."""
        value = self.thresholds.get(kind, {}).get(name)
        return float(value) if isinstance(value, int | float) else default

    def cost(self, resource: Resource) -> ResourceCost:
        return self.costs.get(resource.id, ResourceCost(()))

    def monthly(self, resource: Resource) -> Decimal:
        """Recent monthly cost: from the cost lines, or the inventory's daily cost."""
        cost = self.cost(resource)
        if cost.daily and cost.recent_daily > 0:
            return cost.monthly
        return money((resource.daily_cost or Decimal(0)) * 30)


Rule = Callable[[RuleContext], list[Finding]]


def resource_key(kind: str, resource: Resource) -> str:
    """The dedup key of a resource finding (the same scheme the demo seed uses)."""
    return f"{kind}:{resource.name}"
