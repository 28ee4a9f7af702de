"""Alert evaluation: rules → new events → routing → coalesced messages, in one transaction.

The events and their outbox messages commit together: a crash leaves either both or neither,
and a re-run finds the events already stored (dedup keys) and sends nothing twice.
"""

from __future__ import annotations

import hashlib
import logging
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from core.alerts.engine import evaluate_rules, rule_context, store_events
from core.alerts.routing import Delivery, route
from core.db.errors import log_failure
from core.db.models import AlertEvent, Organization
from core.domain.language import normalise_language
from core.jobs.runtime import JobRuntime
from core.services import outbox
from core.services.leases import acquire_job

__all__ = ["enqueue_deliveries", "evaluate_all", "evaluate_org"]

log = logging.getLogger(__name__)


async def enqueue_deliveries(session: AsyncSession, org_id: int,
                             deliveries: list[Delivery], rt: JobRuntime) -> int:
    """Render each delivery in its chat's language and put it in the outbox."""
    now = rt.clock.now()
    count = 0
    for d in deliveries:
        lang = normalise_language(d.lang)
        ids = ",".join(str(e.id) for e in d.events)
        digest = hashlib.sha256(ids.encode()).hexdigest()[:16]
        count += await outbox.enqueue(
            session, chat_id=d.chat_id, kind="text", org_id=org_id, now=now,
            dedup_key=f"alert:{org_id}:{d.chat_id}:{digest}", not_before=d.not_before,
            payload={"text": rt.render.alerts(d.events, lang), "lang": lang,
                     "alerts": [[e.id, e.rule] for e in d.events[:10]]})
    return count


async def evaluate_org(rt: JobRuntime, org_id: int) -> list[AlertEvent]:
    """Evaluate every rule for one org, store and route what is new; returns the new events."""
    async with rt.sessions() as session, session.begin():
        rc = await rule_context(session, org_id, rt.clock)
        events = await store_events(rc, await evaluate_rules(rc))
        deliveries = await route(session, org_id, events, rc.now)
        await enqueue_deliveries(session, org_id, deliveries, rt)
        for event in events:
            event.routed_at = rc.now
    if events:
        log.info("org %s: %d new alert events, %d messages", org_id, len(events),
                 len(deliveries))
    return events


async def evaluate_all(rt: JobRuntime) -> int:
    """The hourly pass over every organisation (syncs trigger their own evaluations)."""
    now = rt.clock.now()
    async with rt.sessions() as session, session.begin():
        if not await acquire_job(session, "alerts", owner=rt.owner, now=now,
                                 ttl=timedelta(minutes=50)):
            return 0
        org_ids = list((await session.execute(select(Organization.id).where(
            Organization.is_demo.is_(False)).order_by(Organization.id))).scalars())
    total = 0
    for org_id in org_ids:
        try:
            total += len(await evaluate_org(rt, org_id))
        except Exception:
            log_failure(log, "alert evaluation of org %s failed", org_id)
    return total
