"""A CPU worker is ready before its first job: it imports the preloaded modules and fills
their first-use caches, so the first user to ask for an anomaly or a forecast does not pay."""

from __future__ import annotations

from core.analytics.anomalies import calendar
from core.workers import DEFAULT_PRELOAD, CpuPool


def calendar_years_loaded() -> int:
    """Runs in the worker: how many years of the holiday calendar it already holds."""
    return calendar._year.cache_info().currsize


async def test_a_worker_holds_the_holiday_calendar_before_its_first_job() -> None:
    pool = CpuPool(1, preload=DEFAULT_PRELOAD)
    try:
        assert await pool.run(calendar_years_loaded) == 3  # last, this and next year
    finally:
        pool.close()


async def test_a_worker_without_the_preload_loads_the_calendar_on_first_use() -> None:
    pool = CpuPool(1, preload=())
    try:
        assert await pool.run(calendar_years_loaded) == 0
    finally:
        pool.close()
