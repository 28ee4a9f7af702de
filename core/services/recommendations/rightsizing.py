"""Rightsizing: a server whose CPU and memory p95 stayed low for two weeks → the next smaller
plan on which that load still fits, priced from the provider's (or the org's) price list."""

from __future__ import annotations

from decimal import Decimal

from core.db.models import Resource
from core.services.recommendations.base import Finding, RuleContext, money, resource_key
from core.services.recommendations.idle import idle_limits, is_idle
from core.services.recommendations.prices import current_plan, smaller_plan
from core.services.recommendations.provider_prices import Sizing, listed_sizing

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
                or usage.cpu_p95 is None or is_idle(usage, *limits)):
            continue
        if usage.cpu_p95 > cpu_low or (usage.mem_p95 is not None and usage.mem_p95 > mem_low):
            continue  # memory unknown (Yandex: CPU only): vCPUs may shrink, RAM stays
        sizing = _sizing(ctx, res, usage.cpu_p95, usage.mem_p95)
        if sizing is None:
            continue
        monthly = ctx.monthly(res)
        saving = money(monthly * (1 - sizing.price_to / sizing.price_from))
        if saving <= 0:
            continue
        mem = usage.mem_p95
        confident = usage.cpu_p95 <= 25 and (mem is None or mem <= 40)  # None: RAM stays
        listed = {"price_source": sizing.source} if sizing.source != TABLE else {}
        memory = {} if mem is None else {"mem_p95": round(mem)}
        out.append(Finding(
            kind="rightsizing", dedup_key=resource_key("rightsizing", res),
            monthly_saving=saving, confidence=0.85 if confident else 0.7,
            params={"resource": res.name, "from": sizing.name_from, "to": sizing.name_to,
                    "cpu_p95": round(usage.cpu_p95), **memory},
            evidence={"cpu_p95": round(usage.cpu_p95, 1),
                      "mem_p95": None if mem is None else round(mem, 1),
                      "days": usage.days, "monthly_cost": str(monthly),
                      "price_from": str(sizing.price_from), "price_to": str(sizing.price_to),
                      "price_ratio": str((sizing.price_to / sizing.price_from).quantize(
                          Decimal("0.001"))), **listed},
            resource_id=res.id, connection_id=res.connection_id,
            baseline_daily_cost=money(monthly / 30)))
    return out


TABLE = "table"


def _sizing(ctx: RuleContext, res: Resource, cpu_p95: float,
            mem_p95: float | None) -> Sizing | None:
    """The provider's own price list (cached daily) first; the built-in table offline (which
    needs memory use too)."""
    listed = listed_sizing(ctx.price_lists.get(res.connection_id), res.config or {}, cpu_p95,
                           mem_p95)
    if listed is not None or mem_p95 is None:
        return listed
    provider = ctx.providers.get(res.connection_id, "")
    overrides = ctx.price_overrides.get(provider, {})
    plan = current_plan(provider, res.config or {}, overrides)
    if plan is None:
        return None
    target = smaller_plan(plan, cpu_p95, mem_p95, overrides=overrides)
    if target is None:
        return None
    return Sizing(plan.name, target.name, plan.monthly, target.monthly, TABLE)
