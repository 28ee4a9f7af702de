"""Each alert rule fires on the situation it names, once (dedup keys), and not otherwise."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from core.alerts.engine import evaluate_rules, rule_context, store_events
from core.clock import FrozenClock
from core.db.engine import session_factory
from core.db.models import AlertEvent, AnomalyExclusion, Budget, ResourceState, SyncSnapshot
from tests.alerts import factory

NOW = datetime(2026, 11, 20, 6, 0, tzinfo=UTC)  # 09:00 in Moscow
YESTERDAY = date(2026, 11, 19)


async def _evaluate(engine: AsyncEngine, org_id: int) -> list[tuple[str, str, str]]:
    async with session_factory(engine)() as s, s.begin():
        rc = await rule_context(s, org_id, FrozenClock(NOW))
        events = await store_events(rc, await evaluate_rules(rc))
        return [(e.rule, e.severity, e.dedup_key) for e in events]


async def test_budget_threshold_and_forecast_overrun_fire_once(engine: AsyncEngine) -> None:
    async with session_factory(engine)() as s, s.begin():
        org = await factory.org(s)
        conn = await factory.connection(s, org.id)
        await factory.costs(s, conn, factory.series(YESTERDAY, 19, 5000))  # 95 000 so far
        s.add(Budget(org_id=org.id, name="Cloud", amount=Decimal(100000)))
    fired = await _evaluate(engine, org.id)
    assert sorted((r, sev) for r, sev, _ in fired) == [("budget", "warning"),
                                                       ("budget_forecast", "warning")]
    assert any(key.endswith(":80") for _, _, key in fired)  # the highest threshold crossed
    assert await _evaluate(engine, org.id) == []


async def test_zombie_orphan_balance_and_failing_connection(sqlite_engine: AsyncEngine) -> None:
    async with session_factory(sqlite_engine)() as s, s.begin():
        org = await factory.org(s)
        conn = await factory.connection(s, org.id, kind="beget", name="prepaid",
                                        balance=Decimal(1000), daily_rate=Decimal(500),
                                        balance_currency="RUB", consecutive_failures=2,
                                        last_error_code="unreachable",
                                        balance_updated_at=NOW)
        await factory.resource(s, conn, "old-vm", is_zombie=True, daily_cost=Decimal(100))
        await factory.resource(s, conn, "vol-1", kind="volume", is_orphan=True,
                               daily_cost=Decimal(10))
        await factory.resource(s, conn, "fine-vm", daily_cost=Decimal(100))
    fired = {r: (sev, key) for r, sev, key in await _evaluate(sqlite_engine, org.id)}
    assert set(fired) == {"zombie", "orphan", "balance", "connection"}
    assert fired["balance"][0] == "critical"  # two days left: under the 3-day level
    assert fired["balance"][1].startswith(f"balance:{conn.id}:3:")
    assert fired["connection"][0] == "warning"
    assert await _evaluate(sqlite_engine, org.id) == []


async def test_drift_on_watched_fields_and_prod_creation_only(sqlite_engine: AsyncEngine) -> None:
    async with session_factory(sqlite_engine)() as s, s.begin():
        org = await factory.org(s)
        conn = await factory.connection(s, org.id)
        db = await factory.resource(s, conn, "db-prod", environment="prod")
        dev = await factory.resource(s, conn, "dev-box", environment="dev")
        web = await factory.resource(s, conn, "web-prod", environment="prod")
        old = await factory.resource(s, conn, "old-prod", environment="prod")
        first = SyncSnapshot(org_id=org.id, connection_id=conn.id,
                             started_at=NOW - timedelta(hours=7), status="success")
        snap = SyncSnapshot(org_id=org.id, connection_id=conn.id,
                            started_at=NOW - timedelta(hours=1), status="success")
        s.add_all([first, snap])
        await s.flush()
        s.add_all([
            # the connection's first sync creates everything: not news
            ResourceState(resource_id=old.id, snapshot_id=first.id, change="created",
                          content_hash="h"),
            ResourceState(resource_id=db.id, snapshot_id=snap.id, change="updated",
                          content_hash="h", config_changed=True,
                          details={"config": {"flavor": ["s1.small", "s1.large"],
                                              "raw_status": ["A", "B"]},
                                   "tags": {"team": ["a", "b"]}, "region": ["ru-1", "ru-2"]}),
            ResourceState(resource_id=dev.id, snapshot_id=snap.id, change="created",
                          content_hash="h"),
            ResourceState(resource_id=web.id, snapshot_id=snap.id, change="created",
                          content_hash="h"),
            ResourceState(resource_id=web.id, snapshot_id=snap.id, change="updated",
                          content_hash="h", config_changed=True,
                          details={"tags": {"team": ["a", "b"]},
                                   "config": {"raw_status": ["A", "B"]}}),  # not watched
            ResourceState(resource_id=old.id, snapshot_id=snap.id, change="deleted",
                          content_hash="h"),
        ])
    fired = await _evaluate(sqlite_engine, org.id)
    assert [r for r, _, _ in fired] == ["drift", "drift", "drift"]
    async with session_factory(sqlite_engine)() as s:
        events = (await s.execute(select(AlertEvent).order_by(AlertEvent.id))).scalars().all()
        values = [e.payload["values"] for e in events]
    assert [(v["name"], v["what"]) for v in values] == [  # type: ignore[index]
        ("db-prod", "changed"), ("web-prod", "created"), ("old-prod", "deleted")]
    assert values[0]["changes"] == [  # type: ignore[index]
        ["flavor", "s1.small", "s1.large"], ["region", "ru-1", "ru-2"]]


async def test_single_resource_cost_spike(sqlite_engine: AsyncEngine) -> None:
    async with session_factory(sqlite_engine)() as s, s.begin():
        org = await factory.org(s)
        conn = await factory.connection(s, org.id)
        vm = await factory.resource(s, conn, "gpu-1")
        calm = await factory.resource(s, conn, "calm-1")
        await factory.costs(s, conn, factory.series(YESTERDAY - timedelta(days=1), 7, 100), vm)
        await factory.costs(s, conn, [(YESTERDAY, Decimal(900))], vm)
        await factory.costs(s, conn, factory.series(YESTERDAY, 8, 100), calm)
    fired = await _evaluate(sqlite_engine, org.id)
    spikes = [k for r, _, k in fired if r == "cost_spike"]
    assert spikes == [f"cost_spike:{vm.id}:{YESTERDAY}"]  # calm-1 stays quiet


def _anomalous() -> list[tuple[date, Decimal]]:
    days = factory.series(YESTERDAY - timedelta(days=1), 60, 10000)
    return [(d, v + (d.toordinal() % 5) * 50) for d, v in days] + [(YESTERDAY, Decimal(40000))]


async def test_cost_anomaly_fires_and_a_planned_day_is_left_alone(
        sqlite_engine: AsyncEngine) -> None:
    async with session_factory(sqlite_engine)() as s, s.begin():
        org = await factory.org(s)
        conn = await factory.connection(s, org.id)
        await factory.costs(s, conn, _anomalous())
        other = await factory.org(s, "Planned Co")
        conn2 = await factory.connection(s, other.id)
        await factory.costs(s, conn2, _anomalous())
        s.add(AnomalyExclusion(org_id=other.id, series_key="*", day=YESTERDAY))  # all series
    fired = await _evaluate(sqlite_engine, org.id)
    # one event for one real anomaly, in its narrowest series (the others are `also_in`)
    assert fired == [("anomaly", "warning", f"anomaly:service:Compute:spike:{YESTERDAY}")]
    assert [r for r, _, _ in await _evaluate(sqlite_engine, other.id)] == []


async def test_marking_an_anomaly_planned_makes_the_detector_leave_it_alone(
        sqlite_engine: AsyncEngine) -> None:
    from core.alerts.feedback import record_feedback
    from core.db.models import AlertEvent
    from core.services.anomaly_service import detect_anomalies

    async with session_factory(sqlite_engine)() as s, s.begin():
        org = await factory.org(s)
        conn = await factory.connection(s, org.id)
        await factory.costs(s, conn, _anomalous())
    assert [r for r, _, _ in await _evaluate(sqlite_engine, org.id)] == ["anomaly"]
    clock = FrozenClock(NOW)
    async with session_factory(sqlite_engine)() as s, s.begin():
        event = (await s.execute(select(AlertEvent))).scalar_one()
        await record_feedback(s, org_id=org.id, user_id=None, event_id=event.id,
                              action="planned", now=NOW)
    async with session_factory(sqlite_engine)() as s:
        assert await detect_anomalies(s, org.id, clock, since=YESTERDAY) == []
