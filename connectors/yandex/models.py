"""Yandex Cloud REST shapes (providers.md §3). int64 fields arrive as JSON strings."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

__all__ = [
    "Address",
    "AuthorizedKey",
    "BillingAccount",
    "Cloud",
    "Disk",
    "Folder",
    "Instance",
]


class _Model(BaseModel):
    model_config = ConfigDict(extra="ignore", populate_by_name=True)


class AuthorizedKey(_Model):
    """A service account's authorized key file (`yc iam key create --output key.json`)."""

    id: str
    service_account_id: str
    private_key: str


class BillingAccount(_Model):
    id: str
    name: str = ""
    currency: str = "RUB"
    active: bool = True
    balance: Any = None  # decimal string; sign convention UNCONFIRMED
    country_code: str | None = Field(default=None, alias="countryCode")


class Cloud(_Model):
    id: str
    name: str = ""


class Folder(_Model):
    id: str
    name: str = ""
    cloud_id: str | None = Field(default=None, alias="cloudId")


class Instance(_Model):
    id: str
    folder_id: str | None = Field(default=None, alias="folderId")
    name: str = ""
    created_at: str | None = Field(default=None, alias="createdAt")
    labels: dict[str, str] = Field(default_factory=dict)
    zone_id: str | None = Field(default=None, alias="zoneId")
    platform_id: str | None = Field(default=None, alias="platformId")
    resources: dict[str, Any] = Field(default_factory=dict)
    status: str = "STATUS_UNSPECIFIED"
    boot_disk: dict[str, Any] | None = Field(default=None, alias="bootDisk")
    secondary_disks: list[dict[str, Any]] = Field(default_factory=list, alias="secondaryDisks")
    scheduling_policy: dict[str, Any] = Field(default_factory=dict, alias="schedulingPolicy")


class Disk(_Model):
    id: str
    folder_id: str | None = Field(default=None, alias="folderId")
    name: str = ""
    created_at: str | None = Field(default=None, alias="createdAt")
    labels: dict[str, str] = Field(default_factory=dict)
    type_id: str | None = Field(default=None, alias="typeId")
    zone_id: str | None = Field(default=None, alias="zoneId")
    size: Any = None  # bytes, as a string
    status: str = "STATUS_UNSPECIFIED"
    instance_ids: list[str] = Field(default_factory=list, alias="instanceIds")


class Address(_Model):
    id: str
    folder_id: str | None = Field(default=None, alias="folderId")
    name: str = ""
    created_at: str | None = Field(default=None, alias="createdAt")
    labels: dict[str, str] = Field(default_factory=dict)
    reserved: bool = False
    used: bool = False
    type: str | None = None
    external_ipv4_address: dict[str, Any] | None = Field(default=None,
                                                         alias="externalIpv4Address")
