"""The costliest resources of any period without reading its lines: monthly sums that bound,
exact sums for the few that can win.

A large account has hundreds of thousands of lines a month, one per resource and day, so
"top 5 resources of the last 30 days" by a GROUP BY over the lines costs seconds. Here:

1. `cost_resource_months` holds each resource's month (per connection and currency) as the sum
   of its charges and the sum of its credits. It is rebuilt month by month outside the
   writers' transactions (`catch_up`, a scheduler job and `infrazen rollups rebuild`); a write
   to a month's lines bumps the month's version in the writer's own transaction
   (`core.services.rollups`), so a month is used only while `built == version`. When a month
   of the period is stale, `top` says so (None) and the caller reads the lines: always right,
   fast once the job has caught up.
2. From those rows, one SQL statement gives each resource an upper bound of its spend in the
   period in the org currency: charges at the highest rate of the month's days in the period,
   credits at the lowest when the whole month is inside (nothing otherwise: a credit only
   lowers). A currency's day without a rate counts at 0, as the sums leave such lines out.
3. Resources are taken in order of their bound and summed exactly from their own lines (an
   index on the lines' resource key makes that a few hundred rows); once the N-th exact sum
   is above every bound not yet taken, no other resource can enter the top N (the threshold
   algorithm of Fagin et al.).

The resource key is the line's resource name, else its external id: how `core.services.costs`
groups by resource.
"""

from __future__ import annotations

import heapq
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Float,
    and_,
    bindparam,
    case,
    delete,
    func,
    insert,
    or_,
    select,
    type_coerce,
    update,
)
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from core.db.models import CostKey, CostLine, ResourceMonth, ResourceMonthState, ServiceRollup
from core.db.types import COST_SCALE

__all__ = ["RESOURCE_KEY", "MonthRead", "Ranked", "build", "catch_up", "months_between",
           "read_month", "stale", "store", "top"]

log = logging.getLogger(__name__)

RESOURCE_KEY = func.coalesce(CostLine.resource_name, CostLine.resource_external_id)
Rate = Callable[[str, date], Decimal | None]
# days listed in one read of the candidates' lines: with a batch of at most 800 keys (top
# 100) and a few filter values, under the 999 bound values SQLite before 3.32 allows
DAYS_PER_READ = 120
MAX_CANDIDATES = 5_000  # past this the bounds do not separate: the caller reads the lines
_NANO = Decimal(10) ** COST_SCALE


@dataclass(frozen=True, slots=True)
class Ranked:
    """One resource of a top: its key (None: lines with neither name nor id) and spend."""

    key: str | None
    amount: Decimal


def _month_start(day: date) -> date:
    return day.replace(day=1)


def _next_month(month: date) -> date:
    return (month.replace(day=28) + timedelta(days=4)).replace(day=1)


def months_between(first: date, last: date) -> list[date]:
    """First days of the months from `first`'s to `last`'s, inclusive."""
    out, month = [], _month_start(first)
    while month <= last:
        out.append(month)
        month = _next_month(month)
    return out


# --- upkeep ---------------------------------------------------------------------------------

async def stale(session: AsyncSession, org_id: int | None = None,
                ) -> list[tuple[int, int, date]]:
    """(org, connection, month) with cost data whose resource months are not current, the
    latest months first (what people ask about)."""
    spans = select(ServiceRollup.org_id, ServiceRollup.connection_id, func.min(ServiceRollup.day),
                   func.max(ServiceRollup.day)).group_by(ServiceRollup.org_id,
                                                         ServiceRollup.connection_id)
    states = select(ResourceMonthState.org_id, ResourceMonthState.connection_id,
                    ResourceMonthState.month).where(
        ResourceMonthState.built == ResourceMonthState.version)
    if org_id is not None:
        spans = spans.where(ServiceRollup.org_id == org_id)
        states = states.where(ResourceMonthState.org_id == org_id)
    current = {(o, c, m) for o, c, m in await session.execute(states)}
    out = [(org, conn, month)
           for org, conn, first, last in await session.execute(spans)
           for month in months_between(first, last) if (org, conn, month) not in current]
    out.sort(key=lambda item: (item[2], item[0], item[1]), reverse=True)
    return out


def _state_where(org_id: int, connection_id: int, month: date) -> ColumnElement[bool]:
    s = ResourceMonthState
    return and_(s.org_id == org_id, s.connection_id == connection_id, s.month == month)


async def _ensure_state(session: AsyncSession, org_id: int, connection_id: int,
                        month: date) -> None:
    values = {"org_id": org_id, "connection_id": connection_id, "month": month, "version": 0}
    dialect = session.get_bind().dialect.name
    maker = pg_insert if dialect == "postgresql" else sqlite_insert
    await session.execute(maker(ResourceMonthState).values(**values).on_conflict_do_nothing(
        index_elements=["org_id", "connection_id", "month"]))


def _month_sums(org_id: int, connection_id: int, month: date) -> Any:
    amount = CostLine.billed_cost
    zero = Decimal(0)
    return (select(CostLine.provider, RESOURCE_KEY, CostLine.billing_currency,
                   func.sum(case((amount > zero, amount), else_=zero)),
                   func.sum(case((amount < zero, amount), else_=zero)), func.count())
            .where(CostLine.org_id == org_id, CostLine.connection_id == connection_id,
                   CostLine.day >= month, CostLine.day < _next_month(month))
            .group_by(CostLine.provider, RESOURCE_KEY, CostLine.billing_currency))


@dataclass(frozen=True, slots=True)
class MonthRead:
    """A connection's month as read from its lines, with the version it was read at."""

    org_id: int
    connection_id: int
    month: date
    version: int
    rows: list[Any]


async def read_month(sessions: async_sessionmaker[AsyncSession], org_id: int,
                     connection_id: int, month: date) -> MonthRead:
    """Read a month's sums from its lines. The version is read before the lines: a write
    committed after that bumps it, so `store` will refuse what this read."""
    async with sessions() as session, session.begin():
        await _ensure_state(session, org_id, connection_id, month)
    async with sessions() as session:
        version = (await session.execute(select(ResourceMonthState.version).where(
            _state_where(org_id, connection_id, month)))).scalar_one()
        rows = list((await session.execute(_month_sums(org_id, connection_id, month))).all())
    return MonthRead(org_id, connection_id, month, int(version), rows)


async def store(sessions: async_sessionmaker[AsyncSession], read: MonthRead) -> bool:
    """Store what `read_month` read, in one short write transaction, only if no write
    changed the month's lines since (else False: the next catch-up takes it again)."""
    where = _state_where(read.org_id, read.connection_id, read.month)
    async with sessions() as session, session.begin():
        claimed = await session.execute(
            update(ResourceMonthState).where(where, ResourceMonthState.version == read.version)
            .values(built=read.version).execution_options(synchronize_session=False))
        if not getattr(claimed, "rowcount", 0):
            return False
        await session.execute(delete(ResourceMonth).where(
            ResourceMonth.org_id == read.org_id,
            ResourceMonth.connection_id == read.connection_id,
            ResourceMonth.month == read.month).execution_options(synchronize_session=False))
        if read.rows:
            await session.execute(insert(ResourceMonth), [
                {"org_id": read.org_id, "connection_id": read.connection_id,
                 "month": read.month, "provider": provider, "resource_key": key,
                 "billing_currency": currency, "charges": charges or Decimal(0),
                 "credits": credits or Decimal(0), "lines": int(lines)}
                for provider, key, currency, charges, credits, lines in read.rows])
    return True


async def build(sessions: async_sessionmaker[AsyncSession], org_id: int, connection_id: int,
                month: date) -> bool:
    """Recompute one connection's month; False when a write changed its lines meanwhile."""
    return await store(sessions, await read_month(sessions, org_id, connection_id, month))


async def catch_up(sessions: async_sessionmaker[AsyncSession], org_id: int | None = None,
                   ) -> int:
    """Rebuild every stale month (of one org, or all); returns how many were rebuilt."""
    async with sessions() as session:
        todo = await stale(session, org_id)
    built = 0
    for org, conn, month in todo:
        built += await build(sessions, org, conn, month)
    if built:
        log.info("resource months rebuilt: %d of %d stale", built, len(todo))
    return built


# --- ranking --------------------------------------------------------------------------------

def _rate_span(rate: Rate, currency: str, first: date, last: date) -> tuple[Decimal, Decimal]:
    """Lowest and highest rate of the days [first, last]; a day without a rate counts 0."""
    values = [rate(currency, first + timedelta(days=i)) or Decimal(0)
              for i in range((last - first).days + 1)]
    return min(values), max(values)


def _bound(months: Sequence[date], currencies: Sequence[str], start: date, end: date,
           rate: Rate) -> ColumnElement[float]:
    """Each row's upper bound of its spend inside [start, end], in nano-units of the org
    currency (a float: ranking only)."""
    highest: dict[str, dict[date, float]] = {}
    lowest: dict[str, dict[date, float]] = {}
    for month in months:
        first, last = max(month, start), min(_next_month(month) - timedelta(days=1), end)
        whole = first == month and last == _next_month(month) - timedelta(days=1)
        for currency in currencies:
            low, high = _rate_span(rate, currency, first, last)
            highest.setdefault(currency, {})[month] = float(high)
            lowest.setdefault(currency, {})[month] = float(low) if whole else 0.0
    charges = type_coerce(ResourceMonth.charges, Float)
    credits = type_coerce(ResourceMonth.credits, Float)
    return func.sum(charges * _factor(highest) + credits * _factor(lowest))


def _factor(per: dict[str, dict[date, float]]) -> ColumnElement[float]:
    """A row's rate factor: chosen by its currency, then by its month only where the
    currency's months differ (the org's own currency is 1 in all). A few comparisons a row,
    not one per month and currency: a year's bound query at 10M lines 0.54 → 0.23 s."""
    zero = bindparam(None, 0.0, type_=Float)
    by_currency: dict[Any, ColumnElement[float]] = {}
    for currency, by_month in per.items():
        values = set(by_month.values())
        if len(values) == 1:  # the query reads only these months
            by_currency[currency] = bindparam(None, values.pop(), type_=Float)
        else:
            by_currency[currency] = case(
                {month: bindparam(None, value, type_=Float) for month, value in by_month.items()},
                value=ResourceMonth.month, else_=zero)
    return case(by_currency, value=ResourceMonth.billing_currency, else_=zero)


async def _exact(session: AsyncSession, org_id: int, keys: Sequence[str | None], start: date,
                 end: date, where: Sequence[ColumnElement[bool]], rate: Rate,
                 ) -> dict[str | None, Decimal]:
    """The spend of each key over [start, end], each line at its own day's rate.

    The org's keys of those resources first (their index: org, resource key), then each
    key's lines of the listed days (index: key, day): a seek per key and day, never a read
    of every line of the period. Org-scoped by the keys: a key's lines are its org's."""
    named = [k for k in keys if k is not None]
    own_key = func.coalesce(CostKey.resource_name, CostKey.resource_external_id)
    match: list[ColumnElement[bool]] = [own_key.in_(named)] if named else []
    if None in keys:
        match.append(own_key.is_(None))
    picked = select(CostKey.id).where(CostKey.org_id == org_id, or_(*match))
    sums: dict[str | None, Decimal] = {}  # as the lines' sums: a key with no rated line is out
    span = (end - start).days + 1
    for first in range(0, span, DAYS_PER_READ):
        days = [start + timedelta(days=i) for i in range(first, min(first + DAYS_PER_READ, span))]
        query = (select(RESOURCE_KEY, CostLine.billing_currency, CostLine.day,
                        func.sum(CostLine.billed_cost))
                 .where(CostLine.key_id.in_(picked), CostLine.day.in_(days), *where)
                 .group_by(RESOURCE_KEY, CostLine.billing_currency, CostLine.day))
        for key, currency, day, amount in await session.execute(query):
            r = rate(currency, day)
            if r is not None:
                amount = amount or Decimal(0)
                sums[key] = sums.get(key, Decimal(0)) + (amount if r == 1 else amount * r)
    return sums


async def top(session: AsyncSession, org_id: int, start: date, end: date, limit: int, *,
              rate: Rate, providers: Sequence[str] = (), connection_ids: Sequence[int] = (),
              ) -> list[Ranked] | None:
    """The `limit` costliest resources over [start, end] (largest first, ties by key), the
    same as a GROUP BY over the lines; None when a month of the period is not current (or
    the bounds do not separate), for the caller to read the lines."""
    scope = [ServiceRollup.org_id == org_id, ServiceRollup.day >= start, ServiceRollup.day <= end]
    line_scope: list[ColumnElement[bool]] = []
    month_scope: list[ColumnElement[bool]] = []
    if providers:
        names = [p.lower() for p in providers]
        scope.append(ServiceRollup.provider.in_(names))
        line_scope.append(CostLine.provider.in_(names))
        month_scope.append(ResourceMonth.provider.in_(names))
    if connection_ids:
        scope.append(ServiceRollup.connection_id.in_(connection_ids))
        line_scope.append(CostLine.connection_id.in_(connection_ids))
    spans = (await session.execute(
        select(ServiceRollup.connection_id, ServiceRollup.billing_currency,
               func.min(ServiceRollup.day), func.max(ServiceRollup.day))
        .where(*scope).group_by(ServiceRollup.connection_id, ServiceRollup.billing_currency)
    )).all()
    if not spans:
        return []
    needed = {(conn, month) for conn, _, first, last in spans
              for month in months_between(first, last)}
    connections = sorted({conn for conn, _ in needed})
    months = sorted({month for _, month in needed})
    current = {(conn, month) for conn, month in await session.execute(
        select(ResourceMonthState.connection_id, ResourceMonthState.month).where(
            ResourceMonthState.org_id == org_id,
            ResourceMonthState.connection_id.in_(connections),
            ResourceMonthState.month.in_(months),
            ResourceMonthState.built == ResourceMonthState.version))}
    if not needed <= current:
        return None
    currencies = sorted({currency for _, currency, _, _ in spans})
    bound = _bound(months, currencies, start, end, rate).label("bound")
    ranking = (select(ResourceMonth.resource_key, bound)
               .where(ResourceMonth.org_id == org_id,
                      ResourceMonth.connection_id.in_(connections),
                      ResourceMonth.month.in_(months), *month_scope)
               .group_by(ResourceMonth.resource_key)
               .order_by(bound.desc(), ResourceMonth.resource_key))
    batch = max(8 * limit, 64)  # one page is usually enough: the bound query costs the same
    best: list[tuple[Decimal, str]] = []  # a min-heap of the top `limit`: (amount, -key)
    found: dict[str | None, Decimal] = {}
    offset = 0
    while offset < MAX_CANDIDATES:
        rows = (await session.execute(ranking.limit(batch).offset(offset))).all()
        if not rows:
            break
        exact = await _exact(session, org_id, [k for k, _ in rows], start, end, line_scope, rate)
        found.update(exact)
        for key, amount in exact.items():
            _push(best, limit, amount, key)
        offset += len(rows)
        threshold = float(rows[-1][1] or 0.0)  # nothing not yet taken is above it
        if len(rows) < batch or (len(best) == limit and _above(best[0][0], threshold)):
            ranked = sorted(found.items(), key=lambda kv: (-kv[1], _order_key(kv[0])))
            return [Ranked(key, amount) for key, amount in ranked[:limit]]
    return None


def _order_key(key: str | None) -> str:
    return "" if key is None else key


def _push(heap: list[tuple[Decimal, str]], limit: int, amount: Decimal, key: str | None,
          ) -> None:
    """Keep the `limit` largest amounts seen (the smallest of them on top)."""
    item = (amount, _order_key(key))
    if len(heap) < limit:
        heapq.heappush(heap, item)
    elif amount > heap[0][0]:
        heapq.heapreplace(heap, item)


def _above(amount: Decimal, threshold_nano: float) -> bool:
    """Strictly above a float bound, with room for the float's rounding."""
    margin = abs(threshold_nano) * 1e-9 + 1.0
    return float(amount * _NANO) > threshold_nano + margin
