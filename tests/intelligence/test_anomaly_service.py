"""Anomaly service: planned days are left alone, money floors come from the org settings."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from sqlalchemy import select

from core.clock import FrozenClock
from core.db.models import Organization
from core.domain.roles import Role
from core.services import anomaly_service
from core.services.anomaly_service import ALL_SERIES, detector_settings
from tests.intelligence.conftest import TODAY, Demo, member


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
