"""Day-of-week factors: how much a Monday or a Sunday costs relative to the week around it."""

from __future__ import annotations

from datetime import date

import numpy as np
import numpy.typing as npt

__all__ = ["MIN_DAYS_FOR_WEEKLY", "weekday_factors"]

FloatArray = npt.NDArray[np.float64]
MIN_DAYS_FOR_WEEKLY = 21


def weekday_factors(days: list[date], values: FloatArray,
                    mask: npt.NDArray[np.bool_] | None = None) -> FloatArray:
    """Seven multiplicative factors (Monday first, mean 1.0).

    Each day is divided by the centred 7-day mean around it (which cancels the weekly
    pattern), and the factor of a weekday is the median of those ratios, so spikes in a
    few weeks do not move it. Days where `mask` is False (planned events) are ignored.
    Fewer than three weeks of data, or a zero series, give flat factors.
    """
    flat = np.ones(7, dtype=np.float64)
    n = values.size
    if n < MIN_DAYS_FOR_WEEKLY:
        return flat
    kernel = np.ones(7) / 7.0
    centred = np.convolve(values, kernel, mode="valid")  # centred on index i+3
    ratios: list[list[float]] = [[] for _ in range(7)]
    for i, level in enumerate(centred):
        idx = i + 3
        if level <= 0 or (mask is not None and not mask[idx]):
            continue
        ratios[days[idx].weekday()].append(values[idx] / level)
    if any(len(r) < 2 for r in ratios):
        return flat
    factors = np.array([float(np.median(r)) for r in ratios], dtype=np.float64)
    if not np.all(factors > 0):
        return flat
    normalised: FloatArray = factors / factors.mean()
    return normalised
