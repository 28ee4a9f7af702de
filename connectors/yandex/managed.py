"""Yandex inventory beyond VMs, disks and addresses: managed databases, Managed Kubernetes
clusters and node groups, load balancers, snapshots and images.

Every list is `GET <host>/<service>/v1/<kind>?folderId=…` with pageToken paging and one
top-level key (REST API reference of each service). Each item becomes a `ResourceRecord`
whose `external_id` is the item's id — the id the detailed billing export puts in
`resource_id` for that product — so the sync links its cost lines to it instead of listing
them as unrecognized. The export's resource id for managed databases and Kubernetes is the
cluster id, for node groups the group id, for load balancers the balancer id, for snapshots
and images their own id (UNCONFIRMED beyond Compute: NOTES.md).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from connectors.parsing import optional_int, parse_rfc3339
from connectors.yandex.models import Folder
from core.domain.collection import ResourceKind, ResourceRecord, ResourceStatus

__all__ = ["MANAGED", "Managed", "managed_record"]


@dataclass(frozen=True, slots=True)
class Managed:
    """One list: the endpoint attribute, the URL path, the response key and what it is."""

    host: str  # attribute of `client.Endpoints`
    path: str
    key: str
    kind: ResourceKind
    service: str


MANAGED: tuple[Managed, ...] = (
    Managed("mdb", "/managed-postgresql/v1/clusters", "clusters", ResourceKind.DATABASE,
            "Managed Service for PostgreSQL"),
    Managed("mdb", "/managed-mysql/v1/clusters", "clusters", ResourceKind.DATABASE,
            "Managed Service for MySQL"),
    Managed("mdb", "/managed-clickhouse/v1/clusters", "clusters", ResourceKind.DATABASE,
            "Managed Service for ClickHouse"),
    Managed("mdb", "/managed-redis/v1/clusters", "clusters", ResourceKind.DATABASE,
            "Managed Service for Valkey"),
    Managed("mdb", "/managed-kafka/v1/clusters", "clusters", ResourceKind.DATABASE,
            "Managed Service for Apache Kafka"),
    Managed("mdb", "/managed-mongodb/v1/clusters", "clusters", ResourceKind.DATABASE,
            "Managed Service for MongoDB"),
    Managed("mks", "/managed-kubernetes/v1/clusters", "clusters", ResourceKind.KUBERNETES,
            "Managed Service for Kubernetes"),
    Managed("mks", "/managed-kubernetes/v1/nodeGroups", "nodeGroups", ResourceKind.KUBERNETES,
            "Managed Service for Kubernetes"),
    Managed("load_balancer", "/load-balancer/v1/networkLoadBalancers", "networkLoadBalancers",
            ResourceKind.LOAD_BALANCER, "Network Load Balancer"),
    Managed("alb", "/apploadbalancer/v1/loadBalancers", "loadBalancers",
            ResourceKind.LOAD_BALANCER, "Application Load Balancer"),
    Managed("compute", "/compute/v1/snapshots", "snapshots", ResourceKind.SNAPSHOT,
            "Compute Cloud"),
    Managed("compute", "/compute/v1/images", "images", ResourceKind.SNAPSHOT, "Compute Cloud"),
)

_STATUS: dict[str, ResourceStatus] = {
    "RUNNING": ResourceStatus.RUNNING, "ACTIVE": ResourceStatus.RUNNING,
    "READY": ResourceStatus.RUNNING, "STOPPED": ResourceStatus.STOPPED,
    "INACTIVE": ResourceStatus.STOPPED, "STOPPING": ResourceStatus.RUNNING,
    "STARTING": ResourceStatus.PENDING, "CREATING": ResourceStatus.PENDING,
    "PROVISIONING": ResourceStatus.PENDING, "UPDATING": ResourceStatus.RUNNING,
    "RECONCILING": ResourceStatus.RUNNING, "SCALING": ResourceStatus.RUNNING,
    "ERROR": ResourceStatus.ERROR, "DELETING": ResourceStatus.DELETED,
}
_GB = 1024 ** 3


def managed_record(spec: Managed, item: dict[str, Any], folder: Folder) -> ResourceRecord | None:
    """A list item as a resource (None without an id)."""
    rid = item.get("id")
    if not rid:
        return None
    status = str(item.get("status") or "")
    config: dict[str, Any] = {"folder_id": item.get("folderId") or folder.id,
                              "provider_status": status or None, "list": spec.path}
    for key in ("environment", "health", "clusterId", "regionId", "type", "family",
                "sourceDiskId"):
        if item.get(key) is not None:
            config[key] = item[key]
    if spec.key in ("snapshots", "images"):
        size = optional_int(item.get("storageSize"))
        if size is not None:
            config["size_gb"] = round(size / _GB, 3)
    parent = item.get("clusterId") if spec.key == "nodeGroups" else item.get("sourceDiskId")
    raw_labels = item.get("labels")
    labels: dict[str, Any] = raw_labels if isinstance(raw_labels, dict) else {}
    return ResourceRecord(
        external_id=str(rid), name=str(item.get("name") or rid), kind=spec.kind,
        status=_STATUS.get(status, ResourceStatus.UNKNOWN),
        region=item.get("regionId") or item.get("zoneId"), project=folder.name or folder.id,
        service_name=spec.service, tags={str(k): str(v) for k, v in labels.items()},
        config=config, created_at=parse_rfc3339(item.get("createdAt")),
        parent_external_id=str(parent) if parent else None)
