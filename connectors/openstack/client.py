"""Nova, Cinder and Neutron reads for one project in one region, as pydantic models.

URLs come from the Keystone catalog (used verbatim, as providers.md §6.1 advises) or from an
override; paging follows `*_links[rel=next]` through the shared `ProviderHttp`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from connectors.http import ProviderHttp
from connectors.openstack.auth import KeystoneAuth, keystone_error
from connectors.openstack.models import Flavor, FloatingIp, Port, Server, Snapshot, Token, Volume

__all__ = ["COMPUTE_TYPES", "NETWORK_TYPES", "VOLUME_TYPES", "Endpoints", "OpenStackClient"]

COMPUTE_TYPES = ("compute",)
VOLUME_TYPES = ("volumev3", "block-storage", "volume", "volumev2")
NETWORK_TYPES = ("network",)

# `latest` never fails with 406 on an older cloud; from 2.47 servers embed their flavor.
_NOVA_HEADERS = {"OpenStack-API-Version": "compute latest",
                 "X-OpenStack-Nova-API-Version": "latest"}


@dataclass(frozen=True, slots=True)
class Endpoints:
    """Service base URLs of one project in one region; None = the service is not offered."""

    region: str
    compute: str | None
    volume: str | None
    network: str | None

    @classmethod
    def from_catalog(cls, token: Token, region: str, *, interface: str = "public",
                     overrides: dict[str, str] | None = None) -> Endpoints:
        over = overrides or {}
        return cls(
            region=region,
            compute=over.get("compute") or token.endpoint(COMPUTE_TYPES, interface=interface,
                                                          region=region),
            volume=over.get("volume") or token.endpoint(VOLUME_TYPES, interface=interface,
                                                        region=region),
            network=over.get("network") or token.endpoint(NETWORK_TYPES, interface=interface,
                                                          region=region),
        )


def _network_base(url: str) -> str:
    base = url.rstrip("/")
    return base if base.endswith("/v2.0") else base + "/v2.0"


class OpenStackClient:
    """Reads inventory with a project-scoped token (`KeystoneAuth` re-auths once on 401)."""

    def __init__(self, http: ProviderHttp, auth: KeystoneAuth) -> None:
        self.http = http
        self.auth = auth

    async def _list(self, url: str, items_key: str, *, headers: dict[str, str] | None = None,
                    params: dict[str, Any] | None = None) -> list[dict[str, Any]]:
        rows: list[dict[str, Any]] = []
        async for row in self.http.paginate_links(
                url, items_key=items_key, links_key=f"{items_key}_links", params=params,
                auth=self.auth, headers=headers, error_parser=keystone_error):
            if isinstance(row, dict):
                rows.append(row)
        return rows

    async def servers(self, compute: str) -> list[Server]:
        rows = await self._list(compute.rstrip("/") + "/servers/detail", "servers",
                                headers=_NOVA_HEADERS)
        return [Server.model_validate(r) for r in rows]

    async def flavors(self, compute: str) -> dict[str, Flavor]:
        rows = await self._list(compute.rstrip("/") + "/flavors/detail", "flavors",
                                headers=_NOVA_HEADERS)
        flavors = [Flavor.from_api(r) for r in rows]
        return {f.id: f for f in flavors if f.id is not None}

    async def volumes(self, volume: str) -> list[Volume]:
        rows = await self._list(volume.rstrip("/") + "/volumes/detail", "volumes")
        return [Volume.model_validate(r) for r in rows]

    async def snapshots(self, volume: str) -> list[Snapshot]:
        rows = await self._list(volume.rstrip("/") + "/snapshots/detail", "snapshots")
        return [Snapshot.model_validate(r) for r in rows]

    async def ports(self, network: str) -> list[Port]:
        rows = await self._list(_network_base(network) + "/ports", "ports")
        return [Port.model_validate(r) for r in rows]

    async def floating_ips(self, network: str) -> list[FloatingIp]:
        rows = await self._list(_network_base(network) + "/floatingips", "floatingips")
        return [FloatingIp.model_validate(r) for r in rows]
