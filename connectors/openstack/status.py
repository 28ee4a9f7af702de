"""OpenStack statuses normalised to `ResourceStatus`, as one declarative table per resource kind.

Nova server, Cinder volume/snapshot and Neutron floating IP statuses (providers.md §6), plus
Selectel's `reserved` (a server kept but not running). Unknown values map to UNKNOWN, never fail.
"""

from __future__ import annotations

from types import MappingProxyType

from core.domain.collection import ResourceKind, ResourceStatus

__all__ = ["STATUS_TABLE", "normalise_status"]

_R, _S, _P, _E, _D = (ResourceStatus.RUNNING, ResourceStatus.STOPPED, ResourceStatus.PENDING,
                      ResourceStatus.ERROR, ResourceStatus.DELETED)

_SERVER = {
    "ACTIVE": _R, "RESCUE": _R, "REBOOT": _R, "HARD_REBOOT": _R, "PASSWORD": _R,
    "SHUTOFF": _S, "STOPPED": _S, "SUSPENDED": _S, "PAUSED": _S, "SHELVED": _S,
    "SHELVED_OFFLOADED": _S, "RESERVED": _S,
    "BUILD": _P, "REBUILD": _P, "RESIZE": _P, "VERIFY_RESIZE": _P, "REVERT_RESIZE": _P,
    "MIGRATING": _P, "UNKNOWN": ResourceStatus.UNKNOWN,
    "ERROR": _E,
    "DELETED": _D, "SOFT_DELETED": _D,
}
_VOLUME = {
    "IN-USE": _R, "AVAILABLE": _R, "BACKING-UP": _R, "RESTORING-BACKUP": _R, "RESERVED": _S,
    "CREATING": _P, "ATTACHING": _P, "DETACHING": _P, "DOWNLOADING": _P, "UPLOADING": _P,
    "EXTENDING": _P, "MAINTENANCE": _P, "RETYPING": _P, "AWAITING-TRANSFER": _P,
    "ERROR": _E, "ERROR_DELETING": _E, "ERROR_RESTORING": _E, "ERROR_EXTENDING": _E,
    "ERROR_BACKING-UP": _E, "ERROR_MANAGING": _E,
    "DELETING": _D, "DELETED": _D,
}
_FLOATING_IP = {"ACTIVE": _R, "DOWN": _S, "ERROR": _E}

STATUS_TABLE: MappingProxyType[ResourceKind, MappingProxyType[str, ResourceStatus]] = (
    MappingProxyType({
        ResourceKind.SERVER: MappingProxyType(_SERVER),
        ResourceKind.VOLUME: MappingProxyType(_VOLUME),
        ResourceKind.SNAPSHOT: MappingProxyType(_VOLUME),
        ResourceKind.FLOATING_IP: MappingProxyType(_FLOATING_IP),
    }))


def normalise_status(kind: ResourceKind, raw: str | None) -> ResourceStatus:
    """The normalised status of `raw` (case-insensitive) for a resource of `kind`."""
    if not raw:
        return ResourceStatus.UNKNOWN
    return STATUS_TABLE.get(kind, MappingProxyType(_SERVER)).get(
        raw.strip().upper(), ResourceStatus.UNKNOWN)
