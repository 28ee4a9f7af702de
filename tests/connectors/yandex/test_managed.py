"""Yandex inventory beyond VMs, disks and addresses: managed databases, Kubernetes clusters and
node groups, load balancers, snapshots and images become resources whose ids the detailed
export names, so their cost lines link to them instead of landing in "unrecognized"."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from sqlalchemy.ext.asyncio import AsyncEngine

from connectors.yandex.connector import YandexConnector, YandexCredentials
from core.domain.collection import ResourceKind, ResourceStatus, Window
from core.security.vault import Vault
from tests.connectors.applied import apply_and_read
from tests.connectors.yandex.fake import YandexFake, fixture

WINDOW = Window(start=date(2025, 6, 1), end=date(2025, 6, 4))
HEADER = ("billing_account_id,billing_account_name,cloud_id,cloud_name,folder_id,folder_name,"
          "resource_id,service_id,service_name,sku_id,sku_name,date,currency,pricing_quantity,"
          "pricing_unit,cost,credit,monetary_grant_credit,volume_incentive_credit,cud_credit,"
          "misc_credit,locale,updated_at,exported_at")
LINES = (  # resource id, service, SKU name, cost — one day of these products
    ("c9q8ml1ktq7s1tqn8cj5", "Managed Service for PostgreSQL", "PostgreSQL. 100% vCPU",
     "191.52"),
    ("catk8s0000000000000", "Managed Service for Kubernetes", "Zonal master", "220.80"),
    ("enpnlb0000000000000", "Network Load Balancer", "Network Load Balancer. Hour", "36.48"),
    ("fd8snap000000000000", "Compute Cloud", "Snapshot. Storage", "1.07"),
)


def _export(day: date) -> bytes:
    rows = [HEADER] + [
        f"dn2abc0000000000000,acme-billing,b1gprod000000000000,prod,b1gfolderdata000000,data,"
        f"{rid},svc,{service},sku-{i},{sku},{day.isoformat()},RUB,24,hour,{cost},0,0,0,0,0,en,"
        f"1748908800,1748912400" for i, (rid, service, sku, cost) in enumerate(LINES)]
    return ("\n".join(rows) + "\n").encode()


async def test_managed_products_are_resources_of_their_kind(
        fake: YandexFake, make: Callable[..., YandexConnector],
        oauth_creds: YandexCredentials) -> None:
    fake.managed = {k: v for k, v in fixture("managed").items() if k.startswith("/")}
    out = await make().collect(oauth_creds, WINDOW)
    by_id = {r.external_id: r for r in out.resources}
    assert {k: by_id[k].kind for k in (
        "c9q8ml1ktq7s1tqn8cj5", "c9qredis00000000000", "catk8s0000000000000",
        "catng00000000000000", "enpnlb0000000000000", "ds7alb0000000000000",
        "fd8snap000000000000", "fd8img0000000000000")} == {
        "c9q8ml1ktq7s1tqn8cj5": ResourceKind.DATABASE,
        "c9qredis00000000000": ResourceKind.DATABASE,
        "catk8s0000000000000": ResourceKind.KUBERNETES,
        "catng00000000000000": ResourceKind.KUBERNETES,
        "enpnlb0000000000000": ResourceKind.LOAD_BALANCER,
        "ds7alb0000000000000": ResourceKind.LOAD_BALANCER,
        "fd8snap000000000000": ResourceKind.SNAPSHOT, "fd8img0000000000000": ResourceKind.SNAPSHOT}
    assert by_id["c9qredis00000000000"].status is ResourceStatus.STOPPED
    assert by_id["catng00000000000000"].parent_external_id == "catk8s0000000000000"
    assert by_id["fd8snap000000000000"].config["size_gb"] == 4.0
    assert by_id["c9q8ml1ktq7s1tqn8cj5"].service_name == "Managed Service for PostgreSQL"
    assert out.warnings == []


async def test_their_billing_lines_link_instead_of_being_unrecognized(
        fake: YandexFake, make: Callable[..., YandexConnector], oauth_creds: YandexCredentials,
        sqlite_engine: AsyncEngine, vault: Vault) -> None:
    fake.objects["yc-billing/2025-06-03.csv"] = _export(date(2025, 6, 3))
    before = await make(managed=False).collect(oauth_creds, WINDOW)
    fake.managed = {k: v for k, v in fixture("managed").items() if k.startswith("/")}
    after = await make().collect(oauth_creds, WINDOW)
    stored_before = await apply_and_read(sqlite_engine, vault, "yandex", before, WINDOW)
    stored_after = await apply_and_read(sqlite_engine, vault, "yandex", after, WINDOW)
    # the same 449.87 ₽ of managed products: four unrecognized items before, none after
    assert stored_before.cost_total == stored_after.cost_total
    assert stored_before.unrecognized == 4
    assert stored_after.unrecognized == 0
