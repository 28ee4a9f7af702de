"""Selectel billing metric ids → resource kind and FOCUS service, as one declarative table.

`inventoried` says whether OpenStack (Nova/Cinder/Neutron) can confirm the object exists:
only those can be zombies; the rest become unrecognized items for review (their cost lines
still count — billing is the truth).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from core.domain.collection import ResourceKind

__all__ = ["METRICS", "MetricKind", "classify", "region_of", "tier_of"]


@dataclass(frozen=True, slots=True)
class MetricKind:
    prefix: str
    kind: ResourceKind
    service: str
    category: str
    inventoried: bool


METRICS: tuple[MetricKind, ...] = (
    MetricKind("compute_", ResourceKind.SERVER, "Cloud Servers", "Compute", True),
    MetricKind("volume_", ResourceKind.VOLUME, "Cloud Servers", "Storage", True),
    MetricKind("network_floatingip", ResourceKind.FLOATING_IP, "Cloud Servers", "Networking",
               True),
    MetricKind("share_", ResourceKind.FILE_STORAGE, "File Storage", "Storage", False),
    MetricKind("dbaas_", ResourceKind.DATABASE, "Managed Databases", "Databases", False),
    MetricKind("mks_", ResourceKind.KUBERNETES, "Managed Kubernetes", "Compute", False),
    MetricKind("craas_", ResourceKind.CONTAINER_REGISTRY, "Container Registry",
               "Developer Tools", False),
    MetricKind("s3_", ResourceKind.BUCKET, "Object Storage", "Storage", False),
    MetricKind("load_balancers_", ResourceKind.LOAD_BALANCER, "Load Balancers", "Networking",
               False),
    MetricKind("backup_", ResourceKind.BACKUP, "Backup", "Storage", False),
    MetricKind("network_", ResourceKind.NETWORK, "Network", "Networking", False),
)
_OTHER = MetricKind("", ResourceKind.OTHER, "Selectel", "Other", False)
_ZONE = re.compile(r"^(?P<region>.*\d)[a-z]$")
_TIER = re.compile(r"^volume_gigabytes_(?P<tier>[a-z0-9]+)")


def classify(metric_id: str) -> MetricKind:
    """The first table row whose prefix starts `metric_id`; `other` when none does."""
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
