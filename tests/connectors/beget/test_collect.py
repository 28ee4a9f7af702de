"""Beget collect against the loopback fake: inventory, daily cost lines, metrics, warnings."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal

from connectors.beget.connector import BegetConnector, BegetCredentials
from core.domain.collection import ResourceKind, ResourceStatus, Window
from tests.connectors.beget.fake import EMPTY_LIST, BegetFake
from tests.support.faults import Fault

WINDOW = Window(start=date(2025, 6, 1), end=date(2025, 6, 4))  # 1, 2, 3 June


async def test_collect_full_account_with_a_denied_section(
        fake: BegetFake, make: Callable[..., BegetConnector], creds: BegetCredentials) -> None:
    fake.denied = {"mysql"}
    out = await make().collect(creds, WINDOW)

    assert out.account.balance == Decimal("512.35")
    assert out.account.daily_rate == Decimal("100.20")
    assert out.account.days_to_block == 52
    assert out.account.plan == "Blog"

    # mysql is denied: a warning, and every other list still synced.
    assert any(w.startswith("section_denied: mysql:") and "Cannot access method mysql" in w
               for w in out.warnings)
    kinds = {r.external_id: r.kind for r in out.resources}
    assert kinds["domain:132456"] is ResourceKind.DOMAIN
    assert kinds["domain:132457"] is ResourceKind.DOMAIN
    assert kinds["site:501"] is ResourceKind.HOSTING
    assert kinds["ftp:acme_deploy"] is ResourceKind.OTHER
    assert not any(k.startswith("mysql:") for k in kinds)
    assert out.complete_inventory is False

    # Three VPS over two pages (page size 2) and two managed services.
    assert fake.faults.count("/v1/vps/server/list") == 2
    vps = {r.name: r for r in out.resources if r.kind is ResourceKind.SERVER}
    assert set(vps) == {"web-1", "db-1", "new-1"}
    assert vps["db-1"].status is ResourceStatus.STOPPED
    assert vps["web-1"].daily_cost == Decimal("26.3")
    assert vps["web-1"].config["memory_mb"] == 2048
    db = next(r for r in out.resources if r.external_id == "svc-7d3a")
    assert db.kind is ResourceKind.DATABASE
    assert db.daily_cost == Decimal("33.1")
    s3 = next(r for r in out.resources if r.external_id == "svc-s3a1")
    assert s3.kind is ResourceKind.BUCKET
    assert s3.status is ResourceStatus.STOPPED
    assert any(w.startswith("service_suspended: media:") for w in out.warnings)
    assert "FAKE-S3-SECRET" not in repr(out)
    assert "AKIA-FAKE" not in repr(out)


async def test_daily_cost_lines_one_per_resource_per_day(
        make: Callable[..., BegetConnector], creds: BegetCredentials) -> None:
    out = await make().collect(creds, WINDOW)
    by_resource: dict[str, list[Decimal]] = {}
    for line in out.cost_lines:
        by_resource.setdefault(line.resource_id or "", []).append(line.billed_cost)
        assert (line.charge_period_end - line.charge_period_start).days == 1
    assert by_resource["hosting:acme"] == [Decimal("9.80")] * 3
    assert by_resource["9f1c2e6a-0b1d-4c55-9a51-1e2f3a4b5c6d"] == [Decimal("26.3")] * 3
    assert by_resource["1b2c3d4e-0000-4000-8000-000000000002"] == [Decimal("10.0")] * 3
    # Created on 2 June (Moscow): no line for 1 June.
    assert by_resource["5e6f7a8b-0000-4000-8000-000000000003"] == [Decimal("16.5")] * 2
    assert by_resource["svc-s3a1"] == [Decimal("4.5")] * 3
    total = sum((line.billed_cost for line in out.cost_lines), Decimal(0))
    assert total == Decimal("9.80") * 3 + Decimal("26.3") * 3 + Decimal("10.0") * 3 \
        + Decimal("16.5") * 2 + Decimal("33.1") * 3 + Decimal("4.5") * 3


async def test_usage_metrics_from_running_vps(
        fake: BegetFake, make: Callable[..., BegetConnector], creds: BegetCredentials) -> None:
    out = await make().collect(creds, WINDOW)
    cpu = [m for m in out.usage if m.metric == "cpu_percent"]
    # Two running VPS x two parseable samples (the "bad date" sample is skipped).
    assert len(cpu) == 4
    web = [m for m in cpu if m.resource_id.startswith("9f1c")]
    assert [m.value for m in web] == [3.5, 12.25]
    assert {m.unit for m in out.usage} == {"percent"}
    assert web[0].timestamp.isoformat() == "2025-06-02T07:00:00+00:00"  # 10:00 MSK
    assert fake.faults.count("/v1/vps/statistic/cpu/1b2c") == 0  # stopped VPS not asked
    # memory arrives in MB in use: 812 MB of web-1's 2048 MB is 39.6 %, in the shared name
    memory = [m for m in out.usage if m.metric == "memory_percent"
              and m.resource_id.startswith("9f1c")]
    assert [round(m.value, 1) for m in memory] == [39.6, 40.6]


async def test_statistics_failure_is_a_warning_not_an_incomplete_inventory(
        fake: BegetFake, make: Callable[..., BegetConnector], creds: BegetCredentials) -> None:
    from tests.support.faults import Fault
    fake.faults.add("/v1/vps/statistic/memory/", Fault(status=404, body='{"error": "NOT_FOUND"}'))
    out = await make().collect(creds, WINDOW)
    assert any(w.startswith("provider_error: statistic/memory/") for w in out.warnings)
    assert out.complete_inventory is True
    assert {m.metric for m in out.usage} == {"cpu_percent"}


async def test_jwt_expired_mid_sync_logs_in_again_once(
        fake: BegetFake, make: Callable[..., BegetConnector], creds: BegetCredentials) -> None:
    fake.revoke_on = "/v1/cloud"
    out = await make().collect(creds, WINDOW)
    assert fake.logins == 2
    assert {r.external_id for r in out.resources} >= {"svc-7d3a", "svc-s3a1"}
    assert not [w for w in out.warnings if not w.startswith("service_suspended")]


async def test_a_login_the_gateway_drops_once_is_retried(
        fake: BegetFake, make: Callable[..., BegetConnector], creds: BegetCredentials) -> None:
    # The v1 login goes through ProviderHttp: a 502 is retried, not taken for a refusal.
    fake.faults.add("/v1/auth", Fault(status=502, times=1))
    out = await make().collect(creds, WINDOW)
    assert fake.faults.count("/v1/auth") == 2
    assert fake.logins == 1
    assert not [w for w in out.warnings if w.startswith("cloud_login_refused")]
    assert len([r for r in out.resources if r.kind is ResourceKind.SERVER]) == 3


async def test_refused_cloud_login_keeps_hosting_data(
        fake: BegetFake, make: Callable[..., BegetConnector], creds: BegetCredentials) -> None:
    fake.login_error = "CODE_REQUIRED"
    out = await make().collect(creds, WINDOW)
    assert any(w.startswith("cloud_login_refused: v1:") and "CODE_REQUIRED" in w
               for w in out.warnings)
    assert not [r for r in out.resources if r.kind is ResourceKind.SERVER]
    assert {line.resource_id for line in out.cost_lines} == {"hosting:acme"}
    assert fake.faults.count("/v1/cloud") == 0  # one refusal is enough


async def test_separate_cloud_password_is_used_for_v1(
        fake: BegetFake, make: Callable[..., BegetConnector]) -> None:
    fake.cloud_password = "panel-pass"
    creds = BegetCredentials.model_validate(
        {"login": fake.login, "password": fake.password, "cloud_password": "panel-pass"})
    out = await make().collect(creds, WINDOW)
    assert len([r for r in out.resources if r.kind is ResourceKind.SERVER]) == 3


async def test_empty_account(fake: BegetFake, make: Callable[..., BegetConnector],
                             creds: BegetCredentials) -> None:
    fake.legacy = {f"{s}_getList": EMPTY_LIST for s in ("domain", "site", "mysql", "ftp")}
    fake.vps, fake.services = [], []
    out = await make().collect(creds, WINDOW)
    assert out.warnings == []
    assert out.complete_inventory is True
    assert [r.kind for r in out.resources] == [ResourceKind.HOSTING]
    assert len(out.cost_lines) == 3
    assert out.usage == []
