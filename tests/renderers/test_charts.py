"""Every chart renders a phone-sized PNG under 200 KB in both languages, with or without data."""

from __future__ import annotations

import io
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from PIL import Image

from core.services.ask.types import Intent, Question, TopAnswer
from core.services.costs import CostRow, Dimension
from renderers.charts import CHARTS, render_top_items
from renderers.charts.style import MAX_PNG_BYTES, compact_money
from renderers.i18n import t
from renderers.messages.answers_charts import chart_for, top_data
from renderers.report_data import (
    AllocationBreakdown,
    BudgetVsActual,
    StackedData,
    TopItems,
    TrendData,
)
from tests.renderers import sample_data

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"

SAMPLES: dict[str, Any] = {
    "trend": sample_data.trend(),
    "stacked": sample_data.stacked(),
    "budget_vs_actual": sample_data.budget_vs_actual(),
    "top_items": sample_data.top_items(),
    "allocation": sample_data.allocation(),
}
EMPTY: dict[str, Any] = {
    "trend": TrendData((), ()),
    "stacked": StackedData((), {}),
    "budget_vs_actual": BudgetVsActual((), (), ()),
    "top_items": TopItems(()),
    "allocation": AllocationBreakdown(()),
}


def _check_png(data: bytes) -> None:
    assert data.startswith(PNG_SIGNATURE)
    assert len(data) < MAX_PNG_BYTES
    with Image.open(io.BytesIO(data)) as image:
        assert image.format == "PNG"
        assert image.size == (1200, 800)


def test_registry_covers_every_sample() -> None:
    assert set(CHARTS) == set(SAMPLES) == set(EMPTY)


@pytest.mark.parametrize("lang", ["ru", "en"])
@pytest.mark.parametrize("name", sorted(SAMPLES))
def test_chart_renders_small_png(name: str, lang: str) -> None:
    _check_png(CHARTS[name](SAMPLES[name], lang=lang))


@pytest.mark.parametrize("name", sorted(EMPTY))
def test_chart_without_data_says_so(name: str) -> None:
    _check_png(CHARTS[name](EMPTY[name], lang="ru", title="Пусто"))


def test_short_period_draws_daily_bars_and_many_series_fold_into_other() -> None:
    days = sample_data.days()[:14]
    series = {f"Сервис {i}": tuple(Decimal(100 + i) for _ in days) for i in range(9)}
    _check_png(CHARTS["stacked"](StackedData(days, series), lang="en"))


def test_trend_forecast_only() -> None:
    trend = TrendData((), (), (date(2026, 11, 1),), (Decimal(5),), (Decimal(4),), (Decimal(6),))
    _check_png(CHARTS["trend"](trend, lang="ru"))


@pytest.mark.parametrize(("value", "lang", "expected"), [
    (150_000, "ru", "150 тыс. ₽"),
    (1_200_000, "ru", "1,2 млн ₽"),
    (0, "ru", "0 ₽"),
    (117_000, "en", "₽117K"),
])
def test_compact_money_ticks(value: float, lang: str, expected: str) -> None:
    assert compact_money(value, "RUB", lang).replace("\u00a0", " ") == expected


def test_mismatched_columns_are_rejected() -> None:
    with pytest.raises(ValueError, match="differ in length"):
        TrendData(sample_data.days()[:3], (Decimal(1),))


def _top_answer(by: Dimension) -> TopAnswer:
    rows = tuple(CostRow(name, name, Decimal(amount), "RUB")
                 for name, amount in (("Compute", "5400"), ("Storage", "1200"), ("CDN", "300")))
    question = Question(Intent.TOP, date(2026, 10, 1), date(2026, 10, 31), by=by)
    return TopAnswer(question, "RUB", by, rows, Decimal("6900"))


@pytest.mark.parametrize("lang", ["ru", "en"])
def test_a_top_chart_is_titled_by_what_it_ranks(lang: str) -> None:
    """A top of services once carried the title "most expensive resources" on its picture."""
    answer = _top_answer(Dimension.SERVICE)
    chart = chart_for(answer, lang)
    assert chart is not None
    services = t("charts.title.top_by.service", lang)
    assert services in ("Самые дорогие сервисы", "Most expensive services")
    assert chart.png == render_top_items(top_data(answer), lang=lang, title=services)
    assert chart.png != render_top_items(top_data(answer), lang=lang,
                                         title=t("charts.title.top_by.resource", lang))


@pytest.mark.parametrize("by", list(Dimension))
def test_every_dimension_a_top_can_rank_by_has_a_chart(by: Dimension) -> None:
    for lang in ("ru", "en"):
        assert chart_for(_top_answer(by), lang) is not None
