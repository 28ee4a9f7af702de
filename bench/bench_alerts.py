"""The alert scan at a large account's scale, and what it costs the answers beside it.

Runs `anomaly_service.scan` (what the hourly alert pass runs per organisation) over the
10M-line year of `bench.year_dataset` (built on first use, then reused from `bench/.cache/`),
with a probe that sleeps 10 ms on the same event loop again and again: its overshoot is how
long the loop could not serve anyone else. With the scheduler in the bot's process (the SQLite
quick start) that is how long every answer waits.

Prints per engine: the scan's wall and CPU seconds, the events found, its SQL statements, and the
loop stalls (longest, p99, how many over 100 ms).
Target: no stall over 100 ms (answers stay under their 300 ms p99 while a scan runs).
Run: `.venv/bin/python -m bench.bench_alerts [--engines sqlite,postgres]` (SQLite by default;
the first run builds the year, ~4 GB on SQLite, ~10 GB on PostgreSQL).
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sqlalchemy import event  # noqa: E402

import core.app  # noqa: E402,F401 - the services' registrations, as the bot has them
from bench import year_dataset  # noqa: E402
from core.clock import FrozenClock  # noqa: E402
from core.db.engine import create_engine, session_factory  # noqa: E402
from core.services import anomaly_service  # noqa: E402
from core.tasks import spawn  # noqa: E402

NOW = datetime(2026, 11, 22, 9, 0, tzinfo=UTC)  # the dataset's "today", as in bench_bot
PROBE = 0.01


async def _probe(lags: list[float]) -> None:
    while True:
        started = time.perf_counter()
        await asyncio.sleep(PROBE)
        lags.append(time.perf_counter() - started - PROBE)


async def bench(engine_name: str) -> None:
    async with year_dataset.served(engine_name) as data:
        engine = create_engine(data.url)
        sql: list[str] = []

        def count(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
            sql.append(statement)

        event.listen(engine.sync_engine, "before_cursor_execute", count)
        lags: list[float] = []
        probe = spawn(_probe(lags), name="loop-lag probe")
        async with session_factory(engine)() as session:
            started, cpu = time.perf_counter(), time.process_time()
            scan = await anomaly_service.scan(session, data.org_id, FrozenClock(NOW), days=30)
            wall, cpu = time.perf_counter() - started, time.process_time() - cpu
        probe.cancel()
        await engine.dispose()
        lags.sort()
        over = sum(1 for lag in lags if lag > 0.1)
        print(f"{engine_name}: {data.lines:,} lines; scan {wall:.1f} s wall, {cpu:.1f} s CPU, "
              f"{len(scan.found)} events ({', '.join(f.series_key for f in scan.found)}), "
              f"{len(sql)} SQL statements")
        print(f"{'':>{len(engine_name) + 2}}event-loop stalls: longest {lags[-1] * 1000:.0f} ms, "
              f"p99 {lags[int(len(lags) * 0.99)] * 1000:.0f} ms, over 100 ms: {over} "
              f"(target 0)", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--engines", default="sqlite",
                        help="sqlite,postgres for both (the PostgreSQL year takes ~10 GB)")
    args = parser.parse_args()
    for engine_name in args.engines.split(","):
        asyncio.run(bench(engine_name))


if __name__ == "__main__":
    main()
