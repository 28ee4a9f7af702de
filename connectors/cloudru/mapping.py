"""Cloud.ru records: consumption rows → daily cost lines, compute items → resources (pure)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from connectors.cloudru.client import ShapeError
from connectors.cloudru.models import Consumption, FloatingIp, Vm, VmDisk
from core.domain.collection import CostLine, ResourceKind, ResourceRecord, ResourceStatus
from core.domain.money import MoneyParseError, parse_decimal

__all__ = ["consumption_line", "disk_record", "fip_record", "vm_disk_record", "vm_record"]

# Lower-cased provider states (UNCONFIRMED spellings) → our statuses.
VM_STATE: dict[str, ResourceStatus] = {
    "running": ResourceStatus.RUNNING, "active": ResourceStatus.RUNNING,
    "stopped": ResourceStatus.STOPPED, "shutoff": ResourceStatus.STOPPED,
    "suspended": ResourceStatus.STOPPED, "creating": ResourceStatus.PENDING,
    "starting": ResourceStatus.PENDING, "stopping": ResourceStatus.RUNNING,
    "error": ResourceStatus.ERROR, "deleting": ResourceStatus.DELETED,
    "deleted": ResourceStatus.DELETED,
}
# Keys that, when present, tell whether a disk is attached (UNCONFIRMED; absent = unknown).
_ATTACH_KEYS = ("vm", "vms", "vm_id", "attachments", "instance_id")


def _decimal(value: Any, field: str) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        return parse_decimal(value, field=field)
    except MoneyParseError as exc:
        raise ShapeError(f"consumption: {field}={value!r} is not a number",
                         provider="cloudru") from exc


def _time(text: str | None) -> datetime | None:
    if not text:
        return None
    try:
        stamp = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    return stamp if stamp.tzinfo else stamp.replace(tzinfo=UTC)


def consumption_line(row: Consumption, *, with_vat: bool = True) -> CostLine:
    """One row is one day (`usedate`); BilledCost is the invoiced amount (with VAT when the
    row has `amount_nds` and `with_vat`), so totals match what the customer pays."""
    try:
        day = date.fromisoformat(row.usedate.strip()[:10])
    except ValueError as exc:
        raise ShapeError(f"consumption: usedate={row.usedate!r} is not a date",
                         provider="cloudru") from exc
    net = _decimal(row.amount, "amount")
    gross = _decimal(row.amount_nds, "amount_nds")
    billed = gross if with_vat and gross is not None else net
    if billed is None:
        raise ShapeError("consumption: no amount", provider="cloudru")
    start = datetime.combine(day, time(), UTC)
    project = row.meta.get("iam_project_name")
    return CostLine(
        charge_period_start=start, charge_period_end=start + timedelta(days=1),
        billed_cost=billed, effective_cost=billed, list_cost=billed,
        service_name=row.servname, resource_id=row.resource_id or None,
        resource_name=row.resource_name, sku_id=row.sku, pricing_unit=row.unit,
        pricing_quantity=_decimal(row.usefact, "usefact"),
        sub_account_name=str(project) if project else None, provider_name="Cloud.ru",
        charge_description=f"amount without VAT {net}" if net is not None else None)


def vm_record(vm: Vm, project_id: str) -> ResourceRecord:
    flavor = vm.flavor
    zone = vm.availability_zone or {}
    return ResourceRecord(
        external_id=vm.id, name=vm.name or vm.id, kind=ResourceKind.SERVER,
        status=VM_STATE.get((vm.state or "").lower(), ResourceStatus.UNKNOWN),
        region=zone.get("name"), project=vm.project_id or project_id, service_name="Compute",
        config={"flavor": flavor.get("name"), "cpu": flavor.get("cpu"),
                "ram": flavor.get("ram"), "gpu": flavor.get("gpu"),
                "provider_status": vm.state},
        created_at=_time(vm.created_time))


def vm_disk_record(disk: VmDisk, vm: Vm, project_id: str) -> ResourceRecord:
    return ResourceRecord(
        external_id=disk.id, name=disk.name or disk.id, kind=ResourceKind.VOLUME,
        status=ResourceStatus.RUNNING, project=project_id, service_name="Compute",
        config={"size_gb": disk.size, "type": (disk.disk_type or {}).get("name"),
                "primary": disk.primary},
        parent_external_id=vm.id)


def disk_record(raw: dict[str, Any], project_id: str) -> ResourceRecord:
    known = [k for k in _ATTACH_KEYS if k in raw]
    attached = any(raw.get(k) for k in known)
    dtype = raw.get("disk_type")
    return ResourceRecord(
        external_id=str(raw.get("id")), name=str(raw.get("name") or raw.get("id")),
        kind=ResourceKind.VOLUME, status=ResourceStatus.RUNNING, project=project_id,
        service_name="Compute",
        config={"size_gb": raw.get("size"),
                "type": dtype.get("name") if isinstance(dtype, dict) else dtype},
        is_orphan=bool(known) and not attached)


def fip_record(fip: FloatingIp, project_id: str) -> ResourceRecord:
    vm_id = (fip.vm or {}).get("id")
    return ResourceRecord(
        external_id=fip.id, name=fip.ip_address or fip.id, kind=ResourceKind.FLOATING_IP,
        status=ResourceStatus.RUNNING if vm_id else ResourceStatus.STOPPED, project=project_id,
        service_name="VPC", config={"address": fip.ip_address, "state": fip.state},
        is_orphan=not vm_id, parent_external_id=vm_id)
