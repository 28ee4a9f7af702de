"""Robust statistics that a single spike cannot drag: medians, MAD, Theil–Sen slopes."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

__all__ = ["MAD_TO_SIGMA", "mad", "theil_sen"]

FloatArray = npt.NDArray[np.float64]
MAD_TO_SIGMA = 1.4826
_MAX_PAIRS_POINTS = 120


def mad(values: FloatArray) -> float:
    """Median absolute deviation (unscaled); 0.0 for fewer than two points."""
    if values.size < 2:
        return 0.0
    return float(np.median(np.abs(values - np.median(values))))


def theil_sen(x: FloatArray, y: FloatArray) -> tuple[float, float]:
    """Slope and intercept as the median of pairwise slopes: ignores up to ~29 % outliers."""
    if x.size < 2:
        return 0.0, float(np.median(y)) if y.size else 0.0
    if x.size > _MAX_PAIRS_POINTS:
        x, y = x[-_MAX_PAIRS_POINTS:], y[-_MAX_PAIRS_POINTS:]
    i, j = np.triu_indices(x.size, k=1)
    dx = x[j] - x[i]
    keep = dx != 0
    slope = float(np.median((y[j] - y[i])[keep] / dx[keep])) if keep.any() else 0.0
    intercept = float(np.median(y - slope * x))
    return slope, intercept
