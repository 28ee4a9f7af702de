"""A new zombie (billed but gone) or orphan (detached volume, unused IP) resource, once each."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import or_, select

from core.alerts.base import AlertCandidate, RuleContext
from core.db.models import Connection, Resource

__all__ = ["evaluate"]


async def evaluate(rc: RuleContext) -> list[AlertCandidate]:
    rows = (await rc.session.execute(
        select(Resource, Connection.kind).join(Connection, Connection.id == Resource.connection_id)
        .where(Resource.org_id == rc.org_id, Resource.is_deleted.is_(False),
               or_(Resource.is_zombie.is_(True), Resource.is_orphan.is_(True))))).all()
    found: list[AlertCandidate] = []
    for res, provider in rows:
        rule = "zombie" if res.is_zombie else "orphan"
        monthly = (res.daily_cost or Decimal(0)) * 30
        found.append(AlertCandidate(
            rule, "warning", f"{rule}:{res.id}", connection_id=res.connection_id,
            resource_id=res.id, provider=provider, project=res.project,
            money={"monthly": monthly},
            values={"name": res.name, "kind": res.kind}))
    return found
