"""The words an organisation's questions may name: connection names, services, regions,
projects, teams, tag keys and values, resource names.

Services, regions and projects come from the costs as well as from the resources: a file
import (FOCUS from AWS, Azure, GCP) stores no resources, so before, its "Amazon EC2" or its
sub-account was a word the parser did not know, and "сколько стоит Amazon EC2" answered the
whole provider's spend with "ec2" not understood.

The parser needs them to tell "Selectel BU-A" or "core-api" from ordinary words. They change
only when a sync runs, so `VocabularyCache` keeps each org's list for a few minutes: the bot
asks for it on every free-text question.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from core.db.models import Connection, CostRollup, Resource, ServiceRollup
from core.query.model import Vocabulary

__all__ = ["VocabularyCache", "build_vocabulary"]

DEFAULT_TTL_SECONDS = 300.0


def _distinct(values: list[str | None]) -> tuple[str, ...]:
    return tuple(sorted({v for v in values if v}))


async def build_vocabulary(session: AsyncSession, org_id: int) -> Vocabulary:
    """Read the org's names: connections, resources, and the services, regions and projects
    its costs were billed under (from the rollups: no scan of the lines)."""
    conns = (await session.execute(select(Connection.name, Connection.kind).where(
        Connection.org_id == org_id))).all()
    rows = (await session.execute(select(
        Resource.name, Resource.service_name, Resource.region, Resource.project, Resource.team,
        Resource.tags).where(Resource.org_id == org_id, Resource.is_deleted.is_(False)))).all()
    billed_services = list((await session.execute(select(ServiceRollup.service_name).where(
        ServiceRollup.org_id == org_id).distinct())).scalars())
    billed = (await session.execute(select(CostRollup.region_id, CostRollup.project).where(
        CostRollup.org_id == org_id).distinct())).all()  # one pass: ~70 ms at 300k rollup rows
    tags: dict[str, set[str]] = {}
    for row in rows:
        for key, value in (row.tags or {}).items():
            tags.setdefault(str(key), set()).add(str(value))
    return Vocabulary.build(
        connections=_distinct([c.name for c in conns]),
        services=_distinct([r.service_name for r in rows] + billed_services),
        regions=_distinct([r.region for r in rows] + [b.region_id for b in billed]),
        projects=_distinct([r.project for r in rows] + [b.project for b in billed]),
        teams=_distinct([r.team for r in rows]),
        tags={k: sorted(v) for k, v in sorted(tags.items())},
        resources=_distinct([r.name for r in rows]),
    )


class VocabularyCache:
    """Per-org vocabularies kept for `ttl` seconds; `invalidate` after a sync or an import."""

    def __init__(self, ttl: float = DEFAULT_TTL_SECONDS,
                 monotonic: Callable[[], float] = time.monotonic) -> None:
        self.ttl = ttl
        self._monotonic = monotonic
        self._entries: dict[int, tuple[float, Vocabulary]] = {}

    async def get(self, session: AsyncSession, org_id: int) -> Vocabulary:
        now = self._monotonic()
        entry = self._entries.get(org_id)
        if entry is not None and now - entry[0] < self.ttl:
            return entry[1]
        vocabulary = await build_vocabulary(session, org_id)
        self._entries[org_id] = (now, vocabulary)
        return vocabulary

    def invalidate(self, org_id: int | None = None) -> None:
        if org_id is None:
            self._entries.clear()
        else:
            self._entries.pop(org_id, None)
