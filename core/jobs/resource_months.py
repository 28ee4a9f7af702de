"""Resource months catch up: rebuild the months that writes marked stale, so "top resources"
answers read monthly bounds instead of every line of the period.

Writers only bump a month's version (in their own transaction); this job does the work a
minute later, outside them, in short write transactions of its own.
"""

from __future__ import annotations

from datetime import timedelta

from core.jobs.runtime import JobRuntime
from core.services import resource_months
from core.services.leases import acquire_job

__all__ = ["catch_up"]


async def catch_up(rt: JobRuntime) -> int:
    """Rebuild every stale resource month; returns how many (0 while another worker does)."""
    async with rt.sessions() as session, session.begin():
        if not await acquire_job(session, "resource_months", owner=rt.owner,
                                 now=rt.clock.now(), ttl=timedelta(minutes=30)):
            return 0
    return await resource_months.catch_up(rt.sessions)
