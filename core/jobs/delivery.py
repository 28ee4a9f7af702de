"""The outbox drain job: hands over to the bot side's sender."""

from __future__ import annotations

from core.jobs.runtime import JobRuntime

__all__ = ["drain_outbox"]


async def drain_outbox(rt: JobRuntime) -> None:
    """Send what is due; a no-op in a process without a bot token."""
    if rt.drain is not None:
        await rt.drain()
