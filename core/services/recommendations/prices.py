"""Declarative price lists: plans and flavors per provider, the input of rightsizing.

List prices (₽ a month, illustrative public rates) — only their ratios are used: a saving is
the resource's actual monthly cost × (1 − price of the smaller plan / price of its plan), so
discounts the org enjoys carry over. An org can override prices in its settings:
`{"price_list": {"selectel": {"SL1.4-16384": 9800}}}`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

__all__ = ["COMMITMENT_DISCOUNT", "PLANS", "Plan", "current_plan", "smaller_plan"]


@dataclass(frozen=True, slots=True)
class Plan:
    provider: str
    name: str
    vcpus: int
    ram_gb: int
    monthly: Decimal


def _selectel(vcpus: int, ram_gb: int) -> Plan:
    return Plan("selectel", f"SL1.{vcpus}-{ram_gb * 1024}", vcpus, ram_gb,
                Decimal(vcpus * 760 + ram_gb * 290))


def _beget(vcpus: int, ram_gb: int) -> Plan:
    return Plan("beget", f"Premium {vcpus}/{ram_gb}", vcpus, ram_gb,
                Decimal(vcpus * 650 + ram_gb * 260))


PLANS: tuple[Plan, ...] = (
    _selectel(1, 2), _selectel(2, 4), _selectel(2, 8), _selectel(4, 8), _selectel(4, 16),
    _selectel(6, 24), _selectel(8, 32), _selectel(8, 64), _selectel(16, 64),
    _selectel(16, 128), _beget(1, 2), _beget(2, 4), _beget(4, 8), _beget(8, 16),
    _beget(16, 32), _beget(32, 64),
)

# Discount of a 12-month commitment / prepayment, by provider (conservative).
COMMITMENT_DISCOUNT: dict[str, Decimal] = {
    "selectel": Decimal("0.15"), "beget": Decimal("0.10"), "yandex": Decimal("0.20"),
    "vk": Decimal("0.15"), "cloudru": Decimal("0.15")}


def _with_overrides(plans: tuple[Plan, ...], overrides: dict[str, object]) -> list[Plan]:
    out = []
    for plan in plans:
        price = overrides.get(plan.name)
        out.append(Plan(plan.provider, plan.name, plan.vcpus, plan.ram_gb,
                        Decimal(str(price))) if isinstance(price, int | float | str) else plan)
    return out


def current_plan(provider: str, config: dict[str, object],
                 overrides: dict[str, object] | None = None) -> Plan | None:
    """The plan a resource runs on, from its flavor / plan name in the config."""
    name = str(config.get("flavor") or config.get("plan") or "").strip()
    if not name:
        return None
    plans = _with_overrides(tuple(p for p in PLANS if p.provider == provider), overrides or {})
    exact = next((p for p in plans if p.name.lower() == name.lower()), None)
    if exact is not None:
        return exact
    match = re.fullmatch(r"SL1\.(\d+)-(\d+)", name)
    if match:  # a Selectel flavor outside the table: price it by the same formula
        return _selectel(int(match[1]), int(match[2]) // 1024)
    return None


def smaller_plan(plan: Plan, cpu_p95: float, mem_p95: float, *, cpu_max: float = 70.0,
                 mem_max: float = 80.0,
                 overrides: dict[str, object] | None = None) -> Plan | None:
    """The most expensive cheaper plan on which the observed p95 load still fits."""
    plans = _with_overrides(tuple(p for p in PLANS if p.provider == plan.provider),
                            overrides or {})
    fits = [p for p in plans if p.monthly < plan.monthly
            and cpu_p95 * plan.vcpus / p.vcpus <= cpu_max
            and mem_p95 * plan.ram_gb / p.ram_gb <= mem_max]
    return max(fits, key=lambda p: p.monthly) if fits else None
