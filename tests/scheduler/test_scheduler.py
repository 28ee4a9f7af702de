"""The APScheduler wrapper registers the jobs by import path and runs them with the runtime."""

from __future__ import annotations

from core.scheduler import DEFAULT_JOBS, resolve, run_job, start_scheduler
from tests.scheduler.conftest import Deps
from tests.support.jobs import RENDERING


async def test_every_job_path_resolves_to_a_coroutine_function() -> None:
    import inspect

    for spec in DEFAULT_JOBS:
        assert inspect.iscoroutinefunction(resolve(spec.path)), spec.path


async def test_started_scheduler_lists_jobs_and_runs_them_with_its_runtime(
        sqlite_deps: Deps) -> None:
    drained: list[str] = []

    async def drain() -> None:
        drained.append("x")

    handle = start_scheduler(sqlite_deps, render=RENDERING, owner="w-test", drain=drain)
    try:
        assert handle.job_ids() == sorted(s.id for s in DEFAULT_JOBS)
        assert handle.next_run("digests") is not None
        await run_job("core.jobs.delivery:drain_outbox", "w-test")
        assert drained == ["x"]
    finally:
        handle.shutdown()
    await run_job("core.jobs.delivery:drain_outbox", "w-test")  # gone: logged, not raised
    assert drained == ["x"]


async def test_without_a_bot_the_outbox_job_is_left_out(sqlite_deps: Deps) -> None:
    handle = start_scheduler(sqlite_deps, render=RENDERING, owner="w-nobot")
    try:
        assert "outbox" not in handle.job_ids()
    finally:
        handle.shutdown()
