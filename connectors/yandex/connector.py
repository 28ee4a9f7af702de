"""Yandex Cloud connector: billing account and balance, inventory of every visible folder,
hourly CPU utilisation (Monitoring REST), and daily costs from the detailed billing export
(bucket over SigV4, or a file the user sends).

The usage-by-SKU API is gRPC only and is deliberately not used: the export is the cost source.
Partial failures (a folder we may not list, a missing export file) become warnings.
"""

from __future__ import annotations

import io
from collections.abc import Mapping
from datetime import UTC, datetime, time
from functools import partial
from typing import Any, ClassVar, Self

import httpx
from pydantic import SecretStr, model_validator

from connectors.base import BaseConnector, Credentials
from connectors.collecting import guard, warn
from connectors.errors import ConnectorError, InvalidInput, NoPermission
from connectors.http import RetryPolicy
from connectors.yandex.auth import YandexIamAuth, load_authorized_key
from connectors.yandex.client import Endpoints, YandexClient
from connectors.yandex.export import invoice_lines, parse_billing_export
from connectors.yandex.managed import MANAGED, managed_record
from connectors.yandex.mapping import address_record, cpu_samples, disk_record, instance_record
from connectors.yandex.models import BillingAccount, Folder
from connectors.yandex.prices import price_list
from connectors.yandex.s3 import ExportBucket
from core.clock import Clock, SystemClock
from core.domain.collection import AccountInfo, Collection, Window
from core.domain.money import MoneyParseError, parse_decimal
from core.domain.prices import PriceList

__all__ = ["FETCH_PRICES", "YandexConnector", "YandexCredentials"]

FETCH_PRICES = "fetch_prices"  # set by core's price-list cache (daily); default: read it


class YandexCredentials(Credentials):
    """Exactly one of an OAuth token or a service-account authorized key (JSON), plus the
    export bucket and its static access key when costs come from Object Storage."""

    oauth_token: SecretStr | None = None
    service_account_key: SecretStr | None = None
    billing_account_id: str | None = None
    export_bucket: str | None = None
    export_prefix: str = ""
    export_access_key_id: str | None = None
    export_secret_key: SecretStr | None = None

    @model_validator(mode="after")
    def _one_identity(self) -> Self:
        if (self.oauth_token is None) == (self.service_account_key is None):
            raise ValueError("give exactly one of oauth_token or service_account_key")
        export = (self.export_bucket, self.export_access_key_id, self.export_secret_key)
        if any(export) and not all(export):
            raise ValueError("export_bucket, export_access_key_id and export_secret_key "
                             "go together")
        return self


class YandexConnector(BaseConnector[YandexCredentials]):
    kind: ClassVar[str] = "yandex"
    display_name: ClassVar[str] = "Yandex Cloud"
    credentials_model: ClassVar[type[Credentials]] = YandexCredentials
    has_balance: ClassVar[bool] = True
    default_endpoint: ClassVar[str] = ""  # per-service hosts unless overridden

    def __init__(self, client: httpx.AsyncClient, *, endpoint: str | None = None,
                 options: Mapping[str, Any] | None = None, retry: RetryPolicy | None = None,
                 clock: Clock | None = None) -> None:
        super().__init__(client, endpoint=endpoint, options=options, retry=retry)
        self.clock = clock or SystemClock()  # when a price list was read

    def _client(self, creds: YandexCredentials) -> YandexClient:
        ep = Endpoints.build(self.endpoint, self.options)
        key = (load_authorized_key(creds.service_account_key.get_secret_value())
               if creds.service_account_key else None)
        oauth = creds.oauth_token.get_secret_value() if creds.oauth_token else None
        auth = YandexIamAuth(self.http, ep.iam, oauth_token=oauth, key=key)
        return YandexClient(self.http, auth, ep,
                            page_size=int(self.options.get("page_size", 1000)))

    async def test(self, creds: YandexCredentials) -> AccountInfo:
        creds = self.parse_credentials(creds)
        return await self._account(self._client(creds), creds, [])

    async def _account(self, client: YandexClient, creds: YandexCredentials,
                       warnings: list[str]) -> AccountInfo:
        """The billing account (balance, currency); without billing rights, the first cloud."""
        try:
            if creds.billing_account_id:
                accounts = [await client.billing_account(creds.billing_account_id)]
            else:
                accounts = [a for a in await client.billing_accounts() if a.active]
        except NoPermission as exc:
            warnings.append(warn("no_permission", "billing", exc.detail))
            accounts = []
        if accounts:
            return _account_info(accounts[0], len(accounts))
        clouds = await client.clouds()
        if clouds:
            return AccountInfo(account_id=clouds[0].id, display_name=clouds[0].name)
        return AccountInfo(account_id="yandex", display_name="Yandex Cloud")

    async def collect(self, creds: YandexCredentials, window: Window) -> Collection:
        creds = self.parse_credentials(creds)
        client = self._client(creds)
        warnings: list[str] = []
        out = Collection(account=await self._account(client, creds, warnings))
        out.warnings.extend(warnings)
        await self._inventory(out, client, window)
        await self._costs(out, creds, window)
        if self.options.get(FETCH_PRICES, True):
            out.prices = await self._prices(client, out)
        return out

    async def _prices(self, client: YandexClient, out: Collection) -> PriceList | None:
        """The published SKU prices (compute); without them rules use the cached or built-in
        list, so a failure is a warning only."""
        try:
            return price_list(await client.skus(out.account.currency or "RUB"),
                              self.clock.now())
        except ConnectorError as exc:
            out.warnings.append(f"price list not read ({exc.code}: {exc.detail or exc.code})")
            return None

    async def _inventory(self, out: Collection, client: YandexClient, window: Window) -> None:
        clouds = await guard(out, "clouds", client.clouds) or []
        for cloud in clouds:
            folders = await guard(out, f"folders/{cloud.id}",
                                  partial(client.folders, cloud.id)) or []
            for folder in folders:
                await self._folder(out, client, folder, window)

    async def _folder(self, out: Collection, client: YandexClient, folder: Folder,
                      window: Window) -> None:
        fid = folder.id
        instances = await guard(out, f"instances/{fid}", partial(client.instances, fid))
        out.resources.extend(instance_record(i, folder) for i in instances or [])
        disks = await guard(out, f"disks/{fid}", partial(client.disks, fid))
        out.resources.extend(disk_record(d, folder) for d in disks or [])
        addresses = await guard(out, f"addresses/{fid}", partial(client.addresses, fid))
        out.resources.extend(address_record(a, folder) for a in addresses or [])
        if self.options.get("managed", True):
            for spec in MANAGED:
                items = await guard(out, f"{spec.path.strip('/')}/{fid}", partial(
                    client.folder_list, spec.host, spec.path, spec.key, fid))
                out.resources.extend(r for item in items or []
                                     if (r := managed_record(spec, item, folder)) is not None)
        if instances and self.options.get("utilisation", True):
            start = datetime.combine(window.start, time(), UTC)
            end = datetime.combine(window.end, time(), UTC)
            metrics = await guard(out, f"monitoring/{fid}",
                                  partial(client.cpu_usage, fid, start, end),
                                  inventory=False)
            out.usage.extend(cpu_samples(metrics or [], instances))

    async def _costs(self, out: Collection, creds: YandexCredentials, window: Window) -> None:
        """Costs come only from the export. Any failure to read it raises: the sync engine
        replaces the window's cost lines, so a warning here would erase stored days."""
        if not (creds.export_bucket and creds.export_access_key_id and creds.export_secret_key):
            out.warnings.append(warn("export_not_configured", "billing export", ""))
            return
        ep = Endpoints.build(self.endpoint, self.options)
        bucket = ExportBucket(self.http, ep.storage, creds.export_bucket, creds.export_prefix,
                              creds.export_access_key_id,
                              creds.export_secret_key.get_secret_value())
        files = await bucket.files_for(set(window.days()))
        if not files:
            out.warnings.append(warn("export_missing", f"{window.start}..{window.end}",
                                     f"s3://{creds.export_bucket}/{creds.export_prefix}"))
            return
        for _day, key in files:
            content = await bucket.read(key)
            try:
                for row in parse_billing_export(io.BytesIO(content), window=window):
                    out.cost_lines.extend(invoice_lines(row))  # as a file import stores it
            except InvalidInput as exc:
                raise InvalidInput(f"{key}: {exc.detail}", provider="yandex", row=exc.row,
                                   column=exc.column) from exc


def _account_info(account: BillingAccount, count: int) -> AccountInfo:
    balance: Any = None
    if account.balance not in (None, ""):
        try:
            balance = parse_decimal(account.balance, field="balance")
        except MoneyParseError:
            balance = None
    return AccountInfo(account_id=account.id, display_name=account.name or account.id,
                       balance=balance, currency=account.currency or "RUB",
                       extra={"billing_accounts": count, "country": account.country_code,
                              "balance_sign": "as reported (UNCONFIRMED convention)"})
