"""Evaluate every rule for an organisation and store what is new as alert events.

The unique (org_id, dedup_key) makes evaluation idempotent: a rule may report the same fact
on every run, only its first report becomes an event. A failing rule is logged and skipped so
one bug does not silence the others.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from core.alerts.base import AlertCandidate, RuleContext
from core.alerts.registry import RULES, Rule
from core.clock import Clock
from core.db.models import AlertEvent, Organization
from core.services.errors import NotFound

__all__ = ["evaluate_rules", "rule_context", "store_events"]

log = logging.getLogger(__name__)


async def rule_context(session: AsyncSession, org_id: int, clock: Clock) -> RuleContext:
    org = await session.get(Organization, org_id)
    if org is None:
        raise NotFound("organisation not found")
    now = clock.now()
    return RuleContext(session=session, org_id=org_id, clock=clock, now=now,
                       today=now.astimezone(ZoneInfo(org.timezone)).date(),
                       currency=org.currency, settings=dict(org.settings or {}))


async def evaluate_rules(rc: RuleContext,
                         rules: Mapping[str, Rule] = RULES) -> list[AlertCandidate]:
    found: list[AlertCandidate] = []
    for name, rule in rules.items():
        try:
            async with rc.session.begin_nested():
                found.extend(await rule(rc))
        except Exception:
            log.exception("alert rule %s failed for org %s", name, rc.org_id)
    return found


async def store_events(rc: RuleContext, found: list[AlertCandidate]) -> list[AlertEvent]:
    """Insert the candidates not seen before; returns the new events (flushed, with ids)."""
    if not found:
        return []
    insert = pg_insert if rc.session.get_bind().dialect.name == "postgresql" else sqlite_insert
    new_ids: list[int] = []
    for cand in found:
        result = await rc.session.execute(insert(AlertEvent).values(
            org_id=rc.org_id, rule=cand.rule, severity=cand.severity,
            dedup_key=cand.dedup_key[:200], connection_id=cand.connection_id,
            resource_id=cand.resource_id, provider=cand.provider, project=cand.project,
            payload=cand.payload(rc.currency), status="open", created_at=rc.now,
        ).on_conflict_do_nothing(index_elements=["org_id", "dedup_key"])
            .returning(AlertEvent.id))
        new_id = result.scalar_one_or_none()
        if new_id is not None:
            new_ids.append(new_id)
    if not new_ids:
        return []
    rows = await rc.session.execute(select(AlertEvent).where(AlertEvent.id.in_(new_ids))
                                    .order_by(AlertEvent.id))
    return list(rows.scalars())
