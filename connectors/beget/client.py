"""Beget HTTP: the legacy `/api/<section>/<method>` envelope and the v1 JSON API.

The legacy API answers HTTP 200 with a two-level envelope (gateway `status`, then the method's
`answer.status`); both levels are checked here and turned into typed errors. A section the API
user may not use answers `AUTH_ERROR` "Cannot access method <section>": that is
`SectionDenied`, which the connector turns into a warning. `LIMIT_ERROR` is retried by
`ProviderHttp` like an HTTP 429 (its `check` hook), within the connection's time budget.
"""

from __future__ import annotations

import json
import re
from collections.abc import AsyncIterator
from functools import partial
from typing import Any

import httpx

from connectors.beget.auth import BegetJwtAuth
from connectors.beget.models import (
    AccountInfoResult,
    CloudService,
    Domain,
    FtpAccount,
    MysqlDatabase,
    Series,
    Site,
    Vps,
)
from connectors.errors import BadCredentials, NoPermission, ProviderError, RateLimited
from connectors.http import ProviderHttp

__all__ = ["BegetClient", "SectionDenied"]

_DENIED = re.compile(r"cannot access method", re.IGNORECASE)


class SectionDenied(NoPermission):
    """The API user may not call this legacy section (a per-section permission in the panel)."""


class _LimitError(RateLimited):
    """Beget's method-level `LIMIT_ERROR`, retried by `ProviderHttp` like an HTTP 429."""


def _error_of(body: dict[str, Any]) -> tuple[str, str]:
    code = str(body.get("error_code", ""))
    text = str(body.get("error_text", ""))
    return code, text


class BegetClient:
    """One account's calls; the JWT auth is created lazily and reused for every v1 call."""

    def __init__(self, http: ProviderHttp, base_url: str, login: str, password: str,
                 cloud_password: str | None = None, *, page_size: int = 100) -> None:
        self.http = http
        self.base = base_url.rstrip("/")
        self._login = login
        self._password = password
        self.jwt = BegetJwtAuth(http, self.base, login, cloud_password or password)
        self.page_size = page_size

    # -- legacy ---------------------------------------------------------------------------

    async def legacy(self, section: str, method: str, **args: Any) -> Any:
        """Call `/api/<section>/<method>`; return `answer.result` or raise a typed error."""
        form = {"login": self._login, "passwd": self._password, "output_format": "json"}
        if args:
            form |= {"input_format": "json", "input_data": json.dumps(args)}
        where = f"{section}/{method}"
        body = await self.http.post(f"{self.base}/api/{where}", data=form,
                                    check=partial(self._limit_check, where))
        if not isinstance(body, dict):
            raise ProviderError(f"{where}: unexpected response shape", provider="beget")
        if body.get("status") != "success":
            code, text = _error_of(body)
            raise self._classify(where, section, code, text)
        answer = body.get("answer")
        if not isinstance(answer, dict):
            raise ProviderError(f"{where}: no answer in the envelope", provider="beget")
        if answer.get("status") != "success":
            errors = answer.get("errors") or [{}]
            first = errors[0] if isinstance(errors, list) and errors else {}
            code, text = _error_of(first if isinstance(first, dict) else {})
            raise self._classify(where, section, code, text)
        return answer.get("result")

    def _limit_check(self, where: str, response: httpx.Response) -> None:
        """Raise `_LimitError` when either envelope level says `LIMIT_ERROR` (retried)."""
        body = self.http.decode(response)
        if not isinstance(body, dict):
            return
        levels = [body]
        answer = body.get("answer")
        if isinstance(answer, dict):
            errors = answer.get("errors")
            if isinstance(errors, list) and errors and isinstance(errors[0], dict):
                levels.append(errors[0])
        for level in levels:
            code, text = _error_of(level)
            if code == "LIMIT_ERROR":
                raise _LimitError(f"{where}: {code} {text}".strip(), provider="beget")

    @staticmethod
    def _classify(where: str, section: str, code: str, text: str) -> Exception:
        detail = f"{where}: {code} {text}".strip()
        if _DENIED.search(text):
            return SectionDenied(detail, provider="beget")
        if code == "AUTH_ERROR":
            return BadCredentials(detail, provider="beget")
        if code == "LIMIT_ERROR":
            return _LimitError(detail, provider="beget")
        return ProviderError(detail, provider="beget")

    async def account_info(self) -> AccountInfoResult:
        return AccountInfoResult.model_validate(await self.legacy("user", "getAccountInfo"))

    async def _legacy_list(self, section: str) -> list[dict[str, Any]]:
        result = await self.legacy(section, "getList")
        if result is None:
            return []
        if not isinstance(result, list):
            raise ProviderError(f"{section}/getList: expected a list", provider="beget")
        return [item for item in result if isinstance(item, dict)]

    async def domains(self) -> list[Domain]:
        return [Domain.model_validate(d) for d in await self._legacy_list("domain")]

    async def sites(self) -> list[Site]:
        return [Site.model_validate(d) for d in await self._legacy_list("site")]

    async def mysql(self) -> list[MysqlDatabase]:
        return [MysqlDatabase.model_validate(d) for d in await self._legacy_list("mysql")]

    async def ftp(self) -> list[FtpAccount]:
        return [FtpAccount.model_validate(d) for d in await self._legacy_list("ftp")]

    # -- v1 -------------------------------------------------------------------------------

    async def _paged(self, path: str, items_key: str,
                     params: dict[str, Any] | None = None) -> AsyncIterator[dict[str, Any]]:
        async for item in self.http.paginate_offset(
                f"{self.base}{path}", items_key=items_key, limit=self.page_size,
                params=params, auth=self.jwt):
            yield item

    async def vps_list(self) -> list[Vps]:
        return [Vps.model_validate(v) async for v in self._paged("/v1/vps/server/list", "vps")]

    async def vps_statistic(self, metric: str, vps_id: str, period: str = "DAY") -> Series:
        """`/v1/vps/statistic/{cpu|memory}/{id}` → `{"<metric>": {"date": [], "value": []}}`."""
        body = await self.http.get(f"{self.base}/v1/vps/statistic/{metric}/{vps_id}",
                                   params={"period": period}, auth=self.jwt)
        if not isinstance(body, dict) or not isinstance(body.get(metric), dict):
            raise ProviderError(f"statistic/{metric}: unexpected shape", provider="beget")
        return Series.model_validate(body[metric])

    async def configurator_price(self, *, cpu: int, memory_mb: int, disk_mb: int,
                                 region: str | None, vps_id: str | None) -> Any:
        """`/v1/vps/configurator/calculation` → `{"success": {"params", "price_day",
        "price_month"}}` or `{"error": {"code", "message"}}` (openapi-vps v1.8.1)."""
        params: dict[str, Any] = {"params.cpu_count": cpu, "params.memory": memory_mb,
                                  "params.disk_size": disk_mb}
        if region:
            params["region"] = region
        if vps_id:
            params["vps_id"] = vps_id
        body = await self.http.get(f"{self.base}/v1/vps/configurator/calculation",
                                   params=params, auth=self.jwt)
        if not isinstance(body, dict):
            raise ProviderError("configurator/calculation: unexpected shape", provider="beget")
        return body

    async def cloud_services(self) -> list[CloudService]:
        return [CloudService.model_validate(s) async for s in
                self._paged("/v1/cloud", "service", {"view": "SERVICE_VIEW_BASIC"})]
