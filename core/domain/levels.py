"""The one traffic-light rule for a budget: green, amber or red.

Chat answers, the PDF brief, the digest, the CLI and budget alerts all colour a budget with
`budget_level`, so the same budget can never be amber in one place and green in another.

- red: what is spent has reached the amount (100 %);
- amber: what is spent has reached the warning threshold (the highest threshold below 100 %,
  80 % by default), or the forecast at the period's end is over the amount;
- green: otherwise.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from typing import Literal

__all__ = ["DEFAULT_WARNING", "LEVELS", "Level", "budget_level", "warning_threshold"]

Level = Literal["green", "amber", "red"]
LEVELS: tuple[Level, ...] = ("green", "amber", "red")
DEFAULT_WARNING = 80


def warning_threshold(thresholds: Iterable[int]) -> int:
    """The threshold that turns a budget amber: the highest one below 100 %, else 80 %."""
    below = [int(t) for t in thresholds if 0 < int(t) < 100]
    return max(below) if below else DEFAULT_WARNING


def budget_level(share: Decimal, forecast_overrun: bool,
                 thresholds: Iterable[int] = (50, 80, 100)) -> Level:
    """The level of a budget `share` percent spent, with or without a forecast overrun."""
    if share >= 100:
        return "red"
    if share >= warning_threshold(thresholds) or forecast_overrun:
        return "amber"
    return "green"
