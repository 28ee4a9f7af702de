"""A month by service over daily-shaped cost lines: the rollup against a raw SQL GROUP BY.

    .venv/bin/python -m bench.bench_queries [--lines 1000000] [--engines sqlite,postgres]

Daily-shaped data, as a real billing export stores it: one line per resource and day (an
ordinary account has 300k–500k lines a month). `--lines` lines over one 31-day month; the
resources belong to 40 applications, each with its own team, project, environment and region
(attributes that go together, as allocation makes them), and use one of 25 services; a tenth
of them bill in USD with a rate that changes mid-month (the per-day conversion path).

Measured (median of `--repeat` runs, after one warm-up):
- `costs.breakdown(..., Dimension.SERVICE)`: the answer, reading the rollup;
- the same under `costs.lines_only()`: what the answer cost before rollups;
- a raw SQL `SELECT service_name, billing_currency, SUM(billed_cost) … GROUP BY` over
  `cost_lines` for the month: the floor any scan of the lines pays.
Also: loading the lines, and `rollups.rebuild` (the backfill / `infrazen rollups rebuild`).
Target: the rollup answer in at most half the raw GROUP BY's time. PostgreSQL is a throwaway
server (`tests/support/postgres.py`, as the test suite starts it).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy import func, insert, select, text
from sqlalchemy.ext.asyncio import AsyncEngine

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from core.db import cost_store  # noqa: E402
from core.db.engine import create_engine, session_factory  # noqa: E402
from core.db.migrate import upgrade  # noqa: E402
from core.db.models import (  # noqa: E402
    Connection,
    CostLine,
    CostRollup,
    CurrencyRate,
    Organization,
    Resource,
)
from core.services import costs, rollups  # noqa: E402
from core.services.costs import Dimension  # noqa: E402
from core.services.sync.costs import core_table  # noqa: E402

MONTH = (date(2026, 10, 1), date(2026, 10, 31))
APPS, SERVICES = 40, 25
BATCH = 20_000
RAW_GROUP_BY = ("SELECT service_name, billing_currency, SUM(billed_cost) FROM cost_lines "
                "WHERE org_id = :org AND day >= :start AND day <= :end "
                "GROUP BY service_name, billing_currency")


def _resource_rows(org: int, conn: int, count: int) -> list[dict[str, Any]]:
    now = datetime(2026, 10, 1, tzinfo=UTC)
    envs = ("prod", "stage", "dev")
    return [{"org_id": org, "connection_id": conn, "external_id": f"r-{i}",
             "name": f"app{i % APPS}-res-{i}", "kind": "server", "status": "running",
             "region": f"ru-{i % APPS % 4}", "project": f"project-{i % APPS % 12}",
             "team": f"team-{i % APPS % 8}", "environment": envs[i % APPS % 3],
             "currency": "RUB", "tags": {}, "config": {}, "content_hash": "",
             "first_seen_at": now, "last_seen_at": now} for i in range(count)]


async def _load(engine: AsyncEngine, lines: int) -> tuple[int, float]:
    """The org, its resources and `lines` daily lines; returns (org id, seconds)."""
    started = time.perf_counter()
    days = (MONTH[1] - MONTH[0]).days + 1
    resources = max(1, lines // days)
    async with session_factory(engine)() as session, session.begin():
        org = Organization(slug="big", name="Big account", currency="RUB")
        session.add(org)
        await session.flush()
        conn = Connection(org_id=org.id, kind="focus", name="aws", credentials=b"x", options={})
        session.add(conn)
        await session.flush()
        session.add_all([
            CurrencyRate(org_id=org.id, currency="USD", base_currency="RUB",
                         rate=Decimal("91.5"), valid_from=date(2026, 9, 1)),
            CurrencyRate(org_id=org.id, currency="USD", base_currency="RUB",
                         rate=Decimal("93.25"), valid_from=date(2026, 10, 16))])
        org_id, conn_id = org.id, conn.id
    res_table = core_table(Resource)
    async with engine.begin() as db:
        rows = _resource_rows(org_id, conn_id, resources)
        ids: list[int] = []
        for i in range(0, len(rows), BATCH):
            ids += list((await db.execute(insert(res_table).returning(res_table.c.id),
                                          rows[i:i + BATCH])).scalars())
    written = 0
    day_starts = [datetime.combine(MONTH[0] + timedelta(days=d), datetime.min.time(), UTC)
                  for d in range(days)]
    batch: list[dict[str, Any]] = []
    async with engine.begin() as db:
        for d, start in enumerate(day_starts):
            for n, rid in enumerate(ids):
                if written >= lines:
                    break
                usd = n % 10 == 0
                amount = Decimal(1 + (n * 7 + d * 3) % 997) / 100
                batch.append({
                    "org_id": org_id, "connection_id": conn_id, "resource_id": rid,
                    "day": start.date(), "charge_period_start": start,
                    "charge_period_end": start + timedelta(days=1), "billed_cost": amount,
                    "effective_cost": amount, "billing_currency": "USD" if usd else "RUB",
                    "provider": "aws", "provider_name": "AWS",
                    "service_name": f"Service {n % SERVICES}", "service_category": "Compute",
                    "charge_category": "Usage", "resource_external_id": f"r-{n}",
                    "region_id": f"ru-{n % APPS % 4}", "sub_account_id": "acc",
                    "sub_account_name": "acc", "source": "file"})
                written += 1
                if len(batch) >= BATCH:
                    await db.run_sync(cost_store.write, batch, rollup=False)
                    batch = []
        if batch:
            await db.run_sync(cost_store.write, batch, rollup=False)
    return org_id, time.perf_counter() - started


async def _median(fn: Callable[[], Awaitable[Any]], repeat: int) -> tuple[float, Any]:
    result = await fn()  # warm-up: caches, statement compilation
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        result = await fn()
        times.append(time.perf_counter() - started)
    return statistics.median(times), result


async def _measure(kind: str, url: str, lines: int, repeat: int) -> dict[str, Any]:
    engine = create_engine(url)
    try:
        await upgrade(engine)
        org, load_s = await _load(engine, lines)
        sessions = session_factory(engine)
        async with sessions() as session, session.begin():
            started = time.perf_counter()
            rollup_rows = await rollups.rebuild(session, org)
            rebuild_s = time.perf_counter() - started
        if kind == "postgres":
            async with engine.connect() as db:
                await db.execute(text("ANALYZE"))
        async with sessions() as session:
            stored = (await session.execute(select(func.count()).select_from(CostLine))
                      ).scalar_one()

            async def answer() -> Any:
                return await costs.breakdown(session, org, *MONTH, Dimension.SERVICE)

            async def from_lines() -> Any:
                with costs.lines_only():
                    return await costs.breakdown(session, org, *MONTH, Dimension.SERVICE)

            async def raw() -> Any:
                return (await session.execute(text(RAW_GROUP_BY), {
                    "org": org, "start": MONTH[0], "end": MONTH[1]})).all()

            raw_s, raw_rows = await _median(raw, repeat)
            rollup_s, rolled = await _median(answer, repeat)
            lines_s, unrolled = await _median(from_lines, repeat)
            assert rolled == unrolled, "the rollup and the lines disagree"
            assert len(raw_rows) >= len(rolled)
            count = (await session.execute(select(func.count()).select_from(CostRollup)
                                           .where(CostRollup.org_id == org))).scalar_one()
        return {"engine": kind, "lines": stored, "rollup_rows": count or rollup_rows,
                "load_s": load_s, "rebuild_s": rebuild_s, "raw_s": raw_s,
                "rollup_s": rollup_s, "lines_s": lines_s}
    finally:
        await engine.dispose()


def _report(r: dict[str, Any]) -> None:
    ratio = r["rollup_s"] / r["raw_s"] if r["raw_s"] else float("nan")
    print(f"{r['engine']:>8}: {r['lines']:,} lines → {r['rollup_rows']:,} rollup rows "
          f"(load {r['load_s']:.1f} s, rebuild {r['rebuild_s']:.2f} s)\n"
          f"          month by service: rollup {r['rollup_s'] * 1000:.1f} ms | "
          f"same answer from lines {r['lines_s'] * 1000:.1f} ms | "
          f"raw SQL GROUP BY {r['raw_s'] * 1000:.1f} ms → rollup/raw = {ratio:.3f} "
          f"({'meets' if ratio <= 0.5 else 'MISSES'} the ≤ 0.5 target)", flush=True)


async def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lines", type=int, default=1_000_000,
                        help="cost lines in the month (default 1,000,000; 100000 is quick)")
    parser.add_argument("--engines", default="sqlite,postgres")
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args(argv)
    print(f"load average {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores", flush=True)
    for kind in args.engines.split(","):
        if kind == "sqlite":
            with tempfile.TemporaryDirectory() as tmp:
                _report(await _measure(kind, f"sqlite+aiosqlite:///{tmp}/bench.db",
                                       args.lines, args.repeat))
        elif kind == "postgres":
            from tests.support.postgres import start_postgres
            server = start_postgres()
            try:
                _report(await _measure(kind, server.url, args.lines, args.repeat))
            finally:
                server.stop()
    print(f"load average {os.getloadavg()[0]:.2f} after", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(asyncio.run(main()))
