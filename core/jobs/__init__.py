"""Periodic jobs: module-level coroutines taking a `JobRuntime`, referenced by import path.

The jobs are the composition layer of the push half: they open their own sessions, call core
services, word messages through the runtime's `render` port (`core.ports.JobRendering`, filled
by the composition root with `renderers.jobs`) and write the outbox in the same transaction as
the cause. They never import aiogram: delivery is the `drain` hook the bot side provides.
"""

from core.jobs.runtime import JobDeps, JobRuntime

__all__ = ["JobDeps", "JobRuntime"]
