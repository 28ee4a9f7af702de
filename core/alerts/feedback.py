"""Buttons pressed on alerts: every press is stored, so precision can be measured from what
users said; planned / expected on an anomaly or a spike teaches the detector (an exclusion of
those days of that series, which the rules skip from then on).

The event is always re-loaded by id *and* the caller's organisation: a tampered callback id
finds nothing rather than another organisation's event.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from core.db.models import AlertEvent, AlertFeedback, AnomalyExclusion
from core.services.errors import NotFound, ServiceError

__all__ = ["ACTIONS", "SNOOZE", "load_event", "precision", "record_feedback"]

ACTIONS = ("details", "ack", "snooze", "planned", "expected")
SNOOZE = timedelta(days=1)
MAX_EXCLUDED_DAYS = 62


async def load_event(session: AsyncSession, org_id: int, event_id: int) -> AlertEvent:
    event = (await session.execute(select(AlertEvent).where(
        AlertEvent.id == event_id, AlertEvent.org_id == org_id))).scalar_one_or_none()
    if event is None:
        raise NotFound("alert not found")
    return event


def _excluded(event: AlertEvent) -> tuple[list[str], list[date]] | None:
    """The series and days a planned / expected mark covers, for rules that learn."""
    payload = event.payload or {}
    dates = payload.get("dates") or {}
    values = payload.get("values") or {}
    if not isinstance(dates, dict) or not isinstance(values, dict):
        return None
    if event.rule == "anomaly" and "start" in dates:
        start = date.fromisoformat(str(dates["start"]))
        end = date.fromisoformat(str(dates.get("end") or dates["start"]))
        days = [start + timedelta(days=i)
                for i in range(min((end - start).days + 1, MAX_EXCLUDED_DAYS))]
        also = values.get("also_in")
        series = [str(values.get("series") or "org"),
                  *(str(k) for k in (also if isinstance(also, list) else []))]
        return series, days  # the same event as seen in wider series learns too
    if event.rule == "cost_spike" and "day" in dates and event.resource_id is not None:
        return [f"resource:{event.resource_id}"], [date.fromisoformat(str(dates["day"]))]
    return None


async def record_feedback(session: AsyncSession, *, org_id: int, user_id: int | None,
                          event_id: int, action: str, now: datetime) -> AlertEvent:
    """Store the press and apply it; the caller's organisation scopes the event."""
    if action not in ACTIONS:
        raise ServiceError(f"unknown alert action {action!r}")
    event = await load_event(session, org_id, event_id)
    session.add(AlertFeedback(event_id=event.id, user_id=user_id, action=action,
                              created_at=now))
    if action == "ack":
        event.status = "acked"
    elif action == "snooze":
        event.status, event.snoozed_until = "snoozed", now + SNOOZE
    elif action in ("planned", "expected"):
        event.status = action
        covered = _excluded(event)
        if covered is not None:
            keys, days = covered
            insert = (pg_insert if session.get_bind().dialect.name == "postgresql"
                      else sqlite_insert)
            for series_key, day in ((k, d) for k in keys for d in days):
                await session.execute(insert(AnomalyExclusion).values(
                    org_id=org_id, series_key=series_key, day=day, reason=action,
                    note=f"alert {event.id}", created_at=now,
                ).on_conflict_do_nothing(index_elements=["org_id", "series_key", "day"]))
    await session.flush()
    return event


async def precision(session: AsyncSession, org_id: int) -> dict[str, dict[str, int]]:
    """Per rule: how many events got each kind of answer (planned / expected = not news)."""
    rows = await session.execute(
        select(AlertEvent.rule, AlertFeedback.action, func.count(func.distinct(AlertEvent.id)))
        .join(AlertFeedback, AlertFeedback.event_id == AlertEvent.id)
        .where(AlertEvent.org_id == org_id).group_by(AlertEvent.rule, AlertFeedback.action))
    result: dict[str, dict[str, int]] = {}
    for rule, action, count in rows.all():
        result.setdefault(rule, {})[action] = int(count)
    return result
