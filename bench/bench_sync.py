"""Sync engine and FOCUS import at scale, on SQLite; prints seconds, rows/s and peak RSS.

1. apply a 50,000-resource Collection (one daily cost line per resource), then the same
   Collection with 2 % of the resources changed (half cost, half status);
2. import a 1,000,000-row daily-shaped FOCUS file (one row per resource and day, 30 days of
   ~34 resource variants of each sample row: nearly every row is a stored line of its own, the
   shape of an ordinary AWS account's month), plain and gzipped, then the plain file again
   (a re-import: on SQLite it leaves the days it repeats exactly as they are); and the
   month-to-date case: the file without its last day, then the whole file (yesterday's
   export, then today's);
3. the same for the hourly shape: each sample row repeated as 24 hourly rows of its day for
   ~42 resource variants (about 24 rows per stored daily line).

Each import also reports its longest write transaction (staging batch or swap step): how long
another writer (the bot answering) may wait on SQLite's one write lock.
Targets: first apply ≤ 10 s, second ≤ 3 s, FOCUS ≥ 100,000 rows/s (.csv.gz ≥ 80,000) with
peak RSS ≤ 400 MB; no write transaction over a second or two.
Each part runs in its own process so peak RSS belongs to that part alone.
Run: `.venv/bin/python -m bench` (all benches) or `.venv/bin/python bench/bench_sync.py`;
`bench/bench_sync.py --engine postgres` runs the daily imports on a throwaway PostgreSQL
server instead (there an import is one transaction: its "lock s" is the whole import, which
readers and other writers do not wait on).
"""

from __future__ import annotations

import asyncio
import csv
import gzip
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench import machine  # noqa: E402
from connectors.files import BILLING_FILES as FILES  # noqa: E402
from core.db.engine import create_engine, session_factory  # noqa: E402
from core.db.migrate import upgrade  # noqa: E402
from core.db.models import Connection  # noqa: E402
from core.domain.collection import (  # noqa: E402
    AccountInfo,
    Collection,
    CostLine,
    ResourceKind,
    ResourceRecord,
    ResourceStatus,
    Window,
)
from core.services.orgs import create_org  # noqa: E402

SAMPLE = ROOT.parent / "shared" / "data" / "focus" / "official-1.0" / "focus_sample.csv"
RESOURCES = 50_000
FOCUS_ROWS = 1_000_000
DAY = date(2026, 11, 19)
WINDOW = Window(DAY - timedelta(days=2), DAY + timedelta(days=1))


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def collection(changed_every: int | None = None) -> Collection:
    start = datetime.combine(DAY, datetime.min.time(), UTC)
    kinds = [ResourceKind.SERVER, ResourceKind.VOLUME, ResourceKind.FLOATING_IP]
    resources, lines = [], []
    for i in range(RESOURCES):
        changed = changed_every is not None and i % changed_every == 0
        cost = Decimal(100 + i % 900) / 10 + (Decimal(5) if changed and i % 2 == 0 else 0)
        status = (ResourceStatus.STOPPED if changed and i % 2 else ResourceStatus.RUNNING)
        ext = f"res-{i:06d}"
        resources.append(ResourceRecord(
            external_id=ext, name=f"vm-{i}", kind=kinds[i % 3], status=status,
            region=f"ru-{i % 9}", project=f"project-{i % 40}", service_name="Compute",
            daily_cost=cost, tags={"team": f"team-{i % 12}", "env": "prod"},
            config={"vcpu": 2 + i % 8, "ram_gb": 4 + i % 16, "flavor": f"SL1.{i % 8}"}))
        lines.append(CostLine(charge_period_start=start,
                              charge_period_end=start + timedelta(days=1), billed_cost=cost,
                              resource_id=ext, sku_id="compute_cores",
                              service_name="Compute"))
    return Collection(account=AccountInfo(account_id="bench"), resources=resources,
                      cost_lines=lines)


async def _setup(db: Path | str) -> tuple[object, int, int]:
    """A migrated database (a SQLite file, or a PostgreSQL URL) with an org and a FOCUS
    connection."""
    from core.security.vault import Vault

    engine = create_engine(db if isinstance(db, str) else f"sqlite+aiosqlite:///{db}")
    await upgrade(engine)
    sessions = session_factory(engine)
    vault = Vault([b"kY2bq3b0cS3m3G2Nf0yVY0i3xXQxPq1jN0m1Zo0pXq8="])
    async with sessions() as session, session.begin():
        org = await create_org(session, "Bench")
        conn = Connection(org_id=org.id, kind="focus", name="bench",
                          credentials=vault.encrypt({}), options={}, status="active")
        session.add(conn)
        await session.flush()
        return engine, org.id, conn.id


async def bench_apply(db: Path) -> None:
    from core.services.sync.apply import apply_collection

    engine, org_id, conn_id = await _setup(db)
    sessions = session_factory(engine)  # type: ignore[arg-type]
    now = datetime.now(UTC)
    for label, coll in (("apply 50k first", collection()),
                        ("apply 50k, 2% changed", collection(changed_every=50))):
        started, cpu = time.perf_counter(), time.process_time()
        async with sessions() as session, session.begin():
            result = await apply_collection(session, org_id=org_id, connection_id=conn_id,
                                            collection=coll, window=WINDOW, started_at=now,
                                            now=now)
        seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
        now += timedelta(hours=1)
        print(f"{label:<26}{seconds:>9.2f}{cpu:>9.2f}{RESOURCES / seconds:>12,.0f}"
              f"{peak_rss_mb():>10.0f}   +{result.created} ~{result.updated} "
              f"={result.unchanged}")
    await engine.dispose()  # type: ignore[attr-defined]


def generate_focus(path: Path, rows: int = FOCUS_ROWS) -> None:
    """Hourly-export shape from the sample: each row becomes 24 hours × N resource variants."""
    with SAMPLE.open(newline="", encoding="utf-8") as fh:
        header = fh.readline()
        texts = fh.read().splitlines(keepends=True)
    parsed = list(csv.reader(texts))
    names = next(csv.reader([header]))
    i_end, i_start = names.index("ChargePeriodEnd"), names.index("ChargePeriodStart")
    i_res = names.index("ResourceId")
    fmt = "%Y-%m-%d %H:%M:%S"
    variants = []
    for text, row in zip(texts, parsed, strict=True):
        start = datetime.strptime(row[i_start], fmt)  # noqa: DTZ007 - the file's own UTC
        day0 = start.replace(hour=0)
        span = datetime.strptime(row[i_end], fmt) - start  # noqa: DTZ007
        old = f'"{row[i_end]}","{row[i_start]}"'
        hours = [f'"{(day0 + timedelta(hours=h) + span).strftime(fmt)}",'
                 f'"{(day0 + timedelta(hours=h)).strftime(fmt)}"' for h in range(24)]
        res = f'"{row[i_res]}"' if row[i_res] != "NULL" else None
        variants.append((text, old, hours, res))
    written = 0
    with path.open("w", encoding="utf-8", newline="") as out:
        out.write(header)
        copy = 0
        while written < rows:
            hour, variant = copy % 24, copy // 24
            chunk = []
            for text, old, hours, res in variants:
                line = text.replace(old, hours[hour], 1)
                if res is not None:
                    line = line.replace(res, f'{res[:-1]}-v{variant}"', 1)
                chunk.append(line)
                written += 1
                if written >= rows:
                    break
            out.writelines(chunk)
            copy += 1


def generate_daily_focus(path: Path, rows: int = FOCUS_ROWS, days: int = 30) -> None:
    """Daily-export shape (one row per resource and day, what AWS CUR/FOCUS exports at daily
    granularity look like): each sample row becomes a day-long row for `days` days of
    ~rows/(days·1000) resource variants, so nearly every row is a stored daily line of its own."""
    with SAMPLE.open(newline="", encoding="utf-8") as fh:
        header = fh.readline()
        texts = fh.read().splitlines(keepends=True)
    parsed = list(csv.reader(texts))
    names = next(csv.reader([header]))
    i_end, i_start = names.index("ChargePeriodEnd"), names.index("ChargePeriodStart")
    i_res = names.index("ResourceId")
    fmt = "%Y-%m-%d %H:%M:%S"
    first = date(2024, 9, 1)
    periods = [f'"{(first + timedelta(days=d + 1)):%Y-%m-%d} 00:00:00",'
               f'"{(first + timedelta(days=d)):%Y-%m-%d} 00:00:00"' for d in range(days)]
    templates = []
    for text, row in zip(texts, parsed, strict=True):
        datetime.strptime(row[i_start], fmt)  # noqa: DTZ007 - only checks the sample's shape
        old = f'"{row[i_end]}","{row[i_start]}"'
        res = f'"{row[i_res]}"' if row[i_res] != "NULL" else None
        templates.append((text, old, res))
    variants = -(-rows // (days * len(templates)))
    written = 0
    with path.open("w", encoding="utf-8", newline="") as out:
        out.write(header)
        for period in periods:
            for variant in range(variants):
                chunk = []
                for text, old, res in templates:
                    line = text.replace(old, period, 1)
                    if res is not None:
                        line = line.replace(res, f'{res[:-1]}-v{variant}"', 1)
                    chunk.append(line)
                chunk = chunk[:rows - written]
                written += len(chunk)
                out.writelines(chunk)
                if written >= rows:
                    return


async def bench_focus(db: Path | str, source: Path, label: str, times: int = 1) -> None:
    engine, org_id, conn_id = await _setup(db)
    sessions = session_factory(engine)  # type: ignore[arg-type]
    for n in range(times):
        await _timed_import(sessions, org_id, conn_id, source,
                            label if n == 0 else f"{label} again")
    await engine.dispose()  # type: ignore[attr-defined]


async def bench_month_to_date(db: Path | str, full: Path, label: str) -> None:
    """Yesterday's month-to-date export (the daily file without its last day), then today's
    (the whole file): what a daily re-import of a month costs, its earlier days unchanged."""
    shorter = full.with_name(f"{full.stem}-mtd{full.suffix}")
    last = _write_without_last_day(full, shorter)
    engine, org_id, conn_id = await _setup(db)
    sessions = session_factory(engine)  # type: ignore[arg-type]
    await _timed_import(sessions, org_id, conn_id, shorter, f"{label} to {last - timedelta(1)}")
    await _timed_import(sessions, org_id, conn_id, full, f"{label} to {last}")
    shorter.unlink()
    await engine.dispose()  # type: ignore[attr-defined]


def _write_without_last_day(source: Path, out: Path) -> date:
    """Copy `source` (a FOCUS CSV) without the rows of its last day; that day."""
    with source.open(newline="", encoding="utf-8") as raw:
        reader = csv.reader(raw)
        at = next(reader).index("ChargePeriodStart")
        last = max(row[at][:10] for row in reader)
    with source.open(encoding="utf-8", newline="") as raw, \
            out.open("w", encoding="utf-8", newline="") as kept:
        kept.write(raw.readline())
        kept.writelines(line for line in raw  # the rows as they are, byte for byte
                        if not next(csv.reader([line]))[at].startswith(last))
    return date.fromisoformat(last)


async def _timed_import(sessions: Any, org_id: int, conn_id: int, source: Path,
                        name: str) -> None:
    from core.services import focus_import

    focus_import.write_seconds.clear()
    started, cpu = time.perf_counter(), time.process_time()
    async with sessions() as session, session.begin():
        result = await focus_import.import_focus(session, FILES, org_id, conn_id, source)
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    hold = max(focus_import.write_seconds, default=0.0)
    unchanged = f" ({result.unchanged_days} unchanged)" if result.unchanged_days else ""
    print(f"{name:<30}{seconds:>9.2f}{cpu:>9.2f}{result.rows / seconds:>12,.0f}"
          f"{peak_rss_mb():>10.0f}{hold:>9.2f}   {result.lines_stored:,} daily lines, "
          f"{result.days} days{unchanged}, "
          f"{', '.join(f'{v:.2f} {k}' for k, v in result.totals.items())}")


def _gzip(plain: Path) -> None:
    started = time.perf_counter()
    with plain.open("rb") as raw, gzip.open(f"{plain}.gz", "wb", compresslevel=1) as packed:
        shutil.copyfileobj(raw, packed, 1 << 20)
    size = Path(f"{plain}.gz").stat().st_size / 2**20
    print(f"{'(gzip it)':<30}{time.perf_counter() - started:>9.2f}"
          f"{'':>9}{'':>12}{'':>10}{'':>9}   {size:.0f} MB")


PARTS = {  # part → (file, label, imports)
    "daily": ("daily_1m.csv", "FOCUS daily 1M rows", 2),
    "daily-gz": ("daily_1m.csv.gz", "FOCUS daily 1M rows .gz", 1),
    "daily-mtd": ("daily_1m.csv", "FOCUS daily month", 0),  # 29 days, then all 30
    "hourly": ("focus_1m.csv", "FOCUS hourly 1M rows", 1),
    "hourly-gz": ("focus_1m.csv.gz", "FOCUS hourly 1M rows .gz", 1),
}


def bench_postgres() -> None:
    """`--engine postgres`: the daily imports (plain, re-import, .gz) into a throwaway
    PostgreSQL server (tests/support/postgres.py: fsync off, so this measures the import,
    not the disk)."""
    from tests.support.postgres import start_postgres

    print(f"{'FOCUS (PostgreSQL)':<30}{'wall s':>9}{'CPU s':>9}{'rows/s':>12}{'RSS MB':>10}"
          f"{'lock s':>9}")
    server = start_postgres()
    try:
        with tempfile.TemporaryDirectory(prefix="bench-sync-") as tmp:
            plain = Path(tmp) / PARTS["daily"][0]
            generate_daily_focus(plain)
            subprocess.run([sys.executable, __file__, "daily", tmp, server.url], check=True)
            _gzip(plain)
            plain.unlink()
            subprocess.run([sys.executable, __file__, "daily-gz", tmp, server.url], check=True)
    finally:
        server.stop()


def main() -> None:
    if len(sys.argv) > 2 and (sys.argv[1] == "apply" or sys.argv[1] in PARTS):
        part, where = sys.argv[1], Path(sys.argv[2])
        url = sys.argv[3] if len(sys.argv) > 3 else None  # PostgreSQL; SQLite without
        if part == "apply":
            asyncio.run(bench_apply(where / "apply.db"))
        elif part == "daily-mtd":
            name, label, _ = PARTS[part]
            asyncio.run(bench_month_to_date(url or where / f"{part}.db", where / name, label))
        else:
            name, label, times = PARTS[part]
            asyncio.run(bench_focus(url or where / f"{part}.db", where / name, label, times))
        return
    print(machine.describe(), flush=True)
    if sys.argv[1:3] == ["--engine", "postgres"]:
        bench_postgres()
        return
    print(f"{'sync / FOCUS (SQLite)':<30}{'wall s':>9}{'CPU s':>9}{'rows/s':>12}{'RSS MB':>10}"
          f"{'lock s':>9}")
    with tempfile.TemporaryDirectory(prefix="bench-sync-") as tmp:
        subprocess.run([sys.executable, __file__, "apply", tmp], check=True)
        for shape, make in (("daily", generate_daily_focus), ("hourly", generate_focus)):
            plain = Path(tmp) / PARTS[shape][0]
            started = time.perf_counter()
            make(plain)
            print(f"{f'(generate {shape} 1M rows)':<30}{time.perf_counter() - started:>9.2f}"
                  f"{'':>9}{'':>12}{'':>10}{'':>9}   {plain.stat().st_size / 2**20:.0f} MB")
            subprocess.run([sys.executable, __file__, shape, tmp], check=True)
            if shape == "daily":  # yesterday's month-to-date file, then today's
                subprocess.run([sys.executable, __file__, "daily-mtd", tmp], check=True)
            _gzip(plain)
            plain.unlink()
            subprocess.run([sys.executable, __file__, f"{shape}-gz", tmp], check=True)
    print("targets: first apply ≤ 10 s, second ≤ 3 s, FOCUS ≥ 100,000 rows/s (.gz ≥ 80,000),"
          " RSS ≤ 400 MB, lock s (longest write transaction) ≤ 1-2 s; CPU s is this process"
          " alone (wall time includes other load on the machine)")


if __name__ == "__main__":
    main()
