"""Rolling-origin backtest of the forecast: how wrong it was on history it had not seen."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from core.analytics.forecast import forecast
from core.analytics.series import DailySeries, validate_series

__all__ = ["BacktestResult", "backtest"]


@dataclass(frozen=True, slots=True)
class BacktestResult:
    """MAPE of daily values and of the horizon total, and the share inside the interval."""

    origins: int
    horizon: int
    daily_mape: float
    total_mape: float
    coverage: float


def backtest(series: DailySeries, *, horizon: int = 14, min_train: int = 56,
             step: int = 7) -> BacktestResult:
    """Cut the history at every `step` days after `min_train`, forecast `horizon` days, compare.

    Days whose actual cost is zero are left out of the daily MAPE (a percentage of nothing).
    """
    _, values = validate_series(series, min_days=min_train + horizon)
    daily_err: list[float] = []
    total_err: list[float] = []
    inside = 0
    count = 0
    origins = 0
    for cut in range(min_train, values.size - horizon + 1, step):
        fc = forecast(series[:cut], horizon)
        actual = values[cut:cut + horizon]
        predicted = np.array([float(p.value) for p in fc.points])
        lower = np.array([float(p.lower) for p in fc.points])
        upper = np.array([float(p.upper) for p in fc.points])
        nonzero = actual > 0
        daily_err.extend(np.abs(predicted - actual)[nonzero] / actual[nonzero])
        if actual.sum() > 0:
            total_err.append(abs(predicted.sum() - actual.sum()) / actual.sum())
        inside += int(((actual >= lower) & (actual <= upper)).sum())
        count += actual.size
        origins += 1
    return BacktestResult(
        origins=origins, horizon=horizon,
        daily_mape=round(100 * float(np.mean(daily_err)), 2) if daily_err else 0.0,
        total_mape=round(100 * float(np.mean(total_err)), 2) if total_err else 0.0,
        coverage=round(float(inside / count), 3) if count else 0.0)
