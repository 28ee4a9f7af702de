"""Slow growth: a level that keeps rising by a steady share a day, too gently for any one day
to look unusual (1 %/day is ×1.5 in six weeks).

Test: weekly medians of the deseasonalised usage (fees, credits, holidays and planned days
left out) on a log scale. A hinge model — flat, then a straight climb from week k on — is fitted
for every k and compared with a flat line and with the best single step (a level shift). Growth
is reported when the hinge explains most of the variance, clearly beats the step, the climb
lasts at least three weeks, is still going on in the last weeks and adds up to something.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from core.analytics.series import FloatArray

__all__ = ["Growth", "find_growth"]

BLOCK = 7
MIN_RATE = 0.004  # 0.4 %/day
MIN_DAYS = 21
MIN_RISE = 0.2
MAX_UNEXPLAINED = 0.3
BEAT_STEP = 0.6


@dataclass(frozen=True, slots=True)
class Growth:
    """Growth from day index `start` to the end at `rate` (relative, per day, compounded)."""

    start: int
    rate: float
    level_before: float


def _blocks(values: FloatArray, usable: np.ndarray) -> tuple[FloatArray, FloatArray, FloatArray]:
    """(first day index, centre, log median) of each full week counted back from the end."""
    n = values.size
    starts, centres, logs = [], [], []
    for end in range(n, BLOCK - 1, -BLOCK):
        lo = end - BLOCK
        sel = values[lo:end][usable[lo:end]]
        if sel.size >= 4 and float(np.median(sel)) > 0:
            starts.append(lo)
            centres.append(lo + (BLOCK - 1) / 2)
            logs.append(float(np.log(np.median(sel))))
    order = np.argsort(starts)
    return (np.array(starts, dtype=float)[order], np.array(centres)[order],
            np.array(logs)[order])


def _sse(x: FloatArray, y: FloatArray) -> tuple[float, FloatArray]:
    coef: FloatArray = np.asarray(np.linalg.lstsq(x, y, rcond=None)[0], dtype=np.float64)
    resid = y - x @ coef
    return float(resid @ resid), coef


def find_growth(deseason: FloatArray, usable: np.ndarray) -> Growth | None:
    """The steady climb of a deseasonalised series, if it has one going on now."""
    starts, centres, logs = _blocks(deseason, usable)
    w = logs.size
    if w < 8:
        return None
    flat = float(((logs - logs.mean()) ** 2).sum())
    if flat <= 0:
        return None
    ones = np.ones(w)
    best_step = min(_sse(np.column_stack([ones, (np.arange(w) >= k).astype(float)]), logs)[0]
                    for k in range(2, w - 1))
    best: tuple[float, int, float, float] | None = None
    for k in range(2, w - 2):
        hinge = np.maximum(0.0, centres - starts[k])
        sse, coef = _sse(np.column_stack([ones, hinge]), logs)
        if best is None or sse < best[0]:
            best = (sse, k, float(coef[1]), float(coef[0]))
    if best is None:
        return None
    sse, k, slope, intercept = best
    days = deseason.size - int(starts[k])
    if (slope < MIN_RATE or days < MIN_DAYS or sse > MAX_UNEXPLAINED * flat
            or sse > BEAT_STEP * best_step or np.expm1(slope * days) < MIN_RISE):
        return None
    # still climbing: the last two weeks sit above the two weeks before them
    if logs[-2:].mean() - logs[-4:-2].mean() < 0.5 * slope * 2 * BLOCK:
        return None
    return Growth(int(starts[k]), float(np.expm1(slope)), float(np.exp(intercept)))
