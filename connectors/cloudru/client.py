"""Cloud.ru Evolution HTTP: billing consumption v2 (token paging) and compute inventory.

Names and paths that providers.md marks UNCONFIRMED are options with documented defaults
(`consumption_path`, the items keys of inventory lists), and a list whose shape we cannot read
raises `ShapeError`, which the connector turns into a warning instead of failing the sync.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from functools import partial
from typing import Any

from connectors.cloudru.auth import CloudRuTokenAuth, error_message
from connectors.cloudru.models import Consumption, FloatingIp, Vm
from connectors.errors import ProviderError
from connectors.http import ProviderHttp

__all__ = ["CloudRuClient", "Endpoints", "ShapeError"]

_ITEM_KEYS = ("items", "vms", "floating_ips", "disks", "data", "result")


class ShapeError(ProviderError):
    """An UNCONFIRMED response shape did not match what we expected."""

    code = "unconfirmed_shape"


@dataclass(frozen=True, slots=True)
class Endpoints:
    iam: str = "https://iam.api.cloud.ru"
    billing: str = "https://organization.api.cloud.ru"
    compute: str = "https://compute.api.cloud.ru"

    @classmethod
    def build(cls, endpoint: str, options: Mapping[str, Any]) -> Endpoints:
        base = dict.fromkeys(("iam", "billing", "compute"), endpoint) if endpoint else {}
        per_service = {k: str(v).rstrip("/") for k, v in (options.get("endpoints") or {}).items()}
        return cls(**{**base, **per_service})


class CloudRuClient:
    def __init__(self, http: ProviderHttp, auth: CloudRuTokenAuth, ep: Endpoints, *,
                 options: Mapping[str, Any] | None = None) -> None:
        self.http = http
        self.auth = auth
        self.ep = ep
        opts = options or {}
        self.consumption_path = str(opts.get("consumption_path", "/v2/consumption"))
        self.page_size = int(opts.get("page_size", 1000))
        self.item_keys: tuple[str, ...] = tuple(opts.get("items_keys", _ITEM_KEYS))

    async def consumption(self, *, start: date, end: date, project_ids: Sequence[str] = (),
                          agreement_id: str | None = None) -> AsyncIterator[Consumption]:
        """Daily rows for [start, end] inclusive (`start_date`/`end_date`, v2 token paging)."""
        params: dict[str, Any] = {"start_date": start.isoformat(), "end_date": end.isoformat(),
                                  "page_filter.page_size": self.page_size}
        if agreement_id:
            params["agreement_id"] = agreement_id
        else:
            params["project_ids"] = list(project_ids)
        async for row in self.http.paginate_token(
                f"{self.ep.billing}{self.consumption_path}", items_key="consumptions",
                token_param="page_filter.page_token", next_key="next_page_token",
                params=params, auth=self.auth, error_parser=error_message):
            try:
                yield Consumption.model_validate(row)
            except ValueError as exc:
                raise ShapeError(f"consumption row: {exc.__class__.__name__}",
                                 provider="cloudru") from exc

    def _items(self, body: Any, what: str) -> list[dict[str, Any]]:
        if isinstance(body, list):
            return [i for i in body if isinstance(i, dict)]
        if isinstance(body, dict):
            for key in self.item_keys:
                if isinstance(body.get(key), list):
                    return [i for i in body[key] if isinstance(i, dict)]
        raise ShapeError(f"{what}: no list under {', '.join(self.item_keys)}",
                         provider="cloudru")

    async def _list(self, path: str, params: dict[str, Any]) -> AsyncIterator[dict[str, Any]]:
        """An inventory list, every page: `page_token` in, `next_page_token` out (UNCONFIRMED,
        providers.md §5.3), items under one of `item_keys` or a bare list."""
        async for item in self.http.paginate_token(
                f"{self.ep.compute}{path}", items_key=partial(self._items, what=path),
                token_param="page_token", next_key="next_page_token", params=params,
                auth=self.auth, error_parser=error_message):
            yield item

    async def vms(self, project_id: str) -> list[Vm]:
        return [Vm.model_validate(v)
                async for v in self._list("/api/v1/vms", {"project_id": project_id})]

    async def vm(self, vm_id: str) -> Vm:
        body = await self.http.get(f"{self.ep.compute}/api/v1/vms/{vm_id}", auth=self.auth,
                                   error_parser=error_message)
        return Vm.model_validate(body)

    async def floating_ips(self, project_id: str) -> list[FloatingIp]:
        return [FloatingIp.model_validate(f)
                async for f in self._list("/api/v1/floating-ips", {"project_id": project_id})]

    async def disks(self, project_id: str) -> list[dict[str, Any]]:
        """Raw disk items (fields UNCONFIRMED; 403 for some roles)."""
        return [d async for d in self._list("/api/v1/disks", {"project_id": project_id})]
