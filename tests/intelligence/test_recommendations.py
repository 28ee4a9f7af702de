"""Recommendation engine: upserts by dedup key, never touches the seeded 20, one open piece of
advice per resource, lifecycle rules, realised savings, and text in both languages."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from core.clock import FrozenClock
from core.db import cost_store
from core.db.models import CostLine, Recommendation, Resource
from core.domain.roles import Role
from core.security.vault import Vault
from core.services import recommendations as recs
from core.services.demo import seed_demo
from core.services.demo_data import RECOMMENDATIONS
from core.services.errors import Conflict, Forbidden, NotFound
from core.services.recommendations.registry import KINDS, RULES
from renderers.i18n import catalogue, t
from tests.intelligence.conftest import NOW, TODAY, Demo, member


async def _rows(session: AsyncSession, org_id: int) -> dict[str, Recommendation]:
    return {r.dedup_key: r for r in (await session.execute(select(Recommendation).where(
        Recommendation.org_id == org_id))).scalars()}


async def test_engine_adds_new_findings_and_leaves_the_seeded_20_alone(
        demo: Demo, clock: FrozenClock) -> None:
    async with demo.sessions() as session:
        before = {k: (r.monthly_saving, r.params, r.status)
                  for k, r in (await _rows(session, demo.org_id)).items()}
        result = await recs.evaluate(session, demo.org_id, clock)
        after = await _rows(session, demo.org_id)
        again = await recs.evaluate(session, demo.org_id, clock)
        summary = await recs.summary(session, demo.org_id)
        for key, (saving, params, status) in before.items():
            assert (after[key].monthly_saving, after[key].params, after[key].status) == (
                saving, params, status)
        new = {k: r for k, r in after.items() if k not in before}
        assert result.created == len(new) > 0
        assert (again.created, again.updated) == (0, result.created)  # idempotent
        open_per_resource = [r.resource_id for r in after.values() if r.resource_id]
        assert len(open_per_resource) == len(set(open_per_resource))
        kinds = {r.kind for r in new.values()}
        assert {"low_balance", "commitment", "schedule_shutdown"} <= kinds
        beget_prod = next(r for r in new.values() if r.params.get("connection") == "Beget Prod")
        assert beget_prod.params["days_left"] == 5
        assert summary.open_count == 20 + len(new)
        print(f"\nengine on the demo: {result.findings} findings, {result.created} new "
              f"({', '.join(sorted(new))}); open saving {summary.open_saving} ₽/month")


async def test_rightsizing_picks_the_next_plan_that_fits_and_prices_it(
        demo: Demo, clock: FrozenClock) -> None:
    async with demo.sessions() as session:
        for row in (await _rows(session, demo.org_id)).values():
            await session.delete(row)  # an org without the seeded advice
        await session.flush()
        await recs.evaluate(session, demo.org_id, clock)
        rows = await _rows(session, demo.org_id)
        api = rows["rightsizing:api-backend-prod-01"]
        assert (api.params["from"], api.params["to"]) == ("SL1.8-32768", "SL1.6-24576")
        ratio = Decimal(str(api.evidence["price_ratio"]))
        monthly = Decimal(str(api.evidence["monthly_cost"]))
        assert abs(api.monthly_saving - monthly * (1 - ratio)) < Decimal(5)
        assert rows["idle:dev-k8s-node-02"].monthly_saving > 0
        assert "rightsizing:dev-k8s-node-02" not in rows  # idle, not resized
        assert rows["orphan_volume:pg-backup-volume"].monthly_saving > 4000
        assert rows["unused_ip:dev-public-ip"].confidence == 0.9
        assert "old_snapshots:snapshot-storage" in rows
        assert "storage_class:s3-media-bucket" in rows
        assert "rightsizing:k8s-worker-02" not in rows  # busy: CPU p95 64 %


async def test_lifecycle_and_realised_saving(demo: Demo, clock: FrozenClock) -> None:
    async with demo.sessions() as session:
        admin = await member(session, demo.org_id, 501, Role.ADMIN)
        viewer = await member(session, demo.org_id, 502, Role.VIEWER)
        rows = await _rows(session, demo.org_id)
        idle = rows["idle:dev-k8s-node-02"]
        with pytest.raises(Forbidden):
            await recs.accept(session, demo.org_id, viewer, idle.id, clock)
        with pytest.raises(NotFound):
            await recs.accept(session, demo.org_id + 99, admin, idle.id, clock)
        await recs.accept(session, demo.org_id, admin, idle.id, clock)
        assert idle.status == "accepted"
        with pytest.raises(Conflict):
            await recs.accept(session, demo.org_id, admin, idle.id, clock)
        snoozed = rows["shutdown:ci-runner-spot"]
        await recs.snooze(session, demo.org_id, admin, snoozed.id, clock, days=3)
        dismissed = rows["commitment:vps-app-01"]
        await recs.dismiss(session, demo.org_id, admin, dismissed.id, clock)
        # the node is switched off: its cost lines stop, so it is cheaper now
        res = (await session.execute(select(Resource).where(
            Resource.id == idle.resource_id))).scalar_one()
        await cost_store.delete_lines(
            session, CostLine.resource_id == res.id, CostLine.day >= TODAY - timedelta(days=7))
        later = FrozenClock(NOW + timedelta(days=4))
        await recs.evaluate(session, demo.org_id, later)
        assert idle.status == "done"
        assert idle.realised_monthly_saving is not None
        assert idle.realised_monthly_saving > Decimal(300)
        assert snoozed.status == "new"  # the snooze expired
        assert dismissed.status == "dismissed"
        summary = await recs.summary(session, demo.org_id)
        assert summary.realised_saving == idle.realised_monthly_saving


async def test_every_recommendation_renders_in_russian_and_english(
        demo: Demo, clock: FrozenClock) -> None:
    async with demo.sessions() as session:
        await recs.evaluate(session, demo.org_id, clock)
        rows = list((await _rows(session, demo.org_id)).values())
        kinds = {kind for kind, *_ in RECOMMENDATIONS} | set(KINDS)
        for lang in ("ru", "en"):
            assert {f"intel.rec.{k}.{part}" for k in kinds for part in ("title", "why")} <= set(
                catalogue(lang))
        for row in rows:
            for lang in ("ru", "en"):
                title = t(f"intel.rec.{row.kind}.title", lang, **row.params)
                assert "{" not in title
                assert t(f"intel.rec.{row.kind}.why", lang, **row.params)
                for key, value in {**row.params, **row.evidence}.items():
                    if key not in ("resource", "connection", "block_date", "top_up", "rule",
                                   "deleted_at") and value is not None:
                        assert t(f"intel.param.{key}", lang, value=value)
        assert len(RULES) == len(KINDS)


async def test_engine_upsert_on_both_engines(session_maker: async_sessionmaker[AsyncSession],
                                             vault: Vault, clock: FrozenClock) -> None:
    """The unique (org, dedup key) and JSON columns behave the same on SQLite and PostgreSQL."""
    async with session_maker() as session:
        org_id = (await seed_demo(session, vault, today=TODAY)).org_id
        await session.commit()
    async with session_maker() as session:
        first = await recs.evaluate(session, org_id, clock)
        await session.commit()
    async with session_maker() as session:
        second = await recs.evaluate(session, org_id, clock)
        await session.commit()
        rows = await _rows(session, org_id)
    assert second.created == 0
    assert len(rows) == 20 + first.created
    low = [r for r in rows.values() if r.kind == "low_balance"]
    assert all(isinstance(r.params["days_left"], int) for r in low)
