"""Which days of a period are estimates, per provider, for answers and briefs to say so.

A provider without billing history (Beget) tells today's price only; days never observed are
estimated and tagged (`sync_estimates`). Every place that shows such days adds «включает
оценку за N дн. (Beget)» / "includes N estimated days (Beget)" from these figures.
"""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from core.db.models import Connection
from core.domain.reports import EstimatedDays
from core.services.sync.estimates import estimated_days

__all__ = ["EstimatedDays", "estimated_by_provider"]


async def estimated_by_provider(session: AsyncSession, org_id: int, start: date,
                                end: date) -> tuple[EstimatedDays, ...]:
    """Estimated days of [start, end] (inclusive) per provider, sorted by provider."""
    by_connection = await estimated_days(session, org_id, start, end + timedelta(days=1))
    if not by_connection:
        return ()
    kinds: dict[int, str] = {conn_id: kind for conn_id, kind in (await session.execute(
        select(Connection.id, Connection.kind).where(
            Connection.org_id == org_id, Connection.id.in_(by_connection)))).all()}
    days: dict[str, set[date]] = {}
    for conn_id, found in by_connection.items():
        days.setdefault(kinds.get(conn_id, "other"), set()).update(found)
    return tuple(EstimatedDays(kind, len(found)) for kind, found in sorted(days.items()))
