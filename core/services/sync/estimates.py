"""Cost lines of a collection that observed only some days (`Collection.observed_days`).

A provider without billing history (Beget) tells today's price only. Re-pricing the whole
window at today's rate on every sync would rewrite history, so: lines of observed days
replace what is stored for those days; lines of other days are estimates written only for
(day, resource) pairs nothing is stored for. A day once recorded keeps its price, a resource
deleted since keeps its billed days, and only days never seen are estimated.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncSession

from core.db import cost_store
from core.db.models import CostAmount, CostKey
from core.db.models import CostLine as CostLineRow
from core.db.models.costs import ESTIMATED_LINE
from core.services.sync.costs import replace_window, write_rows

__all__ = ["apply_observed", "estimated_days"]


async def apply_observed(session: AsyncSession, *, org_id: int, connection_id: int,
                         start: date, end: date, rows: list[dict[str, Any]],
                         observed: frozenset[date]) -> int:
    """Replace the observed days, fill the rest; returns how many rows the window now got."""
    kept = 0
    for day in sorted(d for d in observed if start <= d < end):
        day_rows = [r for r in rows if r["day"] == day]
        count, _ = await replace_window(session, org_id=org_id, connection_id=connection_id,
                                        start=day, end=day + timedelta(days=1), rows=day_rows,
                                        source="sync")
        kept += count
    stored = set((await session.execute(
        select(CostLineRow.day, CostLineRow.resource_external_id).where(
            CostLineRow.org_id == org_id, CostLineRow.connection_id == connection_id,
            CostLineRow.day >= start, CostLineRow.day < end,
            CostLineRow.source == "sync"))).all())
    fill = [r for r in rows if r["day"] not in observed
            and (r["day"], r.get("resource_external_id")) not in stored]
    await write_rows(session, fill)
    return kept + len(fill)


async def estimated_days(session: AsyncSession, org_id: int, start: date,
                         end: date) -> dict[int, set[date]]:
    """Connection id → the days in [start, end) whose stored cost is (partly) an estimate,
    for answers and reports to say "estimated" next to them."""
    out: dict[int, set[date]] = {}
    # the tag is a key of the JSON text: the partial index ix_cost_keys_estimated holds the
    # org's few tagged keys (the clause is its predicate word for word), then a seek per
    # listed day and key (a scan of a year of a large account's lines took 30 s)
    tagged = select(CostKey.id).where(CostKey.org_id == org_id, text(ESTIMATED_LINE))
    if end <= start:
        return out
    rows = await session.execute(select(CostAmount.connection_id, CostAmount.day).where(
        CostAmount.org_id == org_id,
        CostAmount.day.in_(cost_store.days_listed(start, end - timedelta(days=1))),
        CostAmount.key_id.in_(tagged)).distinct())
    for conn_id, day in rows:
        out.setdefault(conn_id, set()).add(day)
    return out
