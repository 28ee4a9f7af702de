"""Cloud.ru Evolution shapes (providers.md §5). Only `amount` is confirmed in the billing rows;
everything else is read leniently and may be missing (UNCONFIRMED)."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

__all__ = ["Consumption", "FloatingIp", "Vm", "VmDisk"]


class _Model(BaseModel):
    model_config = ConfigDict(extra="ignore", populate_by_name=True)


class Consumption(_Model):
    """One day of one SKU of one resource; `amount` is without VAT, `amount_nds` with VAT."""

    sku: str | None = None
    servname: str | None = None
    resource_id: str | None = None
    resource_name: str | None = None
    usedate: str
    amount: Any
    amount_nds: Any = None
    unit: str | None = None
    usefact: Any = None
    platform: str | None = None
    meta: dict[str, Any] = Field(default_factory=dict)


class VmDisk(_Model):
    id: str
    name: str | None = None
    size: Any = None
    disk_type: dict[str, Any] | None = None
    primary: bool | None = None


class Vm(_Model):
    id: str
    name: str | None = None
    project_id: str | None = None
    flavor: dict[str, Any] = Field(default_factory=dict)
    state: str | None = None
    created_time: str | None = None
    availability_zone: dict[str, Any] | None = None
    disks: list[VmDisk] = Field(default_factory=list)


class FloatingIp(_Model):
    id: str
    ip_address: str | None = None
    state: str | None = None
    vm: dict[str, Any] | None = None
