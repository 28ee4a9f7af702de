"""Selectel's published VPC price list → `core.domain.prices.PriceList`.

`GET /v2/billing/vpc/prices` lists `{resource, group, currency, value, unit, threshold}` per
billing resource and zone (`group`). `value` is KOPECKS per HOUR per unit: `compute_cores`
per vCPU, `compute_ram` per MB, `volume_gigabytes_<tier>` per GB (observed: the values agree
with the billed rows; e.g. 89.76 kop a vCPU-hour = 646.27 ₽ a 30-day month). The `unit`
field is not consistent across tiers (`GB` and `GB*H` for the same kind of price), so it is
kept as the provider wrote it and every price is read as per hour.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from core.domain.prices import PriceItem, PriceList

__all__ = ["SOURCE", "price_list"]

SOURCE = "/v2/billing/vpc/prices"


def price_list(body: dict[str, Any], fetched_at: datetime) -> PriceList:
    """Every readable row; a row without a resource or a numeric value is skipped."""
    items = []
    for row in body.get("prices") or []:
        if not isinstance(row, dict) or not row.get("resource"):
            continue
        try:
            kopecks = Decimal(str(row.get("value")))
        except InvalidOperation:
            continue
        if not kopecks.is_finite() or kopecks < 0:
            continue
        items.append(PriceItem(sku=str(row["resource"]), price=kopecks.scaleb(-2),
                               unit=str(row.get("unit") or "item"), per="hour",
                               zone=str(row["group"]) if row.get("group") else None,
                               currency=str(row.get("currency") or body.get("currency")
                                            or "rub").upper()))
    return PriceList(provider="selectel", source=SOURCE, items=tuple(items),
                     fetched_at=fetched_at, notes={"unit": "kopecks per hour, as rubles"})
