"""What storing a daily cost line costs each engine, part by part: the measured basis for how
`cost_lines` is shaped, and for what an import of daily-shaped files can reach on a machine.

It imports bench_sync's daily-shaped 1M-row FOCUS file once with the product's importer
(912,125 lines), copies the lines to plain tables, then times one INSERT … SELECT of all of
them into a fresh table of each shape:
- `cost_lines` as the migrations left it: its indexes and foreign keys, read from the database;
- the same without its foreign keys; without its secondary indexes; with its primary key only;
- narrow: each identity (the columns a resource's lines share on every day) once in a key
  table, a line only its key, day and amounts (with the analogous indexes), with and without
  foreign keys. This is the shape the import's staging already writes.
Every table is written in one transaction and dropped afterwards. Prints seconds, µs a line
and bytes a line (table and indexes) for each engine; one run each (runs of the same code vary
by about ±10 % on this machine). The PostgreSQL server is a throwaway one
(tests/support/postgres.py: fsync off, C locale).
Run: `.venv/bin/python bench/bench_line_costs.py [--engine sqlite|postgres]` (both without;
`--file F` takes a daily file bench_sync made instead of making one).
"""

from __future__ import annotations

import asyncio
import sqlite3
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.bench_sync import _setup, generate_daily_focus  # noqa: E402
from connectors.files import BILLING_FILES as FILES  # noqa: E402
from core.db.models.costs import STAGED_AMOUNTS, STAGED_IDENTITY  # noqa: E402

# a narrow line: its key and day, the amounts, and what only some lines have
NARROW_LINE = ("org_id", "connection_id", "key_id", "resource_id", "day",
               "charge_period_start", "charge_period_end", *STAGED_AMOUNTS, "row_hash")
KEY_COLUMNS = STAGED_IDENTITY


@dataclass
class Probe:
    """One shape of table: its DDL (table first, then indexes) and how its rows are filled."""

    label: str
    ddl: list[str]
    fill: list[str]
    tables: tuple[str, ...]


class Db:
    """The few things the probes need of an engine, over its plain driver."""

    name: str
    run: Callable[[str], Awaitable[None]]
    rows: Callable[[str], Awaitable[list[tuple[Any, ...]]]]
    load: Callable[[str, Sequence[str], list[tuple[Any, ...]]], Awaitable[None]]
    size: Callable[[tuple[str, ...]], Awaitable[int]]
    transaction: Callable[[list[str]], Awaitable[float]]


def _sqlite(path: Path) -> Db:
    con = sqlite3.connect(path, isolation_level=None)
    for pragma in ("journal_mode=WAL", "foreign_keys=ON", "synchronous=NORMAL"):
        con.execute(f"PRAGMA {pragma}")
    db = Db()
    db.name = "SQLite"

    async def run(sql: str) -> None:
        con.execute(sql)

    async def rows(sql: str) -> list[tuple[Any, ...]]:
        return list(con.execute(sql))

    async def load(table: str, names: Sequence[str], data: list[tuple[Any, ...]]) -> None:
        con.execute("BEGIN")
        con.executemany(f"INSERT INTO {table} ({', '.join(names)}) "
                        f"VALUES ({', '.join('?' * len(names))})", data)
        con.execute("COMMIT")

    async def size(tables: tuple[str, ...]) -> int:
        marks = ", ".join("?" * len(tables))
        return int(con.execute(
            f"SELECT sum(pgsize) FROM dbstat WHERE name IN (SELECT name FROM sqlite_master "
            f"WHERE tbl_name IN ({marks}))", tables).fetchone()[0] or 0)

    async def transaction(statements: list[str]) -> float:
        started = time.perf_counter()
        con.execute("BEGIN")
        for sql in statements:
            con.execute(sql)
        con.execute("COMMIT")
        return time.perf_counter() - started

    db.run, db.rows, db.load, db.size, db.transaction = run, rows, load, size, transaction
    return db


async def _postgres(url: str) -> Db:
    import asyncpg

    con: Any = await asyncpg.connect(url.replace("postgresql+asyncpg", "postgresql"))
    db = Db()
    db.name = "PostgreSQL"

    async def run(sql: str) -> None:
        await con.execute(sql)

    async def rows(sql: str) -> list[tuple[Any, ...]]:
        return [tuple(r) for r in await con.fetch(sql)]

    async def load(table: str, names: Sequence[str], data: list[tuple[Any, ...]]) -> None:
        await con.copy_records_to_table(table, records=data, columns=list(names))
        await con.execute(f"ANALYZE {table}")

    async def size(tables: tuple[str, ...]) -> int:
        return int(await con.fetchval(
            "SELECT sum(pg_total_relation_size(t)) FROM unnest($1::text[]) t", list(tables)))

    async def transaction(statements: list[str]) -> float:
        started = time.perf_counter()
        async with con.transaction():
            for sql in statements:
                await con.execute(sql)
        return time.perf_counter() - started

    db.run, db.rows, db.load, db.size, db.transaction = run, rows, load, size, transaction
    return db


async def _types(db: Db) -> dict[str, str]:
    """Each `cost_lines` column's declared type, as the database reports it."""
    if db.name == "SQLite":
        return {r[1]: r[2] for r in await db.rows("PRAGMA table_info(cost_lines)")}
    return {str(name): str(kind) for name, kind in await db.rows(
        "SELECT attname, format_type(atttypid, atttypmod) FROM pg_attribute "
        "WHERE attrelid = 'cost_lines'::regclass AND attnum > 0 AND NOT attisdropped "
        "ORDER BY attnum")}


async def _wide_ddl(db: Db, table: str, *, keys: bool, indexes: bool) -> list[str]:
    """`cost_lines`' own table and index DDL, renamed to `table`: as the migrations left it,
    or without its foreign keys (`keys`) or secondary indexes (`indexes`)."""
    if db.name == "SQLite":
        (sql,), = await db.rows("SELECT sql FROM sqlite_master WHERE name = 'cost_lines'")
        head, body = str(sql).split("(", 1)
        parts = [p.strip().rstrip(",").strip() for p in body.rsplit(")", 1)[0].split("\n")]
        kept = [p for p in parts if p and (keys or "FOREIGN KEY" not in p)]
        ddl = [f"CREATE TABLE {table} ({', '.join(kept)})"]
        found = await db.rows("SELECT sql FROM sqlite_master WHERE tbl_name = 'cost_lines' "
                              "AND type = 'index' AND sql IS NOT NULL")
        index_sql = [str(r[0]).replace(" ON cost_lines ", f" ON {table} ") for r in found]
    else:
        ddl = [f"CREATE TABLE {table} (LIKE cost_lines INCLUDING DEFAULTS)",
               f"ALTER TABLE {table} ADD PRIMARY KEY (id)"]
        if keys:
            ddl += [f"ALTER TABLE {table} ADD {r[0]}" for r in await db.rows(
                "SELECT pg_get_constraintdef(oid) FROM pg_constraint "
                "WHERE conrelid = 'cost_lines'::regclass AND contype = 'f'")]
        found = await db.rows("SELECT indexdef FROM pg_indexes WHERE tablename = 'cost_lines' "
                              "AND indexname <> 'pk_cost_lines'")
        index_sql = [str(r[0]).replace(" ON public.cost_lines ", f" ON {table} ")
                     for r in found]
    if indexes:
        ddl += [s.replace("INDEX ix_cost_lines_", f"INDEX ix_{table}_") for s in index_sql]
    return ddl


def _narrow_ddl(db: Db, types: dict[str, str], *, keys: bool) -> list[str]:
    """A key table of identities and a line table of keys, days and amounts (with or without
    foreign keys), indexed as `cost_lines` is: a period's lines by day and key, a
    connection's by day, a synced resource's."""
    serial = "INTEGER" if db.name == "SQLite" else "BIGINT"
    numbered = ("INTEGER PRIMARY KEY" if db.name == "SQLite"
                else "BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY")
    parent = ", FOREIGN KEY (org_id, connection_id) REFERENCES connections (org_id, id)"
    key_cols = ", ".join(f"{c} {types[c]}" for c in KEY_COLUMNS)
    line_cols = ", ".join(f"{c} {types.get(c, serial)}" for c in NARROW_LINE)
    refs = (f"{parent}, FOREIGN KEY (key_id) REFERENCES probe_keys (id), "
            "FOREIGN KEY (resource_id) REFERENCES resources (id)") if keys else ""
    where = " WHERE resource_id IS NOT NULL"
    return [f"CREATE TABLE probe_keys (id {serial} PRIMARY KEY, {key_cols}"
            f"{parent if keys else ''})",
            f"CREATE TABLE probe_narrow (id {numbered}, {line_cols}{refs})",
            "CREATE INDEX ix_probe_narrow_org_day_key ON probe_narrow (org_id, day, key_id)",
            "CREATE INDEX ix_probe_narrow_org_conn_day ON probe_narrow "
            "(org_id, connection_id, day)",
            f"CREATE INDEX ix_probe_narrow_resource_day ON probe_narrow (resource_id, day){where}"]


async def _sources(db: Db, types: dict[str, str]) -> tuple[list[str], int]:
    """Plain tables the probes read: every stored line (`probe_src`), its identities numbered
    (`probe_src_keys`) and its lines as key number, day and amounts (`probe_src_lines`)."""
    names = [c for c in types if c != "id"]
    await db.run(f"CREATE TABLE probe_src AS SELECT {', '.join(names)} FROM cost_lines")
    read = ", ".join((*KEY_COLUMNS, "day", *STAGED_AMOUNTS))
    numbers: dict[tuple[Any, ...], int] = {}
    lines = []
    width = len(KEY_COLUMNS)
    for row in await db.rows(f"SELECT {read} FROM probe_src"):
        number = numbers.setdefault(row[:width], len(numbers) + 1)
        lines.append((number, row[0], row[1], *row[width:]))  # identities lead with org, conn
    key_types = ", ".join(f"{c} {types[c]}" for c in KEY_COLUMNS)
    amount_types = ", ".join(f"{c} {types[c]}" for c in STAGED_AMOUNTS)
    await db.run(f"CREATE TABLE probe_src_keys (number BIGINT, {key_types})")
    await db.run(f"CREATE TABLE probe_src_lines (number BIGINT, org_id INTEGER, "
                 f"connection_id INTEGER, day {types['day']}, {amount_types})")
    await db.load("probe_src_keys", ("number", *KEY_COLUMNS),
                  [(n, *k) for k, n in numbers.items()])
    await db.load("probe_src_lines", ("number", "org_id", "connection_id", "day",
                                      *STAGED_AMOUNTS), lines)
    return names, len(lines)


def _probes(db: Db, names: list[str], wide: dict[str, list[str]],
            types: dict[str, str]) -> list[Probe]:
    columns = ", ".join(names)
    copy_wide = [f"INSERT INTO probe_wide ({columns}) SELECT {columns} FROM probe_src"]
    keys = ", ".join(KEY_COLUMNS)
    amounts = ", ".join(STAGED_AMOUNTS)
    copy_narrow = [
        f"INSERT INTO probe_keys (id, {keys}) SELECT number, {keys} FROM probe_src_keys",
        f"INSERT INTO probe_narrow (org_id, connection_id, key_id, day, {amounts}) "
        f"SELECT org_id, connection_id, number, day, {amounts} FROM probe_src_lines"]
    wide_tables = ("probe_wide",)
    narrow_tables = ("probe_keys", "probe_narrow")
    return [
        Probe("cost_lines as migrated", wide["all"], copy_wide, wide_tables),
        Probe("  without its foreign keys", wide["no keys"], copy_wide, wide_tables),
        Probe("  without its secondary indexes", wide["no indexes"], copy_wide, wide_tables),
        Probe("  primary key only", wide["bare"], copy_wide, wide_tables),
        Probe("narrow (identity once, key+day+amounts)", _narrow_ddl(db, types, keys=True),
              copy_narrow, narrow_tables),
        Probe("  without its foreign keys", _narrow_ddl(db, types, keys=False), copy_narrow,
              narrow_tables),
    ]


async def measure(db: Db) -> list[tuple[str, float, int, int]]:
    """(label, seconds, lines, bytes a line) of each probe."""
    types = await _types(db)
    names, count = await _sources(db, types)
    wide = {label: await _wide_ddl(db, "probe_wide", keys=keys, indexes=indexes)
            for label, keys, indexes in (("all", True, True), ("no keys", False, True),
                                         ("no indexes", True, False), ("bare", False, False))}
    results = []
    for probe in _probes(db, names, wide, types):
        for sql in probe.ddl:
            await db.run(sql)
        seconds = await db.transaction(probe.fill)
        results.append((probe.label, seconds, count, await db.size(probe.tables) // count))
        for table in reversed(probe.tables):
            await db.run(f"DROP TABLE {table}")
        print(f"  {db.name}: {probe.label} {seconds:.2f} s", file=sys.stderr, flush=True)
    return results


async def _import(url: str, source: Path) -> None:
    from core.db.engine import session_factory
    from core.services import focus_import

    engine, org_id, conn_id = await _setup(url)
    sessions = session_factory(engine)  # type: ignore[arg-type]
    async with sessions() as session, session.begin():
        await focus_import.import_focus(session, FILES, org_id, conn_id, source)
    await engine.dispose()  # type: ignore[attr-defined]


async def _engine(name: str, tmp: Path, source: Path) -> list[tuple[str, float, int, int]]:
    if name == "sqlite":
        path = tmp / "lines.db"
        await _import(f"sqlite+aiosqlite:///{path}", source)
        return await measure(_sqlite(path))
    from tests.support.postgres import start_postgres

    server = start_postgres()
    try:
        await _import(server.url, source)
        return await measure(await _postgres(server.url))
    finally:
        server.stop()


def main() -> None:
    args = dict(zip(sys.argv[1::2], sys.argv[2::2], strict=False))
    engines = [args["--engine"]] if "--engine" in args else ["sqlite", "postgres"]
    with tempfile.TemporaryDirectory(prefix="bench-lines-") as tmp:
        source = Path(args.get("--file") or Path(tmp) / "daily_1m.csv")  # --file: one made
        if "--file" not in args:
            generate_daily_focus(source)
        found = {name: asyncio.run(_engine(name, Path(tmp), source)) for name in engines}
    lines = next(iter(found.values()))[0][2]
    print(f"storing {lines:,} daily lines with one INSERT … SELECT (one run each)")
    header = f"{'table shape':<42}"
    for name in engines:
        header += f"{name + ' s':>14}{'µs/line':>9}{'B/line':>8}"
    print(header)
    for row, label in enumerate(r[0] for r in next(iter(found.values()))):
        cells = f"{label:<42}"
        for name in engines:
            _, seconds, count, width = found[name][row]
            cells += f"{seconds:>14.2f}{seconds / count * 1e6:>9.1f}{width:>8}"
        print(cells)


if __name__ == "__main__":
    main()
