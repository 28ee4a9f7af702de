"""Spend queries every answer, alert, digest and brief is built from: totals, breakdowns, series.

One place knows how cost lines group (provider, connection, service, resource, project, region,
team, environment, category, day), how filters apply and how foreign currencies convert into
the organisation's currency. Everything is scoped by `org_id`; `end` is inclusive; amounts are
Decimal in the org currency. Lines in a currency without a rate in `currency_rates` are left
out of the sums and reported by `missing_rates` so an answer can say so instead of adding
dollars to rubles.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from enum import StrEnum
from typing import Any

from sqlalchemy import ColumnElement, Select, String, and_, cast, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute

from core.db.models import Connection, CostLine, CurrencyRate, Organization, Resource
from core.domain.providers import PROVIDER_NAMES

__all__ = [
    "CostFilters",
    "CostRow",
    "Dimension",
    "breakdown",
    "daily",
    "daily_by",
    "data_range",
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


async def _rates(session: AsyncSession, org_id: int, base: str, on: date) -> dict[str, Decimal]:
    """Latest rate valid on `on` for each currency; the org currency converts at 1."""
    rows = (await session.execute(
        select(CurrencyRate.currency, CurrencyRate.rate, CurrencyRate.valid_from)
        .where(CurrencyRate.org_id == org_id, CurrencyRate.base_currency == base,
               CurrencyRate.valid_from <= on)
        .order_by(CurrencyRate.valid_from))).all()
    rates = {currency: Decimal(rate) for currency, rate, _ in rows}
    rates[base] = Decimal(1)
    return rates


class _Converter:
    def __init__(self, base: str, rates: dict[str, Decimal]) -> None:
        self.base = base
        self.rates = rates
        self.missing: set[str] = set()

    def __call__(self, amount: Decimal, currency: str) -> Decimal | None:
        rate = self.rates.get(currency)
        if rate is None:
            self.missing.add(currency)
            return None
        return amount if rate == 1 else amount * rate


async def _converter(session: AsyncSession, org_id: int, end: date) -> _Converter:
    base = await org_currency(session, org_id)
    return _Converter(base, await _rates(session, org_id, base, end))


async def total(session: AsyncSession, org_id: int, start: date, end: date,
                filters: CostFilters | None = None) -> Decimal:
    """Spend of the org over [start, end] in its currency."""
    convert = await _converter(session, org_id, end)
    query = _base([], org_id, start, end, filters).group_by(CostLine.billing_currency)
    result = ZERO
    for currency, amount in (await session.execute(query)).all():
        converted = convert(amount or ZERO, currency)
        if converted is not None:
            result += converted
    return result


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
    convert = await _converter(session, org_id, end)
    column = _GROUP[by]
    query = _base([column], org_id, start, end, filters, by).group_by(column,
                                                                   CostLine.billing_currency)
    sums: dict[str, Decimal] = defaultdict(lambda: ZERO)
    for key, currency, amount in (await session.execute(query)).all():
        converted = convert(amount or ZERO, currency)
        if converted is not None:
            sums[NONE_KEY if key is None else str(key)] += converted
    labels = await _labels(session, org_id, by, sums)
    rows = [CostRow(key, labels.get(key, key), amount, convert.base)
            for key, amount in sums.items()]
    rows.sort(key=lambda r: (-r.amount, r.key))
    return rows[:limit] if limit else rows


def _days(start: date, end: date) -> list[date]:
    return [start + timedelta(days=i) for i in range((end - start).days + 1)]


async def daily(session: AsyncSession, org_id: int, start: date, end: date,
                filters: CostFilters | None = None) -> list[tuple[date, Decimal]]:
    """One point per day of [start, end], zeros included: the input of forecasts and charts."""
    convert = await _converter(session, org_id, end)
    query = _base([CostLine.day], org_id, start, end, filters).group_by(
        CostLine.day, CostLine.billing_currency)
    sums: dict[date, Decimal] = defaultdict(lambda: ZERO)
    for day, currency, amount in (await session.execute(query)).all():
        converted = convert(amount or ZERO, currency)
        if converted is not None:
            sums[day] += converted
    return [(d, sums.get(d, ZERO)) for d in _days(start, end)]


async def daily_by(session: AsyncSession, org_id: int, start: date, end: date, by: Dimension,
                   filters: CostFilters | None = None) -> dict[str, list[tuple[date, Decimal]]]:
    """A filled daily series per group (stacked charts, per-service anomaly detection)."""
    convert = await _converter(session, org_id, end)
    column = _GROUP[by]
    query = _base([column, CostLine.day], org_id, start, end, filters, by).group_by(
        column, CostLine.day, CostLine.billing_currency)
    sums: dict[str, dict[date, Decimal]] = defaultdict(lambda: defaultdict(lambda: ZERO))
    for key, day, currency, amount in (await session.execute(query)).all():
        converted = convert(amount or ZERO, currency)
        if converted is not None:
            sums[NONE_KEY if key is None else str(key)][day] += converted
    days = _days(start, end)
    return {key: [(d, series.get(d, ZERO)) for d in days] for key, series in sums.items()}


async def data_range(session: AsyncSession, org_id: int) -> tuple[date, date] | None:
    """First and last day with cost data, or None for an org with no data yet."""
    first, last = (await session.execute(
        select(func.min(CostLine.day), func.max(CostLine.day))
        .where(CostLine.org_id == org_id))).one()
    return None if first is None else (first, last)


async def missing_rates(session: AsyncSession, org_id: int, start: date, end: date) -> set[str]:
    """Currencies present in [start, end] that have no rate into the org currency."""
    convert = await _converter(session, org_id, end)
    rows = (await session.execute(
        select(CostLine.billing_currency).distinct()
        .where(CostLine.org_id == org_id, CostLine.day >= start, CostLine.day <= end))).all()
    return {currency for (currency,) in rows if currency not in convert.rates}
