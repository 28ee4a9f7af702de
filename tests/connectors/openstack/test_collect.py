"""OpenStack happy paths against the loopback fake: projects, regions, paging, orphans, rating."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from datetime import date
from decimal import Decimal
from typing import Any

import httpx

from connectors.openstack.connector import OpenStackConnector
from core.domain.collection import Collection, ResourceKind, ResourceStatus, Window
from tests.connectors.openstack.fake import Fault, OpenStackFake
from tests.connectors.rigs import FAST, OPENSTACK_CREDS

WINDOW = Window(date(2026, 11, 18), date(2026, 11, 22))  # the 21st is after "today"


async def _collect(make: Callable[..., OpenStackConnector], **options: Any) -> Collection:
    connector = make(**options)
    return await connector.collect(connector.parse_credentials(OPENSTACK_CREDS), WINDOW)


async def test_every_visible_project_and_region_is_collected(make, fake: OpenStackFake) -> None:
    result = await _collect(make)

    by_id = {r.external_id: r for r in result.resources}
    assert len(by_id) == 13
    assert "srv-archived" not in by_id  # disabled project skipped
    assert by_id["srv-app-2"].region == "RegionTwo"
    assert by_id["vol-stage"].project == "stage"
    assert result.warnings == []
    assert result.complete_inventory
    # four servers at two per page: two pages; every project got its own scoped token
    assert fake.count("/RegionOne/compute/v2.1/servers/detail") == 3  # 2 pages prod + 1 stage
    scopes = [b["auth"].get("scope") for b in fake.token_bodies]
    assert None in scopes
    assert {"project": {"id": "p-prod"}} in scopes
    assert {"project": {"id": "p-stage"}} in scopes
    assert {"project": {"id": "p-old"}} not in scopes


async def test_servers_volumes_and_ips_are_described(make) -> None:
    result = await _collect(make)
    by_id = {r.external_id: r for r in result.resources}

    web1 = by_id["srv-web-1"]
    assert web1.kind is ResourceKind.SERVER
    assert web1.status is ResourceStatus.RUNNING
    assert web1.config["flavor"] == "m1.small"
    assert web1.config["volumes"] == ["vol-web-1"]
    assert web1.tags == {"team": "core"}
    # pre-2.47 flavor id resolved through /flavors/detail; a deleted flavor keeps the server
    assert by_id["srv-db-1"].config["flavor"] == "m1.small"
    assert by_id["srv-db-1"].status is ResourceStatus.STOPPED
    assert by_id["srv-legacy"].config["flavor"] is None
    assert by_id["vol-web-1"].parent_external_id == "srv-web-1"
    assert by_id["fip-1"].parent_external_id == "srv-web-1"


async def test_orphans_are_flagged_with_a_reason(make) -> None:
    result = await _collect(make)
    orphans = {r.external_id: r.config["orphan_reason"] for r in result.resources if r.is_orphan}
    assert orphans == {"vol-orphan": "unattached", "fip-2": "no_port",
                       "snap-old": "old_snapshot", "snap-gone": "source_volume_deleted"}


async def test_snapshot_age_threshold_is_an_option(make) -> None:
    result = await _collect(make, snapshot_max_age_days=3)
    old = {r.external_id for r in result.resources if r.config.get("old_snapshot")}
    assert old == {"snap-old", "snap-new", "snap-gone"}


async def test_rating_matches_hand_computed_daily_totals(make) -> None:
    result = await _collect(make)

    per_day: dict[date, Decimal] = defaultdict(Decimal)
    for line in result.cost_lines:
        per_day[line.charge_period_start.date()] += line.billed_cost
    # day 18: web-1 60 + web-2 (4 vCPU·24 + 8 GB·0.5·24 = 192) + vol-web-1 50·12/30 = 20
    # + vol-orphan 100·6/30 = 20 + 3 snapshots 10·3/30 = 3 + 2 IPs 150/30 = 10 + vol-stage 8
    assert per_day == {date(2026, 11, 18): Decimal(313), date(2026, 11, 19): Decimal(373),
                       date(2026, 11, 20): Decimal(373)}  # app-2 exists from the 19th
    by_id = {r.external_id: r for r in result.resources}
    assert by_id["srv-web-2"].daily_cost == Decimal(192)
    assert by_id["srv-db-1"].daily_cost is None  # SHUTOFF is not billed by default
    assert result.account.daily_rate == Decimal(373)
    line = next(x for x in result.cost_lines if x.resource_id == "vol-web-1")
    assert (line.sku_id, line.pricing_quantity, line.pricing_unit) == ("volume:fast-ssd",
                                                                       Decimal(50), "GB")
    assert line.service_category == "Storage"
    assert line.sub_account_id == "p-prod"
    assert line.provider_name == "OpenStack"


async def test_without_a_price_list_resources_sync_and_a_warning_says_why(
        client: httpx.AsyncClient, base_url: str) -> None:
    connector = OpenStackConnector(client, endpoint=f"{base_url}/identity/v3", retry=FAST)
    result = await connector.collect(connector.parse_credentials(OPENSTACK_CREDS), WINDOW)
    assert len(result.resources) == 13
    assert result.cost_lines == []
    assert any("no price list" in w for w in result.warnings)


async def test_price_list_can_come_from_the_credentials(client, base_url) -> None:
    connector = OpenStackConnector(client, endpoint=f"{base_url}/identity/v3", retry=FAST)
    creds = connector.parse_credentials({**OPENSTACK_CREDS, "price_list": {
        "floating_ip": {"price": "300", "per": "month"}}})
    result = await connector.collect(creds, Window(date(2026, 11, 1), date(2026, 11, 2)))
    assert sum(line.billed_cost for line in result.cost_lines) == Decimal(20)


async def test_one_failing_region_service_is_a_warning_and_the_rest_syncs(
        make, fake: OpenStackFake) -> None:
    fake.fail("/RegionTwo/volume/", Fault(status=500))
    fake.missing.add(("RegionTwo", "network"))
    result = await _collect(make)

    ids = {r.external_id for r in result.resources}
    assert "srv-app-2" in ids
    assert "srv-web-1" in ids
    assert "vol-stage" not in ids
    assert not result.complete_inventory
    assert any("prod/RegionTwo: volumes not read (provider_error" in w for w in result.warnings)
    assert any("stage/RegionTwo: no network endpoint" in w for w in result.warnings)


async def test_application_credentials_collect_their_own_project(make, fake) -> None:
    fake.app_credentials["ac-1"] = ("ac-secret", "p-stage")
    connector = make()
    creds = connector.parse_credentials({"application_credential_id": "ac-1",
                                         "application_credential_secret": "ac-secret"})
    result = await connector.collect(creds, WINDOW)
    assert {r.external_id for r in result.resources} == {"vol-stage"}
    assert fake.count("/identity/v3/auth/projects") == 0


async def test_region_filter_and_endpoint_override(make, fake, base_url) -> None:
    connector = make(endpoints={"compute": f"{base_url}/RegionTwo/compute/v2.1"})
    creds = connector.parse_credentials({**OPENSTACK_CREDS, "region": "RegionOne"})
    result = await connector.collect(creds, WINDOW)
    regions = {r.region for r in result.resources}
    assert regions == {"RegionOne"}
    # the compute override wins over the catalog: RegionTwo's server, labelled RegionOne
    assert "srv-app-2" in {r.external_id for r in result.resources}
    assert "srv-web-1" not in {r.external_id for r in result.resources}


async def test_test_returns_account_info(make) -> None:
    connector = make()
    info = await connector.test(connector.parse_credentials(OPENSTACK_CREDS))
    assert info.account_id == "ee4dfb6e5540447cb3741905149d9b6e"
    assert info.display_name == "finops@127.0.0.1"
    assert info.extra["projects"] == ["prod", "stage"]

