"""Beget response shapes (providers.md §1): lenient, because Beget mixes strings and numbers.

Numeric fields stay `Any` here and go through `core.domain.money.parse_decimal` in the
connector; `extra="ignore"` drops fields we do not use, notably the S3 `access_key` /
`secret_key` of managed services, so they can never reach a log or the database.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

__all__ = [
    "AccountInfoResult",
    "CloudService",
    "Domain",
    "FtpAccount",
    "MysqlDatabase",
    "Series",
    "Site",
    "Vps",
    "VpsConfiguration",
]


class _Lenient(BaseModel):
    model_config = ConfigDict(extra="ignore", populate_by_name=True)


class AccountInfoResult(_Lenient):
    """`user/getAccountInfo` → `answer.result`; rates are per day / month / year in rubles."""

    plan_name: str = ""
    user_rate_current: Any = None
    user_rate_month: Any = None
    user_rate_year: Any = None
    user_balance: Any = None
    user_days_to_block: Any = None
    user_is_year_plan: Any = None
    user_sites: Any = None
    user_domains: Any = None
    server_name: str | None = None


class Domain(_Lenient):
    """`domain/getList` item; `date_expire` may be `0`, `registrar*` may be null."""

    id: Any
    fqdn: str
    date_register: Any = None
    date_expire: Any = None
    auto_renew: Any = None
    registrar: str | None = None
    registrar_status: str | None = None


class Site(_Lenient):
    """`site/getList` item (shape UNCONFIRMED beyond `id`, `path`, `domains`)."""

    id: Any
    path: str | None = None
    domains: list[dict[str, Any]] = Field(default_factory=list)


class MysqlDatabase(_Lenient):
    """`mysql/getList` item (shape UNCONFIRMED beyond `name`)."""

    name: str
    users: list[dict[str, Any]] = Field(default_factory=list)


class FtpAccount(_Lenient):
    """`ftp/getList` item (shape UNCONFIRMED beyond `login`, `path`)."""

    login: str
    path: str | None = None


class VpsConfiguration(_Lenient):
    """Plan of a VPS: `price_day` / `price_month` in rubles; memory and disk in MB."""

    id: str | None = None
    name: str | None = None
    cpu_count: Any = None
    disk_size: Any = None
    memory: Any = None
    price_day: Any = None
    price_month: Any = None


class Vps(_Lenient):
    """`/v1/vps/server/list` item."""

    id: str
    slug: str | None = None
    display_name: str | None = None
    hostname: str | None = None
    status: str = "UNKNOWN"
    ip_address: str | None = None
    date_create: str | None = None
    region: str | None = None
    project_id: str | None = None
    archived: bool = False
    configuration: VpsConfiguration = Field(default_factory=VpsConfiguration)


class Series(_Lenient):
    """`Statistic_SeriesData`: two parallel arrays (dates are Moscow local time, UNCONFIRMED)."""

    date: list[str] = Field(default_factory=list)
    value: list[Any] = Field(default_factory=list)


class CloudService(_Lenient):
    """`/v1/cloud` item: managed database, S3 or CDN with its own daily/monthly price."""

    id: str
    display_name: str | None = None
    slug: str | None = None
    status: str = "UNKNOWN"
    status_details: str | None = None
    created_at: str | None = None
    price_day: Any = None
    price_month: Any = None
    type: str = ""
    region: str | None = None
    project_id: str | None = None
