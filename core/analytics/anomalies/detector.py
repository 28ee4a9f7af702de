"""Anomalies in a daily cost series: seasonal robust baseline, MAD z-score, level shifts,
slow growth, and recurring fees that change or do not come.

Known effects first, so they are never reported:
  * recurring fees (monthly or quarterly, on a fixed day of the month) are learned from the
    history (`recurring`); their days are judged only against the fee itself;
  * credits and refunds (days at or below zero) and the Russian public holidays (`calendar`,
    drops only) are left out of the baseline; a holiday is not a drop unless it falls below
    half the quietest weekday (an outage on a holiday still is one);
  * days marked planned by the user are left alone;
  * what the bill marks as a purchase (FOCUS ChargeCategory `Purchase`) is expected;
  * a fee seen on the same day of the same month a year ago is a yearly fee.
Then, day by day from the third week on:
  * the series is divided by its day-of-week factors, so a quiet Sunday is not a drop;
  * the expected value is the median of the previous four weeks (only days since the last
    accepted level shift, never planned days or days already flagged), times the factor;
  * the scale is the MAD of that window (floored at 1.5 % of the level, so a flat series
    does not turn every kopeck into a huge z-score); a day is unusual when |z| ≥ 4 and it
    is at least 5 % off the expectation;
  * a run of `shift_days` unusual days in the same direction is a level shift: the new
    level becomes the baseline from the run's first day on, so a shift is one event, not
    a month of alerts; shifts following each other closely in one direction form a drift;
  * money decides what is worth telling: a spike or drop must move at least
    `min_impact` in total, a shift or drift at least `min_monthly_impact` a month.
Finally slow growth (`growth`) is tested on the deseasonalised usage; shifts and drifts that
are only steps of that climb are folded into it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from decimal import Decimal

import numpy as np
import numpy.typing as npt

from core.analytics.anomalies.calendar import non_working_days
from core.analytics.anomalies.growth import find_growth
from core.analytics.anomalies.recurring import FeeEvent, RecurringFee, find_fees, local_level
from core.analytics.robust import MAD_TO_SIGMA, mad
from core.analytics.seasonality import weekday_factors
from core.analytics.series import DailySeries, FloatArray, to_decimal, validate_series

__all__ = ["DRIFT", "DROP", "FEE_CHANGE", "FEE_MISSING", "GROWTH", "LEVEL_SHIFT", "SPIKE",
           "Anomaly", "DetectorSettings", "Detection", "detect"]

SPIKE, DROP, LEVEL_SHIFT, DRIFT = "spike", "drop", "level_shift", "drift"
GROWTH, FEE_CHANGE, FEE_MISSING = "growth", "fee_change", "fee_missing"
MIN_DAYS_FOR_FEES = 45
HOLIDAY_FLOOR = 0.5  # a public holiday dips to half the quietest weekday at the most


@dataclass(frozen=True, slots=True)
class DetectorSettings:
    """Thresholds; money ones are in the series' currency (an org can override them)."""

    z_threshold: float = 4.5
    min_relative: float = 0.05
    min_impact: Decimal = Decimal("500")
    min_monthly_impact: Decimal = Decimal("5000")
    window_days: int = 28
    min_history_days: int = 14
    shift_days: int = 4
    drift_gap_days: int = 10
    noise_floor: float = 0.015


@dataclass(frozen=True, slots=True)
class Anomaly:
    """One event: `delta` is actual − expected over its days; `daily_delta` per day;
    `rate` the relative change a day of slow growth (0.01: +1 %/day), else 0."""

    start: date
    end: date
    kind: str
    direction: int
    actual: Decimal
    expected: Decimal
    delta: Decimal
    daily_delta: Decimal
    peak_day: date
    peak_z: float
    rate: float = 0.0

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1


@dataclass(frozen=True, slots=True)
class Detection:
    """The anomalies of a series plus the per-day expectation, for charts and drivers;
    the recurring fees learned, the credit days seen, and `reason` when the series could not
    be judged (`short_history`, `no_spend`)."""

    anomalies: tuple[Anomaly, ...]
    expected: tuple[tuple[date, Decimal], ...] = field(default=())
    fees: tuple[RecurringFee, ...] = ()
    credit_days: tuple[date, ...] = ()
    reason: str | None = None


@dataclass(slots=True)
class _Run:
    start: int
    end: int
    sign: int
    persistent: bool


def detect(series: DailySeries, settings: DetectorSettings | None = None, *,
           excluded: frozenset[date] = frozenset(), use_calendar: bool = True,
           purchases: Mapping[date, Decimal] | None = None) -> Detection:
    """Find the anomalies of `series`; days in `excluded` (planned) are never reported.

    `purchases`: the part of each day the bill itself marks as bought (FOCUS ChargeCategory
    `Purchase`, recurring or one-time: a subscription, a reservation, a licence): expected by
    definition, so it is taken out before looking and added back to the expectation (the
    events' amounts are then those of the rest).
    Raises `SeriesError` only for a malformed series (empty, unordered, gaps, not finite);
    negative and zero days are credits, and a short or empty series gives a `reason`."""
    if purchases:
        rest = [(d, v - purchases.get(d, Decimal(0))) for d, v in series]
        found = detect(rest, settings, excluded=excluded, use_calendar=use_calendar)
        return replace(found, expected=tuple(
            (d, to_decimal(float(e + purchases.get(d, Decimal(0))))) for d, e in found.expected))
    cfg = settings or DetectorSettings()
    days, y = validate_series(series, min_days=2)
    n = y.size
    credit = y <= 0
    if (~credit).sum() < cfg.min_history_days:
        return Detection((), reason="no_spend" if not (~credit).any() else "short_history")
    planned = np.array([d not in excluded for d in days], dtype=bool)
    holiday = np.zeros(n, dtype=bool)
    if use_calendar:
        off = non_working_days(days[0], days[-1])
        holiday = np.array([d in off for d in days], dtype=bool)
    usable = planned & ~credit & ~holiday
    fees: tuple[RecurringFee, ...] = ()
    fee_expected: dict[int, float] = {}
    fee_events: list[FeeEvent] = []
    if n >= MIN_DAYS_FOR_FEES:
        fees, fee_expected, fee_events = find_fees(days, y, planned & ~credit, usable)
    fee_day = np.zeros(n, dtype=bool)
    fee_day[list(fee_expected)] = True
    mask = usable & ~fee_day
    filled = np.where(mask, y, local_level(y, days, mask))
    factors = weekday_factors(days, filled, mask)
    season = np.array([factors[d.weekday()] for d in days])
    deseason = filled / season
    # a holiday may be as quiet as a fraction of the quietest weekday; an outage goes lower
    holiday_floor = HOLIDAY_FLOOR * float(min(factors))
    reportable = planned & ~credit & ~fee_day
    global_scale = _global_relative_scale(deseason, mask, cfg)
    expected = np.full(n, np.nan)
    zscore = np.zeros(n)
    flagged = np.zeros(n, dtype=np.int8)
    skip = np.zeros(n, dtype=bool)
    runs: list[_Run] = []
    regime_start = 0
    current: _Run | None = None
    for t in range(cfg.min_history_days, n):
        lo = max(regime_start, t - cfg.window_days)
        base = [i for i in range(lo, t) if mask[i] and flagged[i] == 0]
        if len(base) < cfg.shift_days:
            current = None
            continue
        level = float(np.median(deseason[base]))
        scale = max(MAD_TO_SIGMA * mad(deseason[base]), (global_scale or cfg.noise_floor) * level,
                    cfg.noise_floor * level, 1e-6)
        expected[t] = level * season[t]
        if not reportable[t]:
            skip[t] = True
            continue  # a fee, credit or planned day says nothing: a run goes on across it
        delta = y[t] - expected[t]
        zscore[t] = delta / (scale * season[t])
        unusual = (abs(zscore[t]) >= cfg.z_threshold
                   and abs(delta) >= cfg.min_relative * expected[t])
        sign = 1 if delta > 0 else -1
        if holiday[t] and sign < 0 and y[t] >= holiday_floor * level - cfg.z_threshold * scale:
            skip[t] = True
            continue  # a quiet holiday is known: neither an event nor the end of one
        if not unusual:
            current = None
            continue
        flagged[t] = sign
        if (current is not None and current.sign == sign
                and all(skip[current.end + 1:t])):
            current.end = t
        else:
            current = _Run(t, t, sign, persistent=False)
            runs.append(current)
        if (not current.persistent
                and int((flagged[current.start:t + 1] != 0).sum()) >= cfg.shift_days):
            current.persistent = True
            regime_start = current.start
            flagged[current.start:t + 1] = 0
            for i in range(current.start, t + 1):  # re-express the run against the new level
                expected[i] = np.nan
    anomalies = _events(days, y, expected, zscore, deseason, season, runs, cfg, ~skip)
    anomalies = _with_growth(anomalies, days, y, deseason, season, mask, cfg)
    for ev in fee_events:
        delta = ev.actual - ev.expected
        if abs(delta) < float(cfg.min_impact) or not planned[ev.index]:
            continue
        anomalies.append(Anomaly(
            start=days[ev.index], end=days[ev.index], kind=ev.kind,
            direction=1 if delta > 0 else -1, actual=to_decimal(ev.actual),
            expected=to_decimal(ev.expected), delta=to_decimal(delta),
            daily_delta=to_decimal(delta), peak_day=days[ev.index], peak_z=0.0))
    anomalies.sort(key=lambda a: (a.start, a.kind))
    for i, amount in fee_expected.items():
        if not np.isnan(expected[i]):
            expected[i] += amount
    exp_series = tuple((days[i], to_decimal(expected[i])) for i in range(n)
                       if not np.isnan(expected[i]))
    return Detection(tuple(anomalies), exp_series, fees,
                     tuple(d for d, c in zip(days, credit, strict=True) if c))


def _with_growth(anomalies: list[Anomaly], days: list[date], y: FloatArray,
                 deseason: FloatArray, season: FloatArray, mask: npt.NDArray[np.bool_],
                 cfg: DetectorSettings) -> list[Anomaly]:
    """Add slow growth, folding the shifts and drifts it explains into it."""
    growth = find_growth(deseason, mask)
    if growth is None:
        return anomalies
    idx = np.arange(growth.start, y.size)
    exp = growth.level_before * season[idx]
    act = y[idx]
    keep = mask[idx]
    total = float((act[keep] - exp[keep]).sum())
    monthly = (growth.level_before * ((1 + growth.rate) ** idx.size - 1)) * 30
    if monthly < float(cfg.min_monthly_impact):
        return anomalies
    start = days[growth.start]
    kept = [a for a in anomalies
            if not (a.kind in (LEVEL_SHIFT, DRIFT) and a.direction > 0
                    and a.start >= start - timedelta(days=7))]
    kept.append(Anomaly(
        start=start, end=days[-1], kind=GROWTH, direction=1,
        actual=to_decimal(float(act[keep].sum())), expected=to_decimal(float(exp[keep].sum())),
        delta=to_decimal(total), daily_delta=to_decimal(total / max(int(keep.sum()), 1)),
        peak_day=days[-1], peak_z=0.0, rate=round(growth.rate, 4)))
    return kept


def _global_relative_scale(deseason: FloatArray, mask: npt.NDArray[np.bool_],
                           cfg: DetectorSettings) -> float:
    """The series' typical relative noise: MAD of each day against the median of the weeks
    before it. A floor for the local scale, which four weeks estimate too loosely."""
    rel: list[float] = []
    for t in range(cfg.min_history_days, deseason.size):
        if not mask[t]:
            continue
        window = deseason[max(0, t - cfg.window_days):t][mask[max(0, t - cfg.window_days):t]]
        level = float(np.median(window)) if window.size else 0.0
        if level > 0:
            rel.append(deseason[t] / level - 1.0)
    if len(rel) < cfg.min_history_days:
        return 0.0
    arr = np.array(rel)
    return MAD_TO_SIGMA * float(np.median(np.abs(arr - np.median(arr))))


def _events(days: list[date], y: FloatArray, expected: FloatArray, zscore: FloatArray,
            deseason: FloatArray, season: FloatArray, runs: list[_Run],
            cfg: DetectorSettings, counted: npt.NDArray[np.bool_]) -> list[Anomaly]:
    """Runs to events (a shift, drift, spike or drop); the days a run stepped over (a fee,
    a credit, a holiday) are left out of its sums."""
    merged: list[_Run] = []
    drift: set[int] = set()
    for run in runs:
        prev = merged[-1] if merged else None
        if (prev is not None and prev.persistent and run.persistent and prev.sign == run.sign
                and run.start - prev.end <= cfg.drift_gap_days):
            prev.end = run.end
            drift.add(id(prev))
            continue
        merged.append(_Run(run.start, run.end, run.sign, run.persistent))
    result: list[Anomaly] = []
    for run in merged:
        idx = [i for i in range(run.start, run.end + 1) if counted[i]]
        exp = np.array([_expected_at(i, run.start, expected, deseason, season, cfg)
                        for i in idx])
        act = y[idx]
        delta = act - exp
        total = float(delta.sum())
        daily = total / len(exp)
        if run.persistent:
            if abs(daily) * 30 < float(cfg.min_monthly_impact):
                continue
            kind = (DRIFT if id(run) in drift or _keeps_moving(deseason, run, exp, season[idx])
                    else LEVEL_SHIFT)
        else:
            if abs(total) < float(cfg.min_impact):
                continue
            kind = SPIKE if run.sign > 0 else DROP
        peak = run.start + int(np.argmax(np.abs(zscore[run.start:run.end + 1])))
        result.append(Anomaly(
            start=days[run.start], end=days[run.end], kind=kind, direction=run.sign,
            actual=to_decimal(float(act.sum())), expected=to_decimal(float(exp.sum())),
            delta=to_decimal(total), daily_delta=to_decimal(daily), peak_day=days[peak],
            peak_z=round(float(zscore[peak]), 2)))
    return result


def _keeps_moving(deseason: FloatArray, run: _Run, exp: FloatArray, season: FloatArray) -> bool:
    """A shift whose level goes on moving the same way for the next two weeks is a drift
    (`exp` and `season`: the run's counted days)."""
    post = deseason[run.end + 1:run.end + 15]
    if post.size < 7:
        return False
    at_shift = float(np.median(deseason[run.start:run.end + 1]))
    before = float(np.median(exp / season))
    step = at_shift - before
    return run.sign * (float(np.median(post[-7:])) - at_shift) >= 0.5 * abs(step)


def _expected_at(i: int, start: int, expected: FloatArray, deseason: FloatArray,
                 season: FloatArray, cfg: DetectorSettings) -> float:
    """The expectation of day i of an event: the old level, from the weeks before it began."""
    if not np.isnan(expected[i]) and i == start:
        return float(expected[i])
    lo = max(0, start - cfg.window_days)
    window = deseason[lo:start]
    if window.size == 0:
        return float(expected[i]) if not np.isnan(expected[i]) else 0.0
    return float(np.median(window)) * float(season[i])
