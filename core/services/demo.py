"""Seeds the deterministic demo organisation (slug `demo`), reused by `infrazen demo` and `/demo`.

Same seed, same company: 180 days of daily costs with a weekly pattern, slow growth, noise and
the planted anomalies in `demo_data.PLANTED_ANOMALIES`, scaled so that the last 30 days hit
each connection's monthly target. Re-seeding wipes the demo's data (not its members) first,
so running it twice duplicates nothing.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal
from zoneinfo import ZoneInfo

from sqlalchemy import delete, insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from core.db import cost_store
from core.db.models import (
    AlertEvent,
    AllocationRule,
    Budget,
    Connection,
    Organization,
    Recommendation,
    Resource,
    UsageMetric,
)
from core.domain.providers import PROVIDER_NAMES
from core.security.vault import Vault
from core.services.demo_data import BUDGETS, CONNECTIONS, PLANTED_ANOMALIES, RECOMMENDATIONS
from core.services.orgs import create_org

__all__ = ["DEMO_SLUG", "DemoSummary", "seed_demo"]

DEMO_SLUG = "demo"
HISTORY_DAYS = 180
SEED = 20_261_122
_CENT = Decimal("0.01")
_MSK = ZoneInfo("Europe/Moscow")


@dataclass(frozen=True)
class DemoSummary:
    org_id: int
    connections: int
    resources: int
    cost_lines: int
    last_30_days: Decimal
    by_connection: dict[str, Decimal]
    recommendations: int
    budgets: int


def _shape(rng: random.Random, day_index: int, weekday: int, weekend_factor: float) -> float:
    """Relative level of one day: growth of ~1.5 %/month, a weekly pattern, ±3 % noise."""
    growth = math.exp(math.log(1.015) * (day_index - HISTORY_DAYS) / 30)
    weekly = weekend_factor if weekday >= 5 else 1.0
    return growth * weekly * (1 + rng.uniform(-0.03, 0.03))


def _anomaly_factor(name: str, days_ago: int) -> float:
    factor = 1.0
    for res, start, length, mult, _kind in PLANTED_ANOMALIES:
        if res == name and start - length < days_ago <= start:
            factor *= mult
    return factor


async def _wipe(session: AsyncSession, org_id: int) -> None:
    for model in (AlertEvent, Recommendation, Budget, AllocationRule, Connection):
        await session.execute(delete(model).where(model.org_id == org_id))


async def seed_demo(session: AsyncSession, vault: Vault, *,
                    today: date | None = None) -> DemoSummary:
    """Create or refresh the demo organisation; history ends yesterday (Moscow time)."""
    today = today or datetime.now(_MSK).date()
    now = datetime.now(UTC)
    org = (await session.execute(
        select(Organization).where(Organization.slug == DEMO_SLUG))).scalar_one_or_none()
    if org is None:
        ref = await create_org(session, "Демо: ООО «Ромашка Тех»", slug=DEMO_SLUG, is_demo=True)
        org_id = ref.id
    else:
        org_id = org.id
        org.is_demo = True
        await _wipe(session, org_id)
    await session.flush()

    rng = random.Random(SEED)
    days = [today - timedelta(days=HISTORY_DAYS - i) for i in range(HISTORY_DAYS)]
    cost_rows: list[dict[str, object]] = []
    usage_rows: list[dict[str, object]] = []
    resource_ids: dict[str, int] = {}
    resource_monthly: dict[str, int] = {}
    by_connection: dict[str, Decimal] = {}
    conn_ids: dict[str, int] = {}
    for demo_conn in CONNECTIONS:
        daily_rate = Decimal(demo_conn.monthly_target) / 30
        conn = Connection(
            org_id=org_id, kind=demo_conn.kind, name=demo_conn.name, status="demo",
            credentials=vault.encrypt({"demo": True}), options={"demo": True},
            balance=demo_conn.balance, balance_currency="RUB",
            daily_rate=daily_rate.quantize(_CENT),
            days_to_block=int(demo_conn.balance / daily_rate),
            balance_updated_at=now, last_sync_at=now, last_success_at=now,
            account_info={"account_id": f"demo-{demo_conn.kind}"})
        session.add(conn)
        await session.flush()
        conn_ids[demo_conn.name] = conn.id
        raw: list[tuple[int, date, str, float]] = []
        for res in demo_conn.resources:
            db_res = Resource(
                org_id=org_id, connection_id=conn.id, external_id=f"demo-{res.name}",
                name=res.name, kind=res.kind, status=res.status, region=res.region,
                project=res.tags.get("project"), service_name=res.service,
                daily_cost=(Decimal(res.monthly) / 30).quantize(_CENT), currency="RUB",
                tags=res.tags, config=res.config, is_orphan=res.is_orphan,
                team=res.tags.get("team"), environment=res.tags.get("env"),
                content_hash="demo", first_seen_at=now - timedelta(days=HISTORY_DAYS),
                last_seen_at=now)
            session.add(db_res)
            await session.flush()
            resource_ids[res.name] = db_res.id
            resource_monthly[res.name] = res.monthly
            for i, day in enumerate(days):
                level = _shape(rng, i, day.weekday(), res.weekend_factor)
                level *= _anomaly_factor(res.name, (today - day).days)
                raw.append((db_res.id, day, res.name, res.monthly / 30 * level))
            if res.cpu_p95 is not None:
                usage_rows.extend(_usage(rng, org_id, db_res.id, res.cpu_p95, res.mem_p95, today))
        last30 = sum(v for _, d, _, v in raw if (today - d).days <= 30)
        scale = demo_conn.monthly_target / last30
        services = {r.name: r for r in demo_conn.resources}
        total = Decimal(0)
        for rid, day, name, value in raw:
            amount = Decimal(str(value * scale)).quantize(_CENT, ROUND_HALF_UP)
            if (today - day).days <= 30:
                total += amount
            res = services[name]
            start = datetime.combine(day, time(), _MSK).astimezone(UTC)
            cost_rows.append({
                "org_id": org_id, "connection_id": conn.id, "resource_id": rid, "day": day,
                "charge_period_start": start, "charge_period_end": start + timedelta(days=1),
                "billed_cost": amount, "effective_cost": amount, "list_cost": amount,
                "billing_currency": "RUB", "provider": demo_conn.kind,
                "provider_name": PROVIDER_NAMES[demo_conn.kind], "service_name": res.service,
                "service_category": _category(res.kind), "charge_category": "Usage",
                "resource_external_id": f"demo-{name}", "resource_name": name,
                "resource_type": res.kind, "region_id": res.region,
                "sub_account_id": res.tags.get("project"),
                "sub_account_name": res.tags.get("project"), "tags": res.tags or None,
                "source": "demo"})
        by_connection[demo_conn.name] = total
    await cost_store.write_rows(session, cost_rows, rollup=True)
    for chunk in range(0, len(usage_rows), 2000):
        await session.execute(insert(UsageMetric), usage_rows[chunk:chunk + 2000])

    for kind, res_name, share, confidence, params in RECOMMENDATIONS:
        saving = (Decimal(resource_monthly[res_name]) * Decimal(str(share))).quantize(_CENT)
        conn_name = next(c.name for c in CONNECTIONS if any(r.name == res_name
                                                           for r in c.resources))
        session.add(Recommendation(
            org_id=org_id, connection_id=conn_ids[conn_name], resource_id=resource_ids[res_name],
            dedup_key=f"{kind}:{res_name}", kind=kind, title=f"{kind}: {res_name}",
            params={"resource": res_name, **params},
            evidence={"monthly_cost": resource_monthly[res_name], "source": "demo"},
            monthly_saving=saving, currency="RUB", confidence=confidence, status="new",
            baseline_daily_cost=(Decimal(resource_monthly[res_name]) / 30).quantize(_CENT),
            updated_at=now))
    for budget_name, scope_kind, scope_ref, limit in BUDGETS:
        scope_id = str(conn_ids[scope_ref]) if scope_kind == "connection" and scope_ref else None
        session.add(Budget(org_id=org_id, name=budget_name, scope_kind=scope_kind,
                           scope_value=scope_id, period="month", amount=Decimal(limit),
                           currency="RUB",
                           thresholds=[50, 80, 100]))
    await session.flush()
    return DemoSummary(
        org_id=org_id, connections=len(CONNECTIONS), resources=len(resource_ids),
        cost_lines=len(cost_rows), last_30_days=sum(by_connection.values(), Decimal(0)),
        by_connection=by_connection, recommendations=len(RECOMMENDATIONS), budgets=len(BUDGETS))


def _category(kind: str) -> str:
    return {"server": "Compute", "volume": "Storage", "snapshot": "Storage",
            "bucket": "Storage", "backup": "Storage", "database": "Databases",
            "load_balancer": "Networking", "floating_ip": "Networking",
            "network": "Networking", "domain": "Other"}.get(kind, "Other")


def _usage(rng: random.Random, org_id: int, resource_id: int, cpu_p95: float,
           mem_p95: float | None, today: date) -> list[dict[str, object]]:
    """Every 3 hours for 14 days; p95 of the samples lands near the given figure."""
    rows: list[dict[str, object]] = []
    start = datetime.combine(today - timedelta(days=14), time(), UTC)
    for step in range(14 * 8):
        ts = start + timedelta(hours=3 * step)
        daytime = 0.75 + 0.25 * math.sin((ts.hour - 6) / 24 * 2 * math.pi)
        for metric, p95 in (("cpu_percent", cpu_p95), ("memory_percent", mem_p95)):
            if p95 is None:
                continue
            value = max(0.5, min(100.0, p95 * daytime * rng.uniform(0.8, 1.0)))
            rows.append({"org_id": org_id, "resource_id": resource_id, "metric": metric,
                         "ts": ts, "value": round(value, 2), "unit": "percent"})
    return rows
