"""Night and weekend shutdown of dev / stage / test servers that run around the clock.

On weekdays 08–20 only is 60 of 168 hours: 64 % of the hours are saved. A server already
cheaper at weekends (someone switches it off) is left alone.
"""

from __future__ import annotations

from decimal import Decimal

from core.services.recommendations.base import Finding, RuleContext, money, resource_key
from core.services.recommendations.idle import idle_limits, is_idle

__all__ = ["schedule_shutdown"]

NON_PROD = ("dev", "stage", "staging", "test", "qa")
ON_HOURS = Decimal(60)
WEEK_HOURS = Decimal(168)
ALWAYS_ON = Decimal("0.85")


def schedule_shutdown(ctx: RuleContext) -> list[Finding]:
    out: list[Finding] = []
    limits = idle_limits(ctx)
    for res in ctx.resources:
        if (res.kind != "server" or res.is_deleted
                or (res.environment or "").lower() not in NON_PROD):
            continue
        usage = ctx.usage.get(res.id)
        if usage is not None and is_idle(usage, *limits):
            continue
        weekday, weekend = ctx.weekdays.get(res.id, (Decimal(0), Decimal(0)))
        if weekday <= 0 or weekend / weekday < ALWAYS_ON:
            continue
        monthly = ctx.monthly(res)
        saving = money(monthly * (1 - ON_HOURS / WEEK_HOURS))
        if saving < 100:
            continue
        out.append(Finding(
            kind="schedule_shutdown", dedup_key=resource_key("schedule_shutdown", res),
            monthly_saving=saving, confidence=0.7,
            params={"resource": res.name, "schedule": "weekdays 08–20"},
            evidence={"environment": res.environment, "monthly_cost": str(monthly),
                      "weekend_ratio": str((weekend / weekday).quantize(Decimal("0.01")))},
            resource_id=res.id, connection_id=res.connection_id,
            baseline_daily_cost=money(monthly / 30)))
    return out
