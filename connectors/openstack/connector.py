"""Any OpenStack cloud: Keystone v3 → every visible project → Nova/Cinder/Neutron → price list.

Support checklist (done / exempt):
- done: Keystone v3 password and application credentials; token cached, one re-auth on 401.
- done: service catalog (interface public by default, region filter); endpoint overrides:
  `endpoint` (Keystone) and option `endpoints` {"compute"|"volume"|"network": url}.
- done: every project from /v3/auth/projects with project-scoped tokens (application
  credentials: their own project only — Keystone does not let them rescope).
- done: Nova servers (+ flavors before microversion 2.47; a deleted flavor keeps the server),
  Cinder volumes and snapshots, Neutron ports and floating IPs; `*_links` paging.
- done: orphans — unattached volumes, floating IPs without a port, snapshots older than
  option `snapshot_max_age_days` (default 30) or whose volume is gone (`config.orphan_reason`).
- done: rating by a CloudKitty-hashmap-like price list (rating.py) into daily FOCUS lines;
  no price list → resources without cost and a warning.
- done: partial failures (one service/region/project) → warnings, complete_inventory=False.
- exempt: usage metrics (Gnocchi/Ceilometer are optional and rarely public) — none collected.
- exempt: past inventory — days are rated from the current inventory, from each resource's
  creation day to today; resources deleted before the sync are not rated retroactively.
- exempt: images, load balancers, object storage — no price list fields yet.
Warnings are short English technical text (provider words included), not translated.
"""

from __future__ import annotations

import asyncio
from dataclasses import replace
from functools import partial
from typing import Any, ClassVar
from urllib.parse import urlsplit

from connectors.collecting import gather_limited
from connectors.errors import InvalidInput, NoPermission, ProviderError
from connectors.openstack.auth import KeystoneSession
from connectors.openstack.base import KeystoneConnector
from connectors.openstack.client import (
    COMPUTE_TYPES,
    NETWORK_TYPES,
    VOLUME_TYPES,
    Endpoints,
)
from connectors.openstack.credentials import OpenStackCredentials
from connectors.openstack.inventory import RegionInventory, fetch_region
from connectors.openstack.models import Project, Token
from connectors.openstack.rating import PriceList, rate
from connectors.openstack.records import cost_lines, region_records, with_daily_cost
from core.domain.collection import AccountInfo, Collection, Window

__all__ = ["OpenStackConnector"]


class OpenStackConnector(KeystoneConnector[OpenStackCredentials]):
    """Generic OpenStack; presets (VK Cloud, Platform9) subclass it with defaults."""

    kind: ClassVar[str] = "openstack"
    display_name: ClassVar[str] = "OpenStack"
    credentials_model: ClassVar[type[OpenStackCredentials]] = OpenStackCredentials
    has_balance: ClassVar[bool] = False
    default_endpoint: ClassVar[str] = ""

    # -- plumbing ---------------------------------------------------------------------------
    def auth_url(self, creds: OpenStackCredentials) -> str:
        url = self.endpoint if self.endpoint_given else (creds.auth_url or self.endpoint)
        if not url:
            raise InvalidInput("auth_url: the Keystone URL is required for this cloud")
        return url

    def session(self, creds: OpenStackCredentials) -> KeystoneSession:
        return KeystoneSession(self.http, self.auth_url(creds), creds.identity(), creds.scope(),
                               clock=self.clock.now)

    def price_list(self, creds: OpenStackCredentials) -> PriceList:
        return PriceList.from_dict(self.options.get("price_list") or creds.price_list)

    async def projects(self, root: KeystoneSession, token: Token,
                       creds: OpenStackCredentials, warnings: list[str]) -> list[Project]:
        """Every project the identity may scope to; the token's own when listing is refused."""
        if creds.uses_app_credential:
            return [token.project] if token.project else []
        try:
            return [p for p in await root.projects() if p.enabled]
        except (NoPermission, ProviderError) as exc:
            if token.project is None:
                raise
            warnings.append(f"project list not readable ({exc.code}); only "
                            f"{token.project.name or token.project.id} collected")
            return [token.project]

    def _account(self, creds: OpenStackCredentials, token: Token,
                 projects: list[Project]) -> AccountInfo:
        host = urlsplit(self.auth_url(creds)).hostname or ""
        return AccountInfo(account_id=token.user_id or token.user_name or host,
                           display_name=f"{token.user_name or creds.username or ''}@{host}",
                           extra={"projects": [p.name or p.id for p in projects]})

    async def enrich_account(self, account: AccountInfo, root: KeystoneSession,
                             creds: OpenStackCredentials,
                             warnings: list[str] | None) -> AccountInfo:
        """Presets add what their cloud offers (VK: the balance); `warnings=None` in `test`."""
        return account

    # -- contract ---------------------------------------------------------------------------
    async def test(self, creds: OpenStackCredentials) -> AccountInfo:
        root = self.session(creds)
        token = await root.token()
        account = self._account(creds, token, await self.projects(root, token, creds, []))
        return await self.enrich_account(account, root, creds, None)

    async def collect(self, creds: OpenStackCredentials, window: Window) -> Collection:
        prices = self.price_list(creds)
        root = self.session(creds)
        token = await root.token()
        warnings: list[str] = []
        projects = await self.projects(root, token, creds, warnings)
        groups = await gather_limited(self.concurrency, (
            partial(self._project, root, token, p, creds, warnings) for p in projects))
        inventories = [inv for group in groups for inv in group]
        account = await self.enrich_account(self._account(creds, token, projects), root, creds,
                                            warnings)
        collection = Collection(account=account, warnings=warnings)
        self.build(collection, inventories, prices, window)
        return collection

    async def _project(self, root: KeystoneSession, token: Token, project: Project,
                       creds: OpenStackCredentials, warnings: list[str]
                       ) -> list[RegionInventory]:
        same = token.project is not None and token.project.id == project.id
        session = root if same or creds.uses_app_credential else root.rescoped(
            {"project": {"id": project.id}})
        ptoken = await self.project_token(session, project, warnings)
        if isinstance(ptoken, list):
            return ptoken
        types = COMPUTE_TYPES + VOLUME_TYPES + NETWORK_TYPES
        regions = [creds.region] if creds.region else ptoken.regions(types,
                                                                     interface=creds.interface)
        overrides = dict(self.options.get("endpoints") or {})
        if not regions and overrides:
            regions = ["default"]
        if not regions:
            warnings.append(f"{project.name or project.id}: the catalog offers no compute, "
                            f"volume or network endpoint")
        result = await asyncio.gather(*(fetch_region(
            self.http, session.auth(), project,
            Endpoints.from_catalog(ptoken, r, interface=creds.interface, overrides=overrides))
            for r in regions))
        return list(result)

    def build(self, collection: Collection, inventories: list[RegionInventory],
              prices: PriceList, window: Window) -> None:
        """Records, orphan flags, rated cost lines and warnings into `collection`."""
        today = self.clock.now().date()
        max_age = int(self.options.get("snapshot_max_age_days", 30))
        days = [d for d in window.days() if d <= today]
        for inv in inventories:
            collection.warnings.extend(inv.warnings)
            if not inv.complete:
                collection.complete_inventory = False
            for record in region_records(inv, today=today, snapshot_max_age_days=max_age):
                charges = rate(prices, record)
                collection.resources.append(
                    with_daily_cost(record, charges, today, prices.currency))
                collection.cost_lines.extend(cost_lines(
                    record, charges, days, currency=prices.currency,
                    provider_name=self.display_name))
        if prices.is_empty and collection.resources:
            collection.warnings.append("no price list configured: resources collected "
                                       "without costs (set the price_list option)")
        rated = [r.daily_cost for r in collection.resources if r.daily_cost is not None]
        if rated:
            collection.account = _with_rate(collection.account, sum(rated), prices.currency)


def _with_rate(account: AccountInfo, daily: Any, currency: str) -> AccountInfo:
    return replace(account, daily_rate=daily, currency=currency)
