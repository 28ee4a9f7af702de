"""Selectel, billing-first, against the loopback fake: costs, grouping, zombies, orphans."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from connectors.selectel.connector import SelectelConnector
from core.domain.collection import Collection, ResourceKind, ResourceStatus, Window
from tests.connectors.openstack.fake import Fault
from tests.connectors.rigs import SELECTEL_CREDS
from tests.connectors.selectel.fake import SelectelFake

WINDOW = Window(date(2026, 11, 19), date(2026, 11, 22))  # the 21st is after "today"


async def _collect(make: Callable[..., SelectelConnector], **options: Any) -> Collection:
    connector = make(**options)
    return await connector.collect(connector.parse_credentials(SELECTEL_CREDS), WINDOW)


@pytest.fixture
async def result(make: Callable[..., SelectelConnector]) -> Collection:
    return await _collect(make)


def _by_id(collection: Collection) -> dict[str, Any]:
    return {r.external_id: r for r in collection.resources}


async def test_daily_costs_are_the_billing_sums_in_rubles(result: Collection,
                                                          fake: SelectelFake) -> None:
    per_day: dict[date, Decimal] = defaultdict(Decimal)
    for line in result.cost_lines:
        per_day[line.charge_period_start.date()] += line.billed_cost
    # per hour 758 kopecks (+60 for app-3 on the 19th only); two billed hours a day
    assert per_day == {date(2026, 11, 19): Decimal("16.36"), date(2026, 11, 20): Decimal("15.16")}
    assert {line.billing_currency for line in result.cost_lines} == {"RUB"}
    # one request per day up to today, hourly, the documented grouping
    assert sorted(q["start"][0] for q in fake.consumption_queries) == ["2026-11-19T00:00:00",
                                                                 "2026-11-20T00:00:00"]
    assert fake.consumption_queries[0]["group_type"] == ["project_object_region_metric"]
    assert fake.consumption_queries[0]["period_group_type"] == ["hour"]


async def test_vm_and_its_disks_are_one_resource(result: Collection) -> None:
    web1 = _by_id(result)["srv-web-1"]
    assert [v["id"] for v in web1.config["volumes"]] == ["vol-w1-boot", "vol-w1-data"]
    assert [v["tier"] for v in web1.config["volumes"]] == ["universal", "fast"]
    # 120 + 80 (vCPU, RAM) + 30 + 40 (disks) kopecks in the latest hour
    assert web1.config["hourly_rate"] == "2.70"
    assert web1.daily_cost == Decimal("64.80")
    ids = set(_by_id(result))
    assert not ids & {"vol-w1-boot", "vol-w1-data", "vol-db1", "vol-old-disk"}
    disk_lines = [x for x in result.cost_lines if x.sku_id == "volume_gigabytes_universal"
                  and x.sub_account_id == "p-prod"]
    assert {x.resource_id for x in disk_lines} == {"srv-web-1"}
    assert disk_lines[0].charge_description == "disk-for-web-1-#1"
    assert disk_lines[0].resource_name == "web-1"


async def test_disk_for_naming_convention_groups_a_detached_boot_disk(result) -> None:
    db1 = _by_id(result)["srv-db-1"]
    assert [v["id"] for v in db1.config["volumes"]] == ["vol-db1"]
    assert db1.daily_cost == Decimal("1.20")
    assert db1.status is ResourceStatus.STOPPED
    assert not db1.is_orphan


async def test_statuses_are_normalised(result) -> None:
    by_id = _by_id(result)
    assert by_id["srv-web-1"].status is ResourceStatus.RUNNING
    assert by_id["srv-app-3"].status is ResourceStatus.STOPPED  # Selectel's `reserved`
    assert by_id["srv-app-3"].daily_cost == Decimal(0)  # not billed in the latest hour
    assert by_id["srv-app-3"].region == "ru-3"


async def test_orphans(result) -> None:
    by_id = _by_id(result)
    orphans = {r.external_id for r in result.resources if r.is_orphan}
    assert orphans == {"vol-orphan", "fip-2"}
    volume = by_id["vol-orphan"]
    assert volume.kind is ResourceKind.VOLUME
    assert volume.config["tier"] == "fast"
    assert volume.config["hourly_rate_per_gb"] == "0.020000"  # 1.00 ₽/h over 50 GB
    assert volume.daily_cost == Decimal("24.00")
    assert by_id["fip-1"].parent_external_id == "srv-web-1"
    assert not by_id["fip-1"].is_orphan


async def test_a_volume_billing_does_not_name_yet_is_priced_by_its_tier(make, fake) -> None:
    fake.data["p-prod/ru-1"]["volumes"].append({
        "id": "vol-new", "name": "fresh", "size": 10, "volume_type": "fast.ru-1a",
        "status": "available", "attachments": []})
    result = await _collect(make)
    new = _by_id(result)["vol-new"]
    # fast disks cost 40/20, 100/50 and 60/30 kopecks per GB-hour = 0.02 ₽; 10 GB → 0.20 ₽/h
    assert new.config["rate_source"] == "tier"
    assert new.config["hourly_rate_per_gb"] == "0.020000"
    assert new.daily_cost == Decimal("4.80")
    assert new.is_orphan
    assert not [x for x in result.cost_lines if x.resource_id == "vol-new"]  # no invented cost


async def test_billed_but_not_listed_is_a_zombie(result) -> None:
    by_id = _by_id(result)
    old = by_id["srv-old"]
    assert old.is_zombie
    assert old.kind is ResourceKind.SERVER
    assert old.status is ResourceStatus.DELETED
    assert old.daily_cost == Decimal("14.40")  # (50 + 10) kopecks an hour
    assert [v["id"] for v in old.config["volumes"]] == ["vol-old-disk"]
    assert by_id["fip-gone"].is_zombie
    assert by_id["fip-gone"].kind is ResourceKind.FLOATING_IP
    zombies = {r.external_id for r in result.resources if r.is_zombie}
    assert zombies == {"srv-old", "fip-gone", "vol-st3"}


async def test_an_unreadable_region_makes_no_zombies(make, fake: SelectelFake) -> None:
    fake.fail("/ru-3/volume/", Fault(status=500))
    result = await _collect(make)
    st3 = _by_id(result)["vol-st3"]
    assert not st3.is_zombie
    assert st3.status is ResourceStatus.UNKNOWN
    assert st3.config["inventory"] == "unavailable"
    assert not result.complete_inventory
    assert any("stage/ru-3: volumes not read (provider_error" in w for w in result.warnings)
    # the rest still synced, costs unchanged
    assert "srv-web-1" in _by_id(result)
    assert sum(x.billed_cost for x in result.cost_lines) == Decimal("31.52")


async def test_readable_region_makes_the_billed_volume_a_zombie(result) -> None:
    st3 = _by_id(result)["vol-st3"]
    assert st3.is_zombie
    assert st3.region == "ru-3"


async def test_products_openstack_does_not_list_are_resources_of_their_kind(result) -> None:
    """DBaaS and S3 rows used to land in "unrecognized" every sync; now the bill is their
    inventory: a database and a bucket with their own cost, running while billed."""
    assert result.unrecognized == []
    by_id = _by_id(result)
    pg, bucket = by_id["pg-main"], by_id["bucket-logs"]
    assert (pg.kind, bucket.kind) == (ResourceKind.DATABASE, ResourceKind.BUCKET)
    assert pg.service_name == "Managed Databases"
    assert bucket.service_name == "Object Storage"
    assert not pg.is_zombie
    assert not bucket.is_zombie
    assert pg.config["inventory"] == "billing"
    assert any(x.resource_id == "pg-main" and x.service_category == "Databases"
               and x.resource_type == "database" for x in result.cost_lines)


async def test_balance_in_rubles_and_days_to_block(result) -> None:
    assert result.account.balance == Decimal("15365.50")  # 1 534 000 + 2 550 kopecks
    assert result.account.days_to_block == 7  # 180 hours
    assert result.account.currency == "RUB"
    assert result.account.account_id == "123456"


async def test_project_scoped_tokens_and_catalog_regions(result, fake: SelectelFake) -> None:
    scopes = [b["auth"]["scope"] for b in fake.token_bodies]
    assert {"domain": {"name": "123456"}} in scopes
    assert {"project": {"id": "p-prod"}} in scopes
    assert {"project": {"id": "p-stage"}} in scopes
    assert fake.count("/ru-3/compute/v2.1/servers/detail") == 2
    assert result.warnings == []


async def test_without_catalog_regions_billing_names_the_regions(make, fake) -> None:
    fake.services = ()
    result = await _collect(make)
    assert any("prod: the catalog lists no regional services; trying ru-1, ru-3" in w
               for w in result.warnings)
    assert "srv-web-1" in _by_id(result)
    assert fake.count("/ru-1/compute/v2.1/servers/detail") == 2


async def test_empty_account(make, fake) -> None:
    fake.consumption.clear()
    fake.billing_projects.clear()
    result = await _collect(make)
    assert result.resources == []
    assert result.cost_lines == []
    assert result.unrecognized == []
    assert result.account.balance == Decimal("15365.50")


async def test_no_billing_rows_leaves_costs_unknown_not_zero(make, fake) -> None:
    fake.consumption.clear()
    result = await _collect(make)
    web1 = _by_id(result)["srv-web-1"]
    assert web1.daily_cost is None
    assert {r.external_id for r in result.resources if r.is_zombie} == set()
