"""Keep `cost_rollups` equal to a GROUP BY over `cost_lines`, in the writers' transactions.

Every write that changes cost lines or how they group calls in here before it commits, so a
reader never sees the lines and their rollup disagree:

- the sync apply (`core.services.sync.apply.apply_collection`) refreshes its connection's window,
  and the resources whose team, environment or project the inventory changed;
- a file import's swap (`core.services.focus_import`) refreshes the days the file covered;
- resources regrouped through the ORM (rules re-applied) refresh after each flush, by an
  event listener; lines written by `core.db.cost_store.write_rows(rollup=True)` (the
  demo seed, fixtures) refresh their days;
- deleting a connection or an organisation cascades in the database.

A refresh recomputes whole slices (org, connection, day range): deletes their rollup rows
and inserts the slice's GROUP BY in one INSERT … SELECT, so it costs about as much as the
lines it summarises and never drifts by accumulated deltas. The coarser `cost_service_rollups`
(no project, team, environment or region) is recomputed the same way from the `cost_rollups`
slice just written, which costs a few hundredths of the lines' GROUP BY. The months of the
slice in `cost_resource_months` are marked stale (their version goes up) for
`core.services.resource_months` to rebuild outside the writer's transaction. `rebuild` recomputes
everything (`infrazen rollups rebuild`); `differences` compares both with a fresh GROUP BY.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Executable,
    Select,
    Table,
    delete,
    event,
    func,
    insert,
    inspect,
    select,
    update,
)
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session

from core.db.models import CostLine, CostRollup, Resource, ResourceMonthState, ServiceRollup
from core.db.types import COST_SCALE

__all__ = ["KEY_COLUMNS", "RollupKey", "differences", "rebuild", "refresh", "refresh_resources",
           "refresh_statements",
           "summary", "unowned_key", "write_summed"]

IN_BATCH = 500
# the rollup's grouping columns, in the order `summary` selects them
KEY_COLUMNS = ("org_id", "connection_id", "day", "provider", "service_name",
               "service_category", "region_id", "project", "team", "environment",
               "billing_currency")
# the service rollup's grouping columns: a subset of KEY_COLUMNS
SERVICE_KEY_COLUMNS = ("org_id", "connection_id", "day", "provider", "service_name",
                       "service_category", "billing_currency")
_SUMS = ("billed_cost", "effective_cost", "lines")
RollupKey = tuple[Any, ...]
_TABLE: Table = CostRollup.__table__  # type: ignore[assignment]
_SERVICE_TABLE: Table = ServiceRollup.__table__  # type: ignore[assignment]
_LINES: Table = CostLine.__table__  # type: ignore[assignment]


def summary(*where: ColumnElement[bool]) -> Select[*tuple[Any, ...]]:
    """The GROUP BY over cost lines the rollup holds (the one definition of its content)."""
    keys = (CostLine.org_id, CostLine.connection_id, CostLine.day, CostLine.provider,
            CostLine.service_name, CostLine.service_category, CostLine.region_id,
            func.coalesce(Resource.project, CostLine.sub_account_name), Resource.team,
            Resource.environment, CostLine.billing_currency)
    return (select(*keys, func.sum(CostLine.billed_cost), func.sum(CostLine.effective_cost),
                   func.count())
            .select_from(CostLine)
            # by primary key only: a line's resource is always its own org's, and an org
            # condition here lets PostgreSQL without fresh statistics (right after a big
            # import) pick a nested loop over every resource of the org for each line
            .outerjoin(Resource, Resource.id == CostLine.resource_id)
            .where(*where).group_by(*keys))


def service_summary(*where: ColumnElement[bool]) -> Select[*tuple[Any, ...]]:
    """The GROUP BY over `cost_rollups` the service rollup holds."""
    keys = [getattr(CostRollup, c) for c in SERVICE_KEY_COLUMNS]
    return (select(*keys, func.sum(CostRollup.billed_cost), func.sum(CostRollup.effective_cost),
                   func.sum(CostRollup.lines))
            .where(*where).group_by(*keys))


def _slice(model: type[CostLine] | type[CostRollup] | type[ServiceRollup], org_id: int | None,
           connection_id: int | None, first: date | None,
           last: date | None) -> list[ColumnElement[bool]]:
    clauses: list[ColumnElement[bool]] = []
    if org_id is not None:
        clauses.append(model.org_id == org_id)
    if connection_id is not None:
        clauses.append(model.connection_id == connection_id)
    if first is not None:
        clauses.append(model.day >= first)
    if last is not None:
        clauses.append(model.day <= last)
    return clauses


def refresh_statements(org_id: int | None, connection_id: int | None, first: date | None,
                last: date | None) -> tuple[Executable, ...]:
    """Delete a slice's rollup rows, then insert its GROUP BY; the same for the service
    rollup, from the rollup rows just inserted (Core: no autoflush, so the flush listener can
    run them too)."""
    return (delete(_TABLE).where(*_slice(CostRollup, org_id, connection_id, first, last)),
            insert(_TABLE).from_select([*KEY_COLUMNS, *_SUMS], summary(
                *_slice(CostLine, org_id, connection_id, first, last))),
            delete(_SERVICE_TABLE).where(
                *_slice(ServiceRollup, org_id, connection_id, first, last)),
            insert(_SERVICE_TABLE).from_select([*SERVICE_KEY_COLUMNS, *_SUMS], service_summary(
                *_slice(CostRollup, org_id, connection_id, first, last))),
            _stale_months(org_id, connection_id, first, last))


def _stale_months(org_id: int | None, connection_id: int | None, first: date | None,
                  last: date | None) -> Executable:
    """The resource months the slice overlaps are no longer what their lines sum to."""
    state = ResourceMonthState
    clauses: list[ColumnElement[bool]] = []
    if org_id is not None:
        clauses.append(state.org_id == org_id)
    if connection_id is not None:
        clauses.append(state.connection_id == connection_id)
    if first is not None:
        clauses.append(state.month >= first.replace(day=1))
    if last is not None:
        clauses.append(state.month <= last)
    return (update(state).where(*clauses).values(version=state.version + 1)
            .execution_options(synchronize_session=False))


async def refresh(session: AsyncSession, org_id: int | None, *,
                  connection_id: int | None = None, first: date | None = None,
                  last: date | None = None) -> None:
    """Recompute the rollup of a slice (days inclusive; None = unbounded) from its lines."""
    for statement in refresh_statements(org_id, connection_id, first, last):
        await session.execute(statement)


def unowned_key(org_id: int, connection_id: int, day: date, provider: str,
                service_name: str | None, service_category: str | None, region_id: str | None,
                sub_account_name: str | None, billing_currency: str) -> RollupKey:
    """The rollup key `summary` gives a line without a resource (a file import's): its
    project is its sub-account's name, it has no team or environment."""
    return (org_id, connection_id, day, provider, service_name, service_category, region_id,
            sub_account_name, None, None, billing_currency)


async def write_summed(session: AsyncSession, org_id: int, *, connection_id: int, first: date,
                       last: date, sums: dict[RollupKey, list[int]],
                       others: ColumnElement[bool] | None) -> None:
    """The rollup of a slice whose new lines the writer summed as it wrote them (a file
    import: `unowned_key` → [billed, effective nano-units, lines]), plus the `summary` of
    the slice's lines matching `others` (None: it has no others), instead of a GROUP BY over
    every line of the slice (~2.5 s of a million-line import). Tests hold it to `differences`."""
    merged = {key: list(values) for key, values in sums.items()}
    scale = Decimal(1).scaleb(-COST_SCALE)
    if others is not None:
        for row in await session.execute(
                summary(*_slice(CostLine, org_id, connection_id, first, last), others)):
            key, (billed, effective, count) = tuple(row[:len(KEY_COLUMNS)]), row[-3:]
            got = merged.setdefault(key, [0, 0, 0])
            got[0] += int((billed or 0) / scale)
            got[1] += int((effective or 0) / scale)
            got[2] += int(count)
    await session.execute(delete(_TABLE).where(
        *_slice(CostRollup, org_id, connection_id, first, last)))
    if merged:
        await session.execute(insert(_TABLE), [
            {**dict(zip(KEY_COLUMNS, key, strict=True)), "billed_cost": billed * scale,
             "effective_cost": effective * scale, "lines": count}
            for key, (billed, effective, count) in merged.items()])
    for statement in refresh_statements(org_id, connection_id, first, last)[2:]:
        await session.execute(statement)


async def rebuild(session: AsyncSession, org_id: int | None = None) -> int:
    """Recompute the rollup of one organisation (or all); returns how many rows it now has."""
    await refresh(session, org_id)
    query = select(func.count()).select_from(CostRollup)
    if org_id is not None:
        query = query.where(CostRollup.org_id == org_id)
    return int((await session.execute(query)).scalar_one())


def _span_query(org_id: int, ids: Sequence[int]) -> Select[int, date, date]:
    return (select(CostLine.connection_id, func.min(CostLine.day), func.max(CostLine.day))
            .where(CostLine.org_id == org_id, CostLine.resource_id.in_(ids))
            .group_by(CostLine.connection_id))


def _merge(spans: dict[tuple[int, int], list[date]], org_id: int, conn_id: int, lo: date,
           hi: date) -> None:
    span = spans.setdefault((org_id, conn_id), [lo, hi])
    span[0], span[1] = min(span[0], lo), max(span[1], hi)


async def refresh_resources(session: AsyncSession, org_id: int,
                            resource_ids: Iterable[int]) -> None:
    """Follow resources whose team, environment or project changed: recompute the days
    (per connection) their lines span."""
    ids = sorted(set(resource_ids))
    spans: dict[tuple[int, int], list[date]] = {}
    for i in range(0, len(ids), IN_BATCH):
        for conn_id, lo, hi in await session.execute(_span_query(org_id, ids[i:i + IN_BATCH])):
            _merge(spans, org_id, conn_id, lo, hi)
    for (org, conn_id), (lo, hi) in sorted(spans.items()):
        await refresh(session, org, connection_id=conn_id, first=lo, last=hi)


_GROUPING = ("team", "environment", "project")


def _after_flush(session: Session, _context: Any) -> None:
    """Resources whose team, environment or project changed through the ORM (rules
    re-applied, people's edits) keep the rollup true: the slices of their lines are
    recomputed in the same transaction, right after the flush that wrote them. (Lines are
    written by `core.db.cost_store.write_rows`, which refreshes on request.)"""
    spans: dict[tuple[int, int], list[date]] = {}
    regrouped: dict[int, set[int]] = {}
    for obj in (*session.new, *session.deleted, *session.dirty):
        if isinstance(obj, Resource) and obj not in session.new and obj.id is not None:
            state = inspect(obj)
            if any(state.attrs[name].history.has_changes() for name in _GROUPING):
                regrouped.setdefault(obj.org_id, set()).add(obj.id)
    if not spans and not regrouped:
        return
    connection = session.connection()
    for org_id, ids in regrouped.items():
        ordered = sorted(ids)
        for i in range(0, len(ordered), IN_BATCH):
            for conn_id, lo, hi in connection.execute(
                    _span_query(org_id, ordered[i:i + IN_BATCH])):
                _merge(spans, org_id, conn_id, lo, hi)
    for (org, conn_id), (lo, hi) in sorted(spans.items()):
        for statement in refresh_statements(org, conn_id, lo, hi):
            connection.execute(statement)


event.listen(Session, "after_flush", _after_flush)


def _tally(rows: Iterable[Sequence[Any]], width: int) -> dict[RollupKey, list[Any]]:
    out: dict[RollupKey, list[Any]] = {}
    for row in rows:
        key, sums = tuple(row[:width]), [row[-3], row[-2], int(row[-1])]
        if key in out:  # a key twice would be a maintenance bug: report it as a sum
            out[key] = [a + b for a, b in zip(out[key], sums, strict=True)]
            out[key][-1] = -abs(out[key][-1])
        else:
            out[key] = sums
    return out


def _compare(rolled: dict[RollupKey, list[Any]], fresh: dict[RollupKey, list[Any]],
             tag: tuple[str, ...] = (),
             ) -> dict[RollupKey, tuple[Sequence[Any] | None, Sequence[Any] | None]]:
    out: dict[RollupKey, tuple[Sequence[Any] | None, Sequence[Any] | None]] = {}
    for key in rolled.keys() | fresh.keys():
        a, b = rolled.get(key), fresh.get(key)
        if a != b:
            out[(*tag, *key)] = (a, b)
    return out


async def differences(session: AsyncSession, org_id: int | None = None,
                      ) -> dict[RollupKey, tuple[Sequence[Any] | None, Sequence[Any] | None]]:
    """Keys where a rollup and a fresh GROUP BY over the lines disagree:
    key → (rollup sums, line sums); empty when they agree. Keys of `cost_rollups` are its
    KEY_COLUMNS; those of the service rollup start with "service". For tests and
    `rollups check`."""
    scope = [CostRollup.org_id == org_id] if org_id is not None else []
    line_scope = [CostLine.org_id == org_id] if org_id is not None else []
    width = len(KEY_COLUMNS)
    rolled = _tally(await session.execute(select(
        *(getattr(CostRollup, c) for c in (*KEY_COLUMNS, *_SUMS))).where(*scope)), width)
    fresh = _tally(await session.execute(summary(*line_scope)), width)
    out = _compare(rolled, fresh)
    width = len(SERVICE_KEY_COLUMNS)
    service_scope = [ServiceRollup.org_id == org_id] if org_id is not None else []
    rolled = _tally(await session.execute(select(
        *(getattr(ServiceRollup, c) for c in (*SERVICE_KEY_COLUMNS, *_SUMS)))
        .where(*service_scope)), width)
    keys = [getattr(CostLine, c) for c in SERVICE_KEY_COLUMNS]
    fresh = _tally(await session.execute(
        select(*keys, func.sum(CostLine.billed_cost), func.sum(CostLine.effective_cost),
               func.count()).where(*line_scope).group_by(*keys)), width)
    out.update(_compare(rolled, fresh, ("service",)))
    return out
