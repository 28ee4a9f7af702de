"""Selectel account APIs: balance, balance prediction, billing statistics (projects, hourly use).

Every call carries an account-scoped IAM token (`KeystoneAuth`, re-authenticated once on 401)
and goes through the shared `ProviderHttp`. An answer with `"status": "error"` or an unreadable
shape is a ProviderError; 401/403/429/5xx are typed by the shared layer.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

import httpx
from pydantic import ValidationError

from connectors.errors import ProviderError
from connectors.http import ProviderHttp
from connectors.openstack.auth import KeystoneAuth
from connectors.selectel.models import BillingProject, ConsumptionRow

__all__ = ["DEFAULT_PROVIDER_KEYS", "SelectelBillingClient", "selectel_error"]

DEFAULT_PROVIDER_KEYS = ("vpc", "dbaas", "mks", "craas", "storage")


def selectel_error(response: httpx.Response) -> str:
    """`{"status": "error", "error": "..."}`, `{"error": {"field": ["msg"]}}` or Keystone's."""
    body = response.json()
    error = body.get("error") if isinstance(body, dict) else None
    if isinstance(error, str):
        return error
    if isinstance(error, dict):
        if "message" in error:
            return str(error["message"])
        return "; ".join(f"{k}: {', '.join(map(str, v)) if isinstance(v, list) else v}"
                         for k, v in error.items())
    return response.text[:300]


class SelectelBillingClient:
    def __init__(self, http: ProviderHttp, api_url: str, auth: KeystoneAuth, *,
                 locale: str = "ru") -> None:
        self.http = http
        self.api_url = api_url.rstrip("/")
        self.auth = auth
        self.locale = locale

    async def _data(self, path: str, params: Any = None) -> Any:
        body = await self.http.get(self.api_url + path, params=params, auth=self.auth,
                                   error_parser=selectel_error)
        if not isinstance(body, dict) or "data" not in body:
            raise ProviderError(f"unexpected response shape from {path}",
                                provider=self.http.provider)
        if body.get("status") not in (None, "success"):
            raise ProviderError(f"{path}: {body.get('error') or body.get('status')}",
                                provider=self.http.provider)
        return body["data"]

    async def balances(self) -> dict[str, Any]:
        data = await self._data("/v3/balances")
        if not isinstance(data, dict):
            raise ProviderError("balances: unexpected shape", provider=self.http.provider)
        return data

    async def prediction(self) -> dict[str, Any]:
        data = await self._data("/v2/billing/prediction")
        return data if isinstance(data, dict) else {}

    async def prices(self) -> dict[str, Any]:
        """`/v2/billing/vpc/prices`: `{"prices": [{resource, group, value, unit}]}`, values in
        kopecks per hour per unit (observed; the envelope has no `data` key)."""
        body = await self.http.get(self.api_url + "/v2/billing/vpc/prices", auth=self.auth,
                                   error_parser=selectel_error)
        if not isinstance(body, dict) or not isinstance(body.get("prices"), list):
            raise ProviderError("prices: unexpected shape", provider=self.http.provider)
        return body

    async def projects(self, provider_keys: Sequence[str]) -> list[BillingProject]:
        data = await self._data("/v1/cloud_billing/statistic/projects",
                                [("provider_keys", k) for k in provider_keys])
        return [BillingProject.model_validate(p) for p in _rows(data, self.http.provider)]

    async def consumption(self, day: date, provider_keys: Sequence[str]) -> list[ConsumptionRow]:
        """One day of hourly rows (clients keep windows ≤ 24 h at hourly granularity)."""
        params = [("provider_keys", k) for k in provider_keys] + [
            ("start", f"{day.isoformat()}T00:00:00"), ("end", f"{day.isoformat()}T23:59:59"),
            ("group_type", "project_object_region_metric"), ("period_group_type", "hour"),
            ("locale", self.locale)]
        data = await self._data("/v1/cloud_billing/statistic/consumption", params)
        try:
            return [ConsumptionRow.from_api(r) for r in _rows(data, self.http.provider)]
        except ValidationError as exc:
            raise ProviderError(f"consumption rows of {day} unreadable: {exc.error_count()} "
                                f"field error(s)", provider=self.http.provider) from exc


def _rows(data: Any, provider: str) -> list[dict[str, Any]]:
    if not isinstance(data, list):
        raise ProviderError("expected a list in `data`", provider=provider)
    return [r for r in data if isinstance(r, dict)]
