"""One utilisation vocabulary: the metric names and units every connector normalises into.

The recommendation rules read `cpu_percent` and `memory_percent` (0–100, percent of what the
resource has). Providers report other names and units (Beget `cpu` %, `memory` in MB; Yandex
`cpu_usage` %; Gnocchi `cpu_util` %, `memory.usage` MB): each connector converts before it
builds a `UsageMetric`, with the helpers below, so no rule ever sees a provider's spelling.
"""

from __future__ import annotations

from typing import Final

__all__ = ["CPU_PERCENT", "LEGACY_NAMES", "MEMORY_PERCENT", "PERCENT", "UNITS",
           "canonical_metric", "memory_percent"]

PERCENT: Final = "percent"
CPU_PERCENT: Final = "cpu_percent"
MEMORY_PERCENT: Final = "memory_percent"

# canonical name → its unit
UNITS: Final[dict[str, str]] = {CPU_PERCENT: PERCENT, MEMORY_PERCENT: PERCENT}

# names stored before the vocabulary existed (unit percent) → canonical name
LEGACY_NAMES: Final[dict[str, str]] = {
    "cpu": CPU_PERCENT, "cpu_util": CPU_PERCENT, "cpu_usage": CPU_PERCENT,
    "memory": MEMORY_PERCENT, "mem": MEMORY_PERCENT, "memory_util": MEMORY_PERCENT,
}


def canonical_metric(name: str, unit: str = PERCENT) -> str | None:
    """The vocabulary name of a stored sample, or None when it cannot be read as one.

    A legacy name counts only with a percent unit: Beget's old `memory` samples in MB are
    not a percentage and are ignored rather than misread as 2048 %.
    """
    if name in UNITS:
        return name if unit == UNITS[name] else None
    canonical = LEGACY_NAMES.get(name)
    return canonical if canonical is not None and unit == PERCENT else None


def memory_percent(used_mb: float, total_mb: float | None) -> float | None:
    """Used memory in MB → percent of the resource's memory (None when the size is unknown)."""
    if not total_mb or total_mb <= 0:
        return None
    return max(0.0, min(100.0, used_mb * 100.0 / total_mb))
