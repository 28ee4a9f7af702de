"""A file import's swap under way, recorded as the import records it, for tests of what users
see meanwhile (answers, documents, digests and briefs over the days it switches)."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession

from core.db.models import SyncSnapshot
from core.services.focus_import import ReplaceScope, ScopePart, _scope_json


def swapping(org_id: int, connection_id: int, provider: str, first: date, last: date, *,
             started_at: datetime,
             chunks: list[tuple[date, date]] | None = None) -> SyncSnapshot:
    """The snapshot of a swap that has switched some of [first, last] and not the rest; its
    plan's scope in the import's own format (`focus_import._scope_json`), and its steps'
    days when given (a re-import leaves out the days it repeats)."""
    scope = ReplaceScope(org_id, connection_id,
                         (ScopePart(provider, frozenset({None}), first, last),))
    plan: dict[str, object] = {"scope": _scope_json(scope)}
    if chunks is not None:
        plan["chunks"] = [[a.isoformat(), b.isoformat()] for a, b in chunks]
    return SyncSnapshot(org_id=org_id, connection_id=connection_id, status="swapping",
                        started_at=started_at, trigger="manual", totals={"swap": plan})


async def end_swap(session: AsyncSession, snapshot_id: int) -> None:
    """The swap's last step, as far as readers can tell: its snapshot a success."""
    await session.execute(update(SyncSnapshot).where(SyncSnapshot.id == snapshot_id)
                          .values(status="success"))
