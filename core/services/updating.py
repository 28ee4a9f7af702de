"""Which days of an organisation's costs a file import is switching right now, for answers
to say so instead of showing a half-switched period as if it were whole.

On SQLite an import's swap moves the file's lines in a few days per transaction
(`core.services.focus_import`), so a question asked meanwhile sees some of the file's days
new and the rest old; the snapshot says `swapping` until the last step. Each day is whole,
but a total over the period is neither the old figure nor the new one. A first import into
a connection is written while the file is read (`loading`): its days are not known until
the end, so the whole period asked about is said to be updating. PostgreSQL imports commit
at once and are never seen half-way.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import date
from typing import Any, cast

from sqlalchemy import exists, select
from sqlalchemy.ext.asyncio import AsyncSession

from core.db.models import Connection, SyncSnapshot
from core.domain.reports import UpdatingDays

__all__ = ["UpdatingDays", "days_updating", "swap_under_way"]


async def days_updating(session: AsyncSession, org_id: int, start: date, end: date, *,
                        connection_ids: Collection[int] = (),
                        providers: Collection[str] = ()) -> tuple[UpdatingDays, ...]:
    """Per connection with a swap under way, the days of [start, end] (inclusive) it
    replaces; () when there is none (one look at a partial index: nearly always).

    A question narrowed to some connections or providers (`CostFilters`) is told only of
    swaps that can change its figures: one into another connection, or replacing only
    another provider's days, leaves them as they are. Its other filters (services, regions,
    tags…) are not matched: the plan does not say which of them the file holds."""
    query = (select(Connection.name, SyncSnapshot.totals)
             .join(Connection, Connection.id == SyncSnapshot.connection_id)
             .where(SyncSnapshot.org_id == org_id, SyncSnapshot.status == "swapping")
             .order_by(Connection.name))
    if connection_ids:
        query = query.where(SyncSnapshot.connection_id.in_(list(connection_ids)))
    wanted = {p.lower() for p in providers}
    out: list[UpdatingDays] = []
    for name, totals in (await session.execute(query)).all():
        plan = cast(dict[str, Any], (totals or {}).get("swap") or {})
        if plan.get("loading"):  # a first import written as it is read: its days unknown
            out.append(UpdatingDays(name, start, end))  # until the end: all of them
            continue
        # as `focus_import._scope_json` writes it: [provider, sub-accounts, first, last]
        parts = [p for p in plan.get("scope") or [] if not wanted or p[0] in wanted]
        # the days its steps switch ([first, last] each): a re-import leaves the days it
        # repeats exactly out of them (`focus_import._changed_chunks`)
        chunks = plan.get("chunks")
        if not parts or chunks == []:
            continue
        first = max(start, min(date.fromisoformat(p[2]) for p in parts))
        last = min(end, max(date.fromisoformat(p[3]) for p in parts))
        if chunks:
            first = max(first, min(date.fromisoformat(c[0]) for c in chunks))
            last = min(last, max(date.fromisoformat(c[1]) for c in chunks))
        if first <= last:
            out.append(UpdatingDays(name, first, last))
    return tuple(out)


async def swap_under_way(session: AsyncSession, org_id: int) -> bool:
    """Whether a file import is switching days of the org's costs right now: the scheduled
    digest and brief wait for it (their next tick, minutes later) rather than go out with a
    half-switched month."""
    return bool((await session.execute(select(exists().where(
        SyncSnapshot.org_id == org_id, SyncSnapshot.status == "swapping")))).scalar())
