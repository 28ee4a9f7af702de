"""Pure rules of the Selectel connector: metric table, zones, disk names, statuses, money."""

from __future__ import annotations

from decimal import Decimal

import pytest

from connectors.openstack.status import normalise_status
from connectors.selectel.account import days_to_block, funds
from connectors.selectel.grouping import vm_name_from_disk
from connectors.selectel.metrics import classify, region_of, tier_of
from core.domain.collection import ResourceKind, ResourceStatus


@pytest.mark.parametrize(("metric", "kind", "inventoried"), [
    ("compute_cores_preemptible", ResourceKind.SERVER, True),
    ("volume_gigabytes_universal", ResourceKind.VOLUME, True),
    ("network_floatingips", ResourceKind.FLOATING_IP, True),
    ("network_traffic_outbound", ResourceKind.NETWORK, False),
    ("share_gigabytes_basic", ResourceKind.FILE_STORAGE, False),
    ("dbaas_postgresql_cores", ResourceKind.DATABASE, False),
    ("mks_cluster_regional", ResourceKind.KUBERNETES, False),
    ("craas_storage", ResourceKind.CONTAINER_REGISTRY, False),
    ("s3_storage_standard", ResourceKind.BUCKET, False),
    ("load_balancers_basic", ResourceKind.LOAD_BALANCER, False),
    ("backup_storage", ResourceKind.BACKUP, False),
    ("license_windows_2019", ResourceKind.OTHER, False),
])
def test_metric_table(metric: str, kind: ResourceKind, inventoried: bool) -> None:
    assert classify(metric).kind is kind
    assert classify(metric).inventoried is inventoried


@pytest.mark.parametrize(("zone", "region"), [("ru-3b", "ru-3"), ("ru-1", "ru-1"),
                                              ("ru-9a", "ru-9"), (None, None)])
def test_zone_to_region(zone: str | None, region: str | None) -> None:
    assert region_of(zone) == region


def test_tier() -> None:
    assert tier_of("fast.ru-3b") == "fast"
    assert tier_of(None, "volume_gigabytes_universal") == "universal"
    assert tier_of(None) is None


@pytest.mark.parametrize(("name", "vm"), [("disk-for-web-1-#1", "web-1"),
                                          ("disk-for-db", "db"), ("data-web-1", None),
                                          (None, None)])
def test_disk_for_names(name: str | None, vm: str | None) -> None:
    assert vm_name_from_disk(name) == vm


@pytest.mark.parametrize(("kind", "raw", "status"), [
    (ResourceKind.SERVER, "ACTIVE", ResourceStatus.RUNNING),
    (ResourceKind.SERVER, "SHUTOFF", ResourceStatus.STOPPED),
    (ResourceKind.SERVER, "reserved", ResourceStatus.STOPPED),
    (ResourceKind.SERVER, "BUILD", ResourceStatus.PENDING),
    (ResourceKind.SERVER, "ERROR", ResourceStatus.ERROR),
    (ResourceKind.SERVER, "SOFT_DELETED", ResourceStatus.DELETED),
    (ResourceKind.SERVER, "SOMETHING_NEW", ResourceStatus.UNKNOWN),
    (ResourceKind.VOLUME, "available", ResourceStatus.RUNNING),
    (ResourceKind.VOLUME, "error_deleting", ResourceStatus.ERROR),
    (ResourceKind.FLOATING_IP, "DOWN", ResourceStatus.STOPPED),
    (ResourceKind.SERVER, None, ResourceStatus.UNKNOWN),
])
def test_status_table(kind: ResourceKind, raw: str | None, status: ResourceStatus) -> None:
    assert normalise_status(kind, raw) is status


def test_kopecks_become_rubles_exactly() -> None:
    assert funds({"billings": [{"final_sum": 1534001, "debt_sum": 5}]}) == (
        Decimal("15340.01"), Decimal("0.05"))
    assert funds({}) == (None, Decimal(0))


def test_prediction_hours_to_days() -> None:
    assert days_to_block({"primary": 250, "vpc": 47, "storage": None}) == 1
    assert days_to_block({"primary": None}) is None
