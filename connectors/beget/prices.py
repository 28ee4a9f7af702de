"""Beget's configurator prices → `core.domain.prices.PriceList` (the VPS sizes a rule may
recommend, priced by Beget itself).

Beget publishes no price table; its VPS configurator answers what one configuration costs
(`GET /v1/vps/configurator/calculation?params.cpu_count&params.memory&params.disk_size&region`
→ `{"success": {"params": {...}, "price_day", "price_month"}}`, openapi-vps v1.8.1; the
`error` branch says `TEMPORARILY_UNAVAILABLE`). For every running VPS we ask for its own size
and the smaller ones rightsizing could pick (half the vCPUs, half the memory, both; same
disk) and keep each as a `vps:<cpu>:<memory MB>:<disk MB>` item per day in its region.
Memory and disk in MB is UNCONFIRMED (see NOTES.md): the configurator and the server list
use the same numbers, so a size read from one is priced by the other consistently.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from core.domain.prices import PriceItem, PriceList

__all__ = ["SOURCE", "candidates", "config_sku", "item_of", "price_list"]

SOURCE = "/v1/vps/configurator/calculation"
MIN_MEMORY_MB = 1024


def config_sku(cpu: int, memory_mb: int, disk_mb: int) -> str:
    return f"vps:{cpu}:{memory_mb}:{disk_mb}"


def candidates(cpu: int, memory_mb: int) -> list[tuple[int, int]]:
    """The VPS's own size, then the smaller sizes worth pricing (never below 1 vCPU, 1 GB)."""
    out = [(cpu, memory_mb)]
    for c, m in ((cpu // 2, memory_mb), (cpu, memory_mb // 2), (cpu // 2, memory_mb // 2)):
        if c >= 1 and m >= MIN_MEMORY_MB and (c, m) not in out:
            out.append((c, m))
    return out


def item_of(body: dict[str, Any], sku: str, region: str | None) -> PriceItem | None:
    """The `success` branch as a per-day item; None for an `error` or unreadable price."""
    success = body.get("success")
    if not isinstance(success, dict):
        return None
    try:
        price = Decimal(str(success.get("price_day")))
    except InvalidOperation:
        return None
    if not price.is_finite() or price <= 0:
        return None
    return PriceItem(sku=sku, price=price, unit="vps", per="day", zone=region)


def price_list(items: list[PriceItem], fetched_at: datetime) -> PriceList:
    return PriceList(provider="beget", source=SOURCE, items=tuple(items), fetched_at=fetched_at,
                     notes={"sku": "vps:<cpu>:<memory MB>:<disk MB>", "per": "day"})
