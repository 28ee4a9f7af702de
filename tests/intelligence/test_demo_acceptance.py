"""Acceptance on the demo organisation: runway, allocation, the 20 recommendations, budgets,
the month-end forecast and the planted anomalies with their drivers; figures printed."""

from __future__ import annotations

import math
from datetime import timedelta
from decimal import ROUND_CEILING, Decimal

from sqlalchemy import select

from core.clock import FrozenClock
from core.db.models import Connection, Recommendation
from core.services import allocation, anomaly_service, budgets, forecasts, runway
from core.services.demo_data import CONNECTIONS, PLANTED_ANOMALIES, RECOMMENDATIONS
from tests.intelligence.conftest import TODAY, Demo


async def test_runway_for_every_prepaid_connection(demo: Demo, clock: FrozenClock) -> None:
    async with demo.sessions() as session:
        view = await runway.runway(session, demo.org_id, clock)
        conns = {c.name: c for c in (await session.execute(select(Connection).where(
            Connection.org_id == demo.org_id))).scalars()}
    assert {r.name for r in view.rows} == {c.name for c in CONNECTIONS}
    for row in view.rows:
        conn = conns[row.name]
        assert row.balance == conn.balance
        assert conn.daily_rate is not None
        assert row.burn_rate >= conn.daily_rate  # the higher burn wins
        assert row.days_left == math.floor(row.balance / row.burn_rate)
        assert row.block_date == TODAY + timedelta(days=row.days_left)
        need = row.burn_rate * 30 - row.balance
        expected = need.quantize(Decimal(1), ROUND_CEILING) if need > 0 else Decimal(0)
        assert row.top_up == expected
    days = [r.days_left or 0 for r in view.rows]
    assert days == sorted(days)  # the soonest block first
    assert view.soonest is not None
    assert view.soonest.name == "Beget Prod"
    assert view.soonest.status == "low"
    print("\nrunway: " + "; ".join(f"{r.name} {r.days_left} d → {r.block_date}, top up "
                                   f"{r.top_up}" for r in view.rows))


async def test_allocation_coverage_and_chargeback(demo: Demo) -> None:
    start, end = TODAY - timedelta(days=30), TODAY - timedelta(days=1)
    async with demo.sessions() as session:
        cov = await allocation.coverage(session, demo.org_id, start, end)
        lines = await allocation.chargeback(session, demo.org_id, start, end)
        shows = await allocation.showback(session, demo.org_id, start, end, "team")
    untagged = sum(r.monthly for c in CONNECTIONS for r in c.resources if not r.tags)
    assert cov.share == (cov.allocated * 100 / cov.total).quantize(Decimal("0.1"))
    assert abs(float(cov.share) - 100 * (1 - untagged / 417_000)) < 1.0
    assert cov.unallocated_top[0].key == "snapshot-storage"
    assert sum((line.amount for line in lines), Decimal(0)) == cov.total
    assert abs(sum((line.share_percent for line in lines), Decimal(0)) - 100) < Decimal("0.5")
    assert {row.key for row in shows} >= {"platform", "data", "backend", "frontend", "qa", ""}
    print(f"\nallocation coverage: {cov.share} % of {cov.total} ₽ (team), {cov.by_field}")


async def test_the_20_recommendations_and_their_total(demo: Demo) -> None:
    async with demo.sessions() as session:
        rows = (await session.execute(select(Recommendation).where(
            Recommendation.org_id == demo.org_id))).scalars().all()
    assert len(rows) == len(RECOMMENDATIONS) == 20
    assert len({r.dedup_key for r in rows}) == 20
    total = sum(Decimal(r.monthly_saving) for r in rows)
    assert total > Decimal(90_000)
    print(f"\ndemo recommendations: {len(rows)}, total saving {total:.2f} ₽/month")


async def test_budgets_one_near_its_threshold(demo: Demo, clock: FrozenClock) -> None:
    async with demo.sessions() as session:
        statuses = await budgets.list_statuses(session, demo.org_id, clock)
    by_name = {s.name: s for s in statuses}
    dev = by_name["Beget Dev"]
    assert Decimal(70) <= dev.share < Decimal(80)  # the 80 % threshold is near
    assert dev.crossed == (50,)
    assert dev.next_threshold == 80
    assert dev.forecast_overrun
    org = by_name["Облако — всего"]
    assert not org.forecast_overrun
    assert org.forecast_lower <= org.forecast <= org.forecast_upper
    print("\nbudgets: " + "; ".join(f"{s.name} {s.share} % spent, forecast {s.forecast_share} %"
                                    for s in statuses))


async def test_month_end_forecast_with_an_interval_and_backtest(demo: Demo,
                                                               clock: FrozenClock) -> None:
    async with demo.sessions() as session:
        month = await forecasts.month_end(session, demo.org_id, clock)
        result = await forecasts.backtest_org(session, demo.org_id, clock)
    assert month.days_left == 9
    assert month.lower <= month.total <= month.upper
    assert month.lower < month.upper
    assert abs(month.total - Decimal(417_000)) / Decimal(417_000) < Decimal("0.03")
    print(f"\nmonth-end forecast: {month.total} ₽ [{month.lower} – {month.upper}]; "
          f"backtest on the demo history ({result.origins} origins, {result.horizon}-day "
          f"horizon): daily MAPE {result.daily_mape} %, total MAPE {result.total_mape} %, "
          f"interval coverage {result.coverage}")
    assert result.daily_mape < 3.0
    assert result.total_mape < 3.0


async def test_planted_anomalies_are_found_with_their_drivers(demo: Demo,
                                                             clock: FrozenClock) -> None:
    async with demo.sessions() as session:
        found = await anomaly_service.detect_anomalies(session, demo.org_id, clock, days=180)
    for name, days_ago, _length, _mult, kind in PLANTED_ANOMALIES:
        start = TODAY - timedelta(days=days_ago)
        match = [f for f in found if f.resources and f.resources[0].key == name
                 and abs((f.anomaly.start - start).days) <= 1]
        assert match, f"{kind} of {name} on {start} not found"
        assert match[0].resources[0].share > 75
        assert match[0].anomaly.kind == ("level_shift" if kind == "level_shift" else "spike")
        assert match[0].services
    assert len(found) == len(PLANTED_ANOMALIES)  # and nothing else
    print("\nplanted anomalies found: " + "; ".join(
        f"{f.anomaly.kind} {f.anomaly.start} {f.series_key} ← {f.resources[0].key} "
        f"{f.resources[0].share} %" for f in found))
