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

Rollups: every query whose grouping and filters a rollup (`cost_rollups`, kept by
`core.services.rollups`) can answer reads it instead of the lines: all but the per-resource
ones (grouping by resource, filters on resource ids or names, tag filters, charge categories).
The smallest one that answers is read: `cost_service_rollups` (connection, provider, service,
category) for totals, spend by provider or service and daily series, about 25× fewer rows on a
large account; `cost_rollups` when a question needs project, team, environment or region.
Both keep day and currency, so per-day conversion works on them unchanged. `lines_only()`
forces the lines (benchmarks and the tests proving both give the same answers).

Context: every query needs the org's currency and its rates. A caller asking several queries
for one question builds a `CostContext` once (`cost_context`) and passes it as `ctx=`, so the
currency and the rates are read once per question instead of once per query; without one, a
query reads them itself. `daily_each` reads several filtered daily series (one per budget) in
one statement.
"""

from __future__ import annotations

import asyncio
import json
from bisect import bisect_right
from collections import defaultdict
from collections.abc import AsyncIterator, Iterable, Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Select,
    String,
    and_,
    case,
    cast,
    func,
    literal,
    literal_column,
    or_,
    select,
    text,
    union_all,
)
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute

from core.db import cost_store
from core.db.casefold import one_of
from core.db.models import (
    Connection,
    CostKey,
    CostLine,
    CostRollup,
    CurrencyRate,
    Organization,
    Resource,
    ServiceRollup,
)
from core.db.models.costs import BOUGHT_LINE
from core.domain.currency import LeftOut
from core.domain.providers import PROVIDER_NAMES
from core.services import (
    resource_months,
    rollups,  # noqa: F401 - lines written through the ORM keep the rollup
)

__all__ = [
    "CostContext",
    "CostFilters",
    "CostRow",
    "Dimension",
    "LeftOut",
    "breakdown",
    "cost_context",
    "currency_converter",
    "daily",
    "daily_by",
    "daily_each",
    "data_range",
    "left_out",
    "lines_only",
    "missing_rates",
    "org_currency",
    "total",
]

ZERO = Decimal(0)
Column = ColumnElement[Any] | InstrumentedAttribute[Any]
NONE_KEY = ""
# rows of a per-resource grouping handled per turn of the event loop: a connection's month
# by resource and day is ~300k rows at 10M lines a year, 1.5 s of the loop read at once
STREAM_ROWS = 2_000


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
    # FOCUS ChargeCategory (`Purchase`, `Usage`, ...): kept on the lines only, not the rollup
    charge_categories: tuple[str, ...] = ()

    def is_empty(self) -> bool:
        return not any((self.providers, self.connection_ids, self.services, self.regions,
                        self.projects, self.teams, self.environments, self.resource_ids,
                        self.resource_names, self.tags, self.charge_categories))


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


_ROLLUP_GROUP: dict[Dimension, Column] = {
    Dimension.PROVIDER: CostRollup.provider,
    Dimension.CONNECTION: CostRollup.connection_id,
    Dimension.SERVICE: CostRollup.service_name,
    Dimension.PROJECT: CostRollup.project,
    Dimension.REGION: CostRollup.region_id,
    Dimension.TEAM: CostRollup.team,
    Dimension.ENVIRONMENT: CostRollup.environment,
    Dimension.CATEGORY: CostRollup.service_category,
    Dimension.DAY: CostRollup.day,
}

_SERVICE_ROLLUP_GROUP: dict[Dimension, Column] = {
    Dimension.PROVIDER: ServiceRollup.provider,
    Dimension.CONNECTION: ServiceRollup.connection_id,
    Dimension.SERVICE: ServiceRollup.service_name,
    Dimension.CATEGORY: ServiceRollup.service_category,
    Dimension.DAY: ServiceRollup.day,
}

_USE_ROLLUPS: ContextVar[bool] = ContextVar("costs_use_rollups", default=True)


@contextmanager
def lines_only() -> Iterator[None]:
    """Answer from the cost lines even where the rollup could (comparisons, benchmarks)."""
    token = _USE_ROLLUPS.set(False)
    try:
        yield
    finally:
        _USE_ROLLUPS.reset(token)


def _tag_clause(key: str, value: str) -> ColumnElement[bool]:
    """Both engines store JSON as the text json.dumps wrote, so a key/value pair is a substring.
    Matched regardless of ASCII case on both (LIKE ignores it on SQLite and not on PostgreSQL,
    so `env=prod` found `Env=Prod` on one engine only); json.dumps writes other letters as
    \\u escapes, which match as written."""
    needle = json.dumps({key: value})[1:-1]
    pattern = "%" + needle.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
    return or_(cast(CostLine.tags, String).ilike(pattern, escape="\\"),
               cast(Resource.tags, String).ilike(pattern, escape="\\"))


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
        clauses.append(one_of(CostLine.service_name, f.services))
    if f.regions:
        clauses.append(one_of(CostLine.region_id, f.regions))
    if f.projects:
        clauses.append(one_of(_PROJECT, f.projects))
    if f.teams:
        clauses.append(one_of(Resource.team, f.teams))
    if f.environments:
        clauses.append(one_of(Resource.environment, f.environments))
    if f.resource_ids:
        clauses.append(CostLine.resource_id.in_(f.resource_ids))
    if f.resource_names:
        clauses.append(one_of(_RESOURCE, f.resource_names))
    clauses.extend(_tag_clause(k, v) for k, v in f.tags)
    if f.charge_categories:
        clauses.append(CostLine.charge_category.in_(f.charge_categories))
        if "Usage" not in f.charge_categories:
            # the org's few keys of such lines by their partial index (the clause is its
            # predicate word for word), then a seek per listed day and key, not a read of
            # the period's lines
            clauses[1:3] = [CostLine.day.in_(cost_store.days_listed(start, end)),
                            CostLine.key_id.in_(select(CostKey.id).where(
                                CostKey.org_id == org_id,
                                CostKey.charge_category.in_(f.charge_categories),
                                text(BOUGHT_LINE)))]
    return clauses


# CostFilters fields a rollup filters on, with the rollup column each one reads
_ROLLUP_FILTERS = ("providers", "connection_ids", "services", "regions", "projects", "teams",
                   "environments")
_FILTER_COLUMN = {"providers": "provider", "connection_ids": "connection_id",
                  "services": "service_name", "regions": "region_id", "projects": "project",
                  "teams": "team", "environments": "environment"}


def _rollup_where(model: type[CostRollup] | type[ServiceRollup], org_id: int, start: date,
                  end: date, filters: CostFilters | None) -> list[ColumnElement[bool]]:
    clauses: list[ColumnElement[bool]] = [
        model.org_id == org_id, model.day >= start, model.day <= end]
    f = filters or CostFilters()
    if f.providers:
        clauses.append(model.provider.in_([p.lower() for p in f.providers]))
    if f.connection_ids:
        clauses.append(model.connection_id.in_(f.connection_ids))
    for name in _ROLLUP_FILTERS[2:]:
        values: tuple[str, ...] = getattr(f, name)
        if values:
            clauses.append(one_of(getattr(model, _FILTER_COLUMN[name]), values))
    return clauses


_NEEDS_RESOURCE = frozenset({Dimension.PROJECT, Dimension.TEAM, Dimension.ENVIRONMENT})


def _needs_resource(dims: Sequence[Dimension], filters: CostFilters | None) -> bool:
    """Team, environment, project and tags live on resources; everything else on the line.
    Joining only when asked keeps long-period totals cheap."""
    f = filters or CostFilters()
    return bool(_NEEDS_RESOURCE.intersection(dims)) or bool(
        f.projects or f.teams or f.environments or f.tags)


@dataclass(frozen=True, slots=True)
class _Source:
    """Where a query reads: a rollup (`model`) or the lines (`model` None), with the
    dimensions it can group by and the filters it can apply."""

    model: type[CostRollup] | type[ServiceRollup] | None
    groups: dict[Dimension, Column]
    filters: tuple[str, ...]
    day: Column
    currency: Column

    @property
    def rollup(self) -> bool:
        return self.model is not None

    def column(self, dim: Dimension) -> Column:
        return self.groups[dim]

    def answers(self, dims: Sequence[Dimension], filters: CostFilters | None) -> bool:
        f = filters or CostFilters()
        return (all(d in self.groups for d in dims)
                and not any(getattr(f, name) for name in _FILTER_FIELDS
                            if name not in self.filters))


# every CostFilters field that narrows the lines
_FILTER_FIELDS = ("providers", "connection_ids", "services", "regions", "projects", "teams",
                  "environments", "resource_ids", "resource_names", "tags", "charge_categories")
_LINES = _Source(None, _GROUP, _FILTER_FIELDS, CostLine.day, CostLine.billing_currency)
_ROLLUP = _Source(CostRollup, _ROLLUP_GROUP, _ROLLUP_FILTERS, CostRollup.day,
                  CostRollup.billing_currency)
_SERVICE_ROLLUP = _Source(ServiceRollup, _SERVICE_ROLLUP_GROUP, _ROLLUP_FILTERS[:3],
                          ServiceRollup.day, ServiceRollup.billing_currency)


def _source(dims: Sequence[Dimension], filters: CostFilters | None) -> _Source:
    """The smallest table that answers: the service rollup (about 25× fewer rows than the
    rollup on a large account), the daily rollup, else the lines (resources, tags, charge
    categories)."""
    if _USE_ROLLUPS.get():
        for source in (_SERVICE_ROLLUP, _ROLLUP):
            if source.answers(dims, filters):
                return source
    return _LINES


def _narrowed(source: _Source, query: Select[Any], org_id: int, start: date, end: date,
              filters: CostFilters | None, dims: Sequence[Dimension] = ()) -> Select[Any]:
    """`query` over `source` kept to the org's [start, end] and `filters`; on the lines,
    joined to their resources when a filter or dimension lives there."""
    if source.model is not None:
        return query.where(*_rollup_where(source.model, org_id, start, end, filters))
    if _needs_resource(dims, filters):
        query = query.outerjoin(Resource, and_(Resource.id == CostLine.resource_id,
                                               Resource.org_id == org_id))
    return query.where(*_where(org_id, start, end, filters))


def _base(source: _Source, columns: Sequence[Column], org_id: int, start: date, end: date,
          filters: CostFilters | None, dims: Sequence[Dimension] = ()) -> Select[Any]:
    table = source.model or CostLine
    return _narrowed(source, select(*columns, table.billing_currency,
                                    func.sum(table.billed_cost)),
                     org_id, start, end, filters, dims)


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


_History = dict[str, tuple[list[date], list[Decimal]]]


async def _rate_history(session: AsyncSession, org_id: int, base: str,
                        end: date | None) -> _History:
    """The org's rates into `base` (up to `end`, or all of them), by currency and day."""
    query = select(CurrencyRate.currency, CurrencyRate.valid_from, CurrencyRate.rate).where(
        CurrencyRate.org_id == org_id, CurrencyRate.base_currency == base)
    if end is not None:
        query = query.where(CurrencyRate.valid_from <= end)
    rows = (await session.execute(
        query.order_by(CurrencyRate.currency, CurrencyRate.valid_from))).all()
    history: _History = {}
    for currency, valid_from, rate in rows:
        days, rates = history.setdefault(currency, ([], []))
        days.append(valid_from)
        rates.append(Decimal(rate))
    return history


class CostContext:
    """The org's id, currency and (read on first use) rates, shared by the queries of one
    question so each does not read them again.

    All the org's rates are kept: `rate(currency, day)` takes the latest one not after `day`
    and `varying` only looks inside the period, so rates after a period change nothing for it.
    Build one per question (`cost_context`): rates written later are not seen by it.
    """

    __slots__ = ("_history", "currency", "org_id")

    def __init__(self, org_id: int, currency: str) -> None:
        self.org_id = org_id
        self.currency = currency
        self._history: _History | None = None

    async def converter(self, session: AsyncSession, start: date, end: date) -> _Converter:
        if self._history is None:
            self._history = await _rate_history(session, self.org_id, self.currency, None)
        return _Converter(self.currency, self._history, start, end)


async def cost_context(session: AsyncSession, org_id: int, *,
                       currency: str | None = None) -> CostContext:
    """A `CostContext` for the org; `currency` when the caller has read the org row already."""
    return CostContext(org_id, currency or await org_currency(session, org_id))


async def _converter(session: AsyncSession, org_id: int, start: date, end: date,
                     ctx: CostContext | None = None) -> _Converter:
    if ctx is not None:
        if ctx.org_id != org_id:  # a context never carries one org's rates into another's sums
            raise ValueError(f"cost context of org {ctx.org_id} used for org {org_id}")
        return await ctx.converter(session, start, end)
    base = await org_currency(session, org_id)
    return _Converter(base, await _rate_history(session, org_id, base, end), start, end)


async def currency_converter(session: AsyncSession, org_id: int, start: date,
                             end: date, *, ctx: CostContext | None = None) -> _Converter:
    """The org's rates over [start, end]: `rate(currency, day)` into the org's currency, for
    a caller that sums lines this module does not group (anomalies: purchases)."""
    return await _converter(session, org_id, start, end, ctx)


async def _converted(session: AsyncSession, org_id: int, start: date, end: date,
                     filters: CostFilters | None, dims: Sequence[Dimension],
                     ctx: CostContext | None = None,
                     ) -> tuple[_Converter, list[tuple[tuple[Any, ...], Decimal]]]:
    """Sums grouped by `dims` (and currency), each converted at its day's rate.

    When the grouping holds the day, each group converts at its own day's rate; otherwise
    currencies whose rate changes in the period are grouped by day too. Groups without a
    rate are dropped here; `left_out` reports them.
    """
    convert = await _converter(session, org_id, start, end, ctx)
    source = _source(dims, filters)
    columns = [source.column(d) for d in dims]
    day_at = dims.index(Dimension.DAY) if Dimension.DAY in dims else None
    rate_day: Column | None = None
    if day_at is None and convert.varying:
        rate_day = case((source.currency.in_(convert.varying), source.day), else_=None)
    grouping = [*columns, rate_day] if rate_day is not None else list(columns)
    query = _base(source, grouping, org_id, start, end, filters, dims).group_by(
        *grouping, source.currency)
    width = len(columns)
    result: list[tuple[tuple[Any, ...], Decimal]] = []
    many = {Dimension.RESOURCE, Dimension.DAY} <= set(dims)
    async for rows in _partitions(session, query, many):
        for row in rows:
            keys = tuple(row[:width])
            currency, amount = row[-2], row[-1] or ZERO
            day = keys[day_at] if day_at is not None else (
                row[width] if rate_day is not None and row[width] is not None else start)
            rate = convert.rate(currency, day)
            if rate is not None:
                result.append((keys, amount if rate == 1 else amount * rate))
    return convert, result


async def _partitions(session: AsyncSession, query: Any, many: bool,
                      ) -> AsyncIterator[Sequence[Any]]:
    """The rows of `query`: at once, or (`many`: grouped by resource and day, a row per
    resource and day) streamed in parts, so other answers run between the parts instead of
    waiting for a whole scan's rows to be read."""
    if not many:
        yield (await session.execute(query)).all()
        return
    streamed = await session.stream(query)
    async for part in streamed.partitions(STREAM_ROWS):
        yield part


async def total(session: AsyncSession, org_id: int, start: date, end: date,
                filters: CostFilters | None = None, *, ctx: CostContext | None = None,
                ) -> Decimal:
    """Spend of the org over [start, end] in its currency (lines without a rate left out)."""
    _, rows = await _converted(session, org_id, start, end, filters, (), ctx)
    return sum((amount for _, amount in rows), ZERO)


async def has_costs(session: AsyncSession, org_id: int, start: date, end: date,
                    filters: CostFilters | None = None) -> bool:
    """Whether any cost of [start, end] matches `filters` (a zero-cost line counts): how a
    name that matches nothing is told from a scope that cost nothing, before a budget or a
    rule is built on a misspelling and shows 0 for ever."""
    source = _source((), filters)
    query = _narrowed(source, select(literal(1)).select_from(source.model or CostLine),
                      org_id, start, end, filters)
    return (await session.execute(query.limit(1))).first() is not None


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
                    filters: CostFilters | None = None, limit: int | None = None, *,
                    ctx: CostContext | None = None) -> list[CostRow]:
    """Spend grouped by `by`, largest first (ties by key); `limit` keeps the top N.

    The top N resources come from `resource_months` (monthly bounds, exact sums of the few
    that can win) when their months are current and the filters are by provider or
    connection only; otherwise from the lines."""
    if by is Dimension.RESOURCE and limit and _USE_ROLLUPS.get() and _SERVICE_ROLLUP.answers(
            (), filters) and not (filters and filters.services):
        convert = await _converter(session, org_id, start, end, ctx)
        f = filters or CostFilters()
        ranked = await resource_months.top(session, org_id, start, end, limit,
                                           rate=convert.rate, providers=f.providers,
                                           connection_ids=f.connection_ids)
        if ranked is not None:
            return [CostRow(key, key, r.amount, convert.base) for r in ranked
                    for key in (NONE_KEY if r.key is None else r.key,)]
    convert, rows = await _converted(session, org_id, start, end, filters, (by,), ctx)
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
                filters: CostFilters | None = None, *, ctx: CostContext | None = None,
                ) -> list[tuple[date, Decimal]]:
    """One point per day of [start, end], zeros included: the input of forecasts and charts."""
    _, rows = await _converted(session, org_id, start, end, filters, (Dimension.DAY,), ctx)
    sums: dict[date, Decimal] = defaultdict(lambda: ZERO)
    for (day,), amount in rows:
        sums[day] += amount
    return [(d, sums.get(d, ZERO)) for d in _days(start, end)]


async def daily_by(session: AsyncSession, org_id: int, start: date, end: date, by: Dimension,
                   filters: CostFilters | None = None, *, ctx: CostContext | None = None,
                   ) -> dict[str, list[tuple[date, Decimal]]]:
    """A filled daily series per group (stacked charts, per-service anomaly detection)."""
    dims = (by, Dimension.DAY) if by is not Dimension.DAY else (by,)
    _, rows = await _converted(session, org_id, start, end, filters, dims, ctx)
    if by is Dimension.RESOURCE:  # thousands of series: filled beside the loop, not on it
        return await asyncio.to_thread(_filled_series, rows, start, end)
    return _filled_series(rows, start, end)


def _filled_series(rows: Iterable[tuple[tuple[Any, ...], Decimal]], start: date, end: date,
                   ) -> dict[str, list[tuple[date, Decimal]]]:
    """(key, day) sums → a series per key with every day of [start, end]."""
    sums: dict[str, dict[date, Decimal]] = defaultdict(lambda: defaultdict(lambda: ZERO))
    for keys, amount in rows:
        key, day = keys[0], keys[-1]
        sums[NONE_KEY if key is None else str(key)][day] += amount
    days = _days(start, end)
    return {key: [(d, series.get(d, ZERO)) for d in days] for key, series in sums.items()}


async def daily_each(session: AsyncSession, org_id: int,
                     spans: Sequence[tuple[date, date, CostFilters | None]], *,
                     ctx: CostContext | None = None) -> list[list[tuple[date, Decimal]]]:
    """`daily(start, end, filters)` of each span, in one statement (a UNION ALL of the same
    grouped queries `daily` runs), so N budgets cost one read instead of N."""
    if not spans:
        return []
    first = min(start for start, _, _ in spans)
    last = max(end for _, end, _ in spans)
    convert = await _converter(session, org_id, first, last, ctx)
    parts = []
    for i, (start, end, filters) in enumerate(spans):
        source = _source((Dimension.DAY,), filters)
        span: ColumnElement[Any] = literal_column(str(i)).label("span")  # our int, no user text
        parts.append(_base(source, [span, source.day], org_id, start, end, filters,
                           (Dimension.DAY,)).group_by(source.day, source.currency))
    query = parts[0] if len(parts) == 1 else union_all(*parts)
    sums: list[dict[date, Decimal]] = [defaultdict(lambda: ZERO) for _ in spans]
    for i, day, currency, amount in (await session.execute(query)).all():
        rate = convert.rate(currency, day)
        if rate is not None:
            amount = amount or ZERO
            sums[i][day] += amount if rate == 1 else amount * rate
    return [[(d, sums[i].get(d, ZERO)) for d in _days(start, end)]
            for i, (start, end, _) in enumerate(spans)]


async def data_range(session: AsyncSession, org_id: int) -> tuple[date, date] | None:
    """First and last day with cost data, or None for an org with no data yet."""
    source = _source((), None)
    first, last = (await session.execute(
        select(func.min(source.day), func.max(source.day))
        .where((source.model or CostLine).org_id == org_id))).one()
    return None if first is None else (first, last)


async def left_out(session: AsyncSession, org_id: int, start: date, end: date,
                   filters: CostFilters | None = None, *, ctx: CostContext | None = None,
                   ) -> tuple[LeftOut, ...]:
    """What the sums of [start, end] leave out for want of a rate: one entry per currency with
    its own total, so every answer can say which amounts are missing (sorted by currency)."""
    convert = await _converter(session, org_id, start, end, ctx)
    source = _source((Dimension.DAY,), filters)
    query = (_base(source, [source.day], org_id, start, end, filters)
             .where(source.currency != convert.base)
             .group_by(source.day, source.currency))
    found: dict[str, list[Any]] = {}
    for day, currency, amount in (await session.execute(query)).all():
        if convert.rate(currency, day) is not None:
            continue
        entry = found.setdefault(currency, [ZERO, day, day])
        entry[0] += amount or ZERO
        entry[1], entry[2] = min(entry[1], day), max(entry[2], day)
    return tuple(LeftOut(currency, amount, convert.base, first, last)
                 for currency, (amount, first, last) in sorted(found.items()))


async def missing_rates(session: AsyncSession, org_id: int, start: date, end: date, *,
                        ctx: CostContext | None = None) -> set[str]:
    """Currencies present in [start, end] with days that have no rate into the org currency."""
    return {item.currency for item in await left_out(session, org_id, start, end, ctx=ctx)}
