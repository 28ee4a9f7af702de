"""VK Cloud preset: the generic OpenStack connector with VK's Keystone, domain and balance.

VK Cloud has no public consumption API (providers.md §4.3), so costs come from the price list
exactly as for any OpenStack. Keystone tokens last one hour there (cached, refreshed on 401).
Two-factor authentication and "API access" must be enabled in the VK project first.
The balance needs the console project id (PID, `mcs…`, not the OpenStack project id): the
`pid` credential (set from a credentials file; not asked by the wizard). Billing base URL:
option `billing_url` (Kazakhstan and tests), default Moscow.
"""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal
from typing import Any, ClassVar

import httpx
from pydantic import Field

from connectors.errors import BadCredentials, ConnectorError, ProviderError
from connectors.openstack.auth import KeystoneSession
from connectors.openstack.connector import OpenStackConnector
from connectors.openstack.credentials import OpenStackCredentials
from core.domain.collection import AccountInfo
from core.domain.money import MoneyParseError, parse_decimal

__all__ = ["VK_AUTH_URL", "VK_BILLING_URL", "VkCloudConnector", "VkCredentials"]

VK_AUTH_URL = "https://infra.mail.ru:5000/v3"
VK_BILLING_URL = "https://msk.cloud.vk.com/billing/public/v1"
_HIDDEN: dict[str, Any] = {"wizard": False}


class VkCredentials(OpenStackCredentials):
    """VK asks for the e-mail login, password and the OpenStack project id (not the PID)."""

    auth_url: str | None = Field(default=None, json_schema_extra=_HIDDEN)
    user_domain_name: str = Field(default="users", json_schema_extra=_HIDDEN)
    project_domain_name: str = Field(default="users", json_schema_extra=_HIDDEN)
    project_name: str | None = Field(default=None, json_schema_extra=_HIDDEN)
    project_id: str | None = Field(default=None, description="OpenStack project id")
    pid: str | None = Field(default=None, json_schema_extra=_HIDDEN,
                            description="console project id (mcs…), for the balance")


def _vk_error(response: httpx.Response) -> str:
    """404 `{"error": "..."}` or 422 `{"loc", "msg", "type"}` (FastAPI style)."""
    body = response.json()
    if isinstance(body, dict):
        if isinstance(body.get("error"), str):
            return str(body["error"])
        if "msg" in body:
            return str(body["msg"])
        if isinstance(body.get("detail"), list) and body["detail"]:
            return str(body["detail"][0].get("msg", ""))
    return response.text[:300]


class VkCloudConnector(OpenStackConnector):
    kind: ClassVar[str] = "vk"
    display_name: ClassVar[str] = "VK Cloud"
    credentials_model: ClassVar[type[OpenStackCredentials]] = VkCredentials
    has_balance: ClassVar[bool] = True
    default_endpoint: ClassVar[str] = VK_AUTH_URL

    async def _balance(self, url: str, root: KeystoneSession) -> tuple[Decimal, Decimal]:
        body = await self.http.get(url, auth=root.auth(), error_parser=_vk_error)
        if not isinstance(body, dict):
            raise ProviderError("balance: expected an object", provider=self.kind)
        try:
            return (parse_decimal(body.get("base"), field="base"),
                    parse_decimal(body.get("bonus", 0), field="bonus"))
        except MoneyParseError as exc:
            raise ProviderError(str(exc), provider=self.kind) from exc

    async def enrich_account(self, account: AccountInfo, root: KeystoneSession,
                             creds: OpenStackCredentials,
                             warnings: list[str] | None) -> AccountInfo:
        pid = getattr(creds, "pid", None)
        if not pid:
            return account
        url = f"{str(self.options.get('billing_url') or VK_BILLING_URL).rstrip('/')}" \
              f"/projects/{pid}/balances/amount"
        try:
            base, bonus = await self._balance(url, root)
        except ConnectorError as exc:
            if warnings is None or isinstance(exc, BadCredentials):
                raise
            warnings.append(f"balance of {pid} not read ({exc.code}: {exc.detail})")
            return account
        return _with_balance(account, base, bonus)


def _with_balance(account: AccountInfo, base: Decimal, bonus: Decimal) -> AccountInfo:
    return replace(account, balance=base, extra={**account.extra, "bonus": str(bonus)})
