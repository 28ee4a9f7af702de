"""Job runtimes for tests: the real renderers behind the jobs' `render` port, as in production."""

from __future__ import annotations

from typing import Any

from core.jobs.runtime import JobDeps, JobRuntime
from renderers.jobs import RENDERING

__all__ = ["RENDERING", "job_runtime"]


def job_runtime(deps: JobDeps, owner: str, **options: Any) -> JobRuntime:
    """A `JobRuntime` as `start_scheduler` builds it, with the renderers `bot.runner` passes."""
    return JobRuntime(deps=deps, owner=owner, render=RENDERING, **options)
