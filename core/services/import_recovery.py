"""At start: finish a file import's swap that a dead process began, drop staging nobody owns.

Kept apart from `core.services.focus_import` (which loads the columnar reader and pyarrow) so
that a start with nothing to recover — nearly every start — costs two indexed queries and no
imports.
"""

from __future__ import annotations

import logging

from sqlalchemy import exists, or_, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from core.db.models import SyncSnapshot, cost_line_staging
from core.db.models.costs import cost_line_staging_idents

__all__ = ["recover_imports"]

log = logging.getLogger(__name__)


async def recover_imports(sessions: async_sessionmaker[AsyncSession]) -> tuple[int, int]:
    """(swaps finished, staged rows dropped); never raises (the next import tries again)."""
    try:
        async with sessions() as session:
            pending = (await session.execute(select(or_(
                exists().where(SyncSnapshot.status == "swapping"),
                exists().where(cost_line_staging.c.id.is_not(None)),
                exists().where(cost_line_staging_idents.c.number.is_not(None)))))).scalar_one()
        if not pending:
            return 0, 0
        from core.services import focus_import  # only when there is something to do

        return await focus_import.recover_imports(sessions)
    except Exception:
        log.warning("recovering interrupted file imports failed; the next import retries",
                    exc_info=True)
        return 0, 0
