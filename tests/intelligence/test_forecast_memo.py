"""Forecasts run in the CPU pool and are remembered per series: the same data is projected once,
new data is projected afresh, and a series the maths cannot use fails as it would inline."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest

from core.analytics.forecast import forecast
from core.analytics.series import SeriesError
from core.services import forecasts


def _series(days: int, level: str = "100") -> list[tuple[date, Decimal]]:
    start = date(2026, 8, 1)
    return [(start + timedelta(days=i), Decimal(level) + Decimal(i % 7)) for i in range(days)]


async def test_the_same_series_is_projected_once_and_new_data_afresh() -> None:
    forecasts._memo.clear()
    series = _series(90)
    first = await forecasts.project(series, 30)
    assert first == forecast(series, 30)  # the worker computes what the inline call does
    again = await forecasts.project(list(series), 30)
    assert again is first  # remembered: not computed again
    changed = await forecasts.project(_series(90, "200"), 30)
    assert changed is not first
    assert changed.total()[0] > first.total()[0]
    assert await forecasts.project(series, 14) is not first  # another horizon, another key


async def test_the_memory_is_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    forecasts._memo.clear()
    monkeypatch.setattr(forecasts._memo, "size", 3)
    for level in range(5):
        await forecasts.project(_series(30, str(100 + level)), 7)
    assert len(forecasts._memo) == 3


async def test_an_unusable_series_fails_with_its_reason_from_the_worker() -> None:
    with pytest.raises(SeriesError) as caught:
        await forecasts.project([(date(2026, 8, 1), Decimal(5)), (date(2026, 8, 3),
                                                                  Decimal(6))], 7)
    assert caught.value.code == "gap"
    assert caught.value.day == date(2026, 8, 3)
