"""The scheduler port and its APScheduler 3 implementation.

Jobs are module-level coroutines named by import path (`core.jobs.sync:sync_due`); the
APScheduler job itself is `core.scheduler:run_job` with only strings in its kwargs (the job's
path and the runtime's id), so a persistent job store could serialise it. The runtime (app
context, clock, renderers, delivery hook) is registered here under that id by
`start_scheduler` and removed on shutdown: the one piece of process state, kept out of the
job definitions.
Jobs read time from the injected clock; APScheduler only decides *when* to call them, so
tests call the job functions with a frozen clock instead of waiting.

Every started scheduler also runs a `heartbeat` job (not listed by `job_ids`): it stamps the
injected clock's time every `HEARTBEAT_SECONDS`, and `/healthz` calls the scheduler unhealthy
once the stamp is older than `HEARTBEAT_STALE_AFTER` beats (a stopped scheduler or a blocked
event loop). APScheduler's own per-run lines stay at DEBUG (`quiet_scheduler_logs`).
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from importlib import import_module
from typing import Any, Protocol

from apscheduler.schedulers.asyncio import AsyncIOScheduler

from core import metrics
from core.clock import Clock
from core.db.errors import log_failure
from core.jobs.runtime import JobDeps, JobRuntime
from core.ports import JobRendering
from core.services.leases import worker_name

__all__ = ["DEFAULT_JOBS", "HEARTBEAT_SECONDS", "HEARTBEAT_STALE_AFTER", "Heartbeat", "JobSpec",
           "Scheduler", "SchedulerHandle", "beat", "quiet_scheduler_logs", "resolve", "run_job",
           "start_scheduler"]

log = logging.getLogger(__name__)

_RUNTIMES: dict[str, JobRuntime] = {}
_HEARTBEATS: dict[str, Heartbeat] = {}

HEARTBEAT_SECONDS = 10.0
HEARTBEAT_STALE_AFTER = 3  # beats missed before the scheduler counts as stuck


@dataclass
class Heartbeat:
    """When this process's scheduler last ran its heartbeat job (by the injected clock)."""

    clock: Clock
    interval: float = HEARTBEAT_SECONDS
    last: datetime | None = None

    def beat(self) -> None:
        self.last = self.clock.now()
        metrics.SCHEDULER_HEARTBEAT.set(self.last.timestamp())

    def age(self) -> timedelta | None:
        """Time since the last beat; None before the first one."""
        return None if self.last is None else self.clock.now() - self.last

    def is_stale(self) -> bool:
        age = self.age()
        return age is None or age.total_seconds() > self.interval * HEARTBEAT_STALE_AFTER


def quiet_scheduler_logs(level: str) -> None:
    """APScheduler logs every run ("Running job…", "…executed successfully") at INFO: every
    2 s with the outbox job. Keep them for LOG_LEVEL=DEBUG only; warnings and errors stay."""
    logging.getLogger("apscheduler").setLevel(
        logging.DEBUG if level.upper() == "DEBUG" else logging.WARNING)


@dataclass(frozen=True)
class JobSpec:
    """One periodic job: an id, the coroutine's import path and an APScheduler trigger."""

    id: str
    path: str
    trigger: str
    args: dict[str, Any] = field(default_factory=dict)


DEFAULT_JOBS: tuple[JobSpec, ...] = (
    JobSpec("sync", "core.jobs.sync:sync_due", "interval", {"seconds": 60}),
    JobSpec("outbox", "core.jobs.delivery:drain_outbox", "interval", {"seconds": 2}),
    JobSpec("digests", "core.jobs.digests:send_digests", "interval", {"minutes": 5}),
    JobSpec("briefs", "core.jobs.briefs:send_briefs", "interval", {"minutes": 15}),
    JobSpec("alerts", "core.jobs.alerts:evaluate_all", "interval", {"hours": 1}),
    JobSpec("retention", "core.jobs.retention:prune", "cron", {"hour": 3, "minute": 30}),
    JobSpec("resource_months", "core.jobs.resource_months:catch_up", "interval",
            {"minutes": 1}),
    # the Bank of Russia sets rates in the afternoon for the next day: fetch them each morning
    JobSpec("rates", "core.jobs.rates:sync_official_rates", "cron", {"hour": 4, "minute": 15}),
)


class Scheduler(Protocol):
    """What the app needs of a scheduler."""

    def job_ids(self) -> list[str]: ...

    def shutdown(self) -> None: ...


def resolve(path: str) -> Callable[[JobRuntime], Awaitable[object]]:
    """`package.module:function` → the coroutine function."""
    module, _, name = path.partition(":")
    fn: Callable[[JobRuntime], Awaitable[object]] = getattr(import_module(module), name)
    return fn


async def run_job(path: str, runtime_id: str) -> None:
    """What APScheduler calls: find the runtime, run the job, log (never raise) its failure."""
    runtime = _RUNTIMES.get(runtime_id)
    if runtime is None:
        log.warning("job %s: runtime %s is gone (scheduler shut down)", path, runtime_id)
        return
    try:
        await resolve(path)(runtime)
    except Exception:
        log_failure(log, "job %s failed", path)
    else:
        log.debug("job %s done", path)


async def beat(runtime_id: str) -> None:
    """The heartbeat job: proves the scheduler (and the event loop) still run jobs."""
    heartbeat = _HEARTBEATS.get(runtime_id)
    if heartbeat is not None:
        heartbeat.beat()


class SchedulerHandle:
    """A started AsyncIOScheduler and the runtime its jobs use."""

    def __init__(self, scheduler: AsyncIOScheduler, runtime: JobRuntime,
                 heartbeat: Heartbeat) -> None:
        self._scheduler = scheduler
        self.runtime = runtime
        self.heartbeat = heartbeat

    def job_ids(self) -> list[str]:
        """The periodic jobs (the internal heartbeat left out)."""
        return sorted(job.id for job in self._scheduler.get_jobs() if job.id != "heartbeat")

    def next_run(self, job_id: str) -> Any:
        job = self._scheduler.get_job(job_id)
        return None if job is None else job.next_run_time

    def shutdown(self) -> None:
        if self._scheduler.running:
            self._scheduler.shutdown(wait=False)
        _RUNTIMES.pop(self.runtime.owner, None)
        _HEARTBEATS.pop(self.runtime.owner, None)


def start_scheduler(deps: JobDeps, *, render: JobRendering, owner: str | None = None,
                    drain: Callable[[], Awaitable[object]] | None = None,
                    jobs: Sequence[JobSpec] = DEFAULT_JOBS, **options: Any) -> SchedulerHandle:
    """Start the periodic jobs in the running event loop (`infrazen run` / `infrazen worker`).

    Without `drain` (no bot token) the outbox job is left out: messages wait in the outbox.
    `owner` names this worker in leases (unique per process by default); `render` is the
    renderers' side of the jobs (`renderers.jobs.RENDERING`), given by the composition root.
    """
    owner = owner or worker_name()
    runtime = JobRuntime(deps=deps, owner=owner, render=render, drain=drain, **options)
    _RUNTIMES[owner] = runtime
    heartbeat = _HEARTBEATS[owner] = Heartbeat(deps.clock)
    heartbeat.beat()  # healthy from the start; the job keeps it fresh
    scheduler = AsyncIOScheduler(timezone=UTC, job_defaults={
        "coalesce": True, "max_instances": 1, "misfire_grace_time": 300})
    for spec in jobs:
        if spec.path == "core.jobs.delivery:drain_outbox" and drain is None:
            continue
        scheduler.add_job("core.scheduler:run_job", spec.trigger, id=spec.id,
                          kwargs={"path": spec.path, "runtime_id": owner}, **spec.args)
    scheduler.add_job("core.scheduler:beat", "interval", id="heartbeat",
                      seconds=heartbeat.interval, kwargs={"runtime_id": owner})
    scheduler.start()
    return SchedulerHandle(scheduler, runtime, heartbeat)
