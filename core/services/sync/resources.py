"""Resource upserts for one sync: content hashes decide, bulk statements write.

An unchanged resource costs one dictionary lookup and a hash comparison: no row rewrite and
no ResourceState row (it is only counted). Created, updated, reappeared and deleted resources
get a ResourceState row with change flags for cost, status and configuration, and in
`details` what changed: `{"config": {"flavor": ["s1.small", "s1.large"]}, "status": [...]}`
(dictionary columns key by key, other columns as [before, after]), bounded in size.
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from core.db.models import Resource, ResourceState
from core.db.types import MONEY_SCALE
from core.domain.collection import ResourceRecord, ResourceStatus
from core.services.sync.costs import core_table

__all__ = ["ResourceChanges", "content_hash", "upsert_resources"]

BATCH = 2000
IN_BATCH = 500
_QUANT = Decimal(1).scaleb(-MONEY_SCALE)
_RES = core_table(Resource)
_ENCODER = json.JSONEncoder(sort_keys=True, separators=(",", ":"), default=str,
                            ensure_ascii=False)
_CONFIG_FIELDS = ("name", "kind", "region", "project", "service_name", "currency", "tags",
                  "config", "parent_external_id", "is_orphan", "is_zombie")
_DICT_FIELDS = frozenset({"tags", "config"})
_GROUPING = ("team", "environment", "project")  # what cost rollups group resources' lines by
MAX_KEYS = 20  # changed keys recorded per dictionary column; the rest are only counted
MAX_TEXT = 80  # characters kept of one before / after value
_MISSING = object()


@dataclass
class ResourceChanges:
    """Counts and the external id → resource id map the cost step links by."""

    created: int = 0
    updated: int = 0
    deleted: int = 0
    unchanged: int = 0
    ids: dict[str, int] = field(default_factory=dict)
    # resources whose team, environment or project changed: their cost rollups regroup
    regrouped: list[int] = field(default_factory=list)
    by_kind: Counter[str] = field(default_factory=Counter)
    by_status: Counter[str] = field(default_factory=Counter)
    zombies: int = 0
    orphans: int = 0


def _money(value: Decimal | None) -> str | None:
    return None if value is None else str(value.quantize(_QUANT))


def _canonical(rec: ResourceRecord) -> dict[str, Any]:
    return {
        "external_id": rec.external_id, "name": rec.name, "kind": str(rec.kind),
        "status": str(rec.status), "region": rec.region, "project": rec.project,
        "service_name": rec.service_name, "daily_cost": _money(rec.daily_cost),
        "currency": rec.currency, "tags": rec.tags, "config": rec.config,
        "created_at": rec.created_at.isoformat() if rec.created_at else None,
        "is_orphan": rec.is_orphan, "is_zombie": rec.is_zombie,
        "parent_external_id": rec.parent_external_id,
    }


def content_hash(rec: ResourceRecord) -> str:
    """sha256 of the record's canonical JSON (sorted keys, money at storage precision)."""
    text = _ENCODER.encode(_canonical(rec))
    return hashlib.sha256(text.encode()).hexdigest()


def _tag(tags: dict[str, str], *names: str) -> str | None:
    for name in names:
        if tags.get(name):
            return tags[name]
    return None


def _row(rec: ResourceRecord, digest: str) -> dict[str, Any]:
    return {
        "name": rec.name[:255], "kind": str(rec.kind), "status": str(rec.status),
        "region": rec.region, "project": rec.project, "service_name": rec.service_name,
        "daily_cost": rec.daily_cost, "currency": rec.currency, "tags": dict(rec.tags),
        "config": dict(rec.config), "parent_external_id": rec.parent_external_id,
        "is_orphan": rec.is_orphan, "is_zombie": rec.is_zombie, "is_deleted": False,
        "deleted_at": None, "content_hash": digest,
        "team": _tag(rec.tags, "team"), "environment": _tag(rec.tags, "env", "environment"),
        "cost_center": _tag(rec.tags, "cost_center", "cost-center", "costcenter"),
    }


def _brief(value: Any) -> Any:
    """A value small enough to keep: scalars as they are, text and structures cut short."""
    if value is None or isinstance(value, bool | int | float):
        return value
    text = value if isinstance(value, str) else _ENCODER.encode(value)
    return text if len(text) <= MAX_TEXT else text[:MAX_TEXT - 1] + "…"


def _same(a: Any, b: Any) -> bool:
    """Equal as stored: a tuple from a connector equals the list the JSON column gave back."""
    if a == b:
        return True
    return (isinstance(a, list | tuple | dict) and isinstance(b, list | tuple | dict)
            and _ENCODER.encode(a) == _ENCODER.encode(b))


def _keys_diff(old: Any, new: Any) -> tuple[dict[str, list[Any]], int]:
    """Changed keys of a dictionary column as {key: [before, after]}, and how many were cut."""
    before = old if isinstance(old, dict) else {}
    after = new if isinstance(new, dict) else {}
    changed = [k for k in sorted(set(before) | set(after), key=str)
               if not _same(before.get(k, _MISSING), after.get(k, _MISSING))]
    kept = {str(k)[:MAX_TEXT]: [_brief(before.get(k)), _brief(after.get(k))]
            for k in changed[:MAX_KEYS]}
    return kept, max(len(changed) - MAX_KEYS, 0)


def _diff(old: Resource, new: dict[str, Any]) -> tuple[bool, bool, bool, dict[str, Any]]:
    """Which of cost / status / configuration changed, and what changed, before → after.

    Only changed resources get here (their content hash differed), so the unchanged fast
    path pays nothing for this.
    """
    details: dict[str, Any] = {}
    cost = old.daily_cost != new["daily_cost"]
    if cost:
        details["daily_cost"] = [_money(old.daily_cost), _money(new["daily_cost"])]
    status = old.status != new["status"]
    if status:
        details["status"] = [old.status, new["status"]]
    config = False
    omitted: dict[str, int] = {}
    for name in _CONFIG_FIELDS:
        before, after = getattr(old, name), new[name]
        if _same(before, after):
            continue
        config = True
        if name in _DICT_FIELDS:
            details[name], cut = _keys_diff(before, after)
            if cut:
                omitted[name] = cut
        else:
            details[name] = [_brief(before), _brief(after)]
    if omitted:
        details["omitted"] = omitted
    return cost, status, config, details


async def _existing(session: AsyncSession, connection_id: int) -> dict[str, tuple[int, str, bool]]:
    rows = await session.execute(
        select(Resource.external_id, Resource.id, Resource.content_hash, Resource.is_deleted)
        .where(Resource.connection_id == connection_id))
    return {ext: (rid, digest, deleted) for ext, rid, digest, deleted in rows}


async def _load(session: AsyncSession, ids: Sequence[int]) -> dict[int, Resource]:
    out: dict[int, Resource] = {}
    for i in range(0, len(ids), IN_BATCH):
        rows = await session.execute(select(Resource).where(Resource.id.in_(ids[i:i + IN_BATCH])))
        out.update({r.id: r for r in rows.scalars()})
    return out


def _dedupe(records: Iterable[ResourceRecord]) -> dict[str, ResourceRecord]:
    """One record per external id; a later duplicate wins (providers repeat across pages)."""
    return {rec.external_id: rec for rec in records}


async def upsert_resources(session: AsyncSession, *, org_id: int, connection_id: int,
                           snapshot_id: int, records: Iterable[ResourceRecord],
                           complete: bool, now: datetime) -> ResourceChanges:
    """Apply the inventory: insert new, update changed, mark absent as deleted (when complete)."""
    result = ResourceChanges()
    existing = await _existing(session, connection_id)
    result.ids = {ext: rid for ext, (rid, _, _) in existing.items()}
    inserts: list[dict[str, Any]] = []
    changed: dict[int, tuple[dict[str, Any], bool]] = {}
    unchanged_ids: list[int] = []
    recs = _dedupe(records)
    for ext, rec in recs.items():
        result.by_kind[str(rec.kind)] += 1
        result.by_status[str(rec.status)] += 1
        result.zombies += rec.is_zombie
        result.orphans += rec.is_orphan
        digest = content_hash(rec)
        known = existing.get(ext)
        if known is None:
            row = _row(rec, digest)
            row.update(org_id=org_id, connection_id=connection_id, external_id=ext[:255],
                       first_seen_at=now, last_seen_at=now)
            inserts.append(row)
        elif known[2] or known[1] != digest:
            changed[known[0]] = (_row(rec, digest), known[2])
        else:
            result.unchanged += 1
            unchanged_ids.append(known[0])
    states: list[dict[str, Any]] = []
    for i in range(0, len(inserts), BATCH):
        returned = await session.execute(
            insert(_RES).returning(_RES.c.id, _RES.c.external_id, _RES.c.content_hash,
                                   _RES.c.status, _RES.c.daily_cost),
            inserts[i:i + BATCH])
        for rid, ext, digest, new_status, new_cost in returned:
            result.ids[ext] = rid
            states.append({"resource_id": rid, "snapshot_id": snapshot_id, "change": "created",
                           "content_hash": digest, "cost_changed": False,
                           "status_changed": False, "config_changed": False,
                           "status": new_status, "daily_cost": new_cost, "details": None})
    result.created = len(inserts)
    if changed:
        old_rows = await _load(session, list(changed))
        updates: list[dict[str, Any]] = []
        for rid, (new, was_deleted) in changed.items():
            cost, status, config, details = _diff(old_rows[rid], new)
            if any(getattr(old_rows[rid], f) != new[f] for f in _GROUPING):
                result.regrouped.append(rid)
            if was_deleted:
                details["reappeared"] = True
                result.created += 1
            else:
                result.updated += 1
            updates.append({"id": rid, "last_seen_at": now, **new})
            states.append({"resource_id": rid, "snapshot_id": snapshot_id,
                           "change": "created" if was_deleted else "updated",
                           "content_hash": new["content_hash"], "cost_changed": cost,
                           "status_changed": status, "config_changed": config,
                           "status": new["status"], "daily_cost": new["daily_cost"],
                           "details": details})
        for i in range(0, len(updates), BATCH):
            await session.execute(update(Resource), updates[i:i + BATCH])
    if complete:
        gone = [(rid, digest) for ext, (rid, digest, deleted) in existing.items()
                if not deleted and ext not in recs]
        result.deleted = len(gone)
        for i in range(0, len(gone), IN_BATCH):
            chunk = [rid for rid, _ in gone[i:i + IN_BATCH]]
            await session.execute(update(Resource).where(Resource.id.in_(chunk)).values(
                is_deleted=True, status=ResourceStatus.DELETED.value, deleted_at=now))
        states.extend({"resource_id": rid, "snapshot_id": snapshot_id, "change": "deleted",
                       "content_hash": digest, "cost_changed": False, "status_changed": True,
                       "config_changed": False, "status": ResourceStatus.DELETED.value,
                       "daily_cost": None, "details": None} for rid, digest in gone)
    await _touch(session, connection_id, unchanged_ids, complete, now)
    for i in range(0, len(states), BATCH):
        await session.execute(insert(core_table(ResourceState)), states[i:i + BATCH])
    return result


async def _touch(session: AsyncSession, connection_id: int, unchanged_ids: list[int],
                 complete: bool, now: datetime) -> None:
    """Mark unchanged resources as seen now without rewriting anything else."""
    if complete:  # everything still present was seen: one statement, no per-row Python work
        await session.execute(update(Resource).where(
            Resource.connection_id == connection_id, Resource.is_deleted.is_(False),
            Resource.last_seen_at < now).values(last_seen_at=now))
        return
    for i in range(0, len(unchanged_ids), IN_BATCH):
        await session.execute(update(Resource).where(
            Resource.id.in_(unchanged_ids[i:i + IN_BATCH])).values(last_seen_at=now))
