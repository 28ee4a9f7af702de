"""Selectel, billing-first: the consumption API is the truth for cost; OpenStack enriches it.

What is collected, from where and what is not: connectors/selectel/SUPPORT.md; response shapes
not publicly documented: connectors/selectel/NOTES.md. Warnings are short English technical
text (provider words included), not translated.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime, time, timedelta
from functools import partial
from typing import Any, ClassVar

from pydantic import Field, SecretStr

from connectors.base import Credentials
from connectors.collecting import gather_limited
from connectors.errors import ConnectorError
from connectors.openstack.auth import KeystoneSession
from connectors.openstack.base import KeystoneConnector
from connectors.openstack.client import (
    COMPUTE_TYPES,
    NETWORK_TYPES,
    VOLUME_TYPES,
    Endpoints,
)
from connectors.openstack.inventory import RegionInventory, fetch_region
from connectors.openstack.models import Project, Server
from connectors.selectel.account import account_info
from connectors.selectel.billing import Bill
from connectors.selectel.client import DEFAULT_PROVIDER_KEYS, SelectelBillingClient
from connectors.selectel.grouping import Owners
from connectors.selectel.metrics import region_of
from connectors.selectel.models import ConsumptionRow
from connectors.selectel.prices import price_list
from connectors.selectel.resources import merge
from connectors.selectel.usage import server_usage
from core.domain.collection import AccountInfo, Collection, UsageMetric, Window
from core.domain.prices import PriceList

__all__ = ["FALLBACK_REGIONS", "SelectelConnector", "SelectelCredentials"]

IDENTITY_URL = "https://cloud.api.selcloud.ru/identity/v3"
REGION_URL = "https://{region}.cloud.api.selcloud.ru"
FALLBACK_REGIONS = ("ru-1", "ru-2", "ru-3", "ru-7", "ru-8", "ru-9")
_HIDDEN: dict[str, Any] = {"wizard": False}
_SERVICES = ("servers", "volumes", "ports", "floating_ips")
METRIC_TYPES = ("metric",)
FETCH_PRICES = "fetch_prices"  # set by core's price-list cache (daily); default: read it
USAGE_DAYS = 14  # what the recommendation rules look at


class SelectelCredentials(Credentials):
    """A service user of the account (role: billing reader + project reader)."""

    account_id: str = Field(description="account number shown in the control panel")
    username: str = Field(description="service user name")
    password: SecretStr
    identity_url: str | None = Field(default=None, json_schema_extra=_HIDDEN)
    regions: list[str] | None = Field(default=None, json_schema_extra=_HIDDEN)


class SelectelConnector(KeystoneConnector[SelectelCredentials]):
    kind: ClassVar[str] = "selectel"
    display_name: ClassVar[str] = "Selectel"
    credentials_model: ClassVar[type[SelectelCredentials]] = SelectelCredentials
    has_balance: ClassVar[bool] = True
    default_endpoint: ClassVar[str] = "https://api.selectel.ru"

    def account_session(self, creds: SelectelCredentials) -> KeystoneSession:
        identity = {"methods": ["password"], "password": {"user": {
            "name": creds.username, "domain": {"name": creds.account_id},
            "password": creds.password.get_secret_value()}}}
        url = self.options.get("identity_url") or creds.identity_url or IDENTITY_URL
        return KeystoneSession(self.http, url, identity, {"domain": {"name": creds.account_id}},
                               clock=self.clock.now)

    def billing(self, session: KeystoneSession) -> SelectelBillingClient:
        return SelectelBillingClient(self.http, self.endpoint, session.auth(),
                                     locale=str(self.options.get("locale", "ru")))

    async def test(self, creds: SelectelCredentials) -> AccountInfo:
        session = self.account_session(creds)
        return await account_info(self.billing(session), creds.account_id, warnings=None)

    async def collect(self, creds: SelectelCredentials, window: Window) -> Collection:
        session = self.account_session(creds)
        billing = self.billing(session)
        warnings: list[str] = []
        account = await account_info(billing, creds.account_id, warnings=warnings)
        keys = tuple(self.options.get("provider_keys") or DEFAULT_PROVIDER_KEYS)
        today = self.clock.now().date()
        days = [d for d in window.days() if d <= today]
        projects = {p.id: p.name for p in await billing.projects(keys)}
        rows = await self._consumption(billing, days, keys)
        for row in rows:
            if row.project is not None:
                projects.setdefault(row.project.id, row.project.name)
        metric_urls: dict[tuple[str, str], tuple[str, KeystoneSession]] = {}
        groups = await gather_limited(self.concurrency, (
            partial(self._inventory, session, Project(id=pid, name=name), rows, creds, warnings,
                    metric_urls)
            for pid, name in sorted(projects.items())))
        inventories = [inv for group in groups for inv in group]
        bill = Bill.of(rows)
        owners = Owners.build(inventories, bill.rows)
        merged = merge(inventories, bill, owners)
        collection = Collection(account=account, resources=merged.resources,
                                unrecognized=merged.unrecognized, warnings=warnings)
        collection.cost_lines = bill.cost_lines(owners, merged.names, merged.kinds, set(days))
        if self.options.get(FETCH_PRICES, True):
            collection.prices = await self._prices(billing, warnings)
        if self.options.get("utilisation", True):
            collection.usage = await self._usage(inventories, metric_urls, window, warnings)
        for inv in inventories:
            collection.warnings.extend(inv.warnings)
            if not inv.complete:
                collection.complete_inventory = False
        return collection

    async def _prices(self, billing: SelectelBillingClient,
                      warnings: list[str]) -> PriceList | None:
        """The published price list; without it rules fall back to the cached or built-in one."""
        try:
            return price_list(await billing.prices(), self.clock.now())
        except ConnectorError as exc:
            warnings.append(f"price list not read ({exc.code}: {exc.detail or exc.code})")
            return None

    async def _usage(self, inventories: list[RegionInventory],
                     metric_urls: dict[tuple[str, str], tuple[str, KeystoneSession]],
                     window: Window, warnings: list[str]) -> list[UsageMetric]:
        """Hourly CPU % and memory % of running servers over the last `usage_days` (14)."""
        now = self.clock.now()
        stop = min(now, datetime.combine(window.end, time(), UTC))
        start = max(datetime.combine(window.start, time(), UTC),
                    stop - timedelta(days=int(self.options.get("usage_days", USAGE_DAYS))))
        calls = []
        for inv in inventories:
            found = metric_urls.get((inv.project.id, inv.region))
            if found is None:
                continue
            url, scoped = found
            for server in inv.servers or []:
                if server.status.upper() == "ACTIVE":
                    calls.append(partial(self._server_usage, scoped, url, inv, server, start,
                                         stop, warnings))
        chunks = await gather_limited(self.concurrency, calls)
        return [sample for chunk in chunks for sample in chunk]

    async def _server_usage(self, session: KeystoneSession, url: str, inv: RegionInventory,
                            server: Server, start: datetime, stop: datetime,
                            warnings: list[str]) -> list[UsageMetric]:
        try:
            return await server_usage(self.http, session.auth(), url, server, inv.flavors,
                                      start, stop)
        except ConnectorError as exc:
            warnings.append(f"{inv.project.name or inv.project.id}/{inv.region}: utilisation "
                            f"of {server.name or server.id} not read ({exc.code})")
            return []

    async def _consumption(self, billing: SelectelBillingClient, days: list[date],
                           keys: tuple[str, ...]) -> list[ConsumptionRow]:
        """Every hour of every day; billing is the truth, so a failed day fails the sync."""
        chunks = await gather_limited(self.concurrency,
                                      (partial(billing.consumption, d, keys) for d in days))
        return [row for chunk in chunks for row in chunk]

    async def _inventory(self, root: KeystoneSession, project: Project,
                         rows: list[ConsumptionRow], creds: SelectelCredentials,
                         warnings: list[str],
                         metric_urls: dict[tuple[str, str], tuple[str, KeystoneSession]]
                         ) -> list[RegionInventory]:
        session = root.rescoped({"project": {"id": project.id}})
        label = project.name or project.id
        token = await self.project_token(session, project, warnings)
        if isinstance(token, list):
            return token
        types = COMPUTE_TYPES + VOLUME_TYPES + NETWORK_TYPES
        overrides = dict(self.options.get("endpoints") or {})
        regions = token.regions(types)
        if regions:
            endpoints = [Endpoints.from_catalog(token, r, overrides=overrides) for r in regions]
        else:
            billed = sorted({r for row in rows if row.project and row.project.id == project.id
                             and (r := region_of(row.metric.region))})
            regions = billed or list(creds.regions or FALLBACK_REGIONS)
            warnings.append(f"{label}: the catalog lists no regional services; trying "
                            f"{', '.join(regions)}")
            endpoints = [self._fallback(r, project.id, overrides) for r in regions]
        found = await asyncio.gather(*(fetch_region(self.http, session.auth(), project, ep,
                                                    _SERVICES) for ep in endpoints))
        template = str(self.options.get("region_url_template") or REGION_URL)
        for ep in endpoints:  # Gnocchi: catalog `metric`, else the regional host's /metric
            url = (overrides.get("metric") or token.endpoint(METRIC_TYPES, region=ep.region)
                   or f"{template.format(region=ep.region)}/metric")
            metric_urls[(project.id, ep.region)] = (url, session)
        return list(found)

    def _fallback(self, region: str, project_id: str, overrides: dict[str, str]) -> Endpoints:
        base = str(self.options.get("region_url_template") or REGION_URL).format(region=region)
        return Endpoints(region=region,
                         compute=overrides.get("compute") or f"{base}/compute/v2.1",
                         volume=overrides.get("volume") or f"{base}/volume/v3/{project_id}",
                         network=overrides.get("network") or f"{base}/network")
