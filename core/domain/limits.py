"""Caps on reading one file (an import, a bucket object): the defence against file bombs.

A value object shared by the readers in `connectors` (which enforce it, `connectors.safe_io`)
and the settings (which fill it from IMPORT_MAX_*), so core never imports a connector.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["ReadLimits"]


@dataclass(frozen=True, slots=True)
class ReadLimits:
    """Caps for one file read. Defaults fit any real billing export with a wide margin."""

    max_line_bytes: int = 1 << 20  # IMPORT_MAX_LINE_BYTES: one line (or one CSV record)
    max_bytes: int = 2 << 30  # IMPORT_MAX_BYTES: the whole file, decompressed
    max_ratio: float = 100.0  # IMPORT_MAX_RATIO: decompressed / compressed bytes
    ratio_floor: int = 8 << 20  # decompressed bytes read before the ratio is enforced

    def __post_init__(self) -> None:
        if self.max_line_bytes < 1 or self.max_bytes < 1 or self.max_ratio <= 1:
            raise ValueError("read limits must be positive (the ratio above 1)")
