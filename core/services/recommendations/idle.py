"""Idle resources: a server that did next to nothing for two weeks → stop or delete it."""

from __future__ import annotations

from core.services.recommendations.base import Finding, RuleContext, Usage, money, resource_key
from core.services.recommendations.provider_prices import stop_saving

__all__ = ["CPU_IDLE", "MEM_IDLE", "MIN_DAYS", "idle", "idle_limits", "is_idle"]

CPU_IDLE = 5.0
MEM_IDLE = 15.0
MIN_DAYS = 7


def is_idle(usage: Usage, cpu: float = CPU_IDLE, mem: float = MEM_IDLE,
            min_days: float = MIN_DAYS) -> bool:
    return (usage.days >= min_days and usage.cpu_p95 is not None and usage.cpu_p95 < cpu
            and (usage.mem_p95 is None or usage.mem_p95 < mem))


def idle_limits(ctx: RuleContext) -> tuple[float, float, float]:
    """(CPU %, memory %, days) below which a server counts as idle for this org."""
    return (ctx.threshold("idle", "cpu_percent", CPU_IDLE),
            ctx.threshold("idle", "memory_percent", MEM_IDLE),
            ctx.threshold("idle", "min_days", MIN_DAYS))


def idle(ctx: RuleContext) -> list[Finding]:
    out: list[Finding] = []
    limits = idle_limits(ctx)
    for res in ctx.resources:
        usage = ctx.usage.get(res.id)
        if (res.kind != "server" or res.is_deleted or usage is None
                or not is_idle(usage, *limits)):
            continue
        monthly = ctx.monthly(res)
        if monthly <= 0:
            continue
        out.append(Finding(
            kind="idle", dedup_key=resource_key("idle", res),
            monthly_saving=stop_saving(ctx, res, monthly), confidence=0.8,
            params={"resource": res.name, "cpu_p95": round(usage.cpu_p95 or 0)},
            evidence={"cpu_p95": usage.cpu_p95, "mem_p95": usage.mem_p95, "days": usage.days,
                      "monthly_cost": str(monthly)},
            resource_id=res.id, connection_id=res.connection_id,
            baseline_daily_cost=money(monthly / 30)))
    return out
