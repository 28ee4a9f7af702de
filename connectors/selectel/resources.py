"""Billing + OpenStack inventory → resources: VMs with their disks, orphans, zombies, the rest.

- A VM and its disks are ONE resource (see grouping.py); its rate is the VM's and its disks'
  latest billed hour; `daily_cost` = hourly × 24 (`config.hourly_rate` keeps the hour).
- Standalone volumes keep their tier (`volume_gigabytes_<tier>` / type prefix) and per-GB price;
  one the bill does not name yet (billing lags an hour or two) is priced at its tier's GB-hour
  price seen on other disks (`config.rate_source = "tier"`).
- Unattached volumes and floating IPs without a port are orphans.
- Billed VMs/volumes/IPs that OpenStack does not list are zombies — only where that project's
  region and service were read; where they could not be read the status is just unknown.
- Billed objects of products OpenStack does not inventory (snapshots, backups, DBaaS, MKS,
  S3, load balancers) are resources of their kind with the bill as their inventory; only
  metric ids no table row knows are `unrecognized` for review (their cost lines still count).
- A `parent_id` equal to the project id means "no parent" (a disk of a deleted server).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from connectors.openstack.inventory import RegionInventory
from connectors.openstack.models import FloatingIp, Server, Volume
from connectors.openstack.records import server_flavor
from connectors.openstack.status import normalise_status
from connectors.selectel.billing import Bill, BilledObject
from connectors.selectel.grouping import Owners
from connectors.selectel.metrics import MetricKind, classify, tier_of
from core.domain.collection import ResourceKind, ResourceRecord, ResourceStatus

__all__ = ["Merged", "merge"]

_SERVICE = "Cloud Servers"


@dataclass(slots=True)
class Merged:
    resources: list[ResourceRecord] = field(default_factory=list)
    unrecognized: list[dict[str, Any]] = field(default_factory=list)
    names: dict[str, str] = field(default_factory=dict)
    kinds: dict[str, str] = field(default_factory=dict)


def _daily(hourly: Decimal | None) -> Decimal | None:
    return None if hourly is None else hourly * 24


def _volume_cfg(volume: Volume, obj_hourly: dict[str, Decimal],
                bill: Bill) -> dict[str, Any]:
    billed = bill.objects.get(volume.id)
    metric = next(iter(sorted(billed.metric_ids)), None) if billed else None
    hourly = obj_hourly.get(volume.id)
    per_gb = (hourly / volume.size).quantize(Decimal("0.000001")) if hourly and volume.size \
        else None
    return {"id": volume.id, "name": volume.name, "size_gb": volume.size,
            "volume_type": volume.volume_type, "tier": tier_of(volume.volume_type, metric),
            "raw_status": volume.status, "bootable": str(volume.bootable).lower() == "true",
            "hourly_rate": str(hourly) if hourly is not None else None,
            "hourly_rate_per_gb": str(per_gb) if per_gb is not None else None}


class _Merger:
    def __init__(self, inventories: list[RegionInventory], bill: Bill, owners: Owners) -> None:
        self.inventories = inventories
        self.bill = bill
        self.owners = owners
        self.hourly = bill.hourly(owners) if bill.latest else {}
        self.obj_hourly = bill.object_hourly() if bill.latest else {}
        self.priced = bill.latest is not None
        self.tiers = bill.tier_prices() if bill.latest else {}
        self.out = Merged()
        self.seen: set[str] = set()
        for obj in list(bill.objects.values()):  # a billed disk of a VM billing no longer names
            group = owners.group(obj.id)
            if group != obj.id and group not in bill.objects:
                bill.objects[group] = BilledObject(
                    id=group, name=obj.parent_name or group, type="cloud_vm",
                    project_id=obj.project_id, project_name=obj.project_name, zone=obj.zone)
        self.read: set[tuple[str, str, str]] = set()  # (project, region, service) read fine
        for inv in inventories:
            for service, got in (("servers", inv.servers), ("volumes", inv.volumes),
                                 ("floating_ips", inv.floating_ips)):
                if got is not None:
                    self.read.add((inv.project.id, inv.region, service))

    def rate(self, group: str) -> Decimal | None:
        return self.hourly.get(group, Decimal(0)) if self.priced else None

    def _add(self, record: ResourceRecord) -> None:
        self.seen.add(record.external_id)
        self.out.names[record.external_id] = record.name
        self.out.kinds[record.external_id] = record.kind.value
        self.out.resources.append(record)

    def server(self, inv: RegionInventory, server: Server, disks: list[Volume]) -> None:
        flavor = server_flavor(server, inv.flavors)
        hourly = self.rate(server.id)
        billed = self.bill.objects.get(server.id)
        billed_disks = [o for o in self.bill.objects.values()
                        if self.owners.group(o.id) == server.id and o.id != server.id
                        and o.id not in {d.id for d in disks}]
        self.seen.update(d.id for d in disks)
        self.seen.update(o.id for o in billed_disks)
        self._add(ResourceRecord(
            external_id=server.id, name=server.name or server.id, kind=ResourceKind.SERVER,
            status=normalise_status(ResourceKind.SERVER, server.status), region=inv.region,
            project=inv.project.name or inv.project.id, service_name=_SERVICE,
            daily_cost=_daily(hourly), tags=dict(server.metadata), created_at=server.created,
            config={"project_id": inv.project.id, "raw_status": server.status,
                    "zone": server.availability_zone or (billed.zone if billed else None),
                    "flavor": flavor.name if flavor else None,
                    "vcpus": flavor.vcpus if flavor else None,
                    "ram_mb": flavor.ram if flavor else None,
                    "hourly_rate": str(hourly) if hourly is not None else None,
                    "volumes": [_volume_cfg(d, self.obj_hourly, self.bill) for d in disks]
                    + [{"id": o.id, "name": o.name, "billed_only": True}
                       for o in billed_disks],
                    "ips": server.ips()}))

    def volume(self, inv: RegionInventory, volume: Volume) -> None:
        cfg = _volume_cfg(volume, self.obj_hourly, self.bill)
        orphan = not volume.server_ids
        hourly = self.rate(volume.id)
        cfg["rate_source"] = "billing"
        tier_price = self.tiers.get(cfg["tier"] or "")
        if volume.id not in self.bill.objects and tier_price is not None:
            hourly = (tier_price * volume.size).quantize(Decimal("0.000001"))
            cfg.update(rate_source="tier", hourly_rate=str(hourly),
                       hourly_rate_per_gb=str(tier_price.quantize(Decimal("0.000001"))))
        self._add(ResourceRecord(
            external_id=volume.id, name=volume.name or volume.id, kind=ResourceKind.VOLUME,
            status=normalise_status(ResourceKind.VOLUME, volume.status), region=inv.region,
            project=inv.project.name or inv.project.id, service_name=_SERVICE,
            daily_cost=_daily(hourly), created_at=volume.created_at, is_orphan=orphan,
            parent_external_id=volume.server_ids[0] if volume.server_ids else None,
            config={**cfg, "project_id": inv.project.id, "attached_to": volume.server_ids,
                    **({"orphan_reason": "unattached"} if orphan else {})}))

    def floating_ip(self, inv: RegionInventory, fip: FloatingIp,
                    port_device: dict[str, str]) -> None:
        hourly = self.rate(fip.id)
        orphan = fip.port_id is None
        self._add(ResourceRecord(
            external_id=fip.id, name=fip.floating_ip_address or fip.id,
            kind=ResourceKind.FLOATING_IP, region=inv.region,
            status=normalise_status(ResourceKind.FLOATING_IP, fip.status),
            project=inv.project.name or inv.project.id, service_name=_SERVICE,
            daily_cost=_daily(hourly), created_at=fip.created_at, is_orphan=orphan,
            parent_external_id=port_device.get(fip.port_id or "") or None,
            config={"project_id": inv.project.id, "raw_status": fip.status,
                    "address": fip.floating_ip_address, "port_id": fip.port_id,
                    "hourly_rate": str(hourly) if hourly is not None else None,
                    **({"orphan_reason": "no_port"} if orphan else {})}))

    def billed_only(self, obj: BilledObject) -> None:
        """A billed object no inventory listed: zombie, unknown, or unrecognized."""
        kinds = [classify(m, obj.provider_key) for m in sorted(obj.metric_ids)]
        inventoried = obj.type == "cloud_vm" or any(k.inventoried for k in kinds)
        products = [k for k in kinds if k.kind is not ResourceKind.OTHER]
        if not inventoried and products:
            self.billed_service(obj, products[0])
            return
        if not inventoried:
            for metric_id in sorted(obj.metric_ids):
                self.out.unrecognized.append({"external_id": obj.id, "name": obj.name,
                                              "metric_id": metric_id, "raw": obj.last_row})
            return
        kind = ResourceKind.SERVER if obj.type == "cloud_vm" or obj.id in self.owners.vm_ids \
            else next(k.kind for k in kinds if k.inventoried)
        service = {ResourceKind.SERVER: "servers", ResourceKind.VOLUME: "volumes",
                   ResourceKind.FLOATING_IP: "floating_ips"}.get(kind, "servers")
        known = (obj.project_id, obj.region or "", service) in self.read
        disks = [o for o in self.bill.objects.values()
                 if o.id != obj.id and self.owners.group(o.id) == obj.id]
        self.seen.update(o.id for o in disks)
        hourly = self.rate(obj.id)
        self._add(ResourceRecord(
            external_id=obj.id, name=obj.name, kind=kind,
            status=ResourceStatus.DELETED if known else ResourceStatus.UNKNOWN,
            region=obj.region, project=obj.project_name or obj.project_id,
            service_name=_SERVICE, daily_cost=_daily(hourly), is_zombie=known,
            config={"project_id": obj.project_id, "zone": obj.zone, "billing_type": obj.type,
                    "metrics": sorted(obj.metric_ids),
                    "hourly_rate": str(hourly) if hourly is not None else None,
                    "inventory": "missing" if known else "unavailable",
                    **({"volumes": [{"id": o.id, "name": o.name, "billed_only": True}
                                    for o in disks]} if disks else {})}))

    def billed_service(self, obj: BilledObject, kind: MetricKind) -> None:
        """A product OpenStack does not list (snapshot, backup, DBaaS, Kubernetes, S3, load
        balancer): the bill is its inventory. Billed in the latest hour = running now."""
        hourly = self.rate(obj.id)
        parent = obj.parent_id if obj.parent_id and obj.parent_id != obj.project_id else None
        unit = self.bill.units.get(next(iter(sorted(obj.metric_ids)), ""), "")
        size = obj.quantity if unit.upper().startswith("GB") and obj.quantity else None
        self._add(ResourceRecord(
            external_id=obj.id, name=obj.name, kind=kind.kind,
            status=ResourceStatus.RUNNING if hourly else ResourceStatus.UNKNOWN,
            region=obj.region, project=obj.project_name or obj.project_id,
            service_name=kind.service, daily_cost=_daily(hourly),
            parent_external_id=parent,
            config={"project_id": obj.project_id, "zone": obj.zone, "billing_type": obj.type,
                    "provider_key": obj.provider_key, "metrics": sorted(obj.metric_ids),
                    "hourly_rate": str(hourly) if hourly is not None else None,
                    "inventory": "billing", **({"size_gb": size} if size else {}),
                    **({"parent_name": obj.parent_name} if parent else {})}))

    def run(self) -> Merged:
        for inv in self.inventories:
            by_owner: dict[str, list[Volume]] = {}
            for volume in inv.volumes or []:
                owner = self.owners.owner.get(volume.id)
                if owner is not None:
                    by_owner.setdefault(owner, []).append(volume)
            servers = {s.id for s in inv.servers or []}
            for server in inv.servers or []:
                self.server(inv, server, by_owner.get(server.id, []))
            for volume in inv.volumes or []:
                owner = self.owners.owner.get(volume.id)
                if owner is None or (owner not in servers and owner not in self.owners.vm_ids):
                    self.volume(inv, volume)
            port_device = {p.id: p.device_id for p in inv.ports or []}
            for fip in inv.floating_ips or []:
                self.floating_ip(inv, fip, port_device)
        # volumes whose VM is in another region's inventory were folded there; the rest stand
        for inv in self.inventories:
            for volume in inv.volumes or []:
                if volume.id not in self.seen:
                    self.volume(inv, volume)
        for obj in list(self.bill.objects.values()):
            if obj.id in self.seen or self.owners.group(obj.id) != obj.id:
                continue  # listed by OpenStack, or folded into its VM
            self.billed_only(obj)
        return self.out


def merge(inventories: list[RegionInventory], bill: Bill, owners: Owners) -> Merged:
    """Resources, unrecognized items and per-resource names/kinds for the cost lines."""
    return _Merger(inventories, bill, owners).run()
