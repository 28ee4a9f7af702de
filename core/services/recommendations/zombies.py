"""Zombies: resources the provider still bills although inventory says they are gone."""

from __future__ import annotations

from decimal import Decimal

from core.services.recommendations.base import Finding, RuleContext, money, resource_key

__all__ = ["zombies"]


def zombies(ctx: RuleContext) -> list[Finding]:
    out: list[Finding] = []
    for res in ctx.resources:
        cost = ctx.cost(res)
        billed = sum(cost.daily[-3:], Decimal(0))
        if not (res.is_zombie or (res.is_deleted and billed > 0)):
            continue
        monthly = money(cost.recent_daily * 30) if cost.daily else ctx.monthly(res)
        if monthly <= 0:
            continue
        out.append(Finding(
            kind="zombie", dedup_key=resource_key("zombie", res), monthly_saving=monthly,
            confidence=0.9, params={"resource": res.name},
            evidence={"monthly_cost": str(monthly), "billed_last_3_days": str(money(billed)),
                      "deleted_at": res.deleted_at.date().isoformat() if res.deleted_at
                      else None},
            resource_id=res.id, connection_id=res.connection_id,
            baseline_daily_cost=money(monthly / 30)))
    return out
