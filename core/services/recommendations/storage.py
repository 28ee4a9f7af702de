"""Storage class and disk tier: cold data in a hot class, fast disks where nothing needs them."""

from __future__ import annotations

from decimal import Decimal

from core.services.recommendations.base import Finding, RuleContext, money, resource_key

__all__ = ["COLD_PRICE_RATIO", "disk_tier", "storage_class"]

COLD_PRICE_RATIO = Decimal("0.45")  # cold storage costs ~45 % of standard
UNIVERSAL_PRICE_RATIO = Decimal("0.6")  # a universal disk ~60 % of a fast one


def storage_class(ctx: RuleContext) -> list[Finding]:
    out: list[Finding] = []
    for res in ctx.resources:
        config = res.config or {}
        if res.kind != "bucket" or res.is_deleted or config.get("class") != "standard":
            continue
        cold = config.get("cold_share")
        size_tb = config.get("size_tb")
        if isinstance(cold, int | float) and cold >= 0.5:
            share = Decimal(str(cold))
        elif isinstance(size_tb, int | float) and size_tb >= 10:
            share = Decimal("0.8")  # large archives are mostly cold
        else:
            continue
        monthly = ctx.monthly(res)
        saving = money(monthly * share * (1 - COLD_PRICE_RATIO))
        if saving <= 0:
            continue
        out.append(Finding(
            kind="storage_class", dedup_key=resource_key("storage_class", res),
            monthly_saving=saving, confidence=0.7,
            params={"resource": res.name, "to": "cold", "cold_share": float(share)},
            evidence={"class": "standard", "cold_share": float(share),
                      "monthly_cost": str(monthly)},
            resource_id=res.id, connection_id=res.connection_id,
            baseline_daily_cost=money(monthly / 30)))
    return out


def disk_tier(ctx: RuleContext) -> list[Finding]:
    out: list[Finding] = []
    for res in ctx.resources:
        config = res.config or {}
        if (res.kind != "volume" or res.is_deleted or config.get("type") != "fast"
                or (res.environment or "").lower() in ("prod", "production", "")):
            continue
        monthly = ctx.monthly(res)
        saving = money(monthly * (1 - UNIVERSAL_PRICE_RATIO))
        if saving <= 0:
            continue
        out.append(Finding(
            kind="disk_type", dedup_key=resource_key("disk_type", res), monthly_saving=saving,
            confidence=0.6, params={"resource": res.name, "from": "fast", "to": "universal"},
            evidence={"environment": res.environment, "monthly_cost": str(monthly)},
            resource_id=res.id, connection_id=res.connection_id,
            baseline_daily_cost=money(monthly / 30)))
    return out
