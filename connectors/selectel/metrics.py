"""Selectel billing metric ids → resource kind and FOCUS service, as one declarative table.

`inventoried` says whether OpenStack (Nova/Cinder/Neutron) can confirm the object exists:
only those can be zombies; the rest become unrecognized items for review (their cost lines
still count — billing is the truth).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from core.domain.collection import ResourceKind

__all__ = ["METRICS", "PROVIDER_KEYS", "MetricKind", "classify", "region_of", "tier_of"]


@dataclass(frozen=True, slots=True)
class MetricKind:
    prefix: str
    kind: ResourceKind
    service: str
    category: str
    inventoried: bool


# Order matters: the first prefix that starts a metric id wins (`volume_backups_` before
# `volume_`). Ids beyond compute/volume/floating IP come from public exporters and the docs'
# product list (UNCONFIRMED in shape; see NOTES.md): a DBaaS, Kubernetes, S3 or load-balancer
# row becomes a resource of that kind, billed by the bill alone (not an inventory zombie).
METRICS: tuple[MetricKind, ...] = (
    MetricKind("compute_", ResourceKind.SERVER, "Cloud Servers", "Compute", True),
    MetricKind("volume_backups", ResourceKind.BACKUP, "Backup", "Storage", False),
    MetricKind("volume_", ResourceKind.VOLUME, "Cloud Servers", "Storage", True),
    MetricKind("snapshot_", ResourceKind.SNAPSHOT, "Cloud Servers", "Storage", False),
    MetricKind("image_", ResourceKind.SNAPSHOT, "Cloud Servers", "Storage", False),
    MetricKind("network_floatingip", ResourceKind.FLOATING_IP, "Cloud Servers", "Networking",
               True),
    MetricKind("share_", ResourceKind.FILE_STORAGE, "File Storage", "Storage", False),
    MetricKind("dbaas_", ResourceKind.DATABASE, "Managed Databases", "Databases", False),
    MetricKind("mks_", ResourceKind.KUBERNETES, "Managed Kubernetes", "Compute", False),
    MetricKind("craas_", ResourceKind.CONTAINER_REGISTRY, "Container Registry",
               "Developer Tools", False),
    MetricKind("s3_", ResourceKind.BUCKET, "Object Storage", "Storage", False),
    MetricKind("storage_", ResourceKind.BUCKET, "Object Storage", "Storage", False),
    MetricKind("load_balancer", ResourceKind.LOAD_BALANCER, "Load Balancers", "Networking",
               False),
    MetricKind("lbaas_", ResourceKind.LOAD_BALANCER, "Load Balancers", "Networking", False),
    MetricKind("octavia_", ResourceKind.LOAD_BALANCER, "Load Balancers", "Networking", False),
    MetricKind("backup_", ResourceKind.BACKUP, "Backup", "Storage", False),
    MetricKind("cdn_", ResourceKind.CDN, "CDN", "Networking", False),
    MetricKind("network_", ResourceKind.NETWORK, "Network", "Networking", False),
)
# A row's `provider_key` says which product billed it when the metric id is new to us.
PROVIDER_KEYS: dict[str, MetricKind] = {
    "dbaas": MetricKind("", ResourceKind.DATABASE, "Managed Databases", "Databases", False),
    "mks": MetricKind("", ResourceKind.KUBERNETES, "Managed Kubernetes", "Compute", False),
    "storage": MetricKind("", ResourceKind.BUCKET, "Object Storage", "Storage", False),
    "craas": MetricKind("", ResourceKind.CONTAINER_REGISTRY, "Container Registry",
                        "Developer Tools", False),
    "cdn": MetricKind("", ResourceKind.CDN, "CDN", "Networking", False),
}
_OTHER = MetricKind("", ResourceKind.OTHER, "Selectel", "Other", False)
_ZONE = re.compile(r"^(?P<region>.*\d)[a-z]$")
_TIER = re.compile(r"^volume_gigabytes_(?P<tier>[a-z0-9]+)")


def classify(metric_id: str, provider_key: str | None = None) -> MetricKind:
    """The product `provider_key` names (dbaas, mks, storage, craas, cdn), else the first
    table row whose prefix starts `metric_id`; `other` when neither is known."""
    product = PROVIDER_KEYS.get(provider_key or "")
    if product is not None:  # a DBaaS/MKS/S3 row is that product whatever its metric says
        return product
    for row in METRICS:
        if metric_id.startswith(row.prefix):
            return row
    return _OTHER


def region_of(zone: str | None) -> str | None:
    """`ru-3b` (an availability zone in billing) → `ru-3` (the OpenStack region)."""
    if not zone:
        return None
    match = _ZONE.match(zone)
    return match.group("region") if match else zone


def tier_of(volume_type: str | None, metric_id: str | None = None) -> str | None:
    """Disk tier from a billing metric (`volume_gigabytes_fast`) or a type (`fast.ru-3b`)."""
    if metric_id and (match := _TIER.match(metric_id)):
        return match.group("tier")
    if volume_type:
        return volume_type.split(".")[0]
    return None
