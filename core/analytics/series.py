"""Validation and conversion of daily series: the one place bad input is turned into words."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta
from decimal import Decimal

import numpy as np
import numpy.typing as npt

from core.domain.money import quantize_money

__all__ = ["DailySeries", "FloatArray", "SeriesError", "to_decimal", "validate_series"]

DailySeries = Sequence[tuple[date, Decimal]]
FloatArray = npt.NDArray[np.float64]


class SeriesError(ValueError):
    """A series the maths cannot use; `code` is a catalogue-friendly reason, `day` the culprit."""

    def __init__(self, code: str, message: str, day: date | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.day = day

    def __reduce__(self) -> tuple[type[SeriesError], tuple[str, str, date | None]]:
        """Picklable with its fields: a forecast run in a worker process raises it there."""
        return (type(self), (self.code, str(self), self.day))


def validate_series(series: DailySeries, *, min_days: int = 2,
                    allow_negative: bool = True) -> tuple[list[date], FloatArray]:
    """Check a series is sorted, daily, gap-free and long enough; split it.

    Negative days (a credit or a refund larger than the day's usage) are real billing data
    and allowed unless `allow_negative` is False; the maths treats them as known effects.
    """
    if not series:
        raise SeriesError("empty", "the series is empty")
    days = [d for d, _ in series]
    for prev, cur in zip(days, days[1:], strict=False):
        if cur <= prev:
            raise SeriesError("order", f"{cur} is not after {prev}: days must be increasing", cur)
        if cur - prev != timedelta(days=1):
            raise SeriesError("gap", f"days are missing between {prev} and {cur}", cur)
    for day, value in series:
        if not value.is_finite():
            raise SeriesError("not_finite", f"{day}: the cost is not a finite number", day)
        if value < 0 and not allow_negative:
            raise SeriesError("negative", f"{day}: the cost is negative ({value})", day)
    if len(series) < min_days:
        raise SeriesError("too_short",
                          f"{len(series)} day(s) given, at least {min_days} are needed")
    return days, np.array([float(v) for _, v in series], dtype=np.float64)


def to_decimal(value: float) -> Decimal:
    """A float estimate back to money: rounded to the kopeck, never negative zero."""
    if not np.isfinite(value):
        return Decimal("0.00")
    result = quantize_money(Decimal(repr(float(value))))
    return result if result != 0 else Decimal("0.00")
