"""Daily cost lines: aggregate FOCUS-shaped lines into UTC days and write them in batches.

Shared by the sync engine and the file imports (FOCUS, manual CSV) so every source follows
the one normalisation rule of `core.services.sync.rules.split_daily`. Lines of the same day
and the same identity (resource, SKU, service, region, account, category, currency, tags) are
summed into one stored row: the table holds one day of one SKU of one resource.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from functools import lru_cache
from typing import Any, cast

from sqlalchemy import Table, delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from core.db import cost_store
from core.db.base import Base
from core.db.models import CostAmount
from core.db.models import CostLine as CostLineRow
from core.db.types import MONEY_SCALE
from core.domain.collection import CostLine
from core.domain.providers import PROVIDER_NAMES, canonical_provider
from core.services.sync.rules import split_daily

__all__ = ["KEY_FIELDS", "DailyAggregator", "DayRange", "clear_days", "core_table",
           "replace_window",
           "write_rows"]

BATCH = 5000
ZERO = Decimal(0)
_DAY = timedelta(days=1)
_QUANT = Decimal(1).scaleb(-MONEY_SCALE)
# split_daily is pure and exports repeat (period, amount) pairs across resources: memoised
_split = lru_cache(maxsize=4096)(split_daily)

# identity of a stored daily row (besides the day); order matters for `_row`
KEY_FIELDS = ("resource_id", "resource_name", "resource_type", "service_name",
               "service_category", "sku_id", "region_id", "sub_account_id", "sub_account_name",
               "charge_category", "billing_currency", "pricing_unit", "provider_name")


@dataclass
class DayRange:
    """The days already cleared for a replacing write (inclusive bounds)."""

    lo: date | None = None
    hi: date | None = None


@dataclass
class DailyAggregator:
    """Sums lines into (day, identity) buckets; `drain()` hands them out as table rows."""

    provider: str  # canonical key (core.domain.providers) used when a line names none
    window: tuple[date, date] | None = None  # half-open; parts outside are dropped
    buckets: dict[tuple[date, tuple[Any, ...]], list[Any]] = field(default_factory=dict)
    totals: dict[str, Decimal] = field(default_factory=dict)
    days_seen: set[date] = field(default_factory=set)
    # (provider key, sub-account id) → [first day, last day] of the rows drained so far: what a
    # file import covers, so its re-import replaces that and nothing else
    covered: dict[tuple[str, str | None], list[date]] = field(default_factory=dict)
    lines_in: int = 0
    _single: dict[tuple[datetime, datetime, bool], date | None] = field(default_factory=dict)

    def add(self, line: CostLine, *, lump: bool = False) -> None:
        """Add one line, split over its UTC days (or lumped on its first day)."""
        tags = json.dumps(line.tags, sort_keys=True, ensure_ascii=False) if line.tags else ""
        ident = (line.resource_id, line.resource_name, line.resource_type, line.service_name,
                 line.service_category, line.sku_id, line.region_id, line.sub_account_id,
                 line.sub_account_name, line.charge_category, line.billing_currency,
                 line.pricing_unit, line.provider_name, tags)
        self.add_raw(line.charge_period_start, line.charge_period_end, lump, line.billed_cost,
                     line.effective_cost, line.list_cost, line.contracted_cost,
                     line.pricing_quantity, ident)

    def add_raw(self, start: datetime, end: datetime, lump: bool, billed: Decimal,
                effective: Decimal | None, list_cost: Decimal | None,
                contracted: Decimal | None, qty: Decimal | None,
                ident: tuple[Any, ...]) -> None:
        """The fast path file imports use: `ident` in IDENTITY_FIELDS order, tags as JSON."""
        self.lines_in += 1
        if effective is None:
            effective = billed
        period = (start, end, lump)
        try:
            day = self._single[period]
        except KeyError:
            parts = split_daily(start, end, Decimal(1), lump=lump)
            day = parts[0][0] if len(parts) == 1 else None
            if len(self._single) > 100_000:
                self._single.clear()
            self._single[period] = day
        if day is None:
            self._spread(start, end, billed, effective, list_cost, contracted, qty, ident)
            return
        if self.window is not None and not self.window[0] <= day < self.window[1]:
            return
        key = (day, ident)
        bucket = self.buckets.get(key)
        if bucket is None:
            self.buckets[key] = [billed, effective, list_cost, contracted, qty]
            self.days_seen.add(day)
            return
        bucket[0] += billed
        bucket[1] += effective
        if list_cost is not None:
            bucket[2] = list_cost if bucket[2] is None else bucket[2] + list_cost
        if contracted is not None:
            bucket[3] = contracted if bucket[3] is None else bucket[3] + contracted
        if qty is not None:
            bucket[4] = qty if bucket[4] is None else bucket[4] + qty

    def _spread(self, start: datetime, end: datetime, billed: Decimal, effective: Decimal,
                list_cost: Decimal | None, contracted: Decimal | None, qty: Decimal | None,
                ident: tuple[Any, ...]) -> None:
        eff = dict(_split(start, end, effective))
        lst = dict(_split(start, end, list_cost)) if list_cost is not None else {}
        con = dict(_split(start, end, contracted)) if contracted is not None else {}
        qts = dict(_split(start, end, qty)) if qty is not None else {}
        for part_day, part in _split(start, end, billed):
            self._put(part_day, ident, part, eff[part_day], lst.get(part_day),
                      con.get(part_day), qts.get(part_day))

    def _put(self, day: date, ident: tuple[Any, ...], billed: Decimal, effective: Decimal,
             list_cost: Decimal | None, contracted: Decimal | None,
             qty: Decimal | None) -> None:
        if self.window is not None and not (self.window[0] <= day < self.window[1]):
            return
        self.days_seen.add(day)
        key = (day, ident)
        bucket = self.buckets.get(key)
        if bucket is None:
            self.buckets[key] = [billed, effective, list_cost, contracted, qty]
            return
        bucket[0] += billed
        bucket[1] += effective
        if list_cost is not None:
            bucket[2] = list_cost if bucket[2] is None else bucket[2] + list_cost
        if contracted is not None:
            bucket[3] = contracted if bucket[3] is None else bucket[3] + contracted
        if qty is not None:
            bucket[4] = qty if bucket[4] is None else bucket[4] + qty

    def drain(self, *, org_id: int, connection_id: int, source: str,
              resource_ids: Mapping[str, int] | None = None,
              fingerprints: bool = True) -> list[dict[str, Any]]:
        """The buckets as `cost_lines` rows; the aggregator is empty afterwards.

        `fingerprints=False` leaves `row_hash` empty: only the sync engine compares them
        (`replace_window`, its own `sync` lines); file imports replace by period and skip the cost.
        """
        rows: list[dict[str, Any]] = []
        ids = resource_ids or {}
        # days, tag sets and provider names repeat across rows: work each out once per drain
        periods: dict[date, tuple[datetime, datetime]] = {}
        tag_sets: dict[str, Any] = {}
        providers: dict[str, str] = {}
        covered = self.covered
        for (day, ident), (billed, effective, list_cost, contracted, qty) in self.buckets.items():
            currency = ident[10]
            self.totals[currency] = self.totals.get(currency, ZERO) + billed
            period = periods.get(day)
            if period is None:
                start = datetime.combine(day, time(), UTC)
                period = periods[day] = (start, start + _DAY)
            row: dict[str, Any] = dict(zip(KEY_FIELDS, ident[:-1], strict=True))
            ext = row.pop("resource_id")
            name = row["provider_name"]
            provider = providers.get(name or "")
            if provider is None:
                provider = providers[name or ""] = (
                    canonical_provider(name, fallback=self.provider) if name else self.provider)
            span = covered.get((provider, row["sub_account_id"]))
            if span is None:
                covered[(provider, row["sub_account_id"])] = [day, day]
            elif day < span[0]:
                span[0] = day
            elif day > span[1]:
                span[1] = day
            raw_tags = ident[-1]
            if raw_tags and raw_tags not in tag_sets:
                tag_sets[raw_tags] = json.loads(raw_tags)
            row.update(
                org_id=org_id, connection_id=connection_id, day=day,
                resource_id=ids.get(ext) if ext else None, resource_external_id=ext,
                charge_period_start=period[0], charge_period_end=period[1],
                billed_cost=billed, effective_cost=effective, list_cost=list_cost,
                contracted_cost=contracted, pricing_quantity=qty, provider=provider,
                provider_name=name or PROVIDER_NAMES.get(provider, provider),
                charge_category=row["charge_category"] or "Usage",
                tags=tag_sets[raw_tags] if raw_tags else None, source=source)
            row["row_hash"] = (_fingerprint(day, ident, row["resource_id"], billed, effective,
                                            list_cost, contracted, qty)
                               if fingerprints else None)
            rows.append(row)
        self.buckets = {}
        return rows


    def drain_columns(self, *, org_id: int, connection_id: int,
                      source: str) -> dict[str, list[Any]]:
        """What `drain(fingerprints=False)` gives without resource ids, column by column:
        the file imports' path. The buckets are transposed by the interpreter (zip) and each
        derived value (provider, period, tags, category) is worked out once per distinct
        input, not once per row. The aggregator is empty afterwards."""
        if not self.buckets:
            return {}
        days, idents = zip(*self.buckets, strict=True)
        billed, effective, list_cost, contracted, qty = zip(*self.buckets.values(),
                                                            strict=True)
        self.buckets = {}
        count = len(days)
        cols: dict[str, list[Any]] = {name: list(values) for name, values in zip(
            (*KEY_FIELDS, "tags"), zip(*idents, strict=True), strict=True)}
        names = cols["provider_name"]
        keys = {name: (canonical_provider(name, fallback=self.provider) if name
                       else self.provider) for name in set(names)}
        shown = {name: name or PROVIDER_NAMES.get(key, key) for name, key in keys.items()}
        provider = list(map(keys.__getitem__, names))
        for key, account, day in set(zip(provider, cols["sub_account_id"], days,
                                         strict=True)):
            span = self.covered.get((key, account))
            if span is None:
                self.covered[(key, account)] = [day, day]
            elif day < span[0]:
                span[0] = day
            elif day > span[1]:
                span[1] = day
        currencies = cols["billing_currency"]
        if len(set(currencies)) == 1:
            self.totals[currencies[0]] = sum(billed, self.totals.get(currencies[0], ZERO))
        else:
            for currency, amount in zip(currencies, billed, strict=True):
                self.totals[currency] = self.totals.get(currency, ZERO) + amount
        periods = {day: datetime.combine(day, time(), UTC) for day in set(days)}
        ends = {day: start + _DAY for day, start in periods.items()}
        tag_sets = {raw: json.loads(raw) if raw else None for raw in set(cols["tags"])}
        categories = {c: c or "Usage" for c in set(cols["charge_category"])}
        cols.update(
            org_id=[org_id] * count, connection_id=[connection_id] * count,
            resource_id=[None] * count, resource_external_id=cols.pop("resource_id"),
            day=list(days), charge_period_start=list(map(periods.__getitem__, days)),
            charge_period_end=list(map(ends.__getitem__, days)),
            billed_cost=list(billed), effective_cost=list(effective),
            list_cost=list(list_cost), contracted_cost=list(contracted),
            pricing_quantity=list(qty), provider=provider,
            provider_name=list(map(shown.__getitem__, names)),
            charge_category=list(map(categories.__getitem__, cols["charge_category"])),
            tags=list(map(tag_sets.__getitem__, cols["tags"])), source=[source] * count,
            row_hash=[None] * count)
        return cols


def _fingerprint(day: date, ident: tuple[Any, ...], resource_id: int | None,
                 *amounts: Decimal | None) -> str:
    money = tuple(None if a is None else str(a.quantize(_QUANT)) for a in amounts)
    text = repr((day.isoformat(), ident, resource_id, money))
    return hashlib.blake2b(text.encode(), digest_size=16).hexdigest()


async def replace_window(session: AsyncSession, *, org_id: int, connection_id: int,
                         start: date, end: date, rows: list[dict[str, Any]],
                         source: str) -> tuple[int, int]:
    """Make the stored `source` lines of [start, end) equal `rows`; returns (stored, written).

    Rows whose fingerprint is already stored are kept as they are: a re-sync of an unchanged
    window deletes and writes nothing.
    """
    stored = await session.execute(select(CostLineRow.row_hash, CostLineRow.id).where(
        CostLineRow.org_id == org_id, CostLineRow.connection_id == connection_id,
        CostLineRow.day >= start, CostLineRow.day < end, CostLineRow.source == source))
    existing: dict[str | None, list[int]] = {}
    for digest, rid in stored:
        existing.setdefault(digest, []).append(rid)
    fresh = []
    for row in rows:
        ids = existing.get(row["row_hash"])
        if ids:
            ids.pop()
        else:
            fresh.append(row)
    stale = [rid for ids in existing.values() for rid in ids]
    amounts = core_table(CostAmount)
    for i in range(0, len(stale), 500):
        await session.execute(delete(amounts).where(amounts.c.id.in_(stale[i:i + 500])))
    await write_rows(session, fresh)
    return len(rows), len(fresh)


def core_table(model: type[Base]) -> Table:
    """The model's Table: bulk writes go through Core, the ORM bulk path costs more than SQLite."""
    return cast(Table, model.__table__)


async def clear_days(session: AsyncSession, *, org_id: int, connection_id: int,
                     start: date, end: date) -> None:
    """Delete the stored lines of a connection for days in [start, end)."""
    amounts = core_table(CostAmount)
    await session.execute(delete(amounts).where(
        amounts.c.org_id == org_id, amounts.c.connection_id == connection_id,
        amounts.c.day >= start, amounts.c.day < end))


async def write_rows(session: AsyncSession, rows: Iterable[dict[str, Any]]) -> int:
    """Store whole lines (`core.db.cost_store.write_rows`); returns how many."""
    return await cost_store.write_rows(session, rows)
