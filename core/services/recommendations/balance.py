"""Low balance on prepaid accounts: top up before the provider stops the resources."""

from __future__ import annotations

from decimal import Decimal

from core.services.recommendations.base import Finding, RuleContext

__all__ = ["LOW_BALANCE_DAYS", "low_balance"]

LOW_BALANCE_DAYS = 14


def low_balance(ctx: RuleContext) -> list[Finding]:
    out: list[Finding] = []
    days = ctx.threshold("low_balance", "days", LOW_BALANCE_DAYS)
    for row in ctx.runway.rows:
        if row.days_left is None or row.days_left > days:
            continue
        out.append(Finding(
            kind="low_balance", dedup_key=f"low_balance:connection:{row.connection_id}",
            monthly_saving=Decimal("0.00"), confidence=0.95,
            params={"connection": row.name, "days_left": row.days_left,
                    "block_date": row.block_date.isoformat() if row.block_date else None,
                    "top_up": str(row.top_up)},
            evidence={"balance": str(row.balance), "burn_rate": str(row.burn_rate),
                      "burn_source": row.burn_source, "days_left": row.days_left,
                      "target_days": row.target_days},
            connection_id=row.connection_id))
    return out
