"""Configuration drift seen by recent syncs: a watched field changed (flavor, plan, vCPUs,
RAM, disk size, region, kind), or a production resource was created or deleted.

Syncs record what changed in `resource_states.details` (`core.services.sync.resources`):
columns as `[before, after]`, the provider's `config` key by key. The alert names each
watched field with its before → after values; tags, names and costs are not drift.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import func, or_, select

from core.alerts.base import AlertCandidate, RuleContext
from core.db.models import Connection, Resource, ResourceState, SyncSnapshot

__all__ = ["LOOKBACK", "MAX_CHANGES", "WATCHED_COLUMNS", "WATCHED_CONFIG", "evaluate",
           "watched_changes"]

WATCHED_COLUMNS = ("region", "kind")
# config keys connectors fill (see connectors/*/mapping): the unit is part of the key
WATCHED_CONFIG = ("flavor", "plan", "vcpus", "cpu", "cores", "ram", "ram_mb", "ram_gb",
                  "memory_mb", "memory_gb", "disk_gb", "disk_mb", "disk_size", "size_gb",
                  "size_tb")
MAX_CHANGES = 8
LOOKBACK = timedelta(days=2)
PROD = ("prod", "production")


def _is_prod(res: Resource) -> bool:
    env = (res.environment or (res.tags or {}).get("env") or "").lower()
    return env in PROD


def _pair(value: Any) -> tuple[Any, Any] | None:
    if isinstance(value, list) and len(value) == 2:
        return value[0], value[1]
    return None


def watched_changes(details: dict[str, Any] | None) -> list[list[Any]]:
    """`[[field, before, after], …]` of the watched fields in a state's details, in order."""
    details = details or {}
    found: list[list[Any]] = []
    config = details.get("config")
    if isinstance(config, dict):
        for key in WATCHED_CONFIG:
            pair = _pair(config.get(key))
            if pair is not None:
                found.append([key, *pair])
    for column in WATCHED_COLUMNS:
        pair = _pair(details.get(column))
        if pair is not None:
            found.append([column, *pair])
    return found[:MAX_CHANGES]


async def evaluate(rc: RuleContext) -> list[AlertCandidate]:
    """A connection's first sync creates everything it finds: that is not news, so it is
    skipped; later creations, deletions and watched changes are."""
    first: dict[int, int] = {conn: snap for conn, snap in (await rc.session.execute(
        select(SyncSnapshot.connection_id, func.min(SyncSnapshot.id))
        .where(SyncSnapshot.org_id == rc.org_id).group_by(SyncSnapshot.connection_id))).all()}
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
        changes: list[list[Any]] = []
        if state.change in ("created", "deleted"):
            if not _is_prod(res) or first.get(res.connection_id) == state.snapshot_id:
                continue
            what = state.change
        else:
            changes = watched_changes(state.details)
            if not changes:
                continue
            what = "changed"
        found.append(AlertCandidate(
            "drift", "warning", f"drift:{state.id}", connection_id=res.connection_id,
            resource_id=res.id, provider=provider, project=res.project,
            values={"name": res.name, "what": what, "changes": changes}))
    return found
