"""Configuration drift seen by recent syncs: a watched field changed (flavor / plan, kind,
region), or a production resource was created or deleted.

Syncs record changed *columns* in `resource_states.details.config_fields`; the provider's
flavor and plan live in the `config` column, so a `config` change is reported as such.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import or_, select

from core.alerts.base import AlertCandidate, RuleContext
from core.db.models import Connection, Resource, ResourceState, SyncSnapshot

__all__ = ["LOOKBACK", "WATCHED", "evaluate"]

WATCHED = frozenset({"config", "kind", "region"})
LOOKBACK = timedelta(days=2)
PROD = ("prod", "production")


def _is_prod(res: Resource) -> bool:
    env = (res.environment or (res.tags or {}).get("env") or "").lower()
    return env in PROD


async def evaluate(rc: RuleContext) -> list[AlertCandidate]:
    rows = (await rc.session.execute(
        select(ResourceState, Resource, Connection.kind)
        .join(SyncSnapshot, SyncSnapshot.id == ResourceState.snapshot_id)
        .join(Resource, Resource.id == ResourceState.resource_id)
        .join(Connection, Connection.id == Resource.connection_id)
        .where(SyncSnapshot.org_id == rc.org_id, SyncSnapshot.started_at >= rc.now - LOOKBACK,
               or_(ResourceState.config_changed.is_(True),
                   ResourceState.change.in_(("created", "deleted"))))
        .order_by(ResourceState.id))).all()
    found: list[AlertCandidate] = []
    for state, res, provider in rows:
        changed = (state.details or {}).get("config_fields")
        fields = sorted(WATCHED.intersection(changed if isinstance(changed, list) else []))
        if state.change in ("created", "deleted"):
            if not _is_prod(res):
                continue
            what = state.change
        elif fields:
            what = "changed"
        else:
            continue
        found.append(AlertCandidate(
            "drift", "warning", f"drift:{state.id}", connection_id=res.connection_id,
            resource_id=res.id, provider=provider, project=res.project,
            values={"name": res.name, "what": what, "fields": ", ".join(fields)}))
    return found
