"""Sizes priced from a provider's own price list (cached by `core.services.price_lists`).

Two kinds of list are understood:
- per unit (Selectel `/v2/billing/vpc/prices`): `compute_cores` per vCPU and `compute_ram`
  per MB, per hour and zone — any size is priced as vCPUs × core + MB × RAM; Yandex SKUs
  (`/billing/v1/skus`) the same way per platform: `compute_cores:<platform>:<core fraction>`
  and `compute_ram:<platform>`;
- per configuration (Beget's configurator): `vps:<cpu>:<memory MB>:<disk MB>` per day and
  region — only the sizes the connector asked for exist.
Rules compare ratios of these prices and apply them to what the resource really costs (so
the org's discounts carry over); without a list they fall back to `prices.py`.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from decimal import Decimal
from typing import Any

from core.db.models import Resource
from core.domain.prices import PriceItem, PriceList
from core.services.recommendations.base import RuleContext

__all__ = ["Size", "Sizing", "cheapest_zone", "compute_monthly", "listed_sizing", "size_of",
           "stop_saving"]

CPU_MAX = 70.0
MEM_MAX = 80.0
MIN_RAM_MB = 1024


@dataclass(frozen=True, slots=True)
class Size:
    vcpus: int
    ram_mb: int
    disk_mb: int | None
    zone: str | None
    platform: str | None = None  # Yandex `standard-v3`: prices differ per platform
    fraction: int | None = None  # Yandex guaranteed vCPU share, %

    @property
    def name(self) -> str:
        return f"{self.vcpus} vCPU / {self.ram_mb / 1024:g} GB"


@dataclass(frozen=True, slots=True)
class Sizing:
    """A smaller size and both monthly list prices (what the saving ratio is made of)."""

    name_from: str
    name_to: str
    price_from: Decimal
    price_to: Decimal
    source: str


def _int(value: Any) -> int | None:
    return int(value) if isinstance(value, int | float) and value > 0 else None


def size_of(config: dict[str, Any]) -> Size | None:
    """A server's size from its inventory config (Selectel `vcpus`/`ram_mb`/`zone`, Beget
    `cpu`/`memory_mb`/`disk_mb`, region in `zone` or absent; Yandex `cores`/`memory_gb`/
    `platform`/`core_fraction`)."""
    vcpus = _int(config.get("vcpus")) or _int(config.get("cpu")) or _int(config.get("cores"))
    ram = _int(config.get("ram_mb")) or _int(config.get("memory_mb"))
    memory_gb = config.get("memory_gb")
    if ram is None and isinstance(memory_gb, int | float) and memory_gb > 0:
        ram = int(memory_gb * 1024)
    if vcpus is None or ram is None:
        return None
    zone = config.get("zone") or config.get("region")
    platform = config.get("platform")
    return Size(vcpus, ram, _int(config.get("disk_mb")), str(zone) if zone else None,
                str(platform) if platform else None,
                _int(config.get("core_fraction")) if platform else None)


def _config_sku(size: Size) -> str:
    return f"vps:{size.vcpus}:{size.ram_mb}:{size.disk_mb}"


def _unit_items(prices: PriceList, size: Size,
                zone: str | None) -> tuple[PriceItem, PriceItem] | None:
    """(per vCPU, per MB) items of a per-unit list: the platform's own (Yandex), else the
    zone's (Selectel); None for a per-configuration list."""
    if size.platform:
        cores = prices.find(f"compute_cores:{size.platform}:{size.fraction or 100}")
        ram = prices.find(f"compute_ram:{size.platform}")
        if cores is not None and ram is not None:
            return cores, ram
    cores, ram = prices.find("compute_cores", zone), prices.find("compute_ram", zone)
    return (cores, ram) if cores is not None and ram is not None else None


def compute_monthly(prices: PriceList, size: Size, zone: str | None = None) -> Decimal | None:
    """What the size's compute (vCPU + RAM; disk excluded) costs a month by the list."""
    where = zone or size.zone
    units = _unit_items(prices, size, where)
    if units is not None:
        return units[0].monthly(size.vcpus) + units[1].monthly(size.ram_mb)
    if size.disk_mb is not None:
        item = prices.find(_config_sku(size), where)
        if item is not None:
            return item.monthly()
    return None


def _candidates(prices: PriceList, size: Size, same_ram: bool = False) -> list[Size]:
    """Smaller sizes to price; `same_ram` when memory use is unknown (vCPUs only)."""
    if _unit_items(prices, size, size.zone) is not None:
        out = []
        least = 2 if size.platform else 1  # Yandex VMs have at least 2 vCPUs
        for vcpus in {size.vcpus, max(least, size.vcpus // 2), max(least, size.vcpus // 4)}:
            rams = {size.ram_mb} if same_ram else {size.ram_mb, size.ram_mb // 2,
                                                    size.ram_mb // 4}
            for ram in rams:
                if ram >= MIN_RAM_MB and (vcpus, ram) != (size.vcpus, size.ram_mb):
                    out.append(replace(size, vcpus=vcpus, ram_mb=ram))
        return out
    out = []
    for item in prices.items:
        parts = item.sku.split(":")
        if len(parts) != 4 or parts[0] != "vps" or not all(p.isdigit() for p in parts[1:]):
            continue
        vcpus, ram, disk = (int(p) for p in parts[1:])
        if disk == size.disk_mb and (vcpus, ram) != (size.vcpus, size.ram_mb) \
                and (size.zone is None or item.zone in (None, size.zone)):
            out.append(Size(vcpus, ram, disk, size.zone))
    return out


def listed_sizing(prices: PriceList | None, config: dict[str, Any], cpu_p95: float,
                  mem_p95: float | None) -> Sizing | None:
    """The most expensive cheaper size on which the p95 load still fits, by the list; with
    memory use unknown (Yandex reports CPU only) only vCPUs shrink, RAM stays."""
    size = size_of(config)
    if prices is None or size is None:
        return None
    current = compute_monthly(prices, size)
    if current is None or current <= 0:
        return None
    best: tuple[Decimal, Size] | None = None
    for cand in _candidates(prices, size, same_ram=mem_p95 is None):
        if cpu_p95 * size.vcpus / cand.vcpus > CPU_MAX or (
                mem_p95 is not None and mem_p95 * size.ram_mb / cand.ram_mb > MEM_MAX):
            continue
        price = compute_monthly(prices, cand)
        if price is None or price >= current:
            continue
        if best is None or price > best[0]:
            best = (price, cand)
    if best is None:
        return None
    return Sizing(size.name, best[1].name, current.quantize(Decimal("0.01")),
                  best[0].quantize(Decimal("0.01")), prices.source)


def cheapest_zone(prices: PriceList | None, config: dict[str, Any]) -> tuple[str, Decimal] | None:
    """Another zone where the same compute costs less a month (per-unit lists only)."""
    size = size_of(config)
    if prices is None or size is None or size.zone is None:
        return None
    here = compute_monthly(prices, size)
    if here is None:
        return None
    best: tuple[str, Decimal] | None = None
    for zone in prices.zones("compute_cores"):
        price = compute_monthly(prices, size, zone)
        if price is not None and price < here and (best is None or price < best[1]):
            best = (zone, price)
    return best


IDLE_SHARE = Decimal("0.9")


def stop_saving(ctx: RuleContext, res: Resource, monthly: Decimal) -> Decimal:
    """What stopping an idle server saves a month: its compute by the provider's list (disks
    and addresses keep billing), capped at what it costs; 90 % of its cost without a list."""
    prices = ctx.price_lists.get(res.connection_id)
    size = size_of(res.config or {})
    compute = compute_monthly(prices, size) if prices is not None and size is not None else None
    if compute is None or compute <= 0:
        return (monthly * IDLE_SHARE).quantize(Decimal("0.01"))
    return min(monthly, compute).quantize(Decimal("0.01"))
