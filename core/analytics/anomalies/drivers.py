"""Which parts drove an anomaly: each child's actual minus its own expected, over the event days.

A child's expectation for a day is the median of the same weekday in the four weeks before
the event (a seasonal naive median: robust, and blind to the event itself).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from core.analytics.series import DailySeries
from core.domain.money import quantize_money

__all__ = ["Contribution", "decompose"]

ZERO = Decimal("0.00")


@dataclass(frozen=True, slots=True)
class Contribution:
    key: str
    actual: Decimal
    expected: Decimal
    delta: Decimal
    share: Decimal  # of the parent's delta, in percent


def _median(values: list[Decimal]) -> Decimal:
    ordered = sorted(values)
    mid = len(ordered) // 2
    return ordered[mid] if len(ordered) % 2 else (ordered[mid - 1] + ordered[mid]) / 2


def _expected(points: dict[date, Decimal], day: date, start: date, weeks: int) -> Decimal:
    same = [points[d] for w in range(1, weeks + 1)
            if (d := day - timedelta(days=7 * w)) < start and d in points]
    if len(same) < 2:
        same = [v for d, v in points.items() if start - timedelta(days=7 * weeks) <= d < start]
    return _median(same) if same else ZERO


def decompose(children: Mapping[str, DailySeries], start: date, end: date, *,
              direction: int, weeks: int = 4, top: int = 5) -> list[Contribution]:
    """The `top` children that moved most in `direction` (+1 up, −1 down) over [start, end]."""
    rows: list[tuple[str, Decimal, Decimal, Decimal]] = []
    for key, series in children.items():
        points = dict(series)
        actual = expected = ZERO
        day = start
        while day <= end:
            actual += points.get(day, ZERO)
            expected += _expected(points, day, start, weeks)
            day += timedelta(days=1)
        rows.append((key, quantize_money(actual), quantize_money(expected),
                     quantize_money(actual - expected)))
    moved = sum((d for *_, d in rows if d * direction > 0), ZERO)
    rows = [r for r in rows if r[3] * direction > 0]
    rows.sort(key=lambda r: (-abs(r[3]), r[0]))
    return [Contribution(k, a, e, d, (d * 100 / moved).quantize(Decimal("0.1")) if moved else
                         Decimal(0)) for k, a, e, d in rows[:top]]
