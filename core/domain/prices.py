"""A provider's published price list, as connectors read it and core caches it.

Each item prices one billable unit (`sku`: `compute_cores`, `compute_ram`, a VPS
configuration, a Yandex SKU id) in one zone or region, per hour, day or month. Core keeps the
latest list per connection (refreshed daily through the sync) and the recommendation rules
price a smaller configuration, a stopped server or another zone from it; the hand-written
table in `core.services.recommendations.prices` is only the offline fallback.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any

__all__ = ["HOURS_PER_MONTH", "PriceItem", "PriceList"]

HOURS_PER_MONTH = Decimal(720)  # 30 days: the month every saving in InfraZen is quoted in
_PER = {"hour": HOURS_PER_MONTH, "day": Decimal(30), "month": Decimal(1)}


@dataclass(frozen=True, slots=True)
class PriceItem:
    """`price` (in `currency`) of one `unit` of `sku` for one `per` period in `zone`."""

    sku: str
    price: Decimal
    unit: str = "item"
    per: str = "hour"
    zone: str | None = None
    currency: str = "RUB"

    def monthly(self, quantity: Decimal | float | int = 1) -> Decimal:
        """Price of `quantity` units for a 30-day month."""
        return self.price * _PER.get(self.per, Decimal(1)) * Decimal(str(quantity))

    def to_json(self) -> dict[str, Any]:
        return {"sku": self.sku, "price": str(self.price), "unit": self.unit, "per": self.per,
                "zone": self.zone, "currency": self.currency}

    @classmethod
    def from_json(cls, raw: dict[str, Any]) -> PriceItem:
        return cls(sku=str(raw["sku"]), price=Decimal(str(raw["price"])),
                   unit=str(raw.get("unit") or "item"), per=str(raw.get("per") or "hour"),
                   zone=raw.get("zone"), currency=str(raw.get("currency") or "RUB"))


@dataclass(frozen=True, slots=True)
class PriceList:
    """Every item one provider endpoint listed, and when it was read."""

    provider: str
    source: str
    items: tuple[PriceItem, ...] = ()
    fetched_at: datetime | None = None
    notes: dict[str, Any] = field(default_factory=dict)

    def find(self, sku: str, zone: str | None = None) -> PriceItem | None:
        """The item of `sku` in `zone` (`ru-3b`), else in its region (`ru-3`), else any."""
        same = [i for i in self.items if i.sku == sku]
        if not same:
            return None
        if zone:
            exact = next((i for i in same if i.zone == zone), None)
            if exact is not None:
                return exact
            region = next((i for i in same if i.zone and (zone.startswith(i.zone)
                                                          or i.zone.startswith(zone))), None)
            if region is not None:
                return region
        unzoned = next((i for i in same if not i.zone), None)
        return unzoned or same[0]

    def zones(self, sku: str) -> dict[str, PriceItem]:
        """Zone → item of one SKU (for a cheaper-zone comparison)."""
        return {i.zone: i for i in self.items if i.sku == sku and i.zone}

    def to_json(self) -> dict[str, Any]:
        return {"provider": self.provider, "source": self.source,
                "fetched_at": self.fetched_at.isoformat() if self.fetched_at else None,
                "items": [i.to_json() for i in self.items], "notes": self.notes}

    @classmethod
    def from_json(cls, raw: dict[str, Any]) -> PriceList:
        fetched = raw.get("fetched_at")
        return cls(provider=str(raw.get("provider") or ""), source=str(raw.get("source") or ""),
                   items=tuple(PriceItem.from_json(i) for i in raw.get("items") or []
                               if isinstance(i, dict)),
                   fetched_at=datetime.fromisoformat(fetched) if fetched else None,
                   notes=dict(raw.get("notes") or {}))
