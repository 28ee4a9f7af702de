"""Cloud.ru collect against the loopback fake: consumption paging, inventory, fallbacks."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal

import pytest

from connectors.cloudru.connector import CloudRuConnector, CloudRuCredentials
from connectors.errors import NoPermission, ProviderError
from core.domain.collection import ResourceKind, ResourceStatus, Window
from tests.connectors.cloudru.fake import CloudRuFake
from tests.support.faults import Fault

WINDOW = Window(start=date(2025, 2, 1), end=date(2025, 2, 3))  # 1 and 2 February


async def test_costs_with_paging_and_two_projects(
        fake: CloudRuFake, make: Callable[..., CloudRuConnector],
        creds: CloudRuCredentials) -> None:
    out = await make().collect(creds, WINDOW)
    assert out.warnings == []
    query = fake.queries[0]
    assert query["projects"] == ["proj-prod", "proj-dev"]
    assert (query["start"], query["end"]) == ("2025-02-01", "2025-02-02")  # inclusive end
    assert fake.faults.count("/v2/consumption") == 3  # 5 rows, pages of 2
    assert len(out.cost_lines) == 5
    assert sum((x.billed_cost for x in out.cost_lines), Decimal(0)) == Decimal("102.66")
    ram = next(x for x in out.cost_lines if x.sku_id == "evo.compute.ram")
    assert ram.billed_cost == Decimal("24.90")
    assert ram.pricing_quantity == Decimal(96)
    assert ram.sub_account_name == "prod"
    assert ram.charge_period_start.isoformat() == "2025-02-01T00:00:00+00:00"
    assert out.account.display_name == "acme"


async def test_costs_without_vat_when_asked(make: Callable[..., CloudRuConnector],
                                           creds: CloudRuCredentials) -> None:
    out = await make(prices_with_vat=False).collect(creds, WINDOW)
    assert sum((x.billed_cost for x in out.cost_lines), Decimal(0)) == Decimal("85.55")


async def test_inventory_and_orphans(make: Callable[..., CloudRuConnector],
                                     creds: CloudRuCredentials) -> None:
    out = await make().collect(creds, WINDOW)
    assert out.complete_inventory is True
    by_id = {r.external_id: r for r in out.resources}
    servers = [r for r in out.resources if r.kind is ResourceKind.SERVER]
    assert {r.external_id for r in servers} == {"4f0c1111-vm-web", "5b5b-vm-batch",
                                               "6c6c-vm-api", "7a7a2222-vm-dev"}
    assert by_id["5b5b-vm-batch"].status is ResourceStatus.STOPPED
    assert by_id["4f0c1111-vm-web"].region == "ru.AZ-1"
    assert by_id["7a7a2222-vm-dev"].project == "proj-dev"
    assert by_id["fip-idle"].is_orphan is True
    assert by_id["fip-used"].is_orphan is False
    assert by_id["fip-used"].parent_external_id == "4f0c1111-vm-web"
    assert by_id["disk-orphan"].is_orphan is True
    assert by_id["disk-web-boot"].is_orphan is False


async def test_disk_list_forbidden_falls_back_to_vm_details(
        fake: CloudRuFake, make: Callable[..., CloudRuConnector],
        creds: CloudRuCredentials) -> None:
    fake.disks_forbidden = True
    out = await make().collect(creds, WINDOW)
    disks = {r.external_id: r for r in out.resources if r.kind is ResourceKind.VOLUME}
    assert set(disks) == {"disk-web-boot", "disk-batch-boot"}
    assert disks["disk-batch-boot"].parent_external_id == "5b5b-vm-batch"
    assert any(w.startswith("no_permission: disks/proj-prod:") for w in out.warnings)
    assert out.complete_inventory is False
    assert len(out.cost_lines) == 5


async def test_expired_token_is_refreshed_once(
        fake: CloudRuFake, make: Callable[..., CloudRuConnector],
        creds: CloudRuCredentials) -> None:
    fake.revoke_on = "/api/v1/floating-ips"
    out = await make().collect(creds, WINDOW)
    assert fake.exchanges == 2
    assert any(r.external_id == "fip-idle" for r in out.resources)


async def test_agreement_only_reads_costs_and_says_inventory_is_partial(
        fake: CloudRuFake, make: Callable[..., CloudRuConnector]) -> None:
    creds = CloudRuCredentials.model_validate(
        {"key_id": fake.key_id, "secret": fake.secret, "agreement_id": "agr-1"})
    out = await make().collect(creds, WINDOW)
    assert fake.queries[0]["agreement"] == "agr-1"
    assert len(out.cost_lines) == 5
    assert out.resources == []
    assert out.complete_inventory is False
    assert out.account.account_id == "agr-1"


async def test_unreadable_row_is_skipped_with_a_warning(
        fake: CloudRuFake, make: Callable[..., CloudRuConnector],
        creds: CloudRuCredentials) -> None:
    fake.rows[0] = {**fake.rows[0], "amount": "n/a", "amount_nds": None}
    out = await make().collect(creds, WINDOW)
    assert len(out.cost_lines) == 4
    assert any(w.startswith("unconfirmed_shape: consumption: 1 row(s) skipped")
               for w in out.warnings)


async def test_unexpected_inventory_shape_degrades_to_a_warning(
        fake: CloudRuFake, make: Callable[..., CloudRuConnector],
        creds: CloudRuCredentials) -> None:
    fake.vms = {"proj-prod": {"servers_v2": []}, "proj-dev": {"items": []}}
    out = await make().collect(creds, WINDOW)
    assert any(w.startswith("unconfirmed_shape: vms/proj-prod:") for w in out.warnings)
    assert out.complete_inventory is False
    assert len(out.cost_lines) == 5


async def test_items_key_is_configurable(
        fake: CloudRuFake, make: Callable[..., CloudRuConnector],
        creds: CloudRuCredentials) -> None:
    fake.vms = {"proj-prod": {"servers_v2": fake.vms["proj-prod"]["items"]},
                "proj-dev": {"servers_v2": []}}
    out = await make(items_keys=["servers_v2", "items"]).collect(creds, WINDOW)
    assert len([r for r in out.resources if r.kind is ResourceKind.SERVER]) == 3


async def test_billing_forbidden_fails_the_sync(
        fake: CloudRuFake, make: Callable[..., CloudRuConnector],
        creds: CloudRuCredentials) -> None:
    # The engine replaces the window's costs: an empty answer would erase the stored days.
    fake.faults.add("/v2/consumption", Fault(403, '{"message": "billing role required"}'))
    with pytest.raises(NoPermission, match="billing role required"):
        await make().collect(creds, WINDOW)


async def test_half_read_window_is_dropped(
        fake: CloudRuFake, make: Callable[..., CloudRuConnector],
        creds: CloudRuCredentials) -> None:
    # Page 1 arrives, page 2 is broken: the sync fails rather than store half a window.
    fake.faults.add("/v2/consumption", Fault(200, '{"consumptions": [', after=1, times=1))
    with pytest.raises(ProviderError, match="malformed JSON"):
        await make().collect(creds, WINDOW)


async def test_empty_account(fake: CloudRuFake, make: Callable[..., CloudRuConnector],
                             creds: CloudRuCredentials) -> None:
    fake.rows, fake.vms, fake.fips, fake.disks = [], {}, {}, {}
    out = await make().collect(creds, WINDOW)
    assert out.warnings == []
    assert out.resources == []
    assert out.cost_lines == []
    assert out.complete_inventory is True


async def test_inventory_lists_read_every_page(
        fake: CloudRuFake, make: Callable[..., CloudRuConnector],
        creds: CloudRuCredentials) -> None:
    # One item per page: proj-prod's 3 VMs, 2 floating IPs and 2 disks take 3, 2 and 2 pages.
    fake.inventory_page = 1
    out = await make().collect(creds, WINDOW)
    assert out.complete_inventory is True
    ids = {r.external_id for r in out.resources}
    assert {"4f0c1111-vm-web", "5b5b-vm-batch", "6c6c-vm-api", "7a7a2222-vm-dev", "fip-idle",
            "fip-used", "disk-orphan", "disk-web-boot"} <= ids
    vm_pages = [p for m, p in fake.faults.calls if p == "/api/v1/vms"]
    assert len(vm_pages) == 3 + 1  # proj-prod in three pages, proj-dev in one


async def test_a_bare_list_page_is_read_and_ends_the_paging(
        fake: CloudRuFake, make: Callable[..., CloudRuConnector],
        creds: CloudRuCredentials) -> None:
    fake.vms = {"proj-prod": fake.vms["proj-prod"]["items"], "proj-dev": []}
    out = await make().collect(creds, WINDOW)
    assert len([r for r in out.resources if r.kind is ResourceKind.SERVER]) == 3
    assert not any(w.startswith("unconfirmed_shape: vms/") for w in out.warnings)
