"""Which VM a volume belongs to: attachments, billing `parent_id`, then `disk-for-{vm}` names.

Selectel names boot and extra disks created with a server `disk-for-{vm}-#N`; the billing API
links them with `object.parent_id`; Cinder links them with `attachments`. A VM and its disks
are one resource, so every disk row of the bill is folded into its VM.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from connectors.openstack.inventory import RegionInventory
from connectors.selectel.metrics import classify
from connectors.selectel.models import ConsumptionRow
from core.domain.collection import ResourceKind

__all__ = ["Owners", "vm_name_from_disk"]

_DISK_FOR = re.compile(r"^disk-for-(?P<vm>.+?)(?:-#\d+)?$")


def vm_name_from_disk(name: str | None) -> str | None:
    """`disk-for-web-1-#1` → `web-1`; None for any other name."""
    match = _DISK_FOR.match(name or "")
    return match.group("vm") if match else None


@dataclass(slots=True)
class Owners:
    """Volume id → VM id, learned from the inventory and the bill."""

    vm_ids: set[str] = field(default_factory=set)
    vm_by_name: dict[tuple[str, str], str] = field(default_factory=dict)  # (project, name)
    owner: dict[str, str] = field(default_factory=dict)

    @classmethod
    def build(cls, inventories: Iterable[RegionInventory],
              rows: Iterable[ConsumptionRow]) -> Owners:
        self = cls()
        inventories = list(inventories)
        rows = list(rows)
        for inv in inventories:
            for server in inv.servers or []:
                self.vm_ids.add(server.id)
                self.vm_by_name.setdefault((inv.project.id, server.name), server.id)
        for row in rows:
            obj = row.object
            if obj is not None and obj.type == "cloud_vm" and row.project is not None:
                self.vm_ids.add(obj.id)
                if obj.name:
                    self.vm_by_name.setdefault((row.project.id, obj.name), obj.id)
        for inv in inventories:  # 1. Cinder attachments, 2. the naming convention
            for volume in inv.volumes or []:
                attached = [s for s in volume.server_ids if s in self.vm_ids]
                by_name = self._by_name(inv.project.id, volume.name)
                if attached:
                    self.owner[volume.id] = attached[0]
                elif by_name:
                    self.owner[volume.id] = by_name
        # a disk left by a deleted server is billed with `parent_id` = its PROJECT id: that
        # means "no parent" (observed), never a server to fold the disk into
        projects = {row.project.id for row in rows if row.project is not None}
        projects.update(inv.project.id for inv in inventories)
        for row in rows:  # 3. billing parent_id, 4. the naming convention on billed names
            obj = row.object
            if obj is None or obj.id in self.owner or obj.id in self.vm_ids:
                continue
            is_disk = classify(row.metric.id, row.provider_key).kind is ResourceKind.VOLUME
            if not is_disk:
                continue
            if obj.parent_id and obj.parent_id not in projects:
                self.owner[obj.id] = obj.parent_id
                self.vm_ids.add(obj.parent_id)
            elif row.project is not None and (vm := self._by_name(row.project.id, obj.name)):
                self.owner[obj.id] = vm
        return self

    def _by_name(self, project_id: str, disk_name: str | None) -> str | None:
        vm = vm_name_from_disk(disk_name)
        return self.vm_by_name.get((project_id, vm)) if vm else None

    def group(self, object_id: str) -> str:
        """The resource a billed object's cost belongs to (its VM, or itself)."""
        return self.owner.get(object_id, object_id)
