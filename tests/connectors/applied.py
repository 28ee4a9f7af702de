"""Apply a real connector's Collection with the real sync engine on SQLite (compatibility)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from core.db.engine import session_factory
from core.db.models import Connection, CostLine, Resource
from core.domain.collection import Collection, Window
from core.security.vault import Vault
from core.services.orgs import create_org
from core.services.sync.apply import apply_collection

NOW = datetime(2026, 11, 20, 6, 0, tzinfo=UTC)


@dataclass(frozen=True)
class Stored:
    status: str
    cost_total: Decimal
    cost_rows: int
    resources: int
    orphans: int
    unrecognized: int = 0


async def apply_and_read(engine: AsyncEngine, vault: Vault, kind: str, collection: Collection,
                         window: Window) -> Stored:
    sessions = session_factory(engine)
    async with sessions() as session, session.begin():
        org = await create_org(session, f"{kind} org")
        conn = Connection(org_id=org.id, kind=kind, name="main", credentials=vault.encrypt({}),
                          options={}, status="active")
        session.add(conn)
        await session.flush()
        result = await apply_collection(session, org_id=org.id, connection_id=conn.id,
                                        collection=collection, window=window,
                                        started_at=NOW, now=NOW)
        conn_id = conn.id
    async with sessions() as session:
        total, rows = (await session.execute(
            select(func.sum(CostLine.billed_cost), func.count())
            .where(CostLine.connection_id == conn_id))).one()
        resources = (await session.execute(
            select(func.count()).where(Resource.connection_id == conn_id))).scalar_one()
        orphans = (await session.execute(
            select(func.count()).where(Resource.connection_id == conn_id,
                                       Resource.is_orphan.is_(True)))).scalar_one()
    return Stored(status=result.status, cost_total=Decimal(total or 0), cost_rows=int(rows),
                  resources=int(resources), orphans=int(orphans),
                  unrecognized=result.unrecognized)
