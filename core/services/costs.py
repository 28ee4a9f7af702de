"""Spend queries every answer, alert, digest and brief is built from: totals, breakdowns, series.

One place knows how cost lines group (provider, connection, service, resource, project, region,
team, environment, category, day), how filters apply and how foreign currencies convert into
the organisation's currency. Everything is scoped by `org_id`; `end` is inclusive; amounts are
Decimal in the org currency.

Currencies: a line in another currency converts at the rate of its own day (the latest
`currency_rates.valid_from` not after it; see `core.services.currency`). A line whose day has
no rate is left out of every sum and reported by `left_out` with its own total in its own
currency, so an answer says "without USD 1 234,56 $" instead of adding dollars to rubles or
saying "no costs". To stay cheap, lines are grouped by day only for currencies whose rate
changes inside the period; the org currency and constant rates convert per group.
"""

from __future__ import annotations

import json
from bisect import bisect_right
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from enum import StrEnum
from typing import Any

from sqlalchemy import ColumnElement, Select, String, and_, case, cast, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute

from core.db.models import Connection, CostLine, CurrencyRate, Organization, Resource
from core.domain.currency import LeftOut
from core.domain.providers import PROVIDER_NAMES

__all__ = [
    "CostFilters",
    "CostRow",
    "Dimension",
    "LeftOut",
    "breakdown",
    "daily",
    "daily_by",
    "data_range",
    "left_out",
    "missing_rates",
    "org_currency",
    "total",
]

ZERO = Decimal(0)
Column = ColumnElement[Any] | InstrumentedAttribute[Any]
NONE_KEY = ""


class Dimension(StrEnum):
    """What a breakdown groups by."""

    PROVIDER = "provider"
    CONNECTION = "connection"
    SERVICE = "service"
    RESOURCE = "resource"
    PROJECT = "project"
    REGION = "region"
    TEAM = "team"
    ENVIRONMENT = "environment"
    CATEGORY = "category"
    DAY = "day"


@dataclass(frozen=True, slots=True)
class CostFilters:
    """Narrows a query; empty tuples mean "any". Text matches ignore case."""

    providers: tuple[str, ...] = ()
    connection_ids: tuple[int, ...] = ()
    services: tuple[str, ...] = ()
    regions: tuple[str, ...] = ()
    projects: tuple[str, ...] = ()
    teams: tuple[str, ...] = ()
    environments: tuple[str, ...] = ()
    resource_ids: tuple[int, ...] = ()
    resource_names: tuple[str, ...] = ()
    tags: tuple[tuple[str, str], ...] = ()

    def is_empty(self) -> bool:
        return not any((self.providers, self.connection_ids, self.services, self.regions,
                        self.projects, self.teams, self.environments, self.resource_ids,
                        self.resource_names, self.tags))


@dataclass(frozen=True, slots=True)
class CostRow:
    """One group of a breakdown: a stable key, a display label and the amount."""

    key: str
    label: str
    amount: Decimal
    currency: str
    extra: dict[str, Any] = field(default_factory=dict)


_PROJECT = func.coalesce(Resource.project, CostLine.sub_account_name)
_RESOURCE = func.coalesce(CostLine.resource_name, CostLine.resource_external_id)

_GROUP: dict[Dimension, Column] = {
    Dimension.PROVIDER: CostLine.provider,
    Dimension.CONNECTION: CostLine.connection_id,
    Dimension.SERVICE: CostLine.service_name,
    Dimension.RESOURCE: _RESOURCE,
    Dimension.PROJECT: _PROJECT,
    Dimension.REGION: CostLine.region_id,
    Dimension.TEAM: Resource.team,
    Dimension.ENVIRONMENT: Resource.environment,
    Dimension.CATEGORY: CostLine.service_category,
    Dimension.DAY: CostLine.day,
}


def _lower_in(column: Column, values: Iterable[str]) -> ColumnElement[bool]:
    return func.lower(column).in_([v.lower() for v in values])


def _tag_clause(key: str, value: str) -> ColumnElement[bool]:
    """Both engines store JSON as the text json.dumps wrote, so a key/value pair is a substring."""
    needle = json.dumps({key: value})[1:-1]
    pattern = "%" + needle.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
    return or_(cast(CostLine.tags, String).like(pattern, escape="\\"),
               cast(Resource.tags, String).like(pattern, escape="\\"))


def _where(org_id: int, start: date, end: date,
           filters: CostFilters | None) -> list[ColumnElement[bool]]:
    clauses: list[ColumnElement[bool]] = [
        CostLine.org_id == org_id, CostLine.day >= start, CostLine.day <= end]
    f = filters or CostFilters()
    if f.providers:
        clauses.append(CostLine.provider.in_([p.lower() for p in f.providers]))
    if f.connection_ids:
        clauses.append(CostLine.connection_id.in_(f.connection_ids))
    if f.services:
        clauses.append(_lower_in(CostLine.service_name, f.services))
    if f.regions:
        clauses.append(_lower_in(CostLine.region_id, f.regions))
    if f.projects:
        clauses.append(_lower_in(_PROJECT, f.projects))
    if f.teams:
        clauses.append(_lower_in(Resource.team, f.teams))
    if f.environments:
        clauses.append(_lower_in(Resource.environment, f.environments))
    if f.resource_ids:
        clauses.append(CostLine.resource_id.in_(f.resource_ids))
    if f.resource_names:
        clauses.append(_lower_in(_RESOURCE, f.resource_names))
    clauses.extend(_tag_clause(k, v) for k, v in f.tags)
    return clauses


_NEEDS_RESOURCE = frozenset({Dimension.PROJECT, Dimension.TEAM, Dimension.ENVIRONMENT})


def _needs_resource(by: Dimension | None, filters: CostFilters | None) -> bool:
    """Team, environment, project and tags live on resources; everything else on the line.
    Joining only when asked keeps long-period totals cheap."""
    f = filters or CostFilters()
    return by in _NEEDS_RESOURCE or bool(f.projects or f.teams or f.environments or f.tags)


def _base(columns: Sequence[Column], org_id: int, start: date, end: date,
          filters: CostFilters | None, by: Dimension | None = None) -> Select[Any]:
    query = select(*columns, CostLine.billing_currency, func.sum(CostLine.billed_cost))
    if _needs_resource(by, filters):
        query = query.outerjoin(Resource, and_(Resource.id == CostLine.resource_id,
                                               Resource.org_id == org_id))
    return query.where(*_where(org_id, start, end, filters))


async def org_currency(session: AsyncSession, org_id: int) -> str:
    currency = (await session.execute(
        select(Organization.currency).where(Organization.id == org_id))).scalar_one_or_none()
    return currency or "RUB"


class _Converter:
    """Rates of each currency over time; `rate(currency, day)` is the one valid on `day`."""

    def __init__(self, base: str, history: dict[str, tuple[list[date], list[Decimal]]],
                 start: date, end: date) -> None:
        self.base = base
        self.history = history
        # Currencies whose rate changes inside (start, end]: only these need per-day groups.
        self.varying = sorted(c for c, (days, _) in history.items()
                              if any(start < d <= end for d in days))

    def rate(self, currency: str, day: date) -> Decimal | None:
        if currency == self.base:
            return Decimal(1)
        days, rates = self.history.get(currency, ([], []))
        i = bisect_right(days, day) - 1
        return rates[i] if i >= 0 else None


async def _converter(session: AsyncSession, org_id: int, start: date, end: date) -> _Converter:
    base = await org_currency(session, org_id)
    rows = (await session.execute(
        select(CurrencyRate.currency, CurrencyRate.valid_from, CurrencyRate.rate)
        .where(CurrencyRate.org_id == org_id, CurrencyRate.base_currency == base,
               CurrencyRate.valid_from <= end)
        .order_by(CurrencyRate.currency, CurrencyRate.valid_from))).all()
    history: dict[str, tuple[list[date], list[Decimal]]] = {}
    for currency, valid_from, rate in rows:
        days, rates = history.setdefault(currency, ([], []))
        days.append(valid_from)
        rates.append(Decimal(rate))
    return _Converter(base, history, start, end)


async def _converted(session: AsyncSession, org_id: int, start: date, end: date,
                     filters: CostFilters | None, columns: Sequence[Column],
                     by: Dimension | None = None, *, day_at: int | None = None,
                     ) -> tuple[_Converter, list[tuple[tuple[Any, ...], Decimal]]]:
    """Sums grouped by `columns` (and currency), each converted at its day's rate.

    `day_at` is the index of `CostLine.day` in `columns` when the caller groups by day
    anyway; otherwise currencies whose rate changes in the period are grouped by day too.
    Groups without a rate are dropped here; `left_out` reports them.
    """
    convert = await _converter(session, org_id, start, end)
    rate_day: Column | None = None
    if day_at is None and convert.varying:
        rate_day = case((CostLine.billing_currency.in_(convert.varying), CostLine.day),
                        else_=None)
    grouping = [*columns, rate_day] if rate_day is not None else list(columns)
    query = _base(grouping, org_id, start, end, filters, by).group_by(
        *grouping, CostLine.billing_currency)
    width = len(columns)
    result: list[tuple[tuple[Any, ...], Decimal]] = []
    for row in (await session.execute(query)).all():
        keys = tuple(row[:width])
        currency, amount = row[-2], row[-1] or ZERO
        day = keys[day_at] if day_at is not None else (
            row[width] if rate_day is not None and row[width] is not None else start)
        rate = convert.rate(currency, day)
        if rate is not None:
            result.append((keys, amount if rate == 1 else amount * rate))
    return convert, result


async def total(session: AsyncSession, org_id: int, start: date, end: date,
                filters: CostFilters | None = None) -> Decimal:
    """Spend of the org over [start, end] in its currency (lines without a rate left out)."""
    _, rows = await _converted(session, org_id, start, end, filters, [])
    return sum((amount for _, amount in rows), ZERO)


async def _labels(session: AsyncSession, org_id: int, by: Dimension,
                  keys: Iterable[str]) -> dict[str, str]:
    if by is Dimension.PROVIDER:
        return {k: PROVIDER_NAMES.get(k, k) for k in keys}
    if by is Dimension.CONNECTION:
        ids = [int(k) for k in keys if k]
        rows = (await session.execute(select(Connection.id, Connection.name).where(
            Connection.org_id == org_id, Connection.id.in_(ids)))).all()
        return {str(i): name for i, name in rows}
    return {k: k for k in keys}


async def breakdown(session: AsyncSession, org_id: int, start: date, end: date, by: Dimension,
                    filters: CostFilters | None = None, limit: int | None = None) -> list[CostRow]:
    """Spend grouped by `by`, largest first (ties by key); `limit` keeps the top N."""
    column = _GROUP[by]
    convert, rows = await _converted(session, org_id, start, end, filters, [column], by,
                                     day_at=0 if by is Dimension.DAY else None)
    sums: dict[str, Decimal] = defaultdict(lambda: ZERO)
    for (key,), amount in rows:
        sums[NONE_KEY if key is None else str(key)] += amount
    labels = await _labels(session, org_id, by, sums)
    result = [CostRow(key, labels.get(key, key), amount, convert.base)
              for key, amount in sums.items()]
    result.sort(key=lambda r: (-r.amount, r.key))
    return result[:limit] if limit else result


def _days(start: date, end: date) -> list[date]:
    return [start + timedelta(days=i) for i in range((end - start).days + 1)]


async def daily(session: AsyncSession, org_id: int, start: date, end: date,
                filters: CostFilters | None = None) -> list[tuple[date, Decimal]]:
    """One point per day of [start, end], zeros included: the input of forecasts and charts."""
    _, rows = await _converted(session, org_id, start, end, filters, [CostLine.day], day_at=0)
    sums: dict[date, Decimal] = defaultdict(lambda: ZERO)
    for (day,), amount in rows:
        sums[day] += amount
    return [(d, sums.get(d, ZERO)) for d in _days(start, end)]


async def daily_by(session: AsyncSession, org_id: int, start: date, end: date, by: Dimension,
                   filters: CostFilters | None = None) -> dict[str, list[tuple[date, Decimal]]]:
    """A filled daily series per group (stacked charts, per-service anomaly detection)."""
    column = _GROUP[by]
    _, rows = await _converted(session, org_id, start, end, filters, [column, CostLine.day], by,
                               day_at=1)
    sums: dict[str, dict[date, Decimal]] = defaultdict(lambda: defaultdict(lambda: ZERO))
    for (key, day), amount in rows:
        sums[NONE_KEY if key is None else str(key)][day] += amount
    days = _days(start, end)
    return {key: [(d, series.get(d, ZERO)) for d in days] for key, series in sums.items()}


async def data_range(session: AsyncSession, org_id: int) -> tuple[date, date] | None:
    """First and last day with cost data, or None for an org with no data yet."""
    first, last = (await session.execute(
        select(func.min(CostLine.day), func.max(CostLine.day))
        .where(CostLine.org_id == org_id))).one()
    return None if first is None else (first, last)


async def left_out(session: AsyncSession, org_id: int, start: date, end: date,
                   filters: CostFilters | None = None) -> tuple[LeftOut, ...]:
    """What the sums of [start, end] leave out for want of a rate: one entry per currency with
    its own total, so every answer can say which amounts are missing (sorted by currency)."""
    convert = await _converter(session, org_id, start, end)
    query = (_base([CostLine.day], org_id, start, end, filters)
             .where(CostLine.billing_currency != convert.base)
             .group_by(CostLine.day, CostLine.billing_currency))
    found: dict[str, list[Any]] = {}
    for day, currency, amount in (await session.execute(query)).all():
        if convert.rate(currency, day) is not None:
            continue
        entry = found.setdefault(currency, [ZERO, day, day])
        entry[0] += amount or ZERO
        entry[1], entry[2] = min(entry[1], day), max(entry[2], day)
    return tuple(LeftOut(currency, amount, convert.base, first, last)
                 for currency, (amount, first, last) in sorted(found.items()))


async def missing_rates(session: AsyncSession, org_id: int, start: date, end: date) -> set[str]:
    """Currencies present in [start, end] with days that have no rate into the org currency."""
    return {item.currency for item in await left_out(session, org_id, start, end)}
