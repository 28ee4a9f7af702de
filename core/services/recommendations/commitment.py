"""Commitment: a production server running steadily 24/7 for two months → a 12-month commitment
(or prepayment) at the provider's discount."""

from __future__ import annotations

from decimal import Decimal
from statistics import mean, pstdev

from core.services.recommendations.base import Finding, RuleContext, money, resource_key
from core.services.recommendations.prices import COMMITMENT_DISCOUNT

__all__ = ["commitment"]

MIN_AGE_DAYS = 60
MAX_CV = 0.1
MIN_MONTHLY = Decimal(3000)


def commitment(ctx: RuleContext) -> list[Finding]:
    out: list[Finding] = []
    for res in ctx.resources:
        if (res.kind != "server" or res.is_deleted or res.status != "running"
                or (res.environment or "").lower() not in ("prod", "production")):
            continue
        discount = COMMITMENT_DISCOUNT.get(ctx.providers.get(res.connection_id, ""))
        age = (ctx.today - res.first_seen_at.date()).days
        daily = [float(v) for v in ctx.cost(res).daily]
        if discount is None or age < MIN_AGE_DAYS or len(daily) < 28 or min(daily) <= 0:
            continue
        cv = pstdev(daily) / mean(daily)
        monthly = ctx.monthly(res)
        if cv > MAX_CV or monthly < MIN_MONTHLY:
            continue
        out.append(Finding(
            kind="commitment", dedup_key=resource_key("commitment", res),
            monthly_saving=money(monthly * discount), confidence=0.7,
            params={"resource": res.name, "term_months": 12},
            evidence={"age_days": age, "cv": round(cv, 3), "discount": str(discount),
                      "monthly_cost": str(monthly)},
            resource_id=res.id, connection_id=res.connection_id,
            baseline_daily_cost=money(monthly / 30)))
    return out
