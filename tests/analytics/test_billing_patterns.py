"""Behaviour on the patterns real bills have (issue 14): recurring fees are baseline, credits
never raise, slow growth is told with its rate, a fee that changes or does not come is told,
holidays are a known effect; the forecast carries the fees and follows a new level."""

from __future__ import annotations

import random
from datetime import date, timedelta
from decimal import Decimal

from core.analytics.anomalies import detect
from core.analytics.forecast import forecast
from core.analytics.series import to_decimal

START = date(2026, 1, 12)  # a Monday, after the New Year holidays


def _usage(days: int, level: float = 10000.0, seed: int = 7, start: date = START,
           weekend: float = 0.8) -> list[float]:
    rng = random.Random(seed)
    return [level * (weekend if (start + timedelta(i)).weekday() >= 5 else 1.0)
            * (1 + rng.gauss(0, 0.02)) for i in range(days)]


def _pack(values: list[float], start: date = START) -> list[tuple[date, Decimal]]:
    return [(start + timedelta(i), Decimal(str(round(v, 2)))) for i, v in enumerate(values)]


def _with_fee(values: list[float], amount: float, dom: int = 1, start: date = START,
              skip: date | None = None, change_from: date | None = None,
              factor: float = 1.0) -> list[float]:
    out = list(values)
    for i in range(len(out)):
        day = start + timedelta(i)
        if day.day == dom and day != skip:
            out[i] += amount * (factor if change_from and day >= change_from else 1.0)
    return out


def test_a_monthly_fee_on_the_first_is_baseline_not_an_anomaly() -> None:
    series = _pack(_with_fee(_usage(170), 90000))
    detection = detect(series)
    assert detection.anomalies == ()
    (fee,) = detection.fees
    assert (fee.day, fee.months) == (1, 1)
    assert abs(fee.amount - 90000) < 3000


def test_a_quarterly_fee_is_baseline_too() -> None:
    values = _usage(200, start=date(2025, 12, 8))
    for i in range(200):
        day = date(2025, 12, 8) + timedelta(i)
        if day.day == 1 and day.month in (1, 4, 7):
            values[i] += 250000
    detection = detect(_pack(values, date(2025, 12, 8)))
    assert detection.anomalies == ()
    assert [(f.day, f.months) for f in detection.fees] == [(1, 3)]


def test_a_negative_day_does_not_raise_and_is_not_reported() -> None:
    values = _usage(100)
    values[50] = -25000.0  # a refund larger than the day's usage
    values[70] = 0.0  # a fully credited day
    values[85] *= 3  # a real spike is still found
    detection = detect(_pack(values))
    assert [(a.kind, a.start) for a in detection.anomalies] == [
        ("spike", START + timedelta(85))]
    assert detection.credit_days == (START + timedelta(50), START + timedelta(70))


def test_slow_growth_is_found_with_its_rate() -> None:
    values = _usage(150)
    for i in range(80, 150):
        values[i] *= 1.01 ** (i - 80)  # +1 %/day for ten weeks
    found = detect(_pack(values)).anomalies
    growth = [a for a in found if a.kind == "growth"]
    assert len(growth) == 1
    assert abs(growth[0].rate - 0.01) < 0.002
    assert abs((growth[0].start - (START + timedelta(80))).days) <= 7
    assert growth[0].end == START + timedelta(149)
    assert not [a for a in found if a.kind in ("level_shift", "drift")]  # one finding


def test_a_missing_fee_is_reported_once() -> None:
    skip = date(2026, 4, 1)
    found = detect(_pack(_with_fee(_usage(170), 90000, skip=skip))).anomalies
    assert [(a.kind, a.start) for a in found] == [("fee_missing", skip)]
    assert abs(found[0].expected - Decimal(90000)) < 3000


def test_a_changed_fee_is_reported_once_then_is_the_new_normal() -> None:
    change = date(2026, 4, 15)
    series = _pack(_with_fee(_usage(170), 60000, dom=15, change_from=change, factor=1.5))
    found = detect(series).anomalies
    assert [(a.kind, a.start, a.direction) for a in found] == [("fee_change", change, 1)]


def test_new_year_holidays_are_not_a_drop() -> None:
    start = date(2025, 10, 6)
    values = _usage(130, start=start, weekend=0.5)
    for i in range(130):
        day = start + timedelta(i)
        if date(2026, 1, 1) <= day <= date(2026, 1, 9):
            values[i] *= 0.5  # the office is off: dev and test environments sleep
    assert detect(_pack(values, start)).anomalies == ()


def test_forecast_carries_the_monthly_fee() -> None:
    values = _with_fee(_usage(140), 150000)  # history ends on May 31
    fc = forecast(_pack(values), 30)
    first = fc.points[0]
    assert first.day == date(2026, 6, 1)
    assert abs(float(first.value) - (10000 + 150000)) < 10000
    assert first.lower > Decimal(100000)  # the fee is known: the interval holds it
    total, lower, upper = fc.total()
    expected = sum(_usage(170)[140:]) + 150000
    assert abs(float(total) - expected) / expected < 0.05
    assert lower <= Decimal(str(expected)) <= upper


def test_forecast_follows_a_recent_doubling_and_stops_a_finished_ramp() -> None:
    values = _usage(100)
    for i in range(95, 100):
        values[i] *= 2  # doubled five days ago
    fc = forecast(_pack(values), 14)
    assert float(fc.points[0].value) > 15000
    ramp = _usage(120)
    for i in range(60, 120):
        ramp[i] *= 1 + 0.8 * min(1.0, (i - 59) / 20)  # +80 % over 20 days, flat for 40
    later = forecast(_pack(ramp), 30).points[-1]
    assert float(later.value) < 18000 * 1.1  # not extrapolated past the plateau


def test_a_quarterly_fee_beside_a_monthly_one_is_baseline_when_the_monthly_one_changes() -> None:
    """A support plan every quarter on the 1st on top of a monthly licence on the 1st: the
    quarter months are not changes, and a later rise of the licence is the one change told."""
    start = date(2025, 12, 1)
    values = _with_fee(_usage(215, start=start), 60000, start=start,
                       change_from=date(2026, 5, 1), factor=1.6)
    for i in range(len(values)):
        day = start + timedelta(i)
        if day.day == 1 and day.month in (1, 4, 7):
            values[i] += 70000
    found = detect(_pack(values, start)).anomalies
    assert [(a.kind, a.start) for a in found] == [("fee_change", date(2026, 5, 1))]


def test_the_month_total_interval_comes_from_the_series_own_backtest() -> None:
    """With four months of history the 30-day total's interval is calibrated on how wrong
    30-day totals were on that history (not the sum of the daily bounds), it is narrower for
    the first week than for the month, and it holds the next month's actual total."""
    values = _with_fee(_usage(150), 90000)
    series = _pack(values)
    fc = forecast(series[:120], 30)
    assert fc.total_error is not None
    assert fc.total_error.origins >= 3
    value, lower, upper = fc.total()
    low, high = fc.total_error.bounds(float(value), 30)
    assert (lower, upper) == (to_decimal(low), to_decimal(high))
    week, week_low, week_high = fc.total(end=fc.points[6].day)
    assert (week_high - week_low) / week < (upper - lower) / value
    actual = sum((v for _, v in series[120:]), Decimal(0))
    assert lower <= actual <= upper
    assert abs(value - actual) / actual < Decimal("0.05")


def test_forecast_expects_a_quarterly_fee_from_its_first_bill() -> None:
    # one support-plan bill on 1 February, none on 1 March or 1 April: due again on 1 May
    values = _usage(100)
    quarterly = date(2026, 2, 1)
    values[(quarterly - START).days] += 200000
    fc = forecast(_pack(values), 30)
    (may_1st,) = [p for p in fc.points if p.day == date(2026, 5, 1)]
    assert abs(float(may_1st.value) - may_1st.usage - 200000) < 20000
    assert float(may_1st.lower) < may_1st.usage * 1.2  # it may not come: the interval says so
    # usage that jumps for three days around the 1st is a spike, not a bill
    for day in (date(2026, 1, 31), date(2026, 2, 2)):
        values[(day - START).days] += 200000
    again = forecast(_pack(values), 30)
    (may_1st,) = [p for p in again.points if p.day == date(2026, 5, 1)]
    assert float(may_1st.value) - may_1st.usage < 20000


def test_forecast_rests_on_the_horizon_public_holidays() -> None:
    # office-hours usage (weekends at 60 %) before May: 1 May 2026 is a Friday holiday
    rng = random.Random(3)
    off = {date(2026, 2, 23), date(2026, 3, 9)}  # Defender of the Fatherland, Women's Day
    values = [10000 * (0.6 if (START + timedelta(i)).weekday() >= 5
                       or START + timedelta(i) in off else 1.0) * (1 + rng.gauss(0, 0.02))
              for i in range(100)]
    fc = forecast(_pack(values), 30)
    by_day = {p.day: float(p.value) for p in fc.points}
    assert by_day[date(2026, 5, 1)] < 0.7 * by_day[date(2026, 4, 30)]
    # usage with no weekly rhythm does not rest on holidays either
    flat = forecast(_pack(_usage(100, weekend=1.0)), 30)
    by_day = {p.day: float(p.value) for p in flat.points}
    assert abs(by_day[date(2026, 5, 1)] / by_day[date(2026, 4, 30)] - 1) < 0.05


def test_forecast_compounds_slow_growth_that_goes_on() -> None:
    """+1 %/day for ten weeks: the next month's total is the compounded climb (×1.35 over the
    month), not a straight line and not a level."""
    values = _usage(180)
    for i in range(80, 180):
        values[i] *= 1.01 ** (i - 80)
    fc = forecast(_pack(values[:150]), 30)
    predicted = float(fc.total()[0])
    actual = sum(values[150:])
    assert abs(predicted - actual) / actual < 0.04
    flat = sum(values[143:150]) / 7 * 30
    assert predicted > flat * 1.1  # not a level


def test_forecast_expects_a_quarterly_fee_billed_with_a_monthly_fees_first_bill() -> None:
    """A hosting plan from 1 February and a support plan billed each quarter, first with the
    plan's first bill: the support plan is due again on 1 May (the extra on 1 February is
    not the plan's price, which the next months showed)."""
    values = _with_fee(_usage(109), 60000)  # 1 Feb, 1 Mar, 1 Apr; history ends on 30 April
    first = (date(2026, 2, 1) - START).days
    values[first] += 200000
    fc = forecast(_pack(values), 30)
    (may_1st,) = [p for p in fc.points if p.day == date(2026, 5, 1)]
    assert abs(float(may_1st.value) - may_1st.usage - 260000) < 20000
