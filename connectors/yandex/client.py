"""Yandex Cloud REST calls (Billing, Resource Manager, Compute, VPC), pageToken paging.

Every base URL can be overridden: one `endpoint` serves all APIs under their usual path
prefixes (`/billing/v1`, `/compute/v1`, ...), which is how tests and proxies point at one host.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVar

from pydantic import BaseModel

from connectors.http import ProviderHttp
from connectors.yandex.auth import YandexIamAuth, rpc_message
from connectors.yandex.models import Address, BillingAccount, Cloud, Disk, Folder, Instance

__all__ = ["Endpoints", "YandexClient"]

M = TypeVar("M", bound=BaseModel)


@dataclass(frozen=True, slots=True)
class Endpoints:
    iam: str = "https://iam.api.cloud.yandex.net"
    billing: str = "https://billing.api.cloud.yandex.net"
    resource_manager: str = "https://resource-manager.api.cloud.yandex.net"
    compute: str = "https://compute.api.cloud.yandex.net"
    vpc: str = "https://vpc.api.cloud.yandex.net"
    storage: str = "https://storage.yandexcloud.net"
    monitoring: str = "https://monitoring.api.cloud.yandex.net"
    mdb: str = "https://mdb.api.cloud.yandex.net"
    mks: str = "https://mks.api.cloud.yandex.net"
    load_balancer: str = "https://load-balancer.api.cloud.yandex.net"
    alb: str = "https://alb.api.cloud.yandex.net"

    @classmethod
    def build(cls, endpoint: str, options: Mapping[str, Any]) -> Endpoints:
        """One override for every API (storage too unless `storage_endpoint` is given)."""
        base = {name: endpoint for name in ("iam", "billing", "resource_manager", "compute",
                                            "vpc", "storage", "monitoring", "mdb", "mks",
                                            "load_balancer", "alb")} if endpoint else {}
        per_service = {k: str(v).rstrip("/") for k, v in (options.get("endpoints") or {}).items()}
        if options.get("storage_endpoint"):
            per_service["storage"] = str(options["storage_endpoint"]).rstrip("/")
        return cls(**{**base, **per_service})


class YandexClient:
    def __init__(self, http: ProviderHttp, auth: YandexIamAuth, endpoints: Endpoints, *,
                 page_size: int = 1000) -> None:
        self.http = http
        self.auth = auth
        self.ep = endpoints
        self.page_size = page_size

    async def _list(self, url: str, key: str,
                    params: dict[str, Any] | None = None) -> AsyncIterator[dict[str, Any]]:
        async for item in self.http.paginate_token(
                url, items_key=key, params={**(params or {}), "pageSize": self.page_size},
                auth=self.auth, error_parser=rpc_message):
            yield item

    async def _read(self, model: type[M], url: str, key: str,
                    params: dict[str, Any] | None = None) -> list[M]:
        """Every page of a list, each item validated as `model`."""
        return [model.model_validate(item) async for item in self._list(url, key, params)]

    async def billing_accounts(self) -> list[BillingAccount]:
        url = f"{self.ep.billing}/billing/v1/billingAccounts"
        return await self._read(BillingAccount, url, "billingAccounts")

    async def billing_account(self, account_id: str) -> BillingAccount:
        body = await self.http.get(f"{self.ep.billing}/billing/v1/billingAccounts/{account_id}",
                                   auth=self.auth, error_parser=rpc_message)
        return BillingAccount.model_validate(body)

    async def skus(self, currency: str = "RUB") -> list[dict[str, Any]]:
        """Every published SKU with its pricing versions (`SkuService.List`), every page."""
        url = f"{self.ep.billing}/billing/v1/skus"
        return [item async for item in self._list(url, "skus", {"currency": currency})]

    async def clouds(self) -> list[Cloud]:
        url = f"{self.ep.resource_manager}/resource-manager/v1/clouds"
        return await self._read(Cloud, url, "clouds")

    async def folders(self, cloud_id: str) -> list[Folder]:
        url = f"{self.ep.resource_manager}/resource-manager/v1/folders"
        return await self._read(Folder, url, "folders", {"cloudId": cloud_id})

    async def instances(self, folder_id: str) -> list[Instance]:
        url = f"{self.ep.compute}/compute/v1/instances"
        return await self._read(Instance, url, "instances", {"folderId": folder_id})

    async def disks(self, folder_id: str) -> list[Disk]:
        url = f"{self.ep.compute}/compute/v1/disks"
        return await self._read(Disk, url, "disks", {"folderId": folder_id})

    async def addresses(self, folder_id: str) -> list[Address]:
        url = f"{self.ep.vpc}/vpc/v1/addresses"
        return await self._read(Address, url, "addresses", {"folderId": folder_id})

    async def folder_list(self, host: str, path: str, key: str,
                          folder_id: str) -> list[dict[str, Any]]:
        """Any `<service>/v1/<kind>?folderId=` list, every page, items as raw dicts."""
        base = getattr(self.ep, host)
        return [item async for item in self._list(f"{base}{path}", key, {"folderId": folder_id})]

    async def cpu_usage(self, folder_id: str, start: datetime,
                        end: datetime) -> list[dict[str, Any]]:
        """Hourly average `cpu_usage` (%) of every VM in a folder (Monitoring REST
        `MetricsData/read`); series are labelled `resource_id` = VM name or id."""
        body = {"query": '"cpu_usage"{service="compute", resource_type="vm"}',
                "fromTime": start.strftime("%Y-%m-%dT%H:%M:%SZ"),
                "toTime": end.strftime("%Y-%m-%dT%H:%M:%SZ"),
                "downsampling": {"gridAggregation": "AVG", "gapFilling": "NONE",
                                 "gridInterval": "3600000"}}
        data = await self.http.post(f"{self.ep.monitoring}/monitoring/v2/data/read",
                                    params={"folderId": folder_id}, json=body, auth=self.auth,
                                    error_parser=rpc_message)
        metrics = data.get("metrics") if isinstance(data, dict) else None
        return [m for m in metrics or [] if isinstance(m, dict)]
