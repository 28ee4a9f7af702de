"""What people do with a recommendation: accept, snooze, dismiss, mark done; and the list.

new → accepted / snoozed / dismissed → done. Every change is checked against the caller's
role and organisation (a tampered id is "not found") and written to the audit log.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from core.clock import Clock
from core.db.models import Recommendation
from core.domain.roles import Role
from core.services.audit import audit
from core.services.errors import Conflict, NotFound, ServiceError
from core.services.orgs import require_role
from core.services.recommendations.base import money
from core.services.recommendations.engine import OPEN

__all__ = ["Summary", "accept", "complete", "dismiss", "list_recommendations", "snooze",
           "summary"]

MAX_REASON = 300
_ALLOWED: dict[str, tuple[str, ...]] = {
    "accepted": ("new", "snoozed", "dismissed"),
    "snoozed": ("new", "accepted"),
    "dismissed": ("new", "snoozed", "accepted"),
    "done": ("accepted", "new", "snoozed"),
}


@dataclass(frozen=True, slots=True)
class Summary:
    open_count: int
    open_saving: Decimal
    realised_saving: Decimal
    by_status: dict[str, int]
    currency: str


async def _load(session: AsyncSession, org_id: int, rec_id: int) -> Recommendation:
    rec = (await session.execute(select(Recommendation).where(
        Recommendation.org_id == org_id, Recommendation.id == rec_id))).scalar_one_or_none()
    if rec is None:
        raise NotFound("recommendation not found")
    return rec


async def _move(session: AsyncSession, org_id: int, user_id: int | None, rec_id: int,
                status: str, clock: Clock, actor_telegram_id: int | None,
                reason: str | None = None) -> Recommendation:
    """`user_id=None` is the operator at the CLI; members need the member role."""
    if user_id is not None:
        await require_role(session, org_id, user_id, Role.MEMBER)
    reason = (reason or "").strip() or None
    if reason is not None and len(reason) > MAX_REASON:
        raise ServiceError(f"a reason is at most {MAX_REASON} characters")
    rec = await _load(session, org_id, rec_id)
    if rec.status not in _ALLOWED[status]:
        raise Conflict(f"a {rec.status} recommendation cannot become {status}")
    previous = rec.status
    rec.status, rec.decided_by_id, rec.decision_reason = status, user_id, reason
    rec.decided_at = rec.updated_at = clock.now()
    await audit(session, f"recommendation.{status}", org_id=org_id,
                actor_telegram_id=actor_telegram_id, object_type="recommendation",
                object_id=rec_id, previous=previous, kind=rec.kind, reason=reason,
                via="bot" if user_id is not None else "cli")
    return rec


async def accept(session: AsyncSession, org_id: int, user_id: int, rec_id: int, clock: Clock, *,
                 current_daily_cost: Decimal | None = None,
                 actor_telegram_id: int | None = None) -> None:
    """Accept: the resource's daily cost now is the baseline realised savings are measured on."""
    rec = await _move(session, org_id, user_id, rec_id, "accepted", clock, actor_telegram_id)
    rec.snoozed_until = None
    if current_daily_cost is not None:
        rec.baseline_daily_cost = current_daily_cost


async def snooze(session: AsyncSession, org_id: int, user_id: int | None, rec_id: int,
                 clock: Clock, *, days: int = 14, reason: str | None = None,
                 actor_telegram_id: int | None = None) -> None:
    """Hide it for `days` (back as `new` afterwards), with an optional reason."""
    if not 1 <= days <= 365:
        raise ServiceError("snooze for 1 to 365 days")
    rec = await _move(session, org_id, user_id, rec_id, "snoozed", clock, actor_telegram_id,
                      reason)
    rec.snoozed_until = clock.now() + timedelta(days=days)


async def dismiss(session: AsyncSession, org_id: int, user_id: int | None, rec_id: int,
                  clock: Clock, *, reason: str | None = None,
                  actor_telegram_id: int | None = None) -> None:
    """Out of lists, totals and briefs for good (the engine never reopens it)."""
    await _move(session, org_id, user_id, rec_id, "dismissed", clock, actor_telegram_id, reason)


async def complete(session: AsyncSession, org_id: int, user_id: int, rec_id: int, clock: Clock, *,
                   actor_telegram_id: int | None = None) -> None:
    """Mark done by hand; the realised saving is measured by the next evaluation's costs."""
    await _move(session, org_id, user_id, rec_id, "done", clock, actor_telegram_id)


async def list_recommendations(session: AsyncSession, org_id: int, *,
                               statuses: tuple[str, ...] = OPEN) -> list[Recommendation]:
    """The org's recommendations in `statuses`, biggest saving first."""
    return list((await session.execute(select(Recommendation).where(
        Recommendation.org_id == org_id, Recommendation.status.in_(statuses))
        .order_by(Recommendation.monthly_saving.desc(), Recommendation.id))).scalars())


async def summary(session: AsyncSession, org_id: int) -> Summary:
    rows = list((await session.execute(select(Recommendation).where(
        Recommendation.org_id == org_id))).scalars())
    by_status: dict[str, int] = {}
    for r in rows:
        by_status[r.status] = by_status.get(r.status, 0) + 1
    open_rows = [r for r in rows if r.status in ("new", "accepted")]
    return Summary(
        open_count=len(open_rows),
        open_saving=money(sum((Decimal(r.monthly_saving) for r in open_rows), Decimal(0))),
        realised_saving=money(sum((Decimal(r.realised_monthly_saving or 0) for r in rows),
                                  Decimal(0))),
        by_status=by_status, currency=rows[0].currency if rows else "RUB")
