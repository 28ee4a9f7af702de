"""A cheaper zone: the same compute costs less in another zone of the provider's own price list.

Per-unit lists (Selectel `/v2/billing/vpc/prices`: vCPU and RAM per hour and zone) price a
server's size in every zone (`provider_prices.cheapest_zone`). The saving is the compute part of
what the server really costs (capped by the list price, so disks and addresses, which move with
it, and the org's discounts are not counted twice) times the relative difference. Moving is a
migration, so small or marginal differences are no finding, idle servers (stop them instead)
and stopped ones are skipped. Without a per-unit list there is no finding (no guessing).
"""

from __future__ import annotations

from decimal import Decimal

from core.services.recommendations.base import Finding, RuleContext, money, resource_key
from core.services.recommendations.idle import idle_limits, is_idle
from core.services.recommendations.provider_prices import cheapest_zone, compute_monthly, size_of

__all__ = ["MIN_MONTHLY", "MIN_SHARE", "cheaper_zone"]

MIN_SHARE = Decimal("0.05")  # at least 5 % cheaper: a smaller gap is not worth a migration
MIN_MONTHLY = Decimal(100)  # and at least 100 (org currency) a month


def cheaper_zone(ctx: RuleContext) -> list[Finding]:
    out: list[Finding] = []
    limits = idle_limits(ctx)
    for res in ctx.resources:
        if res.kind != "server" or res.is_deleted or res.status == "stopped":
            continue
        usage = ctx.usage.get(res.id)
        if usage is not None and is_idle(usage, *limits):
            continue
        prices = ctx.price_lists.get(res.connection_id)
        size = size_of(res.config or {})
        best = cheapest_zone(prices, res.config or {})
        if prices is None or size is None or best is None:
            continue
        here = compute_monthly(prices, size)
        if here is None or here <= 0:
            continue
        zone, there = best
        share = (here - there) / here
        monthly = ctx.monthly(res)
        saving = money(min(monthly, here) * share)
        if share < MIN_SHARE or saving < MIN_MONTHLY:
            continue
        out.append(Finding(
            kind="cheaper_region", dedup_key=resource_key("cheaper_region", res),
            monthly_saving=saving, confidence=0.6,
            params={"resource": res.name, "from": size.zone, "to": zone},
            evidence={"monthly_cost": str(monthly), "zone_from": size.zone, "zone_to": zone,
                      "price_from": str(money(here)), "price_to": str(money(there)),
                      "price_ratio": str((there / here).quantize(Decimal("0.001"))),
                      "price_source": prices.source},
            resource_id=res.id, connection_id=res.connection_id,
            baseline_daily_cost=money(monthly / 30)))
    return out
