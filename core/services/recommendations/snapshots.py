"""Old snapshots: kept past 90 days they are rarely restored and billed every day."""

from __future__ import annotations

from decimal import Decimal

from core.services.recommendations.base import Finding, RuleContext, money, resource_key

__all__ = ["OLD_DAYS", "old_snapshots"]

OLD_DAYS = 90


def old_snapshots(ctx: RuleContext) -> list[Finding]:
    out: list[Finding] = []
    old_days = int(ctx.threshold("old_snapshots", "age_days", OLD_DAYS))
    for res in ctx.resources:
        if res.kind != "snapshot" or res.is_deleted:
            continue
        config = res.config or {}
        oldest = config.get("oldest_days")
        age = int(oldest) if isinstance(oldest, int | float) else (
            ctx.today - res.first_seen_at.date()).days
        if age <= old_days:
            continue
        monthly = ctx.monthly(res)
        # a collection of snapshots: assume half the storage is in the old ones
        share = Decimal("0.5") if "snapshots" in config else Decimal(1)
        saving = money(monthly * share)
        if saving <= 0:
            continue
        out.append(Finding(
            kind="old_snapshots", dedup_key=resource_key("old_snapshots", res),
            monthly_saving=saving, confidence=0.7 if share < 1 else 0.8,
            params={"resource": res.name, "older_than_days": old_days},
            evidence={"oldest_days": age, "monthly_cost": str(monthly),
                      "snapshots": config.get("snapshots")},
            resource_id=res.id, connection_id=res.connection_id,
            baseline_daily_cost=money(monthly / 30)))
    return out
