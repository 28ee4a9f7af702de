"""Balance runway of prepaid accounts: when each connection runs dry, and how much to top up.

Russian prepaid clouds stop (and later delete) resources at a zero balance, so this must be
exact. Burn rate: the average daily spend of the last 7 complete days from the cost lines,
or the provider's own daily rate when it reports one — whichever is HIGHER wins, because
warning a day early costs nothing and a day late stops production. A provider's own
days-to-block, when given and sooner, wins over our division for the same reason.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import ROUND_CEILING, Decimal

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from core.clock import Clock
from core.db.models import Connection
from core.domain.money import quantize_money
from core.services import costs
from core.services.currency import convert_or_none
from core.services.forecasts import data_end, org_info

__all__ = ["BURN_WINDOW_DAYS", "CRITICAL_DAYS", "LOW_DAYS", "Runway", "RunwayView", "runway"]

BURN_WINDOW_DAYS = 7
CRITICAL_DAYS = 3
LOW_DAYS = 7
ZERO = Decimal("0.00")


@dataclass(frozen=True, slots=True)
class Runway:
    """One prepaid connection; money in the org currency (`balance_original` as reported)."""

    connection_id: int
    name: str
    provider: str
    balance: Decimal
    balance_original: Decimal
    balance_currency: str
    burn_rate: Decimal
    burn_source: str  # "spend" | "provider" | "none"
    recent_daily: Decimal
    provider_daily: Decimal | None
    days_left: int | None  # None: nothing is burning
    block_date: date | None
    target_days: int
    top_up: Decimal
    status: str  # "blocked" | "critical" | "low" | "ok" | "unknown"
    balance_updated_at: datetime | None


@dataclass(frozen=True, slots=True)
class RunwayView:
    """Every prepaid connection, soonest block first, and the totals across providers."""

    today: date
    currency: str
    target_days: int
    rows: tuple[Runway, ...]
    total_balance: Decimal
    total_burn: Decimal
    total_top_up: Decimal

    @property
    def soonest(self) -> Runway | None:
        return self.rows[0] if self.rows else None


def _status(balance: Decimal, days_left: int | None) -> str:
    if balance <= 0:
        return "blocked"
    if days_left is None:
        return "ok"
    if days_left <= CRITICAL_DAYS:
        return "critical"
    if days_left <= LOW_DAYS:
        return "low"
    return "ok"


async def runway(session: AsyncSession, org_id: int, clock: Clock, *,
                 target_days: int | None = None) -> RunwayView:
    """The runway view of the org: one row per connection that reports a balance."""
    info = await org_info(session, org_id, clock)
    target = target_days or info.runway_target_days
    conns = (await session.execute(select(Connection).where(
        Connection.org_id == org_id, Connection.balance.is_not(None)))).scalars().all()
    last = await data_end(session, org_id, info)
    start = last - timedelta(days=BURN_WINDOW_DAYS - 1)
    rows: list[Runway] = []
    for conn in conns:
        currency = conn.balance_currency or info.currency
        balance = await convert_or_none(session, org_id, conn.balance or ZERO, currency,
                                        info.today)
        if balance is None:
            continue  # no rate for this currency: cannot be compared, reported by currency
        balance = quantize_money(balance)
        spent = await costs.total(session, org_id, start, last,
                                  costs.CostFilters(connection_ids=(conn.id,)))
        recent = quantize_money(spent / BURN_WINDOW_DAYS)
        provider_daily = None
        if conn.daily_rate is not None:
            provider_daily = await convert_or_none(session, org_id, conn.daily_rate, currency,
                                                   info.today)
        burn, source = recent, "spend" if recent > 0 else "none"
        if provider_daily is not None and provider_daily > burn:
            burn, source = provider_daily, "provider"
        days_left: int | None = None
        if burn > 0:
            days_left = max(0, math.floor(balance / burn))
        if conn.days_to_block is not None and (days_left is None
                                               or conn.days_to_block < days_left):
            days_left = max(0, conn.days_to_block)
        block = info.today + timedelta(days=days_left) if days_left is not None else None
        need = burn * target - balance
        top_up = need.quantize(Decimal(1), ROUND_CEILING) if need > 0 else Decimal(0)
        rows.append(Runway(
            connection_id=conn.id, name=conn.name, provider=conn.kind, balance=balance,
            balance_original=conn.balance or ZERO, balance_currency=currency,
            burn_rate=quantize_money(burn), burn_source=source, recent_daily=recent,
            provider_daily=provider_daily, days_left=days_left, block_date=block,
            target_days=target, top_up=top_up, status=_status(balance, days_left),
            balance_updated_at=conn.balance_updated_at))
    rows.sort(key=lambda r: (r.days_left if r.days_left is not None else 10**9, r.name))
    return RunwayView(
        today=info.today, currency=info.currency, target_days=target, rows=tuple(rows),
        total_balance=sum((r.balance for r in rows), ZERO),
        total_burn=sum((r.burn_rate for r in rows), ZERO),
        total_top_up=sum((r.top_up for r in rows), Decimal(0)))
