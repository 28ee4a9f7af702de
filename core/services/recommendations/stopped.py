"""Stopped but still billed: a server switched off while its disks and addresses keep billing.

Stopping a server ends its compute charge, not its storage: the disks, a reserved address and
(on some providers, Beget among them) the stopped server itself go on billing every day. The
saving is the full month of what still bills — delete the server, or snapshot and delete its
disks — and the evidence names what is billing. Where a provider folds a server's disks into
the server (Selectel), the server's own recent cost is what still bills; where they are
separate resources (Yandex, OpenStack, Cloud.ru), its children's costs are added.
"""

from __future__ import annotations

from decimal import Decimal

from core.db.models import Resource
from core.services.recommendations.base import Finding, RuleContext, money, resource_key

__all__ = ["MIN_MONTHLY", "MIN_STOPPED_DAYS", "stopped_billed"]

MIN_STOPPED_DAYS = 3  # recent days with a cost: a server stopped an hour ago is no finding
MIN_MONTHLY = Decimal(1)
_BILLABLE_CHILDREN = ("volume", "floating_ip", "snapshot", "backup")


def _children(ctx: RuleContext) -> dict[tuple[int, str], list[Resource]]:
    out: dict[tuple[int, str], list[Resource]] = {}
    for res in ctx.resources:
        if res.parent_external_id and not res.is_deleted and res.kind in _BILLABLE_CHILDREN:
            out.setdefault((res.connection_id, res.parent_external_id), []).append(res)
    return out


def stopped_billed(ctx: RuleContext) -> list[Finding]:
    out: list[Finding] = []
    children = _children(ctx)
    for res in ctx.resources:
        if res.kind != "server" or res.is_deleted or res.status != "stopped":
            continue
        own = ctx.cost(res)
        if own.daily and sum(1 for v in own.daily[-MIN_STOPPED_DAYS:] if v > 0) \
                < min(MIN_STOPPED_DAYS, len(own.daily)):
            continue  # not billed on each of the last days: nothing steady still bills
        billing = {"server": ctx.monthly(res)}
        for child in children.get((res.connection_id, res.external_id), []):
            monthly = ctx.monthly(child)
            if monthly > 0:
                billing[f"{child.kind}:{child.name}"] = monthly
        total = money(sum(billing.values(), Decimal(0)))
        if total < MIN_MONTHLY:
            continue
        out.append(Finding(
            kind="stopped_billed", dedup_key=resource_key("stopped_billed", res),
            monthly_saving=total, confidence=0.85,
            params={"resource": res.name, "billed_items": len([v for v in billing.values()
                                                               if v > 0])},
            evidence={"monthly_cost": str(total),
                      "still_billed": {k: str(money(v)) for k, v in billing.items() if v > 0}},
            resource_id=res.id, connection_id=res.connection_id,
            baseline_daily_cost=money(total / 30)))
    return out
