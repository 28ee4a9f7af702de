"""Forecast: follows trend and weekly rhythm, gives an interval, month end adds up."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from core.analytics.backtest import backtest
from core.analytics.forecast import forecast, forecast_month_end
from tests.analytics.synthetic import generate

START = date(2026, 6, 1)  # a Monday


def _weekly_trend(days: int) -> list[tuple[date, Decimal]]:
    out = []
    for i in range(days):
        day = START + timedelta(i)
        level = 1000 + 5 * i
        out.append((day, Decimal(level * (0.6 if day.weekday() >= 5 else 1.0)).quantize(
            Decimal("0.01"))))
    return out


def test_trend_and_weekday_pattern_are_followed() -> None:
    series = _weekly_trend(84)
    fc = forecast(series, 14)
    assert len(fc.points) == 14
    assert fc.points[0].day == START + timedelta(84)
    saturday = next(p for p in fc.points if p.day.weekday() == 5)
    monday = next(p for p in fc.points if p.day.weekday() == 0)
    assert saturday.value < monday.value * Decimal("0.7")
    i = (monday.day - START).days
    assert abs(float(monday.value) - (1000 + 5 * i)) / (1000 + 5 * i) < 0.03
    assert all(p.lower <= p.value <= p.upper for p in fc.points)


def test_spikes_do_not_bend_the_forecast() -> None:
    series = _weekly_trend(84)
    spiky = [(d, v * 5 if i % 17 == 0 else v) for i, (d, v) in enumerate(series)]
    clean, noisy = forecast(series, 7), forecast(spiky, 7)
    for a, b in zip(clean.points, noisy.points, strict=True):
        assert abs(a.value - b.value) / a.value < Decimal("0.05")


def test_month_end_is_actual_so_far_plus_the_rest() -> None:
    series = _weekly_trend(70)  # June 1 … August 9
    month = forecast_month_end(series)
    assert month.month_start == date(2026, 8, 1)
    assert month.days_left == 22
    actual = sum(v for d, v in series if d >= date(2026, 8, 1))
    assert month.actual_to_date == actual
    assert month.total == actual + month.forecast_rest
    assert month.lower <= month.total <= month.upper


def test_two_days_are_enough_for_a_flat_guess_with_a_wide_band() -> None:
    fc = forecast([(START, Decimal(100)), (START + timedelta(1), Decimal(120))], 3)
    assert all(p.value == Decimal("110.00") for p in fc.points)
    assert all(p.upper - p.lower >= Decimal("50") for p in fc.points)


def test_backtest_on_the_synthetic_set_prints_mape() -> None:
    results = [backtest(c.series, horizon=14) for c in generate() if c.name.startswith("clean")]
    daily = sum(r.daily_mape for r in results) / len(results)
    total = sum(r.total_mape for r in results) / len(results)
    coverage = sum(r.coverage for r in results) / len(results)
    print(f"\nforecast backtest (clean synthetic, 14-day horizon): daily MAPE {daily:.2f} %, "
          f"14-day total MAPE {total:.2f} %, 80 % interval coverage {coverage:.2f}")
    assert daily < 8
    assert total < 5
    assert coverage > 0.6
