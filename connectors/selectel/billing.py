"""Hourly billing rows → daily FOCUS cost lines and the current hourly rate per resource.

Values are integer kopecks summed exactly, then divided by 100 once. Days are the provider's
own calendar dates of `period` (Selectel sends no offset); each day is stored as a UTC day.
The latest hour present in the bill is the current rate: a resource with no row in that hour
is not being charged now (rate 0).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

from connectors.selectel.grouping import Owners
from connectors.selectel.metrics import classify, region_of, tier_of
from connectors.selectel.models import ConsumptionRow
from core.domain.collection import CostLine

__all__ = ["Bill", "BilledObject", "kopecks"]

PROVIDER = "Selectel"


def kopecks(value: int) -> Decimal:
    """Integer kopecks → rubles, exactly (270 → 2.70)."""
    return Decimal(value).scaleb(-2)


@dataclass(slots=True)
class BilledObject:
    """One object the bill names, with what we need to match it against the inventory."""

    id: str
    name: str
    type: str
    project_id: str
    project_name: str
    zone: str | None
    metric_ids: set[str] = field(default_factory=set)
    parent_name: str | None = None
    parent_id: str | None = None
    provider_key: str = ""
    quantity: float = 0.0  # the metric quantity of the latest row (GB of a snapshot, ...)
    last_row: dict[str, object] = field(default_factory=dict)

    @property
    def region(self) -> str | None:
        return region_of(self.zone)


@dataclass(slots=True)
class Bill:
    rows: list[ConsumptionRow]
    objects: dict[str, BilledObject] = field(default_factory=dict)
    latest: datetime | None = None
    units: dict[str, str] = field(default_factory=dict)

    @classmethod
    def of(cls, rows: Iterable[ConsumptionRow]) -> Bill:
        bill = cls(rows=[r for r in rows if r.object is not None])
        for row in bill.rows:
            obj = row.object
            assert obj is not None
            project = row.project
            item = bill.objects.get(obj.id)
            if item is None:
                item = bill.objects[obj.id] = BilledObject(
                    id=obj.id, name=obj.name or obj.id, type=obj.type or "",
                    project_id=project.id if project else "",
                    project_name=project.name if project else "", zone=row.metric.region,
                    parent_name=obj.parent_name, parent_id=obj.parent_id,
                    provider_key=row.provider_key)
            item.metric_ids.add(row.metric.id)
            item.quantity = row.metric.quantity
            bill.units[row.metric.id] = row.metric.unit
            item.last_row = row.raw
            if bill.latest is None or row.period > bill.latest:
                bill.latest = row.period
        return bill

    def hourly(self, owners: Owners) -> dict[str, Decimal]:
        """Group id → cost of the latest billed hour, in rubles."""
        rates: dict[str, int] = defaultdict(int)
        for row in self.rows:
            if row.period == self.latest and row.object is not None:
                rates[owners.group(row.object.id)] += row.value
        return {group: kopecks(value) for group, value in rates.items()}

    def object_hourly(self) -> dict[str, Decimal]:
        """Object id → cost of the latest billed hour (a disk's own price, before grouping)."""
        rates: dict[str, int] = defaultdict(int)
        for row in self.rows:
            if row.period == self.latest and row.object is not None:
                rates[row.object.id] += row.value
        return {oid: kopecks(value) for oid, value in rates.items()}

    def tier_prices(self) -> dict[str, Decimal]:
        """Disk tier → rubles per GB-hour in the latest hour, from every disk of that tier."""
        sums: dict[str, list[Decimal]] = {}
        for row in self.rows:
            tier = tier_of(None, row.metric.id)
            if row.period != self.latest or tier is None or row.metric.quantity <= 0:
                continue
            acc = sums.setdefault(tier, [Decimal(0), Decimal(0)])
            acc[0] += kopecks(row.value)
            acc[1] += Decimal(str(row.metric.quantity))
        return {tier: value / quantity for tier, (value, quantity) in sums.items()}

    def cost_lines(self, owners: Owners, names: dict[str, str], kinds: dict[str, str],
                   days: set[date]) -> list[CostLine]:
        """One line per day × project × resource × region × metric × billed object."""
        sums: dict[tuple[date, str, str, str, str], list[int | float]] = {}
        for row in self.rows:
            day = row.period.date()
            if day not in days or row.object is None:
                continue
            key = (day, row.project.id if row.project else "", owners.group(row.object.id),
                   row.object.id, row.metric.id)
            acc = sums.setdefault(key, [0, 0.0])
            acc[0] += row.value
            acc[1] += row.metric.quantity
        lines = []
        for (day, project_id, group, object_id, metric_id), (value, quantity) in sorted(
                sums.items()):
            obj = self.objects[object_id]
            metric = classify(metric_id, obj.provider_key)
            start = datetime.combine(day, time(), tzinfo=UTC)
            cost = kopecks(int(value))
            lines.append(CostLine(
                charge_period_start=start, charge_period_end=start + timedelta(days=1),
                billed_cost=cost, effective_cost=cost, billing_currency="RUB",
                service_name=metric.service, service_category=metric.category,
                resource_id=group, resource_name=names.get(group, obj.name),
                resource_type=kinds.get(group, metric.kind.value), region_id=obj.region,
                sub_account_id=project_id, sub_account_name=obj.project_name,
                provider_name=PROVIDER, sku_id=metric_id,
                charge_description=obj.name if object_id != group else None,
                pricing_quantity=Decimal(str(quantity)),
                pricing_unit=self.units.get(metric_id) or None))
        return lines
