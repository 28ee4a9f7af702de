"""The sync engine on SQLite and PostgreSQL: history, flags, costs, failures, inference."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from connectors.errors import Unreachable
from core.db.models import (
    Connection,
    Resource,
    ResourceState,
    SyncSnapshot,
    UnrecognizedItem,
    UsageMetric,
)
from core.db.models import (
    CostLine as CostRow,
)
from core.domain.collection import (
    AccountInfo,
    Collection,
    CostLine,
    ResourceRecord,
    Window,
)
from core.domain.collection import (
    ResourceKind as K,
)
from core.domain.collection import (
    ResourceStatus as S,
)
from core.domain.collection import (
    UsageMetric as Sample,
)
from core.security.vault import Vault
from core.services.sync.apply import ApplyResult, apply_collection
from core.services.sync.run import run_sync
from tests.sync.conftest import NOW, Deps, make_org_and_connection
from tests.sync.fake_connector import FakeConnector

WINDOW = Window(date(2026, 11, 1), date(2026, 11, 21))
ACCOUNT = AccountInfo(account_id="acc-1", balance=Decimal("1500.50"), currency="RUB",
                      daily_rate=Decimal("100"), days_to_block=15)


def vm(ext: str, *, cost: str = "100", status: S = S.RUNNING, tags: dict[str, str] | None = None,
       config: dict[str, Any] | None = None, region: str = "ru-1",
       **kw: object) -> ResourceRecord:
    return ResourceRecord(external_id=ext, name=f"name-{ext}", kind=K.SERVER, status=status,
                          region=region, daily_cost=Decimal(cost), tags=tags or {"team": "web"},
                          config={"vcpu": 2} if config is None else config,
                          **kw)  # type: ignore[arg-type]


def hourly(ext: str | None, day: date, hour: int, amount: str, sku: str = "compute_cores",
           currency: str = "RUB") -> CostLine:
    start = datetime(day.year, day.month, day.day, hour, tzinfo=UTC)
    return CostLine(charge_period_start=start, charge_period_end=start + timedelta(hours=1),
                    billed_cost=Decimal(amount), resource_id=ext, sku_id=sku,
                    service_name="Compute", billing_currency=currency)


async def apply(sessions: async_sessionmaker[AsyncSession], org: int, conn: int,
                coll: Collection, *, now: datetime = NOW, window: Window = WINDOW) -> ApplyResult:
    async with sessions() as session, session.begin():
        return await apply_collection(session, org_id=org, connection_id=conn, collection=coll,
                                      window=window, started_at=now, now=now)


async def states(sessions: async_sessionmaker[AsyncSession], snapshot_id: int
                 ) -> dict[str, ResourceState]:
    async with sessions() as session:
        rows = await session.execute(
            select(Resource.external_id, ResourceState)
            .join(Resource, Resource.id == ResourceState.resource_id)
            .where(ResourceState.snapshot_id == snapshot_id))
        return {ext: st for ext, st in rows}


async def resources(sessions: async_sessionmaker[AsyncSession], conn: int
                    ) -> dict[str, Resource]:
    async with sessions() as session:
        rows = await session.execute(select(Resource).where(Resource.connection_id == conn))
        return {r.external_id: r for r in rows.scalars()}


async def test_three_syncs_record_created_updated_deleted_unchanged_with_flags(
        session_maker: async_sessionmaker[AsyncSession], vault: Vault) -> None:
    org, conn = await make_org_and_connection(session_maker, vault)
    first = await apply(session_maker, org, conn, Collection(
        account=ACCOUNT, resources=[vm("a"), vm("b"), vm("c")]))
    assert (first.created, first.updated, first.deleted, first.unchanged) == (3, 0, 0, 0)

    second = await apply(session_maker, org, conn, Collection(account=ACCOUNT, resources=[
        vm("a"), vm("b", cost="130"), vm("c", status=S.STOPPED), vm("d")]),
        now=NOW + timedelta(hours=6))
    assert (second.created, second.updated, second.deleted, second.unchanged) == (1, 2, 0, 1)
    st = await states(session_maker, second.snapshot_id)
    assert set(st) == {"b", "c", "d"}  # unchanged "a" costs no state row
    assert (st["b"].cost_changed, st["b"].status_changed, st["b"].config_changed) == (
        True, False, False)
    assert st["b"].details == {"daily_cost": ["100.000000", "130.000000"]}
    assert (st["c"].cost_changed, st["c"].status_changed, st["c"].config_changed) == (
        False, True, False)
    assert st["d"].change == "created"

    third = await apply(session_maker, org, conn, Collection(account=ACCOUNT, resources=[
        vm("a", tags={"team": "data"}), vm("b", cost="130"), vm("d")]),
        now=NOW + timedelta(hours=12))
    assert (third.created, third.updated, third.deleted, third.unchanged) == (0, 1, 1, 2)
    st = await states(session_maker, third.snapshot_id)
    assert st["a"].config_changed
    assert not st["a"].cost_changed
    assert st["a"].details == {"tags": {"team": ["web", "data"]}}
    assert st["c"].change == "deleted"
    res = await resources(session_maker, conn)
    assert res["c"].is_deleted
    assert res["c"].status == "deleted"
    assert res["a"].team == "data"
    assert res["b"].daily_cost == Decimal("130")
    assert res["d"].last_seen_at == NOW + timedelta(hours=12)
    assert res["c"].deleted_at == NOW + timedelta(hours=12)
    async with session_maker() as session:
        snap = await session.get(SyncSnapshot, third.snapshot_id)
        assert snap is not None
        assert snap.status == "success"
        assert (snap.created, snap.updated, snap.deleted, snap.unchanged) == (0, 1, 1, 2)
        assert snap.totals["by_kind"] == {"server": 3}
        assert snap.totals["by_status"] == {"running": 3}

    fourth = await apply(session_maker, org, conn, Collection(account=ACCOUNT, resources=[
        vm("a", tags={"team": "data"}), vm("b", cost="130"), vm("c"), vm("d")]),
        now=NOW + timedelta(hours=18))
    assert (fourth.created, fourth.unchanged) == (1, 3)  # "c" came back
    st = await states(session_maker, fourth.snapshot_id)
    assert st["c"].details is not None
    assert st["c"].details.get("reappeared") is True
    assert not (await resources(session_maker, conn))["c"].is_deleted


async def test_a_change_records_which_keys_changed_before_and_after_bounded(
        session_maker: async_sessionmaker[AsyncSession], vault: Vault) -> None:
    org, conn = await make_org_and_connection(session_maker, vault)
    many = {f"k{i:02d}": i for i in range(30)}
    await apply(session_maker, org, conn, Collection(account=ACCOUNT, resources=[
        vm("a", config={"flavor": "s1.small", "vcpus": 2, "old": "x", "disks": (1, 2)}),
        vm("b", config=many)]))
    second = await apply(session_maker, org, conn, Collection(account=ACCOUNT, resources=[
        vm("a", status=S.STOPPED, region="ru-7",
           config={"flavor": "s1.large", "vcpus": 2, "new": "y" * 500, "disks": [1, 2]}),
        vm("b", config={k: v + 1 for k, v in many.items()})]), now=NOW + timedelta(hours=1))
    st = await states(session_maker, second.snapshot_id)
    a = st["a"]
    assert (a.config_changed, a.status_changed, a.cost_changed) == (True, True, False)
    assert a.details is not None
    assert a.details["status"] == ["running", "stopped"]
    assert a.details["region"] == ["ru-1", "ru-7"]
    config = a.details["config"]
    assert isinstance(config, dict)
    # unchanged keys (vcpus; a tuple stored as a list) are not listed; added and removed are
    assert set(config) == {"flavor", "old", "new"}
    assert config["flavor"] == ["s1.small", "s1.large"]
    assert config["old"] == ["x", None]
    assert config["new"][0] is None
    assert len(config["new"][1]) == 80
    assert config["new"][1].endswith("…")
    b: dict[str, Any] | None = st["b"].details
    assert b is not None
    assert len(b["config"]) == 20  # bounded: the first 20 keys kept, the rest counted
    assert b["config"]["k00"] == [0, 1]
    assert b["omitted"] == {"config": 10}


async def test_incomplete_inventory_never_deletes(
        session_maker: async_sessionmaker[AsyncSession], vault: Vault) -> None:
    org, conn = await make_org_and_connection(session_maker, vault)
    await apply(session_maker, org, conn, Collection(account=ACCOUNT, resources=[vm("a"),
                                                                                 vm("b")]))
    result = await apply(session_maker, org, conn, Collection(
        account=ACCOUNT, resources=[vm("a")], complete_inventory=False))
    assert result.deleted == 0
    assert result.unchanged == 1
    assert not (await resources(session_maker, conn))["b"].is_deleted


async def test_zombie_orphan_balance_and_usage_are_persisted(
        session_maker: async_sessionmaker[AsyncSession], vault: Vault) -> None:
    org, conn = await make_org_and_connection(session_maker, vault)
    coll = Collection(account=ACCOUNT, resources=[
        vm("z", status=S.DELETED, is_zombie=True),
        ResourceRecord(external_id="vol", name="vol", kind=K.VOLUME, status=S.RUNNING,
                       is_orphan=True, daily_cost=Decimal("5"))],
        usage=[Sample(resource_id="vol", metric="cpu_percent", value=12.5,
                      timestamp=datetime(2026, 11, 10, tzinfo=UTC)),
               Sample(resource_id="ghost", metric="cpu_percent", value=1.0,
                      timestamp=datetime(2026, 11, 10, tzinfo=UTC))])
    result = await apply(session_maker, org, conn, coll)
    res = await resources(session_maker, conn)
    assert res["z"].is_zombie
    assert not res["z"].is_orphan
    assert res["vol"].is_orphan
    assert not res["vol"].is_zombie
    assert result.status == "partial"  # the unknown usage sample is a warning
    again = await apply(session_maker, org, conn, coll)
    async with session_maker() as session:
        c = await session.get(Connection, conn)
        assert c is not None
        assert (c.balance, c.balance_currency, c.days_to_block) == (Decimal("1500.5"), "RUB", 15)
        assert c.account_info["account_id"] == "acc-1"
        samples = (await session.execute(select(UsageMetric.value))).scalars().all()
        assert samples == [12.5]  # re-sync replaced, did not duplicate
        snap = await session.get(SyncSnapshot, again.snapshot_id)
        assert snap is not None
        assert snap.totals["zombies"] == 1
        assert snap.totals["orphans"] == 1
        assert snap.warnings == ["usage samples for 1 unknown resource(s) skipped"]


async def test_costs_normalised_daily_linked_and_replaced_idempotently(
        session_maker: async_sessionmaker[AsyncSession], vault: Vault) -> None:
    org, conn = await make_org_and_connection(session_maker, vault)
    day = date(2026, 11, 10)
    month = CostLine(charge_period_start=datetime(2026, 11, 1, tzinfo=UTC),
                     charge_period_end=datetime(2026, 12, 1, tzinfo=UTC),
                     billed_cost=Decimal("300.00"), resource_id="a", sku_id="ip_monthly",
                     service_name="Network")
    lines = [hourly("a", day, h, "1.25") for h in range(24)] + [month]
    coll = Collection(account=ACCOUNT, resources=[vm("a")], cost_lines=lines)
    for _ in range(2):
        result = await apply(session_maker, org, conn, coll)
        async with session_maker() as session:
            rows = (await session.execute(select(CostRow).where(
                CostRow.connection_id == conn))).scalars().all()
        compute = [r for r in rows if r.sku_id == "compute_cores"]
        assert [(r.day, r.billed_cost) for r in compute] == [(day, Decimal("30.00"))]
        monthly = sorted((r.day, r.billed_cost) for r in rows if r.sku_id == "ip_monthly")
        # 300 over the 30 days of November is 10 a day; days after the window are dropped
        assert monthly == [(date(2026, 11, d), Decimal("10")) for d in range(1, 21)]
        assert all(r.resource_id is not None and r.resource_external_id == "a" for r in rows)
        assert result.totals_by_currency == {"RUB": Decimal("230.00")}


async def test_unrecognized_items_inferred_from_billing_metric_names(
        session_maker: async_sessionmaker[AsyncSession], vault: Vault) -> None:
    org, conn = await make_org_and_connection(session_maker, vault)
    day = date(2026, 11, 10)
    lines = [hourly("a", day, 1, "1"), hourly("vol-9", day, 1, "2", sku="volume_gigabytes_fast"),
             hourly("vol-9", day, 2, "3", sku="volume_gigabytes_fast"),
             hourly("db-1", day, 1, "4", sku="dbaas_postgresql_cpu"),
             hourly("lb-1", day, 1, "5", sku="load_balancers_basic"),
             hourly("x-1", day, 1, "6", sku="mystery_thing")]
    coll = Collection(account=ACCOUNT, resources=[vm("a")], cost_lines=lines,
                      unrecognized=[{"external_id": "bucket-7", "metric_id": "s3_storage",
                                     "name": "logs", "amount": "1.5"}])
    result = await apply(session_maker, org, conn, coll)
    assert result.unrecognized == 5
    await apply(session_maker, org, conn, coll)  # seen again: updated, not duplicated
    async with session_maker() as session:
        items = {i.external_id: i for i in (await session.execute(
            select(UnrecognizedItem))).scalars()}
        count = (await session.execute(
            select(func.count()).select_from(UnrecognizedItem))).scalar_one()
    assert count == 5
    assert {k: v.inferred_type for k, v in items.items()} == {
        "vol-9": "volume", "db-1": "database", "lb-1": "load_balancer", "x-1": "other",
        "bucket-7": "bucket"}
    assert items["vol-9"].raw["billed_cost"] == "5"
    assert items["vol-9"].raw["lines"] == 2
    assert items["bucket-7"].raw["amount"] == "1.5"
    assert items["bucket-7"].name == "logs"


async def test_failed_sync_keeps_the_last_good_state_and_records_the_error(
        session_maker: async_sessionmaker[AsyncSession], vault: Vault,
        fake_kind: type[FakeConnector]) -> None:
    org, conn = await make_org_and_connection(session_maker, vault)
    good = Collection(account=ACCOUNT, resources=[vm("a")],
                      cost_lines=[hourly("a", date(2026, 11, 19), 3, "7.5")],
                      warnings=["domains: Cannot access method"])
    fake_kind.queue.extend([good, Unreachable("connect timeout", provider="fake")])
    async with httpx.AsyncClient() as http:
        deps = Deps(session_maker, vault, http)
        ok = await run_sync(deps, conn, org_id=org)
        assert ok.status == "partial"
        assert ok.created == 1
        assert ok.warnings == ("domains: Cannot access method",)
        assert fake_kind.seen_windows[0] == Window(date(2026, 10, 17), date(2026, 11, 21))
        deps.clock.advance(hours=6)
        bad = await run_sync(deps, conn, org_id=org)
    assert bad.status == "failed"
    assert bad.error_code == "unreachable"
    async with session_maker() as session:
        c = await session.get(Connection, conn)
        assert c is not None
        assert (c.last_error_code, c.last_error, c.consecutive_failures) == (
            "unreachable", "connect timeout", 1)
        assert c.last_success_at == NOW
        assert c.next_sync_at == NOW + timedelta(hours=6, minutes=15)
        snaps = (await session.execute(select(SyncSnapshot).order_by(SyncSnapshot.id))).scalars()
        assert [(s.status, s.error_code) for s in snaps] == [
            ("partial", None), ("failed", "unreachable")]
        total = (await session.execute(select(func.sum(CostRow.billed_cost)))).scalar_one()
        assert total == Decimal("7.5")
    res = await resources(session_maker, conn)
    assert not res["a"].is_deleted


async def test_sync_scoped_by_org_and_refuses_paused(
        session_maker: async_sessionmaker[AsyncSession], vault: Vault,
        fake_kind: type[FakeConnector]) -> None:
    from core.services.errors import NotFound, ServiceError

    org, conn = await make_org_and_connection(session_maker, vault)
    other, _ = await make_org_and_connection(session_maker, vault, org_name="Other")
    async with httpx.AsyncClient() as http:
        deps = Deps(session_maker, vault, http)
        with pytest.raises(NotFound):
            await run_sync(deps, conn, org_id=other)
        async with session_maker() as session, session.begin():
            c = await session.get(Connection, conn)
            assert c is not None
            c.status = "paused"
        with pytest.raises(ServiceError, match="paused"):
            await run_sync(deps, conn, org_id=org)
    assert fake_kind.queue == []
