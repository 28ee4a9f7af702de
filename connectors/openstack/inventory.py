"""Fetch one project's inventory in one region; a failing service becomes a warning, not a crash.

A service that failed (or is missing from the catalog) is `None` in the result, so callers can
tell "no volumes" from "volumes unknown" (zombie detection and deletions depend on that).
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from pydantic import ValidationError

from connectors.errors import ConnectorError
from connectors.http import ProviderHttp
from connectors.openstack.auth import KeystoneAuth
from connectors.openstack.client import Endpoints, OpenStackClient
from connectors.openstack.models import Flavor, FloatingIp, Port, Project, Server, Snapshot, Volume

__all__ = ["SERVICES", "RegionInventory", "fetch_region"]

T = TypeVar("T")

SERVICES = ("servers", "volumes", "snapshots", "ports", "floating_ips")


@dataclass(slots=True)
class RegionInventory:
    """What one project holds in one region; None means "could not be read"."""

    project: Project
    region: str
    servers: list[Server] | None = None
    flavors: dict[str, Flavor] = field(default_factory=dict)
    volumes: list[Volume] | None = None
    snapshots: list[Snapshot] | None = None
    ports: list[Port] | None = None
    floating_ips: list[FloatingIp] | None = None
    warnings: list[str] = field(default_factory=list)
    unreadable: bool = False  # the project could not even be scoped

    @property
    def complete(self) -> bool:
        return not self.warnings and not self.unreadable


async def _safe(inv: RegionInventory, what: str, call: Awaitable[T]) -> T | None:
    try:
        return await call
    except ConnectorError as exc:
        inv.warnings.append(f"{inv.project.name or inv.project.id}/{inv.region}: {what} not read "
                            f"({exc.code}: {exc.detail or exc.code})")
    except ValidationError as exc:
        inv.warnings.append(f"{inv.project.name or inv.project.id}/{inv.region}: {what} not read "
                            f"(unexpected shape: {exc.error_count()} field error(s))")
    return None


async def fetch_region(http: ProviderHttp, auth: KeystoneAuth, project: Project,
                       endpoints: Endpoints, services: Iterable[str] = SERVICES
                       ) -> RegionInventory:
    """Read the wanted services concurrently; missing catalog entries are warnings."""
    inv = RegionInventory(project=project, region=endpoints.region)
    client = OpenStackClient(http, auth)
    wanted = set(services)
    base = {"servers": endpoints.compute, "volumes": endpoints.volume,
            "snapshots": endpoints.volume, "ports": endpoints.network,
            "floating_ips": endpoints.network}
    for name in sorted(wanted):
        if base[name] is None:
            inv.warnings.append(f"{project.name or project.id}/{endpoints.region}: no "
                                f"{_SERVICE_OF[name]} endpoint in the catalog; {name} skipped")
    factories: dict[str, Callable[[], Awaitable[Any]]] = {
        "servers": lambda: client.servers(endpoints.compute or ""),
        "volumes": lambda: client.volumes(endpoints.volume or ""),
        "snapshots": lambda: client.snapshots(endpoints.volume or ""),
        "ports": lambda: client.ports(endpoints.network or ""),
        "floating_ips": lambda: client.floating_ips(endpoints.network or ""),
    }
    names = [n for n in SERVICES if n in wanted and base[n] is not None]
    results = await asyncio.gather(*(_safe(inv, n, factories[n]()) for n in names))
    got: dict[str, Any] = dict(zip(names, results, strict=True))
    inv.servers = got.get("servers")
    inv.volumes = got.get("volumes")
    inv.snapshots = got.get("snapshots")
    inv.ports = got.get("ports")
    inv.floating_ips = got.get("floating_ips")
    if inv.servers and endpoints.compute and any(s.flavor_id for s in inv.servers):
        inv.flavors = await _safe(inv, "flavors", client.flavors(endpoints.compute)) or {}
    return inv


_SERVICE_OF = {"servers": "compute", "volumes": "volume", "snapshots": "volume",
               "ports": "network", "floating_ips": "network"}
