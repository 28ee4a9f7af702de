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
  replaced for the run), so the difference is what the table's shape costs a whole import.
Each import is a fresh database in its own process. Prints wall s, CPU s, rows/s, peak RSS.
Run: `.venv/bin/python bench/bench_narrow_import.py [--runs N] [--file F]` (SQLite only:
PostgreSQL needs the per-import integrity decision as well, see `bench_line_costs.py`).
"""

from __future__ import annotations

import asyncio
import subprocess
import sys
import tempfile
from datetime import date
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sqlalchemy import text  # noqa: E402
from sqlalchemy.ext.asyncio import AsyncSession  # noqa: E402

from bench import bench_sync  # noqa: E402
from core.db.models.costs import STAGED_AMOUNTS, STAGED_IDENTITY  # noqa: E402
from core.services import focus_import  # noqa: E402

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


async def _run(shape: str, db: Path, source: Path) -> None:
    if shape == "narrow":
        made = bench_sync._setup

        async def setup(where: Path | str) -> tuple[object, int, int]:
            engine, org_id, conn_id = await made(where)
            async with engine.begin() as conn:  # type: ignore[attr-defined]
                for sql in TABLES:
                    await conn.execute(text(sql))
            return engine, org_id, conn_id

        bench_sync._setup = setup  # type: ignore[assignment]
        focus_import._swap_days = _narrow_swap_days
    await bench_sync.bench_focus(db, source, shape)


def main() -> None:
    if len(sys.argv) == 4 and sys.argv[1] in ("wide", "narrow"):  # one import, this process
        asyncio.run(_run(sys.argv[1], Path(sys.argv[2]), Path(sys.argv[3])))
        return
    args = dict(zip(sys.argv[1::2], sys.argv[2::2], strict=False))
    runs = int(args.get("--runs", "2"))
    print(f"{'SQLite import, swap into':<30}{'wall s':>9}{'CPU s':>9}{'rows/s':>12}"
          f"{'RSS MB':>10}{'lock s':>9}", flush=True)
    with tempfile.TemporaryDirectory(prefix="bench-narrow-") as tmp:
        source = Path(args.get("--file") or Path(tmp) / "daily_1m.csv")
        if "--file" not in args:
            bench_sync.generate_daily_focus(source)
        for n in range(runs):
            for shape in ("wide", "narrow"):
                db = Path(tmp) / f"{shape}-{n}.db"
                subprocess.run([sys.executable, __file__, shape, str(db), str(source)],
                               check=True)
                for leftover in Path(tmp).glob(f"{shape}-{n}.db*"):
                    leftover.unlink()
    print("wide: cost_lines as migrated; narrow: identities once, a line its key, day and "
          "amounts (the rest of the import unchanged)")


if __name__ == "__main__":
    main()
