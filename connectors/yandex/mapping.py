"""Yandex inventory → ResourceRecords: statuses, sizes in GB, orphans (pure functions)."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from connectors.parsing import optional_int, parse_rfc3339
from connectors.yandex.models import Address, Disk, Folder, Instance
from core.domain.collection import ResourceKind, ResourceRecord, ResourceStatus, UsageMetric
from core.domain.metrics import CPU_PERCENT, PERCENT

__all__ = ["address_record", "cpu_samples", "disk_record", "instance_record"]

_GB = Decimal(1024 ** 3)
INSTANCE_STATUS: dict[str, ResourceStatus] = {
    "RUNNING": ResourceStatus.RUNNING, "STOPPED": ResourceStatus.STOPPED,
    "STOPPING": ResourceStatus.RUNNING, "STARTING": ResourceStatus.PENDING,
    "PROVISIONING": ResourceStatus.PENDING, "RESTARTING": ResourceStatus.RUNNING,
    "UPDATING": ResourceStatus.RUNNING, "ERROR": ResourceStatus.ERROR,
    "CRASHED": ResourceStatus.ERROR, "DELETING": ResourceStatus.DELETED,
}
DISK_STATUS: dict[str, ResourceStatus] = {
    "READY": ResourceStatus.RUNNING, "CREATING": ResourceStatus.PENDING,
    "ERROR": ResourceStatus.ERROR, "DELETING": ResourceStatus.DELETED,
}


def _gb(value: Any) -> float | None:
    size = optional_int(value)
    return float(Decimal(size) / _GB) if size is not None else None


def _project(folder: Folder) -> str:
    return folder.name or folder.id


def instance_record(inst: Instance, folder: Folder) -> ResourceRecord:
    res = inst.resources
    disks = [d.get("diskId") for d in [inst.boot_disk or {}, *inst.secondary_disks]]
    return ResourceRecord(
        external_id=inst.id, name=inst.name or inst.id, kind=ResourceKind.SERVER,
        status=INSTANCE_STATUS.get(inst.status, ResourceStatus.UNKNOWN), region=inst.zone_id,
        project=_project(folder), service_name="Compute Cloud", tags=dict(inst.labels),
        config={"cores": optional_int(res.get("cores")),
                "core_fraction": optional_int(res.get("coreFraction")),
                "memory_gb": _gb(res.get("memory")), "gpus": optional_int(res.get("gpus")),
                "platform": inst.platform_id, "provider_status": inst.status,
                "preemptible": bool(inst.scheduling_policy.get("preemptible")),
                "disks": [d for d in disks if d], "folder_id": inst.folder_id},
        created_at=parse_rfc3339(inst.created_at))


def disk_record(disk: Disk, folder: Folder) -> ResourceRecord:
    status = DISK_STATUS.get(disk.status, ResourceStatus.UNKNOWN)
    return ResourceRecord(
        external_id=disk.id, name=disk.name or disk.id, kind=ResourceKind.VOLUME,
        status=status, region=disk.zone_id, project=_project(folder),
        service_name="Compute Cloud", tags=dict(disk.labels),
        config={"size_gb": _gb(disk.size), "type": disk.type_id, "folder_id": disk.folder_id,
                "attached_to": list(disk.instance_ids)},
        created_at=parse_rfc3339(disk.created_at),
        is_orphan=not disk.instance_ids and status is ResourceStatus.RUNNING,
        parent_external_id=disk.instance_ids[0] if disk.instance_ids else None)


def address_record(addr: Address, folder: Folder) -> ResourceRecord:
    ext = addr.external_ipv4_address or {}
    return ResourceRecord(
        external_id=addr.id, name=addr.name or str(ext.get("address") or addr.id),
        kind=ResourceKind.FLOATING_IP,
        status=ResourceStatus.RUNNING if addr.used else ResourceStatus.STOPPED,
        region=ext.get("zoneId"), project=_project(folder),
        service_name="Virtual Private Cloud", tags=dict(addr.labels),
        config={"address": ext.get("address"), "reserved": addr.reserved, "used": addr.used,
                "type": addr.type, "folder_id": addr.folder_id},
        created_at=parse_rfc3339(addr.created_at), is_orphan=addr.reserved and not addr.used)


def cpu_samples(metrics: list[dict[str, Any]],
                instances: list[Instance]) -> list[UsageMetric]:
    """Monitoring series → CPU samples of known VMs (`resource_id` label is name or id);
    `timestamps` are Unix milliseconds, null values (gaps) are skipped."""
    by_label = {i.name: i.id for i in instances if i.name} | {i.id: i.id for i in instances}
    samples = []
    for metric in metrics:
        labels = metric.get("labels") or {}
        vm = by_label.get(str(labels.get("resource_id", "")))
        series = metric.get("timeseries") or {}
        if vm is None:
            continue
        for stamp, value in zip(series.get("timestamps") or [],
                                series.get("doubleValues") or [], strict=False):
            if value is None:
                continue
            try:
                when = datetime.fromtimestamp(int(stamp) / 1000, tz=UTC)
                samples.append(UsageMetric(resource_id=vm, metric=CPU_PERCENT, timestamp=when,
                                           value=float(value), unit=PERCENT))
            except (TypeError, ValueError, OverflowError):
                continue
    return samples
