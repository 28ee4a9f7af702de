"""Pydantic models of the Keystone / Nova / Cinder / Neutron payloads we read (providers.md §6).

Only the fields InfraZen uses are declared; everything else is ignored, so a newer microversion
adding fields never breaks parsing.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator

__all__ = [
    "CatalogEndpoint",
    "CatalogService",
    "Flavor",
    "FloatingIp",
    "Port",
    "Project",
    "Server",
    "ServerFlavor",
    "Snapshot",
    "Token",
    "Volume",
    "VolumeAttachment",
]


class _Model(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True, populate_by_name=True)


def _aware(value: Any) -> Any:
    """OpenStack timestamps come with `Z`, with no offset at all (Cinder), or as null."""
    if isinstance(value, str) and value:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
        return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
    return value or None


class CatalogEndpoint(_Model):
    interface: str = "public"
    region: str | None = None
    region_id: str | None = None
    url: str

    @property
    def region_name(self) -> str | None:
        return self.region_id or self.region


class CatalogService(_Model):
    type: str
    name: str = ""
    endpoints: list[CatalogEndpoint] = Field(default_factory=list)


class Project(_Model):
    id: str
    name: str = ""
    domain_id: str | None = None
    enabled: bool = True


class Token(_Model):
    """A Keystone token: the id comes from `X-Subject-Token`, the rest from the body."""

    id: str
    expires_at: datetime | None = None
    user_id: str = ""
    user_name: str = ""
    project: Project | None = None
    domain_name: str | None = None
    catalog: list[CatalogService] = Field(default_factory=list)

    _expires = field_validator("expires_at", mode="before")(_aware)

    def endpoint(self, types: tuple[str, ...], *, interface: str = "public",
                 region: str | None = None) -> str | None:
        """The first endpoint of the first matching service type, interface and region."""
        for wanted in types:
            for service in self.catalog:
                if service.type != wanted:
                    continue
                for ep in service.endpoints:
                    if ep.interface == interface and (region is None or ep.region_name == region):
                        return ep.url
        return None

    def regions(self, types: tuple[str, ...], *, interface: str = "public") -> list[str]:
        """Regions offering any of `types` on `interface`, in catalog order."""
        found: list[str] = []
        for service in self.catalog:
            if service.type not in types:
                continue
            for ep in service.endpoints:
                name = ep.region_name
                if ep.interface == interface and name and name not in found:
                    found.append(name)
        return found


class Flavor(_Model):
    id: str | None = None
    name: str = Field(default="", alias="original_name")
    vcpus: int = 0
    ram: int = 0  # MiB
    disk: int = 0  # GiB

    @classmethod
    def from_api(cls, raw: dict[str, Any]) -> Flavor:
        """Accepts both `/flavors/detail` rows (`name`) and 2.47+ embedded flavors."""
        data = dict(raw)
        data.setdefault("original_name", data.get("name", ""))
        return cls.model_validate(data)


ServerFlavor = Flavor


class Server(_Model):
    id: str
    name: str = ""
    status: str = "UNKNOWN"
    tenant_id: str | None = None
    created: datetime | None = None
    availability_zone: str | None = Field(default=None, alias="OS-EXT-AZ:availability_zone")
    flavor: dict[str, Any] = Field(default_factory=dict)
    metadata: dict[str, str] = Field(default_factory=dict)
    addresses: dict[str, list[dict[str, Any]]] = Field(default_factory=dict)
    volumes_attached: list[dict[str, Any]] = Field(
        default_factory=list, alias="os-extended-volumes:volumes_attached")

    _created = field_validator("created", mode="before")(_aware)

    @field_validator("metadata", mode="before")
    @classmethod
    def _str_metadata(cls, value: Any) -> dict[str, str]:
        return {str(k): str(v) for k, v in (value or {}).items()}

    @property
    def flavor_id(self) -> str | None:
        """Set before microversion 2.47 (a link to /flavors/{id}); None when embedded."""
        value = self.flavor.get("id")
        return str(value) if value is not None and "vcpus" not in self.flavor else None

    def ips(self) -> list[str]:
        return [str(a["addr"]) for net in self.addresses.values() for a in net if a.get("addr")]


class VolumeAttachment(_Model):
    server_id: str | None = None
    device: str | None = None


class Volume(_Model):
    id: str
    name: str | None = ""
    size: int = 0  # GiB
    volume_type: str | None = None
    status: str = "unknown"
    bootable: str | bool = "false"
    availability_zone: str | None = None
    created_at: datetime | None = None
    project_id: str | None = Field(default=None, alias="os-vol-tenant-attr:tenant_id")
    metadata: dict[str, Any] = Field(default_factory=dict)
    attachments: list[VolumeAttachment] = Field(default_factory=list)

    _created = field_validator("created_at", mode="before")(_aware)

    @property
    def server_ids(self) -> list[str]:
        return [a.server_id for a in self.attachments if a.server_id]


class Snapshot(_Model):
    id: str
    name: str | None = ""
    size: int = 0
    status: str = "unknown"
    volume_id: str | None = None
    created_at: datetime | None = None

    _created = field_validator("created_at", mode="before")(_aware)


class Port(_Model):
    id: str
    name: str = ""
    device_id: str = ""
    device_owner: str = ""
    status: str = ""


class FloatingIp(_Model):
    id: str
    floating_ip_address: str = ""
    fixed_ip_address: str | None = None
    port_id: str | None = None
    status: str = "unknown"
    project_id: str | None = None
    created_at: datetime | None = None

    _created = field_validator("created_at", mode="before")(_aware)
