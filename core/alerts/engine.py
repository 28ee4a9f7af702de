"""Evaluate every rule for an organisation and store what is new as alert events.

The unique (org_id, dedup_key) makes evaluation idempotent: a rule may report the same fact
on every run, only its first report becomes an event. A failing rule is logged and skipped so
one bug does not silence the others.

Snooze: while `snoozed_until` is ahead, the fact stays silent however often the rule reports
it. The first evaluation after the snooze ends that still finds the fact raises a reminder: a
new event whose dedup key is the original's suffixed with the snooze end (so the database
lets exactly one through per snooze, even with several workers), routed like any new event;
the snoozed event becomes `reminded`. Snoozing the reminder starts the same cycle again.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any
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

__all__ = ["KEY_LENGTH", "REMINDED", "evaluate_rules", "reminder_key", "rule_context",
           "store_events"]

log = logging.getLogger(__name__)

KEY_LENGTH = 200  # alert_events.dedup_key
REMINDED = "reminded"
_SNOOZE_MARK = "|snoozed:"
_BASE = KEY_LENGTH - len(_SNOOZE_MARK) - len("20261120T060000")


def _base(key: str) -> str:
    """The rule's own key, without a reminder suffix, cut to the length every form shares."""
    return key.split(_SNOOZE_MARK, 1)[0][:_BASE]


def reminder_key(key: str, snoozed_until: datetime) -> str:
    """The dedup key of the reminder after the snooze ending at `snoozed_until`."""
    return f"{_base(key)}{_SNOOZE_MARK}{snoozed_until.astimezone(UTC):%Y%m%dT%H%M%S}"


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


async def _expired_snoozes(rc: RuleContext) -> dict[str, AlertEvent]:
    """Snoozed events whose snooze has ended, by base key (the latest snooze wins)."""
    rows = (await rc.session.execute(select(AlertEvent).where(
        AlertEvent.org_id == rc.org_id, AlertEvent.status == "snoozed",
        AlertEvent.snoozed_until <= rc.now).order_by(AlertEvent.snoozed_until))).scalars()
    return {_base(e.dedup_key): e for e in rows}


async def _insert(rc: RuleContext, cand: AlertCandidate, key: str,
                  payload: dict[str, Any]) -> int | None:
    insert = pg_insert if rc.session.get_bind().dialect.name == "postgresql" else sqlite_insert
    result = await rc.session.execute(insert(AlertEvent).values(
        org_id=rc.org_id, rule=cand.rule, severity=cand.severity, dedup_key=key,
        connection_id=cand.connection_id, resource_id=cand.resource_id,
        provider=cand.provider, project=cand.project, payload=payload, status="open",
        created_at=rc.now,
    ).on_conflict_do_nothing(index_elements=["org_id", "dedup_key"]).returning(AlertEvent.id))
    return result.scalar_one_or_none()


async def store_events(rc: RuleContext, found: list[AlertCandidate]) -> list[AlertEvent]:
    """Insert the candidates not seen before, and a reminder for each one whose snooze has
    ended; returns the new events (flushed, with ids)."""
    if not found:
        return []
    expired: dict[str, AlertEvent] | None = None
    new_ids: list[int] = []
    for cand in found:
        payload = cand.payload(rc.currency)
        new_id = await _insert(rc, cand, cand.dedup_key[:KEY_LENGTH], payload)
        if new_id is None:  # known fact: silent, unless a snooze on it has just ended
            expired = await _expired_snoozes(rc) if expired is None else expired
            snoozed = expired.pop(_base(cand.dedup_key), None)
            if snoozed is not None and snoozed.snoozed_until is not None:
                new_id = await _insert(rc, cand, reminder_key(cand.dedup_key,
                                                              snoozed.snoozed_until),
                                       {**payload, "reminder_of": snoozed.id})
                snoozed.status = REMINDED
        if new_id is not None:
            new_ids.append(new_id)
    if not new_ids:
        return []
    rows = await rc.session.execute(select(AlertEvent).where(AlertEvent.id.in_(new_ids))
                                    .order_by(AlertEvent.id))
    return list(rows.scalars())
