"""How cost lines are stored, and the one way to write them.

A cost line is stored narrow: what it is of (resource, SKU, service, account, region, tags,
source: `core.db.models.costs.KEY_COLUMNS`) once per connection in `cost_keys`, found again
by its `digest`; the line itself is its key, day, five amounts and fingerprint in
`cost_amounts`, with its charge period only when that is not the whole day. The view
`cost_lines` joins them back, so every reader queries lines as before; a resource's daily
lines repeat one key, so a line costs a quarter of the bytes to write and index.

Writers (the sync, estimates, the demo seed, tests) hand whole lines to `write_rows`; file
imports move their staged lines in with SQL of their own (`core.services.focus_import`),
keyed by the same digests. Deleting lines leaves their keys: an identity seen again (a
re-import, the next sync) finds its key, so keys grow only with identities that went away
(deleted resources, changed tags), as resources do; a connection's deletion takes them.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, date, datetime, time, timedelta
from typing import Any, cast

from sqlalchemy import Column, ColumnElement, Table, delete, event, insert, select
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session
from sqlalchemy.sql.visitors import replacement_traverse

from core.db.models import CostAmount, CostKey, CostLine
from core.db.models.costs import KEY_COLUMNS

__all__ = ["AMOUNT_COLUMNS", "KEY_COLUMNS", "days_listed", "delete_lines", "key_digest",
           "key_ids", "write", "write_rows"]

AMOUNTS: Table = cast(Table, CostAmount.__table__)
KEYS: Table = cast(Table, CostKey.__table__)
# a line's own columns, stored in `cost_amounts` (with its key's id)
AMOUNT_COLUMNS = ("billed_cost", "effective_cost", "list_cost", "contracted_cost",
                  "pricing_quantity")
_DEFAULTS: dict[str, Any] = {"charge_category": "Usage", "source": "sync"}
_TAGS_AT = KEY_COLUMNS.index("tags")
BATCH = 5000  # rows per executemany
IN_BATCH = 500  # digests per IN (…) lookup
_DAY = timedelta(days=1)


def key_digest(values: Sequence[Any]) -> str:
    """The identity's digest: `values` in KEY_COLUMNS order, tags as a dict, its JSON text
    or None (the same tags in any key order are one identity)."""
    parts = list(values)
    tags = parts[_TAGS_AT]
    if isinstance(tags, str):
        tags = json.loads(tags)
    parts[_TAGS_AT] = None if tags is None else json.dumps(tags, sort_keys=True,
                                                           ensure_ascii=False)
    return hashlib.blake2b(repr(parts).encode(), digest_size=16).hexdigest()


def key_ids(conn: Connection, org_id: int, connection_id: int,
            identities: Sequence[Sequence[Any]]) -> list[int]:
    """The key id of each identity (KEY_COLUMNS values) of a connection's lines: found by
    digest, or made. Sync, on the caller's connection (`write_rows` runs it in its
    transaction)."""
    digests = [key_digest(values) for values in identities]
    found = _known(conn, connection_id, list(dict.fromkeys(digests)))
    fresh: dict[str, dict[str, Any]] = {}
    for digest, values in zip(digests, identities, strict=True):
        if digest not in found and digest not in fresh:
            fresh[digest] = {"org_id": org_id, "connection_id": connection_id,
                             "digest": digest, **dict(zip(KEY_COLUMNS, values, strict=True))}
    if fresh:
        rows = list(fresh.values())
        for i in range(0, len(rows), BATCH):
            conn.execute(insert(KEYS), rows[i:i + BATCH])
        found.update(_known(conn, connection_id, list(fresh)))
    return [found[digest] for digest in digests]


def _known(conn: Connection, connection_id: int, digests: list[str]) -> dict[str, int]:
    out: dict[str, int] = {}
    for i in range(0, len(digests), IN_BATCH):
        out.update((d, int(k)) for k, d in conn.execute(
            select(KEYS.c.id, KEYS.c.digest).where(KEYS.c.connection_id == connection_id,
                                                   KEYS.c.digest.in_(digests[i:i + IN_BATCH]))))
    return out


def days_listed(first: date, last: date) -> list[date]:
    """Every day of [first, last]. A query of a few keys' lines lists its days rather than
    ranging over them: the lines' index (org, day, key) is then a seek per day and key,
    where a range would read every line of the period's days."""
    return [first + timedelta(days=n) for n in range((last - first).days + 1)]


def _whole_day(day: date, start: datetime | None, end: datetime | None) -> bool:
    if start is None or end is None:
        return True
    midnight = datetime.combine(day, time(), UTC)
    start = start if start.tzinfo else start.replace(tzinfo=UTC)
    end = end if end.tzinfo else end.replace(tzinfo=UTC)
    return start == midnight and end == midnight + _DAY


async def write_rows(session: AsyncSession, rows: Iterable[Mapping[str, Any]], *,
                     rollup: bool = False) -> int:
    """Store whole lines (dicts of `cost_lines` columns; a missing one is NULL, or its
    default) in the caller's transaction; returns how many. `rollup`: refresh the rollup
    of the days written too (the sync and imports refresh their own slices)."""
    lines = list(rows)
    if not lines:
        return 0
    return await session.run_sync(lambda s: write(s.connection(), lines, rollup=rollup))


def write(conn: Connection, lines: Sequence[Mapping[str, Any]], *, rollup: bool) -> int:
    """`write_rows` on a sync connection (also ORM-added `CostLine`s: `_added_lines`)."""
    by_connection: dict[tuple[int, int], list[int]] = {}
    for n, row in enumerate(lines):
        by_connection.setdefault((row["org_id"], row["connection_id"]), []).append(n)
    key_of: dict[int, int] = {}
    for (org_id, connection_id), members in by_connection.items():
        identities = [tuple(_value(lines[n], c) for c in KEY_COLUMNS) for n in members]
        key_of.update(zip(members, key_ids(conn, org_id, connection_id, identities),
                          strict=True))
    with_ids: list[dict[str, Any]] = []
    plain: list[dict[str, Any]] = []
    for n, row in enumerate(lines):
        day = row["day"]
        start, end = row.get("charge_period_start"), row.get("charge_period_end")
        whole = _whole_day(day, start, end)
        stored = {"org_id": row["org_id"], "connection_id": row["connection_id"],
                  "key_id": key_of[n], "resource_id": row.get("resource_id"), "day": day,
                  "charge_period_start": None if whole else start,
                  "charge_period_end": None if whole else end,
                  "row_hash": row.get("row_hash"),
                  **{c: row.get(c) for c in AMOUNT_COLUMNS}}
        if row.get("id") is not None:
            stored["id"] = row["id"]
            with_ids.append(stored)
        else:
            plain.append(stored)
    for batch_rows in (with_ids, plain):
        for i in range(0, len(batch_rows), BATCH):
            conn.execute(insert(AMOUNTS), batch_rows[i:i + BATCH])
    if rollup:
        from core.services import rollups

        spans: dict[tuple[int, int], list[date]] = {}
        for row in lines:
            span = spans.setdefault((row["org_id"], row["connection_id"]),
                                    [row["day"], row["day"]])
            span[0], span[1] = min(span[0], row["day"]), max(span[1], row["day"])
        for (org_id, connection_id), (first, last) in sorted(spans.items()):
            for statement in rollups.refresh_statements(org_id, connection_id, first, last):
                conn.execute(statement)
    return len(lines)


def _value(row: Mapping[str, Any], name: str) -> Any:
    value = row.get(name)
    return _DEFAULTS.get(name) if value is None and name in _DEFAULTS else value


_LINE_FIELDS = tuple(c.name for c in cast(Table, CostLine.__table__).columns)


def _added_lines(session: Session, _context: Any, _instances: Any) -> None:
    """`CostLine` objects added to a session (fixtures, one-off scripts) are written as
    lines by `write` before the flush, with their rollup, and leave the session: the view
    itself cannot take them."""
    added = [obj for obj in session.new if isinstance(obj, CostLine)]
    if not added:
        return
    rows = [{name: getattr(obj, name) for name in _LINE_FIELDS} for obj in added]
    for obj in added:
        session.expunge(obj)
    write(session.connection(), rows, rollup=True)


event.listen(Session, "before_flush", _added_lines)


async def delete_lines(session: AsyncSession, *where: ColumnElement[bool]) -> int:
    """Delete the lines `where` picks (conditions on `CostLine`, the view's columns); how
    many. Their keys stay (see the module).

    PostgreSQL: `DELETE … USING cost_keys`, the conditions moved onto the two tables (a
    hash join); `id IN (SELECT id FROM cost_lines …)` joined the lines twice and, on a
    table just filled (no statistics yet), ran for minutes over a million lines. SQLite
    (no DELETE … USING): the ids through the view, which its planner takes in stride."""
    bind = session.bind
    if bind is not None and bind.dialect.name == "postgresql":
        opts: dict[str, Any] = {}
        moved = [replacement_traverse(clause, opts, _on_tables) for clause in where]
        statement = delete(AMOUNTS).where(AMOUNTS.c.key_id == KEYS.c.id, *moved)
    else:
        statement = delete(AMOUNTS).where(AMOUNTS.c.id.in_(select(CostLine.id).where(*where)))
    result = await session.execute(statement.execution_options(synchronize_session=False))
    return int(getattr(result, "rowcount", 0) or 0)


_VIEW: Table = cast(Table, CostLine.__table__)


def _on_tables(element: Any, **_: Any) -> Any:
    """A column of the view as the table column it shows (key columns: `cost_keys`)."""
    if isinstance(element, Column) and element.table is _VIEW:
        if element.name in KEY_COLUMNS or element.name == "key_id":
            return KEYS.c["id" if element.name == "key_id" else element.name]
        return AMOUNTS.c[element.name]
    return None
