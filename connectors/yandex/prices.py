"""Yandex Cloud's published SKU prices → `core.domain.prices.PriceList` (compute only).

`GET https://billing.api.cloud.yandex.net/billing/v1/skus?currency=RUB` (Billing API
`SkuService.List`, pageToken / nextPageToken paging) lists every SKU as
`{id, name, serviceId, pricingUnit, pricingVersions: [{type, effectiveTime,
pricingExpressions: [{rates: [{startPricingQuantity, unitPrice, currency}]}]}]}`, decimals as
strings (the public API protos, `yandex/cloud/billing/v1/sku.proto`).

A VM's compute is priced per platform: `<Platform>. <N>% vCPU` per core-hour at core fraction N,
`<Platform>. RAM` per GB-hour. They become `compute_cores:<platform id>:<fraction>` (per core)
and `compute_ram:<platform id>` (per MB, the unit every per-unit list uses in InfraZen), hourly
and zone-less (the prices are the same in every ru-central1 zone). The version in force is the
latest whose `effectiveTime` has passed; its first rate (from quantity 0) is the price. Names
other than those (preemptible, GPU, software) are skipped. The platform names are mapped to the
ids instances report; see NOTES.md for which mappings are UNCONFIRMED.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from core.domain.prices import PriceItem, PriceList

__all__ = ["PLATFORMS", "SOURCE", "price_list", "sku_price"]

SOURCE = "/billing/v1/skus"
# SKU name prefix → the `platformId` instances report
PLATFORMS: dict[str, str] = {
    "Intel Broadwell": "standard-v1",
    "Intel Cascade Lake": "standard-v2",
    "Intel Ice Lake": "standard-v3",
    "Intel Ice Lake (Compute Optimized)": "highfreq-v3",  # UNCONFIRMED
    "AMD Zen 3": "amd-v1",  # UNCONFIRMED
}
_CORE = re.compile(r"^(?P<platform>.+?)\. (?P<fraction>\d{1,3})% vCPU$")
_RAM = re.compile(r"^(?P<platform>.+?)\. RAM$")
MB_PER_GB = Decimal(1024)


def _time(raw: Any) -> datetime | None:
    try:
        return datetime.fromisoformat(str(raw).replace("Z", "+00:00")) if raw else None
    except ValueError:
        return None


def sku_price(sku: dict[str, Any], now: datetime) -> tuple[Decimal, str] | None:
    """(unit price, currency) of the version in force at `now`, from its first rate."""
    versions = [v for v in sku.get("pricingVersions") or [] if isinstance(v, dict)]
    dated = [(t, v) for v in versions if (t := _time(v.get("effectiveTime"))) is None or t <= now]
    if not dated:
        return None
    _, version = max(dated, key=lambda tv: (tv[0] is not None, tv[0] or now))
    for expression in version.get("pricingExpressions") or []:
        rates = [r for r in (expression or {}).get("rates") or [] if isinstance(r, dict)]
        rates.sort(key=lambda r: Decimal(str(r.get("startPricingQuantity") or 0)))
        for rate in rates:
            try:
                price = Decimal(str(rate.get("unitPrice")))
            except InvalidOperation:
                continue
            if price.is_finite() and price >= 0:
                return price, str(rate.get("currency") or "RUB").upper()
    return None


def price_list(skus: Iterable[dict[str, Any]], fetched_at: datetime) -> PriceList:
    """The compute SKUs (vCPU per core fraction, RAM) of every known platform."""
    items: list[PriceItem] = []
    for sku in skus:
        name = str(sku.get("name") or "").strip()
        core, ram = _CORE.match(name), _RAM.match(name)
        match = core or ram
        platform = PLATFORMS.get(match.group("platform")) if match else None
        priced = sku_price(sku, fetched_at) if platform else None
        if platform is None or priced is None:
            continue
        price, currency = priced
        if core is not None:
            items.append(PriceItem(sku=f"compute_cores:{platform}:{int(core.group('fraction'))}",
                                   price=price, unit="core", per="hour", currency=currency))
        else:
            items.append(PriceItem(sku=f"compute_ram:{platform}", price=price / MB_PER_GB,
                                   unit="MB", per="hour", currency=currency))
    return PriceList(provider="yandex", source=SOURCE, items=tuple(items),
                     fetched_at=fetched_at, notes={"unit": "per core-hour; RAM per MB-hour"})
