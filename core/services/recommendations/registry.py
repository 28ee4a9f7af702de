"""Every recommendation rule, in the order they are evaluated (add a rule = add a line)."""

from __future__ import annotations

from core.services.recommendations.balance import low_balance
from core.services.recommendations.base import Rule
from core.services.recommendations.commitment import commitment
from core.services.recommendations.idle import idle
from core.services.recommendations.orphans import orphan_volumes, unused_ips
from core.services.recommendations.rightsizing import rightsizing
from core.services.recommendations.schedule import schedule_shutdown
from core.services.recommendations.snapshots import old_snapshots
from core.services.recommendations.stopped import stopped_billed
from core.services.recommendations.storage import disk_tier, storage_class
from core.services.recommendations.zombies import zombies
from core.services.recommendations.zones import cheaper_zone

__all__ = ["KINDS", "RULES"]

RULES: tuple[Rule, ...] = (
    zombies, idle, orphan_volumes, unused_ips, old_snapshots, rightsizing, schedule_shutdown,
    storage_class, disk_tier, commitment, low_balance, stopped_billed, cheaper_zone,
)

# The kinds the rules produce (each has a title and an explanation in the intel catalogue).
KINDS: tuple[str, ...] = (
    "zombie", "idle", "orphan_volume", "unused_ip", "old_snapshots", "rightsizing",
    "schedule_shutdown", "storage_class", "disk_type", "commitment", "low_balance",
    "stopped_billed", "cheaper_region",
)
