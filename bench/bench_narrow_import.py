"""What narrow line storage would give a whole SQLite import, end to end: the basis for the
schema decision that 100k rows/s of daily-shaped files waits on (`bench_line_costs.py`
measures the INSERT alone).

The product's own import of bench_sync's daily-shaped 1M-row FOCUS file, run alternately:
- `wide`: as it is (the swap moves the staged lines into `cost_lines`);
- `narrow`: the same import, reading, staging, rollups and all, except that each swap step
  writes its lines narrow, into probe tables made for the run: each identity once in
  `probe_keys` (with the import's own numbering, indexed to join on), a line its key, day and
  amounts in `probe_lines`, indexed as `cost_lines` is for what it keeps (a period's lines by
  day and key, a connection's by day, a synced resource's) with the composite foreign key
  to connections. Only the swap's destination differs (`focus_import._swap_days` is
  replaced for the run), so the difference is what the table's shape costs a whole import;
- `direct`: a first import written while it reads, no staging and no swap: each
  transaction of DIRECT_ROWS lines goes through a temporary narrow table into `cost_lines`,
  and the rollup is written once at the end (what writing a first import while it reads
  would save with the table as it is);
- `narrow-direct`: both: identities into `probe_keys`, lines bound straight into
  `probe_lines` while the file is read (2026-12-08: the only shape past 100k rows/s).
A direct import here skips what the product would need around it (a crash or a bad row
mid-file must remove what was written; readers are told the connection is loading), so
these are what the shapes cost, not finished designs.
Each import is a fresh database in its own process. Prints wall s, CPU s, rows/s, peak RSS.
Run: `.venv/bin/python bench/bench_narrow_import.py [--runs N] [--file F]` (SQLite only:
PostgreSQL needs the per-import integrity decision as well, see `bench_line_costs.py`).
"""

from __future__ import annotations

import asyncio
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sqlalchemy import Column, MetaData, Table, insert, text, true  # noqa: E402
from sqlalchemy.ext.asyncio import AsyncSession  # noqa: E402

from bench import bench_sync, machine  # noqa: E402
from core.db.models import CostLine  # noqa: E402
from core.db.models.costs import (  # noqa: E402
    STAGED_AMOUNTS,
    STAGED_IDENTITY,
    cost_line_staging,
)
from core.services import focus_import  # noqa: E402
from core.services.sync.costs import core_table  # noqa: E402

IDENTITY = ", ".join(STAGED_IDENTITY)
AMOUNTS = ", ".join(STAGED_AMOUNTS)
PARENT = "FOREIGN KEY (org_id, connection_id) REFERENCES connections (org_id, id) " \
         "ON DELETE CASCADE"
TABLES = [
    f"CREATE TABLE probe_keys (id INTEGER PRIMARY KEY, import_id TEXT, number INTEGER, "
    f"{IDENTITY}, {PARENT})",
    "CREATE UNIQUE INDEX ix_probe_keys_import ON probe_keys (import_id, number)",
    f"CREATE TABLE probe_lines (id INTEGER PRIMARY KEY, org_id INTEGER NOT NULL, "
    f"connection_id INTEGER NOT NULL, key_id INTEGER NOT NULL REFERENCES probe_keys (id), "
    f"resource_id INTEGER, day DATE NOT NULL, "
    f"{', '.join(a + ' BIGINT' for a in STAGED_AMOUNTS)}, row_hash TEXT, {PARENT})",
    "CREATE INDEX ix_probe_lines_org_day_key ON probe_lines (org_id, day, key_id)",
    "CREATE INDEX ix_probe_lines_org_conn_day ON probe_lines (org_id, connection_id, day)",
    "CREATE INDEX ix_probe_lines_resource_day ON probe_lines (resource_id, day) "
    "WHERE resource_id IS NOT NULL",
]
SHAPES = ("wide", "narrow", "direct", "narrow-direct")
_keys_written: set[str] = set()


async def _narrow_swap_days(session: AsyncSession, scope: Any, import_id: str,
                            first: date, last: date, sums: Any = None,
                            kept: bool = True, digests: Any = None) -> int:
    """`focus_import._swap_days`, writing narrow lines: the import's identities once (with
    its first step), then per step the days' old lines out, the staged ones in, the staged
    rows dropped and the rollup written as the product writes it."""
    if import_id not in _keys_written:
        _keys_written.add(import_id)
        await session.execute(text(
            f"INSERT INTO probe_keys (import_id, number, {IDENTITY}) SELECT import_id, "
            f"number, {IDENTITY} FROM cost_line_staging_idents WHERE import_id = :i"),
            {"i": import_id})
    days = {"o": scope.org_id, "c": scope.connection_id, "a": first, "b": last}
    await session.execute(text(
        "DELETE FROM probe_lines WHERE org_id = :o AND connection_id = :c "
        "AND day BETWEEN :a AND :b"), days)
    moved = await session.execute(text(
        f"INSERT INTO probe_lines (org_id, connection_id, key_id, day, {AMOUNTS}) "
        f"SELECT :o, :c, k.id, s.day, {', '.join('s.' + a for a in STAGED_AMOUNTS)} "
        "FROM cost_line_staging s JOIN probe_keys k ON k.import_id = s.import_id "
        "AND k.number = s.ident WHERE s.import_id = :i AND s.day BETWEEN :a AND :b"),
        {**days, "i": import_id})
    await session.execute(text(
        "DELETE FROM cost_line_staging WHERE import_id = :i AND day BETWEEN :a AND :b"),
        {"i": import_id, "a": first, "b": last})
    await focus_import._rollup(session, scope, first, last, sums, kept=kept)
    del digests  # a first import into a fresh database: nothing to compare with later
    return int(getattr(moved, "rowcount", 0) or 0)


async def _direct_write(self: Any, staging: Any, batch: Any) -> None:
    """`focus_import._Run._write` for a first import written while it reads (`direct` and
    `narrow-direct`): no staging and no swap; each transaction of DIRECT_ROWS lines puts
    them where they are stored. `direct`: through a temporary narrow table, joined with the
    import's identities into `cost_lines`; `narrow-direct`: identities into `probe_keys`
    (an identity's key id is the import's base plus its number), lines bound straight into
    `probe_lines`."""
    idents, lines = batch
    narrow = _SHAPE[0] == "narrow-direct"
    line_sql = (staging.line_sql.replace(
        "INSERT INTO cost_line_staging (import_id, ", "INSERT INTO probe_lines (org_id, "
        "connection_id, ").replace(f"VALUES ('{self.import_id}', ",
                                   f"VALUES ({self.org_id}, {self.connection_id}, ")
        .replace("ident,", "key_id,") if narrow else
        staging.line_sql.replace("INSERT INTO cost_line_staging", "INSERT INTO temp.direct"))
    for i in range(0, max(len(lines), 1 if idents else 0), DIRECT_ROWS):
        part = lines[i:i + DIRECT_ROWS]
        started = time.perf_counter()
        async with self.sessions() as session, session.begin():
            conn = await session.connection()
            if not narrow:
                await conn.exec_driver_sql(
                    "CREATE TEMP TABLE IF NOT EXISTS direct (import_id TEXT, ident INTEGER, "
                    "day DATE, billed_cost BIGINT, effective_cost BIGINT, list_cost BIGINT, "
                    "contracted_cost BIGINT, pricing_quantity NUMERIC)")
            for statement, values in focus_import._multi_row(staging.ident_sql,
                                                             idents if not i else []):
                await conn.exec_driver_sql(statement, values)
            if narrow and not i and idents:  # the keys before the lines that refer to them
                await conn.execute(text(
                    f"INSERT INTO probe_keys (id, import_id, number, {IDENTITY}) SELECT "
                    f"number, import_id, number, {IDENTITY} FROM cost_line_staging_idents "
                    "WHERE import_id = :i AND number > coalesce((SELECT max(number) FROM "
                    "probe_keys WHERE import_id = :i), 0)"), {"i": self.import_id})
            for statement, values in focus_import._multi_row(line_sql, part):
                await conn.exec_driver_sql(statement, values)
            if not narrow and len(part):
                await session.execute(insert(core_table(CostLine)).from_select(
                    focus_import._LINE_COLUMNS, focus_import._staged_lines(
                        conn.dialect, true(), lines=_DIRECT)))
                await conn.exec_driver_sql("DELETE FROM temp.direct")
        focus_import._record_step(started)
        await focus_import._let_others_write(self.sessions)
        self.staged += len(part)


async def _direct_swap(run: Any, scope: Any, snapshot: Any, *_: Any) -> Any:
    """`focus_import._swap` once the lines are in: the rollup from the import's sums and
    the snapshot, in one transaction."""
    done = focus_import._Swapped()
    async with run.sessions() as session, session.begin():
        await focus_import._rollup(session, scope, scope.first_day, scope.last_day, run.sums,
                                   kept=False)
        done.snapshot_id = await focus_import._record_snapshot(session, run, snapshot)
    return done


DIRECT_ROWS = 25_000  # lines per transaction of a direct write (~0.3-0.5 s of the lock)
_SHAPE = [""]
_DIRECT = Table("direct", MetaData(), *(Column(c.name, c.type)
                                        for c in cost_line_staging.columns if c.name != "id"))


async def _run(shape: str, db: Path, source: Path) -> None:
    _SHAPE[0] = shape
    if shape.startswith("narrow"):
        made = bench_sync._setup

        async def setup(where: Path | str) -> tuple[object, int, int]:
            engine, org_id, conn_id = await made(where)
            async with engine.begin() as conn:  # type: ignore[attr-defined]
                for sql in TABLES:
                    await conn.execute(text(sql))
            return engine, org_id, conn_id

        bench_sync._setup = setup  # type: ignore[assignment]
        focus_import._swap_days = _narrow_swap_days
    if shape.endswith("direct"):
        focus_import._Run._write = _direct_write  # type: ignore[method-assign]
        focus_import._swap = _direct_swap  # type: ignore[assignment]
    await bench_sync.bench_focus(db, source, shape)


def main() -> None:
    if len(sys.argv) == 4 and sys.argv[1] in SHAPES:  # one import, this process
        asyncio.run(_run(sys.argv[1], Path(sys.argv[2]), Path(sys.argv[3])))
        return
    args = dict(zip(sys.argv[1::2], sys.argv[2::2], strict=False))
    runs = int(args.get("--runs", "2"))
    print(machine.describe(), flush=True)
    print(f"{'SQLite import, swap into':<30}{'wall s':>9}{'CPU s':>9}{'rows/s':>12}"
          f"{'RSS MB':>10}{'lock s':>9}", flush=True)
    with tempfile.TemporaryDirectory(prefix="bench-narrow-") as tmp:
        source = Path(args.get("--file") or Path(tmp) / "daily_1m.csv")
        if "--file" not in args:
            bench_sync.generate_daily_focus(source)
        for n in range(runs):
            for shape in SHAPES:
                db = Path(tmp) / f"{shape}-{n}.db"
                subprocess.run([sys.executable, __file__, shape, str(db), str(source)],
                               check=True)
                for leftover in Path(tmp).glob(f"{shape}-{n}.db*"):
                    leftover.unlink()
    print("wide: cost_lines as migrated; narrow: identities once, a line its key, day and "
          "amounts (the rest of the import unchanged); direct: a first import written while "
          "it reads, no staging and no swap (wide, or narrow-direct)")


if __name__ == "__main__":
    main()
