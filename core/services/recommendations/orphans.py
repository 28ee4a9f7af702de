"""Orphans: volumes attached to nothing and floating IPs bound to nothing, still billed."""

from __future__ import annotations

from core.db.models import Resource
from core.services.recommendations.base import Finding, RuleContext, money, resource_key

__all__ = ["orphan_volumes", "unused_ips"]


def _unattached(res: Resource) -> bool:
    return res.is_orphan or (res.config or {}).get("attached") is False


def _find(ctx: RuleContext, resource_kind: str, kind: str, confidence: float) -> list[Finding]:
    out: list[Finding] = []
    for res in ctx.resources:
        if res.kind != resource_kind or res.is_deleted or not _unattached(res):
            continue
        monthly = ctx.monthly(res)
        if monthly <= 0:
            continue
        days = (ctx.today - res.first_seen_at.date()).days
        params: dict[str, object] = {"resource": res.name, "unattached_days": days}
        size = (res.config or {}).get("size_gb")
        if size is not None:
            params["size_gb"] = size
        out.append(Finding(
            kind=kind, dedup_key=resource_key(kind, res), monthly_saving=monthly,
            confidence=confidence, params=params,
            evidence={"monthly_cost": str(monthly), "seen_days": days},
            resource_id=res.id, connection_id=res.connection_id,
            baseline_daily_cost=money(monthly / 30)))
    return out


def orphan_volumes(ctx: RuleContext) -> list[Finding]:
    return _find(ctx, "volume", "orphan_volume", 0.85)


def unused_ips(ctx: RuleContext) -> list[Finding]:
    return _find(ctx, "floating_ip", "unused_ip", 0.9)
