"""Yandex collect against the loopback fake: clouds/folders paging, orphans, export costs."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal

import pytest

from connectors.errors import InvalidInput, NoPermission
from connectors.yandex.connector import YandexConnector, YandexCredentials
from core.domain.collection import ResourceKind, ResourceStatus, Window
from tests.connectors.yandex.fake import YandexFake
from tests.support.faults import Fault

WINDOW = Window(start=date(2025, 6, 1), end=date(2025, 6, 3))


async def test_inventory_across_clouds_and_folders(
        fake: YandexFake, make: Callable[..., YandexConnector],
        oauth_creds: YandexCredentials) -> None:
    out = await make().collect(oauth_creds, WINDOW)
    assert out.account.account_id == "dn2abc0000000000000"  # the active account
    assert out.account.balance == Decimal("15320.35")
    assert out.warnings == []
    assert out.complete_inventory is True

    servers = {r.external_id: r for r in out.resources if r.kind is ResourceKind.SERVER}
    # web folder has 3 instances over two pages of 2; dev cloud contributes one more.
    assert set(servers) == {"fhm0b28lgfp4tkoa3jl6", "fhm1web2", "fhm1web3", "fhmdev1"}
    assert fake.faults.count("/compute/v1/instances") == 4  # web x2 pages, data, dev
    assert set(fake.page_sizes) == {"2"}
    web1 = servers["fhm0b28lgfp4tkoa3jl6"]
    assert web1.config["memory_gb"] == 4.0
    assert web1.config["cores"] == 2
    assert web1.project == "web"
    assert web1.tags == {"team": "core"}
    assert web1.region == "ru-central1-a"
    assert servers["fhm1web2"].status is ResourceStatus.STOPPED
    assert servers["fhm1web2"].created_at is not None
    assert servers["fhm1web2"].created_at.microsecond == 123456
    assert servers["fhm1web3"].status is ResourceStatus.ERROR
    assert servers["fhmdev1"].project == "sandbox"

    disks = {r.external_id: r for r in out.resources if r.kind is ResourceKind.VOLUME}
    assert disks["fhmdiskweb1"].is_orphan is False
    assert disks["fhmdiskweb1"].parent_external_id == "fhm0b28lgfp4tkoa3jl6"
    assert disks["fhmdiskold"].is_orphan is True
    assert disks["fhmdiskold"].config["size_gb"] == 100.0
    ips = {r.external_id: r for r in out.resources if r.kind is ResourceKind.FLOATING_IP}
    assert ips["e9bipidle"].is_orphan is True
    assert ips["e9bipused"].is_orphan is False


async def test_costs_from_the_signed_export_bucket(
        fake: YandexFake, make: Callable[..., YandexConnector],
        oauth_creds: YandexCredentials) -> None:
    out = await make().collect(oauth_creds, WINDOW)
    # The 2025-05-20 file is outside the window and never read; readme.txt is ignored.
    assert fake.faults.count("/acme-billing/yc-billing/2025-05-20.csv") == 0
    assert fake.faults.count("/acme-billing/yc-billing/2025-06-01.csv") == 1
    listings = fake.faults.count("/acme-billing") - fake.faults.count("/acme-billing/")
    assert listings == 2  # two ListObjectsV2 pages of two keys (4 keys)
    lines = out.cost_lines
    # 5 rows, two of them with a credit: as a file import stores them, each credit is its own
    # Credit line and the billed total is what the invoice shows (cost 252.27 + credit -15.75)
    assert len(lines) == 7
    assert sum((x.billed_cost for x in lines), Decimal(0)) == Decimal("236.52")
    assert sum((x.effective_cost or Decimal(0) for x in lines), Decimal(0)) == Decimal("236.52")
    credits = [x for x in lines if x.charge_category == "Credit"]
    assert sorted(x.billed_cost for x in credits) == [Decimal("-10.5"), Decimal("-5.25")]
    usage = [x for x in lines if x.charge_category == "Usage"]
    assert sum((x.billed_cost for x in usage), Decimal(0)) == Decimal("252.27")
    ram = next(x for x in usage if x.sku_id == "dn2ilq72mjc3bej6j74p")
    assert (ram.billed_cost, ram.effective_cost) == (Decimal("28.32"), Decimal("28.32"))
    ram_credit = next(x for x in credits if x.sku_id == "dn2ilq72mjc3bej6j74p")
    assert ram_credit.tags == {"team": "core"}
    assert ram_credit.resource_id == ram.resource_id
    assert ram.pricing_quantity == Decimal(96)
    assert ram.pricing_unit == "gbyte*hour"
    assert ram.service_category == "Compute"
    assert ram.sub_account_name == "prod/web"
    assert ram.tags == {"team": "core"}
    assert ram.charge_period_start.isoformat() == "2025-06-01T00:00:00+00:00"
    storage = next(x for x in lines if x.service_name == "Object Storage")
    assert storage.resource_id is None
    dev = next(x for x in lines if x.resource_id == "fhmdev1")
    assert dev.sub_account_name == "dev"  # deleted folder: empty folder_name
    assert dev.tags == {"env": "dev"}


async def test_service_account_jwt_is_verified_by_the_fake(
        fake: YandexFake, make: Callable[..., YandexConnector],
        sa_creds: YandexCredentials) -> None:
    info = await make().test(sa_creds)
    assert info.account_id == "dn2abc0000000000000"
    assert fake.exchanges == 1


async def test_expired_iam_token_is_refreshed_once(
        fake: YandexFake, make: Callable[..., YandexConnector],
        sa_creds: YandexCredentials) -> None:
    fake.revoke_on = "/compute/v1/disks"
    out = await make().collect(sa_creds, WINDOW)
    assert fake.exchanges == 2
    assert out.complete_inventory is True
    assert any(r.external_id == "fhmdiskold" for r in out.resources)


async def test_wrong_s3_secret_fails_the_sync_instead_of_erasing_costs(
        fake: YandexFake, make: Callable[..., YandexConnector]) -> None:
    creds = YandexCredentials.model_validate({
        "oauth_token": fake.oauth_token, "export_bucket": "acme-billing",
        "export_prefix": "yc-billing/", "export_access_key_id": "YCAJEFAKEKEYID",
        "export_secret_key": "not-the-secret"})
    with pytest.raises(NoPermission, match="SignatureDoesNotMatch"):
        await make().collect(creds, WINDOW)


async def test_unsigned_or_unknown_key_is_refused_by_the_fake(
        fake: YandexFake, make: Callable[..., YandexConnector],
        oauth_creds: YandexCredentials) -> None:
    creds = oauth_creds.model_copy(update={"export_access_key_id": "YCAJEUNKNOWN"})
    with pytest.raises(NoPermission, match="InvalidAccessKeyId"):
        await make().collect(creds, WINDOW)


async def test_broken_export_file_names_file_and_row(
        fake: YandexFake, make: Callable[..., YandexConnector],
        oauth_creds: YandexCredentials) -> None:
    good = fake.objects["yc-billing/2025-06-02.csv"].decode()
    fake.objects["yc-billing/2025-06-02.csv"] = good.replace(",105.6,", ",1O5.6,").encode()
    with pytest.raises(InvalidInput, match="2025-06-02.csv: row 2") as info:
        await make().collect(oauth_creds, WINDOW)
    assert info.value.column == "cost"


async def test_billing_without_permission_falls_back_to_the_cloud(
        fake: YandexFake, make: Callable[..., YandexConnector],
        oauth_creds: YandexCredentials) -> None:
    fake.faults.add("/billing/", Fault(403, '{"code": 7, "message": "Permission denied"}'))
    out = await make().collect(oauth_creds, WINDOW)
    assert out.account.account_id == "b1gprod000000000000"
    assert out.account.balance is None
    assert any(w.startswith("no_permission: billing:") and "Permission denied" in w
               for w in out.warnings)
    assert out.cost_lines  # the export still works


async def test_a_folder_we_may_not_list_is_a_warning(
        fake: YandexFake, make: Callable[..., YandexConnector],
        oauth_creds: YandexCredentials) -> None:
    fake.faults.add("/vpc/v1/addresses", Fault(status=403, body='{"code": 7, "message": "denied"}',
                                               times=1))
    out = await make().collect(oauth_creds, WINDOW)
    assert any(w.startswith("no_permission: addresses/b1gfolderweb0000000:") for w in out.warnings)
    assert out.complete_inventory is False
    assert not any(r.kind is ResourceKind.FLOATING_IP for r in out.resources)
    assert any(r.kind is ResourceKind.SERVER for r in out.resources)


async def test_explicit_billing_account(fake: YandexFake, make: Callable[..., YandexConnector],
                                        oauth_creds: YandexCredentials) -> None:
    creds = oauth_creds.model_copy(update={"billing_account_id": "dn2old0000000000000"})
    info = await make().test(creds)
    assert info.display_name == "old-billing"


async def test_empty_account(fake: YandexFake, make: Callable[..., YandexConnector]) -> None:
    fake.billing_accounts, fake.clouds, fake.objects = [], [], {}
    creds = YandexCredentials.model_validate({"oauth_token": fake.oauth_token})
    out = await make().collect(creds, WINDOW)
    assert out.account.account_id == "yandex"
    assert out.resources == []
    assert out.cost_lines == []
    assert [w.split(":")[0] for w in out.warnings] == ["export_not_configured"]


async def test_empty_export_bucket_says_so(
        fake: YandexFake, make: Callable[..., YandexConnector],
        oauth_creds: YandexCredentials) -> None:
    fake.objects = {}
    out = await make().collect(oauth_creds, WINDOW)
    assert any(w.startswith("export_missing:") for w in out.warnings)


async def test_cpu_utilisation_from_monitoring(
        fake: YandexFake, make: Callable[..., YandexConnector],
        oauth_creds: YandexCredentials) -> None:
    out = await make().collect(oauth_creds, WINDOW)
    # Only folders with instances are asked (web and dev, not data).
    assert [q["folder"] for q in fake.monitoring_queries] == ["b1gfolderweb0000000",
                                                             "b1gfolderdev0000000"]
    query = fake.monitoring_queries[0]
    assert '"cpu_usage"' in query["query"]
    assert (query["fromTime"], query["toTime"]) == ("2025-06-01T00:00:00Z",
                                                    "2025-06-03T00:00:00Z")
    by_vm: dict[str, list[float]] = {}
    for sample in out.usage:
        by_vm.setdefault(sample.resource_id, []).append(sample.value)
    # `resource_id` label is the VM name when set ("web-1") or its id; gaps and unknown skipped.
    assert by_vm == {"fhm0b28lgfp4tkoa3jl6": [12.5, 40.0], "fhm1web3": [99.0]}
    first = min(s.timestamp for s in out.usage)
    assert first.isoformat() == "2025-06-01T00:00:00+00:00"


async def test_monitoring_denied_is_a_warning_only(
        fake: YandexFake, make: Callable[..., YandexConnector],
        oauth_creds: YandexCredentials) -> None:
    fake.faults.add("/monitoring/", Fault(403, '{"code": 7, "message": "monitoring.viewer"}'))
    out = await make().collect(oauth_creds, WINDOW)
    assert any(w.startswith("no_permission: monitoring/") for w in out.warnings)
    assert out.complete_inventory is True
    assert out.usage == []
