"""Anomaly service: planned days are left alone, money floors come from the org settings."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from core.clock import FrozenClock
from core.db.models import Organization
from core.domain.roles import Role
from core.services import anomaly_service
from core.services.anomaly_service import ALL_SERIES, detector_settings
from tests.intelligence.conftest import (
    TODAY,
    Demo,
    connection,
    costs,
    days_before,
    member,
    small_org,
)


async def test_a_planned_day_is_not_reported(demo: Demo, clock: FrozenClock) -> None:
    async with demo.sessions() as session:
        user = await member(session, demo.org_id, 700, Role.MEMBER)
        for days_ago in (25, 24):  # the analytics ETL run someone planned
            await anomaly_service.mark_planned(session, demo.org_id, user, ALL_SERIES,
                                               TODAY - timedelta(days=days_ago), note="ETL")
        found = await anomaly_service.detect_anomalies(session, demo.org_id, clock, days=180)
        only_service = await anomaly_service.detect_anomalies(session, demo.org_id, clock,
                                                              days=180, collapse=False)
    drivers = {f.resources[0].key for f in found}
    assert "analytics-etl-01" not in drivers
    assert drivers == {"ci-runner-spot", "s3-media-bucket", "k8s-worker-02"}
    assert len(only_service) > len(found)  # each event is visible in several series


async def test_org_money_floor_and_since(demo: Demo, clock: FrozenClock) -> None:
    async with demo.sessions() as session:
        org = (await session.execute(select(Organization).where(
            Organization.id == demo.org_id))).scalar_one()
        org.settings = {"anomaly_min_impact": "2000"}
        await session.flush()
        found = await anomaly_service.detect_anomalies(session, demo.org_id, clock, days=180)
        recent = await anomaly_service.detect_anomalies(
            session, demo.org_id, clock, days=180, since=TODAY - timedelta(days=20))
    assert {f.resources[0].key for f in found} == {"analytics-etl-01", "k8s-worker-02"}
    assert [f.resources[0].key for f in recent] == ["k8s-worker-02"]


def test_bad_org_settings_fall_back_to_defaults() -> None:
    assert detector_settings({"anomaly_min_impact": "lots"}).min_impact == Decimal(500)
    assert detector_settings({"anomaly_min_relative": 0.2}).min_relative == 0.2


def _spiky(days: int = 60) -> list[tuple[date, Decimal]]:
    start = TODAY - timedelta(days=days)
    return [(start + timedelta(i), Decimal("30000" if i == days - 5 else "10000"))
            for i in range(days)]


async def test_chat_series_honour_the_org_floor_and_planned_days(demo: Demo,
                                                                 clock: FrozenClock) -> None:
    """`/anomalies` goes through the service: what the org set and marked counts there too."""
    series = _spiky()
    spike_day = series[-5][0]
    async with demo.sessions() as session:
        found, _ = await anomaly_service.detect_in(session, demo.org_id, "service",
                                                   {"Compute": series})
        assert [(name, a.kind, a.start) for name, a in found] == [
            ("Compute", "spike", spike_day)]
        user = await member(session, demo.org_id, 701, Role.MEMBER)
        await anomaly_service.mark_planned(session, demo.org_id, user, "service:Compute",
                                           spike_day)
        planned, _ = await anomaly_service.detect_in(session, demo.org_id, "service",
                                                     {"Compute": series})
        org = (await session.execute(select(Organization).where(
            Organization.id == demo.org_id))).scalar_one()
        org.settings = {"anomaly_min_impact": "50000"}
        await session.flush()
        floor, _ = await anomaly_service.detect_in(session, demo.org_id, "service",
                                                   {"Network": series})
    assert planned == []
    assert floor == []


async def test_a_series_that_cannot_be_judged_comes_back_with_its_reason(
        demo: Demo, clock: FrozenClock) -> None:
    short = _spiky(8)
    credits = [(d, Decimal("-500") if i == 30 else v) for i, (d, v) in enumerate(_spiky())]
    async with demo.sessions() as session:
        found, unanalysed = await anomaly_service.detect_in(
            session, demo.org_id, "service", {"New": short, "Refunded": credits})
    assert [(u.label, u.reason, u.days) for u in unanalysed] == [("New", "short_history", 8)]
    assert [name for name, _ in found] == ["Refunded"]  # a credit day silences nothing


async def test_what_the_bill_marks_as_a_purchase_is_expected(
        session_maker: async_sessionmaker[AsyncSession], clock: FrozenClock) -> None:
    """A reservation bought for 90 000 (FOCUS ChargeCategory Purchase) is no anomaly; the
    same 90 000 as usage on another connection is one, on both engines."""
    bought = TODAY - timedelta(days=10)
    async with session_maker() as session:
        org = await small_org(session)
        plain = await connection(session, org, "Beget")
        other = await connection(session, org, "Selectel", kind="selectel")
        for conn, category in ((plain, "Purchase"), (other, "Usage")):
            steady = {d: v + Decimal(d.day % 4) for d, v in days_before(TODAY, 90, "1000")
                      .items()}
            await costs(session, org, conn, steady, provider=category.lower())
            await costs(session, org, conn, {bought: Decimal(90000)}, service="Reserved",
                        category=category, provider=category.lower())
        found = await anomaly_service.detect_anomalies(session, org, clock, days=60,
                                                       collapse=False)
    spikes = {f.series_key for f in found if f.anomaly.start == bought}
    assert f"connection:{other}" in spikes
    assert not {k for k in spikes if k in (f"connection:{plain}", "provider:purchase")}
    assert "org" in spikes  # the org's total holds the unmarked spike too
