"""Beget connector: hosting account, domains and sections via the legacy API; VPS and managed
services via v1 (JWT). Beget bills daily, so cost lines are one per resource per day.

Cost lines are an ESTIMATE: neither API exposes consumption history, so each day of the window
gets the current `user_rate_current` (hosting plan, per day) and each VPS / managed service gets
its current `price_day`, from its creation day on. A section or endpoint the account may not use
("Cannot access method …", a refused v1 login, a 403) becomes a warning and the rest still
syncs; a transient failure of a list that carries costs (VPS, cloud services) fails the sync,
because the engine replaces the window's cost lines and must not erase them.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from functools import partial
from typing import Any, ClassVar, TypeVar

from pydantic import Field, SecretStr

from connectors.base import BaseConnector, Credentials
from connectors.beget.client import BegetClient, SectionDenied
from connectors.beget.mapping import (
    daily_lines,
    domain_record,
    series_metrics,
    service_record,
    vps_record,
)
from connectors.beget.models import AccountInfoResult
from connectors.collecting import guard, option_timeout, warn
from connectors.errors import BadCredentials, ConnectorError, NoPermission
from connectors.parsing import optional_decimal, optional_int
from core.domain.collection import (
    AccountInfo,
    Collection,
    ResourceKind,
    ResourceRecord,
    ResourceStatus,
    Window,
)

__all__ = ["BegetConnector", "BegetCredentials"]

T = TypeVar("T")

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

    def _client(self, creds: BegetCredentials) -> BegetClient:
        cloud = creds.cloud_password.get_secret_value() if creds.cloud_password else None
        return BegetClient(
            self.http, self.endpoint, creds.login, creds.password.get_secret_value(), cloud,
            page_size=int(self.options.get("page_size", 100)),
            timeout=option_timeout(self.options))

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
        self._hosting(out, creds.login, info, window)
        await self._legacy_inventory(out, client)
        await self._cloud(out, client, window)
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

    def _hosting(self, out: Collection, login: str, info: AccountInfoResult,
                 window: Window) -> None:
        rate = out.account.daily_rate
        if not info.plan_name and rate is None:
            return
        rid = f"hosting:{login}"
        out.resources.append(ResourceRecord(
            external_id=rid, name=info.plan_name or login, kind=ResourceKind.HOSTING,
            status=ResourceStatus.RUNNING, service_name="Hosting", daily_cost=rate,
            config={"plan": info.plan_name, "year_plan": str(info.user_is_year_plan) == "1",
                    "sites": optional_int(info.user_sites, "user_sites"),
                    "domains": optional_int(info.user_domains, "user_domains")}))
        if rate is not None:
            out.cost_lines.extend(daily_lines(
                window.days(), rate, resource_id=rid, resource_name=info.plan_name or login,
                resource_type=ResourceKind.HOSTING.value, service_name="Hosting",
                category="Compute"))

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

    async def _cloud(self, out: Collection, client: BegetClient, window: Window) -> None:
        days = window.days()
        vps_list = await self._priced(out, "vps", client.vps_list)
        if vps_list is _REFUSED:
            return
        vps_list = vps_list if isinstance(vps_list, list) else []
        for vps in vps_list:
            record = vps_record(vps)
            out.resources.append(record)
            if record.daily_cost is not None and record.status != ResourceStatus.DELETED:
                out.cost_lines.extend(daily_lines(
                    days, record.daily_cost, resource_id=vps.id, resource_name=record.name,
                    resource_type=ResourceKind.SERVER.value, service_name="VPS",
                    category="Compute", region=vps.region, since=record.created_at))
        if self.options.get("statistics", True):
            for vps in vps_list:
                if vps.status != "RUNNING":
                    continue
                for metric, unit in (("cpu", "percent"), ("memory", "mb")):
                    series = await guard(
                        out, f"statistic/{metric}/{vps.id}",
                        partial(client.vps_statistic, metric, vps.id),
                        inventory=False, code_of=_warning_code)
                    if series is not None:
                        out.usage.extend(series_metrics(vps.id, metric, unit, series))
        services = await self._priced(out, "cloud", client.cloud_services)
        for svc in services if isinstance(services, list) else []:
            record = service_record(svc)
            out.resources.append(record)
            if record.config.get("suspended_reason"):
                out.warnings.append(warn("service_suspended", record.name,
                                         str(record.config["suspended_reason"])))
            if record.daily_cost is not None:
                out.cost_lines.extend(daily_lines(
                    days, record.daily_cost, resource_id=svc.id, resource_name=record.name,
                    resource_type=record.kind.value, service_name=record.service_name or "",
                    category=_CATEGORY.get(record.kind, "Other"),
                    region=svc.region, since=record.created_at))
