"""Beget connector: hosting account, domains and sections via the legacy API; VPS and managed
services via v1 (JWT). Beget bills daily, so cost lines are one per resource per day.

Neither API has billing history: today's prices are observed (the account's
`user_rate_current`, each VPS's and service's `price_day`) and sent as today's lines
(`Collection.observed_days`); earlier days of the window are ESTIMATES at today's price that
the sync writes only where nothing was recorded, so a recorded day is never re-priced.
`user_rate_current` is the account's TOTAL daily rate, VPS and cloud services included: the
hosting plan is only the positive remainder once those are subtracted (within 5 % they sum to
the rate and there is no hosting line). What is collected and from where: SUPPORT.md; shapes
not publicly documented: NOTES.md.

A section or endpoint the account may not use ("Cannot access method …", a refused v1 login,
a 403) becomes a warning and the rest still syncs; a transient failure of a list that carries
costs (VPS, cloud services) fails the sync, because the engine replaces the observed day's
cost lines and must not erase them.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from functools import partial
from typing import Any, ClassVar, TypeVar

import httpx
from pydantic import Field, SecretStr

from connectors.base import BaseConnector, Credentials
from connectors.beget.client import BegetClient, SectionDenied
from connectors.beget.mapping import (
    MSK,
    daily_lines,
    domain_record,
    series_metrics,
    service_record,
    vps_record,
)
from connectors.beget.models import AccountInfoResult, Vps
from connectors.beget.prices import candidates, config_sku, item_of, price_list
from connectors.collecting import guard, warn
from connectors.errors import BadCredentials, ConnectorError, NoPermission
from connectors.http import RetryPolicy
from connectors.parsing import optional_decimal, optional_int
from core.clock import Clock, SystemClock
from core.domain.collection import (
    AccountInfo,
    Collection,
    ResourceKind,
    ResourceRecord,
    ResourceStatus,
    Window,
)
from core.domain.prices import PriceItem, PriceList

__all__ = ["BegetConnector", "BegetCredentials"]

T = TypeVar("T")
TOLERANCE = Decimal("0.05")  # services summing to the account rate within 5 % = no hosting
FETCH_PRICES = "fetch_prices"  # set by core's price-list cache (daily); default: read it

@dataclass(frozen=True, slots=True)
class _Section:
    """One legacy inventory list: how to fetch it and how to name its items."""

    section: str
    kind: ResourceKind
    service: str
    fetch: Callable[[BegetClient], Awaitable[Sequence[Any]]]
    ident: Callable[[Any], str]
    name: Callable[[Any], str]


_SECTIONS: tuple[_Section, ...] = (
    _Section("site", ResourceKind.HOSTING, "Sites", BegetClient.sites,
             lambda i: str(i.id), lambda i: i.path or str(i.id)),
    _Section("mysql", ResourceKind.DATABASE, "Hosting MySQL", BegetClient.mysql,
             lambda i: i.name, lambda i: i.name),
    _Section("ftp", ResourceKind.OTHER, "FTP", BegetClient.ftp,
             lambda i: i.login, lambda i: i.path or i.login),
)

_REFUSED = object()
_CATEGORY: dict[ResourceKind, str] = {
    ResourceKind.DATABASE: "Databases", ResourceKind.BUCKET: "Storage",
    ResourceKind.CDN: "Networking",
}


class BegetCredentials(Credentials):
    """Login and the API password set in the panel (API access is off by default)."""

    login: str = Field(min_length=1)
    password: SecretStr
    cloud_password: SecretStr | None = Field(
        default=None, json_schema_extra={"wizard": False},
        description="Password for the v1 cloud API if it differs from the API password")


def _warning_code(exc: ConnectorError) -> str:
    """A legacy section the API user may not call is named `section_denied`."""
    return "section_denied" if isinstance(exc, SectionDenied) else exc.code


class BegetConnector(BaseConnector[BegetCredentials]):
    kind: ClassVar[str] = "beget"
    display_name: ClassVar[str] = "Beget"
    credentials_model: ClassVar[type[Credentials]] = BegetCredentials
    has_balance: ClassVar[bool] = True
    default_endpoint: ClassVar[str] = "https://api.beget.com"

    def __init__(self, client: httpx.AsyncClient, *, endpoint: str | None = None,
                 options: Mapping[str, Any] | None = None, retry: RetryPolicy | None = None,
                 clock: Clock | None = None) -> None:
        super().__init__(client, endpoint=endpoint, options=options, retry=retry)
        self.clock = clock or SystemClock()

    def _client(self, creds: BegetCredentials) -> BegetClient:
        cloud = creds.cloud_password.get_secret_value() if creds.cloud_password else None
        return BegetClient(
            self.http, self.endpoint, creds.login, creds.password.get_secret_value(), cloud,
            page_size=int(self.options.get("page_size", 100)))

    @staticmethod
    def _account(login: str, info: AccountInfoResult) -> AccountInfo:
        return AccountInfo(
            account_id=login, display_name=login,
            balance=optional_decimal(info.user_balance, "user_balance"),
            daily_rate=optional_decimal(info.user_rate_current, "user_rate_current"),
            days_to_block=optional_int(info.user_days_to_block, "user_days_to_block"),
            plan=info.plan_name or None,
            extra={"rate_month": str(optional_decimal(info.user_rate_month, "m") or ""),
                   "rate_year": str(optional_decimal(info.user_rate_year, "y") or ""),
                   "server": info.server_name})

    async def test(self, creds: BegetCredentials) -> AccountInfo:
        """The legacy account info is the one call every Beget account can make."""
        creds = self.parse_credentials(creds)
        return self._account(creds.login, await self._client(creds).account_info())

    async def collect(self, creds: BegetCredentials, window: Window) -> Collection:
        creds = self.parse_credentials(creds)
        client = self._client(creds)
        info = await client.account_info()
        out = Collection(account=self._account(creds.login, info))
        today = self.clock.now().astimezone(MSK).date()
        observed = today if window.start <= today < window.end else None
        out.observed_days = frozenset({observed} if observed else set())
        await self._legacy_inventory(out, client)
        services = await self._cloud(out, client, window, observed)
        self._hosting(out, creds.login, info, window, services, observed)
        return out

    async def _priced(self, out: Collection, subject: str,
                      call: Callable[[], Awaitable[list[T]]]) -> list[T] | object | None:
        """A list that carries cost lines. The sync engine replaces the window's costs, so a
        transient failure (5xx, timeout, 429, garbage) must fail the sync rather than erase
        those days: it is raised. What is refused by configuration becomes a warning: a
        refused v1 login (returns `_REFUSED`: the v1 API may want the panel password rather
        than the API password, UNCONFIRMED) or a 403."""
        try:
            return await call()
        except BadCredentials as exc:
            out.warnings.append(warn("cloud_login_refused", "v1", exc.detail))
            out.complete_inventory = False
            return _REFUSED
        except NoPermission as exc:
            out.warnings.append(warn(exc.code, subject, exc.detail))
            out.complete_inventory = False
            return None

    def _hosting(self, out: Collection, login: str, info: AccountInfoResult, window: Window,
                 services: Decimal | None, observed: date | None) -> None:
        """The hosting plan: what the account's daily rate leaves once VPS and cloud services
        are subtracted (`services` is None when the v1 lists could not be read: the rate is
        then kept whole and a warning says it may include them)."""
        rate = out.account.daily_rate
        if not info.plan_name and rate is None:
            return
        hosting = rate
        check: dict[str, str] = {}
        if rate is not None and services is not None:
            remainder = rate - services
            tolerance = rate * TOLERANCE
            check = {"account_rate": str(rate), "services_rate": str(services),
                     "remainder": str(remainder)}
            if remainder < -tolerance:
                out.warnings.append(warn("rate_mismatch", "user_rate_current",
                                         f"services {services} exceed the account rate {rate}"))
            hosting = remainder if remainder > tolerance else Decimal(0)
        elif rate is not None and services is None:
            out.warnings.append(warn("rate_unsplit", "user_rate_current",
                                     "v1 not read: the hosting line may include VPS and "
                                     "cloud services"))
        rid = f"hosting:{login}"
        out.resources.append(ResourceRecord(
            external_id=rid, name=info.plan_name or login, kind=ResourceKind.HOSTING,
            status=ResourceStatus.RUNNING, service_name="Hosting", daily_cost=hosting,
            config={"plan": info.plan_name, "year_plan": str(info.user_is_year_plan) == "1",
                    "sites": optional_int(info.user_sites, "user_sites"),
                    "domains": optional_int(info.user_domains, "user_domains"), **check}))
        if hosting is not None and hosting > 0:
            out.cost_lines.extend(daily_lines(
                window.days(), hosting, resource_id=rid, resource_name=info.plan_name or login,
                resource_type=ResourceKind.HOSTING.value, service_name="Hosting",
                category="Compute", observed=observed))

    async def _legacy_inventory(self, out: Collection, client: BegetClient) -> None:
        domains = await guard(out, "domain", client.domains, code_of=_warning_code)
        out.resources.extend(domain_record(d) for d in domains or [])
        for sec in _SECTIONS:
            items = await guard(out, sec.section, partial(sec.fetch, client),
                                code_of=_warning_code)
            out.resources.extend(ResourceRecord(
                external_id=f"{sec.section}:{sec.ident(item)}", name=sec.name(item),
                kind=sec.kind, status=ResourceStatus.RUNNING, service_name=sec.service)
                for item in items or [])

    async def _cloud(self, out: Collection, client: BegetClient, window: Window,
                     observed: date | None) -> Decimal | None:
        """VPS and managed services with their lines; returns the sum of their daily prices
        (None when v1 could not be read), which the account rate already includes."""
        days = window.days()
        total = Decimal(0)
        readable = True
        vps_list = await self._priced(out, "vps", client.vps_list)
        if vps_list is _REFUSED:
            return None
        if not isinstance(vps_list, list):
            readable = False
        vps_list = vps_list if isinstance(vps_list, list) else []
        for vps in vps_list:
            record = vps_record(vps)
            out.resources.append(record)
            if record.daily_cost is not None and record.status != ResourceStatus.DELETED:
                total += record.daily_cost
                out.cost_lines.extend(daily_lines(
                    days, record.daily_cost, resource_id=vps.id, resource_name=record.name,
                    resource_type=ResourceKind.SERVER.value, service_name="VPS",
                    category="Compute", region=vps.region, since=record.created_at,
                    observed=observed))
        if self.options.get("statistics", True):
            await self._statistics(out, client, vps_list)
        if self.options.get(FETCH_PRICES, True):
            out.prices = await self._prices(out, client, vps_list)
        services = await self._priced(out, "cloud", client.cloud_services)
        if not isinstance(services, list):
            readable = False
        for svc in services if isinstance(services, list) else []:
            record = service_record(svc)
            out.resources.append(record)
            if record.config.get("suspended_reason"):
                out.warnings.append(warn("service_suspended", record.name,
                                         str(record.config["suspended_reason"])))
            if record.daily_cost is not None:
                total += record.daily_cost
                out.cost_lines.extend(daily_lines(
                    days, record.daily_cost, resource_id=svc.id, resource_name=record.name,
                    resource_type=record.kind.value, service_name=record.service_name or "",
                    category=_CATEGORY.get(record.kind, "Other"),
                    region=svc.region, since=record.created_at, observed=observed))
        return total if readable else None

    async def _statistics(self, out: Collection, client: BegetClient, vps_list: list[Vps]) -> None:
        # MONTH: the rules need a week or two of samples, and each sync replaces the window's
        period = str(self.options.get("statistics_period", "MONTH"))
        for vps in vps_list:
            if vps.status != "RUNNING":
                continue
            memory = optional_int(vps.configuration.memory, "memory")
            for metric in ("cpu", "memory"):
                series = await guard(
                    out, f"statistic/{metric}/{vps.id}",
                    partial(client.vps_statistic, metric, vps.id, period),
                    inventory=False, code_of=_warning_code)
                if series is not None:
                    out.usage.extend(series_metrics(vps.id, metric, series, memory_mb=memory))

    async def _prices(self, out: Collection, client: BegetClient,
                      vps_list: list[Vps]) -> PriceList | None:
        """The configurator's day price of each running VPS's size and the smaller ones."""
        items: list[PriceItem] = []
        asked: set[tuple[str, str | None]] = set()
        for vps in vps_list:
            cfg = vps.configuration
            cpu = optional_int(cfg.cpu_count, "cpu_count")
            memory = optional_int(cfg.memory, "memory")
            disk = optional_int(cfg.disk_size, "disk_size")
            if vps.status != "RUNNING" or not cpu or not memory or not disk:
                continue
            for c, m in candidates(cpu, memory):
                sku = config_sku(c, m, disk)
                if (sku, vps.region) in asked:
                    continue
                asked.add((sku, vps.region))
                try:
                    body = await client.configurator_price(cpu=c, memory_mb=m, disk_mb=disk,
                                                           region=vps.region, vps_id=vps.id)
                except ConnectorError as exc:
                    out.warnings.append(warn(exc.code, "configurator", exc.detail))
                    return None
                item = item_of(body, sku, vps.region)
                if item is not None:
                    items.append(item)
        return price_list(items, self.clock.now()) if items else None
