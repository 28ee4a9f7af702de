"""Evaluates every rule after a sync and keeps the Recommendation rows up to date.

Upsert by dedup key, and only rows the engine owns (`evidence.source == "engine"`): rows
from elsewhere (the demo seed, an import) with the same key are left exactly as they are.
One open recommendation per resource: savings of stacked advice on one resource do not add
up, so a resource that already has an open one gets no second. Lifecycle kept here:
a finding that comes back after `done` reopens as `new`; `dismissed` stays dismissed; a kind
the org turned off (`settings.py`) is not produced;
expired snoozes return to `new`; an engine row whose finding is gone is closed (`done`).
Realised savings: an accepted recommendation whose resource now costs at least 10 % less
than its baseline is `done`, with (baseline − now) × 30 recorded.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from core.clock import Clock
from core.db.models import Recommendation
from core.services.recommendations.base import Finding, RuleContext, money
from core.services.recommendations.context import load_context
from core.services.recommendations.registry import RULES

__all__ = ["OPEN", "EvaluationResult", "evaluate", "measure_realised"]

OPEN = ("new", "accepted", "snoozed")
ENGINE = "engine"
CHEAPER = Decimal("0.9")


@dataclass(frozen=True, slots=True)
class EvaluationResult:
    findings: int
    created: int
    updated: int
    reopened: int
    closed: int
    realised: int


def _owned(rec: Recommendation) -> bool:
    return (rec.evidence or {}).get("source") == ENGINE


def _apply(rec: Recommendation, finding: Finding, clock: Clock) -> None:
    rec.monthly_saving = finding.monthly_saving
    rec.confidence = finding.confidence
    rec.params = finding.params
    rec.evidence = {**finding.evidence, "source": ENGINE}
    rec.updated_at = clock.now()


async def evaluate(session: AsyncSession, org_id: int, clock: Clock) -> EvaluationResult:
    """Run every rule for the org and reconcile the recommendations (what sync calls)."""
    ctx = await load_context(session, org_id, clock)
    findings = sorted((f for rule in RULES for f in rule(ctx) if f.kind not in ctx.disabled),
                      key=lambda f: (-f.monthly_saving, f.dedup_key))
    rows = {r.dedup_key: r for r in (await session.execute(select(Recommendation).where(
        Recommendation.org_id == org_id))).scalars()}
    busy = {r.resource_id for r in rows.values() if r.status in OPEN and r.resource_id}
    now = clock.now()
    seen: set[str] = set()
    created = updated = reopened = 0
    for finding in findings:
        if finding.dedup_key in seen:
            continue
        seen.add(finding.dedup_key)
        row = rows.get(finding.dedup_key)
        if row is None:
            if finding.resource_id is not None and finding.resource_id in busy:
                continue
            row = Recommendation(
                org_id=org_id, connection_id=finding.connection_id,
                resource_id=finding.resource_id, dedup_key=finding.dedup_key,
                kind=finding.kind, title=finding.dedup_key[:300], currency=ctx.currency,
                status="new", baseline_daily_cost=finding.baseline_daily_cost, created_at=now)
            _apply(row, finding, clock)
            session.add(row)
            rows[finding.dedup_key] = row
            if finding.resource_id is not None:
                busy.add(finding.resource_id)
            created += 1
        elif _owned(row):
            if row.status == "done":
                row.status, row.decided_at, row.realised_monthly_saving = "new", None, None
                row.baseline_daily_cost = finding.baseline_daily_cost
                reopened += 1
            _apply(row, finding, clock)
            updated += 1
    closed = 0
    for row in rows.values():
        if row.status == "snoozed" and row.snoozed_until is not None and row.snoozed_until <= now:
            row.status, row.snoozed_until = "new", None
        if _owned(row) and row.status in ("new", "snoozed") and row.dedup_key not in seen:
            row.status, row.decided_at, row.updated_at = "done", now, now
            closed += 1
    realised = await measure_realised(session, org_id, clock, ctx, list(rows.values()))
    await session.flush()
    return EvaluationResult(len(findings), created, updated, reopened, closed, realised)


async def measure_realised(session: AsyncSession, org_id: int, clock: Clock, ctx: RuleContext,
                           rows: list[Recommendation]) -> int:
    """Close accepted recommendations whose resource got cheaper; record the saving."""
    by_id = {r.id: r for r in ctx.resources}
    count = 0
    for rec in rows:
        if rec.status != "accepted" or rec.resource_id is None or rec.baseline_daily_cost is None:
            continue
        resource = by_id.get(rec.resource_id)
        now_daily = ctx.cost(resource).recent_daily if resource is not None else Decimal(0)
        baseline = Decimal(rec.baseline_daily_cost)
        if baseline > 0 and now_daily <= baseline * CHEAPER:
            rec.status = "done"
            rec.realised_monthly_saving = money((baseline - now_daily) * 30)
            rec.decided_at = rec.updated_at = clock.now()
            count += 1
    return count
