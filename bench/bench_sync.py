"""Sync engine and FOCUS import at scale, on SQLite; prints seconds, rows/s and peak RSS.

1. apply a 50,000-resource Collection (one daily cost line per resource), then the same
   Collection with 2 % of the resources changed (half cost, half status);
2. import a 1,000,000-row FOCUS file generated from the official sample: each sample row is
   repeated as 24 hourly rows of its day for ~42 resource variants, the shape of a real hourly
   export (about 24 rows per stored daily line); then the same file gzipped.

Targets: first apply ≤ 10 s, second ≤ 3 s, FOCUS ≥ 100,000 rows/s with peak RSS ≤ 400 MB.
Each part runs in its own process so peak RSS belongs to that part alone.
Run: `.venv/bin/python -m bench` (all benches) or `.venv/bin/python bench/bench_sync.py`.
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

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

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


async def _setup(db: Path) -> tuple[object, int, int]:
    from core.security.vault import Vault

    engine = create_engine(f"sqlite+aiosqlite:///{db}")
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
    from core.services.sync import apply_collection

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


async def bench_focus(db: Path, source: Path, label: str) -> None:
    from core.services.focus_import import import_focus

    engine, org_id, conn_id = await _setup(db)
    sessions = session_factory(engine)  # type: ignore[arg-type]
    started, cpu = time.perf_counter(), time.process_time()
    async with sessions() as session, session.begin():
        result = await import_focus(session, org_id, conn_id, source)
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    print(f"{label:<26}{seconds:>9.2f}{cpu:>9.2f}{result.rows / seconds:>12,.0f}"
          f"{peak_rss_mb():>10.0f}   {result.lines_stored:,} daily lines, "
          f"{result.days} days, {', '.join(f'{v:.2f} {k}' for k, v in result.totals.items())}")
    await engine.dispose()  # type: ignore[attr-defined]


def main() -> None:
    if len(sys.argv) > 2 and sys.argv[1] in {"apply", "focus", "focus-gz"}:
        part, where = sys.argv[1], Path(sys.argv[2])
        if part == "apply":
            asyncio.run(bench_apply(where / "apply.db"))
        elif part == "focus":
            asyncio.run(bench_focus(where / "focus.db", where / "focus_1m.csv",
                                    "FOCUS import 1M rows"))
        else:
            asyncio.run(bench_focus(where / "focus_gz.db", where / "focus_1m.csv.gz",
                                    "FOCUS import 1M rows .gz"))
        return
    print(f"{'sync / FOCUS (SQLite)':<26}{'wall s':>9}{'CPU s':>9}{'rows/s':>12}{'RSS MB':>10}")
    with tempfile.TemporaryDirectory(prefix="bench-sync-") as tmp:
        subprocess.run([sys.executable, __file__, "apply", tmp], check=True)
        started = time.perf_counter()
        generate_focus(Path(tmp) / "focus_1m.csv")
        size = (Path(tmp) / "focus_1m.csv").stat().st_size / 2**20
        print(f"{'(generate 1M-row file)':<26}{time.perf_counter() - started:>9.2f}"
              f"{'':>9}{'':>12}{'':>10}   {size:.0f} MB")
        subprocess.run([sys.executable, __file__, "focus", tmp], check=True)
        started = time.perf_counter()
        with (Path(tmp) / "focus_1m.csv").open("rb") as raw, \
                gzip.open(Path(tmp) / "focus_1m.csv.gz", "wb", compresslevel=1) as packed:
            shutil.copyfileobj(raw, packed, 1 << 20)
        size = (Path(tmp) / "focus_1m.csv.gz").stat().st_size / 2**20
        print(f"{'(gzip it)':<26}{time.perf_counter() - started:>9.2f}"
              f"{'':>9}{'':>12}{'':>10}   {size:.0f} MB")
        subprocess.run([sys.executable, __file__, "focus-gz", tmp], check=True)
    print("targets: first apply ≤ 10 s, second ≤ 3 s, FOCUS ≥ 100,000 rows/s, RSS ≤ 400 MB;"
          " CPU s is this process alone (wall time includes other load on the machine)")


if __name__ == "__main__":
    main()
