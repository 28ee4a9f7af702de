"""Rightsizing: a server whose CPU and memory p95 stayed low for two weeks → the next smaller
plan on which that load still fits, priced from the provider's (or the org's) price list."""

from __future__ import annotations

from decimal import Decimal

from core.services.recommendations.base import Finding, RuleContext, money, resource_key
from core.services.recommendations.idle import idle_limits, is_idle
from core.services.recommendations.prices import current_plan, smaller_plan

__all__ = ["CPU_LOW", "MEM_LOW", "rightsizing"]

CPU_LOW = 40.0
MEM_LOW = 50.0
MIN_DAYS = 7


def rightsizing(ctx: RuleContext) -> list[Finding]:
    out: list[Finding] = []
    limits = idle_limits(ctx)
    cpu_low = ctx.threshold("rightsizing", "cpu_percent", CPU_LOW)
    mem_low = ctx.threshold("rightsizing", "memory_percent", MEM_LOW)
    for res in ctx.resources:
        usage = ctx.usage.get(res.id)
        if (res.kind != "server" or res.is_deleted or usage is None or usage.days < MIN_DAYS
                or usage.cpu_p95 is None or usage.mem_p95 is None
                or is_idle(usage, *limits)):
            continue
        if usage.cpu_p95 > cpu_low or usage.mem_p95 > mem_low:
            continue
        provider = ctx.providers.get(res.connection_id, "")
        overrides = ctx.price_overrides.get(provider, {})
        plan = current_plan(provider, res.config or {}, overrides)
        if plan is None:
            continue
        target = smaller_plan(plan, usage.cpu_p95, usage.mem_p95, overrides=overrides)
        if target is None:
            continue
        monthly = ctx.monthly(res)
        saving = money(monthly * (1 - target.monthly / plan.monthly))
        if saving <= 0:
            continue
        confident = usage.cpu_p95 <= 25 and usage.mem_p95 <= 40
        out.append(Finding(
            kind="rightsizing", dedup_key=resource_key("rightsizing", res),
            monthly_saving=saving, confidence=0.85 if confident else 0.7,
            params={"resource": res.name, "from": plan.name, "to": target.name,
                    "cpu_p95": round(usage.cpu_p95), "mem_p95": round(usage.mem_p95)},
            evidence={"cpu_p95": round(usage.cpu_p95, 1), "mem_p95": round(usage.mem_p95, 1),
                      "days": usage.days, "monthly_cost": str(monthly),
                      "price_from": str(plan.monthly), "price_to": str(target.monthly),
                      "price_ratio": str((target.monthly / plan.monthly).quantize(
                          Decimal("0.001")))},
            resource_id=res.id, connection_id=res.connection_id,
            baseline_daily_cost=money(monthly / 30)))
    return out
