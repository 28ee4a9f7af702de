"""Inventory → ResourceRecords with orphan flags, and rated charges → daily FOCUS cost lines."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

from connectors.openstack.inventory import RegionInventory
from connectors.openstack.models import Flavor, Server
from connectors.openstack.rating import Charge
from connectors.openstack.status import normalise_status
from core.domain.collection import CostLine, ResourceKind, ResourceRecord

__all__ = ["SERVICE_NAMES", "cost_lines", "region_records", "server_flavor", "with_daily_cost"]

# ResourceKind → (FOCUS ServiceName, FOCUS ServiceCategory)
SERVICE_NAMES: dict[ResourceKind, tuple[str, str]] = {
    ResourceKind.SERVER: ("Compute", "Compute"),
    ResourceKind.VOLUME: ("Block Storage", "Storage"),
    ResourceKind.SNAPSHOT: ("Block Storage Snapshots", "Storage"),
    ResourceKind.FLOATING_IP: ("Floating IP", "Networking"),
}


def server_flavor(server: Server, flavors: dict[str, Flavor]) -> Flavor | None:
    """The embedded (2.47+) flavor, else the one looked up by id; None if it was deleted."""
    if server.flavor_id is None:
        return Flavor.from_api(server.flavor) if server.flavor else None
    return flavors.get(server.flavor_id)


def _server(inv: RegionInventory, server: Server) -> ResourceRecord:
    flavor = server_flavor(server, inv.flavors)
    volume_ids = [str(v.get("id")) for v in server.volumes_attached if v.get("id")]
    return ResourceRecord(
        external_id=server.id, name=server.name or server.id, kind=ResourceKind.SERVER,
        status=normalise_status(ResourceKind.SERVER, server.status), region=inv.region,
        project=inv.project.name or inv.project.id, service_name="Compute",
        tags=dict(server.metadata), created_at=server.created,
        config={"project_id": inv.project.id, "raw_status": server.status,
                "flavor": flavor.name if flavor else None, "flavor_id": server.flavor_id,
                "vcpus": flavor.vcpus if flavor else None,
                "ram_mb": flavor.ram if flavor else None,
                "disk_gb": flavor.disk if flavor else None, "volumes": volume_ids,
                "ips": server.ips(), "availability_zone": server.availability_zone})


def region_records(inv: RegionInventory, *, today: date,
                   snapshot_max_age_days: int) -> list[ResourceRecord]:
    """Servers, volumes, snapshots and floating IPs of one project/region, orphans flagged."""
    records = [_server(inv, s) for s in inv.servers or []]
    project = inv.project.name or inv.project.id
    volume_ids = {v.id for v in inv.volumes or []}
    for volume in inv.volumes or []:
        attached = volume.server_ids
        records.append(ResourceRecord(
            external_id=volume.id, name=volume.name or volume.id, kind=ResourceKind.VOLUME,
            status=normalise_status(ResourceKind.VOLUME, volume.status), region=inv.region,
            project=project, service_name="Block Storage", created_at=volume.created_at,
            parent_external_id=attached[0] if attached else None,
            is_orphan=not attached and volume.status.lower() == "available",
            config={"project_id": inv.project.id, "raw_status": volume.status,
                    "size_gb": volume.size, "volume_type": volume.volume_type,
                    "bootable": str(volume.bootable).lower() == "true", "attached_to": attached,
                    **({"orphan_reason": "unattached"} if not attached else {})}))
    for snap in inv.snapshots or []:
        age = (today - snap.created_at.date()).days if snap.created_at else None
        old = age is not None and age > snapshot_max_age_days
        gone = inv.volumes is not None and snap.volume_id not in volume_ids
        reason = "source_volume_deleted" if gone else "old_snapshot" if old else None
        records.append(ResourceRecord(
            external_id=snap.id, name=snap.name or snap.id, kind=ResourceKind.SNAPSHOT,
            status=normalise_status(ResourceKind.SNAPSHOT, snap.status), region=inv.region,
            project=project, service_name="Block Storage Snapshots", created_at=snap.created_at,
            parent_external_id=snap.volume_id, is_orphan=reason is not None,
            config={"project_id": inv.project.id, "raw_status": snap.status,
                    "size_gb": snap.size, "age_days": age, "old_snapshot": old,
                    **({"orphan_reason": reason} if reason else {})}))
    port_device = {p.id: p.device_id for p in inv.ports or []}
    for fip in inv.floating_ips or []:
        records.append(ResourceRecord(
            external_id=fip.id, name=fip.floating_ip_address or fip.id,
            kind=ResourceKind.FLOATING_IP, region=inv.region, project=project,
            status=normalise_status(ResourceKind.FLOATING_IP, fip.status),
            service_name="Floating IP", created_at=fip.created_at,
            parent_external_id=port_device.get(fip.port_id or "") or None,
            is_orphan=fip.port_id is None,
            config={"project_id": inv.project.id, "raw_status": fip.status,
                    "address": fip.floating_ip_address, "port_id": fip.port_id,
                    "fixed_ip": fip.fixed_ip_address,
                    **({"orphan_reason": "no_port"} if fip.port_id is None else {})}))
    return records


def with_daily_cost(record: ResourceRecord, charges: list[Charge], day: date,
                    currency: str) -> ResourceRecord:
    """The record with today's rated cost (None when nothing in the price list matched)."""
    if not charges:
        return record
    total = sum((c.daily(day) for c in charges), Decimal(0))
    return replace(record, daily_cost=total, currency=currency)


def cost_lines(record: ResourceRecord, charges: list[Charge], days: Iterable[date], *,
               currency: str, provider_name: str) -> list[CostLine]:
    """One FOCUS line per charge per day the resource existed (from its creation day on)."""
    service, category = SERVICE_NAMES.get(record.kind, ("Other", "Other"))
    born = record.created_at.date() if record.created_at else None
    lines = []
    for day in days:
        if born is not None and day < born:
            continue
        start = datetime.combine(day, time(), tzinfo=UTC)
        for charge in charges:
            cost = charge.daily(day)
            lines.append(CostLine(
                charge_period_start=start, charge_period_end=start + timedelta(days=1),
                billed_cost=cost, effective_cost=cost, list_cost=cost,
                billing_currency=currency, service_name=service, service_category=category,
                resource_id=record.external_id, resource_name=record.name,
                resource_type=record.kind.value, region_id=record.region,
                sub_account_id=str(record.config.get("project_id") or record.project or ""),
                sub_account_name=record.project, provider_name=provider_name,
                charge_description=f"{charge.sku_id} × {charge.quantity} {charge.unit} "
                                   f"@ {charge.rate.price}/{charge.rate.per.value}",
                pricing_quantity=charge.quantity, pricing_unit=charge.unit,
                sku_id=charge.sku_id, tags=dict(record.tags)))
    return lines
