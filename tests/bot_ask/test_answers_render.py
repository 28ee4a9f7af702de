"""Answer texts in Russian and English, and the charts drawn from answers."""

from __future__ import annotations

from datetime import date

import pytest

from core.services.ask.service import execute
from core.services.ask.types import Intent, Question
from core.services.costs import CostFilters, Dimension
from core.services.orgs import create_org
from renderers.messages.answers import render_answer
from renderers.messages.answers_charts import chart_for
from tests.bot_ask.conftest import TODAY, Demo

OCT = (date(2026, 10, 1), date(2026, 10, 31))
PNG = b"\x89PNG"


async def test_spend_text_in_both_languages(demo: Demo) -> None:
    async with demo.sessions() as s:
        answer = await execute(s, demo.org_id, Question(
            Intent.SPEND, *OCT, filters=CostFilters(projects=("core-api",))), today=TODAY)
    ru, en = render_answer(answer, "ru"), render_answer(answer, "en")
    assert "Расходы за октябрь 2026" in ru
    assert "проект core-api" in ru
    assert "к предыдущему периоду" in ru
    assert "Spend for October 2026" in en
    assert "project core-api" in en
    total = answer.total.quantize(1)  # type: ignore[union-attr]
    assert f"{int(total):,}".replace(",", "\u00a0") + "\u00a0₽" in ru


@pytest.mark.parametrize("intent", [i for i in Intent if i is not Intent.UNKNOWN])
async def test_every_intent_renders_in_both_languages(demo: Demo, intent: Intent) -> None:
    async with demo.sessions() as s:
        answer = await execute(s, demo.org_id, Question(intent, *OCT), today=TODAY)
    for lang in ("ru", "en"):
        text = render_answer(answer, lang)
        assert text.strip()
        assert "{" not in text  # no unfilled placeholder


async def test_resources_grouped_with_badges(demo: Demo) -> None:
    async with demo.sessions() as s:
        answer = await execute(s, demo.org_id, Question(
            Intent.RESOURCES, *OCT, filters=CostFilters(providers=("selectel",)), limit=50),
            today=TODAY)
    text = render_answer(answer, "ru")
    assert "<b>Selectel</b>" in text
    assert "Beget" not in text
    assert "🔗 сирота" in text


async def test_charts_for_trend_forecast_budget_and_top(demo: Demo) -> None:
    async with demo.sessions() as s:
        answers = [await execute(s, demo.org_id, Question(i, *OCT, by=by), today=TODAY)
                   for i, by in ((Intent.TREND, None), (Intent.FORECAST, None),
                                 (Intent.BUDGET, None), (Intent.TOP, None),
                                 (Intent.TOP, Dimension.TEAM))]
        resources = await execute(s, demo.org_id, Question(Intent.RESOURCES, *OCT),
                                  today=TODAY)
    for answer in answers:
        chart = chart_for(answer, "ru")
        assert chart is not None
        assert chart.png.startswith(PNG)
        assert len(chart.png) < 200_000
        assert chart.caption
    stacked = chart_for(answers[0], "en", stacked=True)
    assert stacked is not None
    assert stacked.caption.startswith("Spend by provider")
    assert chart_for(resources, "ru") is None


async def test_empty_periods_say_where_the_data_is(demo: Demo) -> None:
    async with demo.sessions() as s:
        old = await execute(s, demo.org_id, Question(
            Intent.SPEND, date(2024, 1, 1), date(2024, 1, 31)), today=TODAY)
        empty_org = await create_org(s, "Пустая")
        nothing = await execute(s, empty_org.id, Question(Intent.TOP, *OCT), today=TODAY)
    assert "Данные есть с 26 мая 2026 по 21 ноября 2026" in render_answer(old, "ru")
    assert "connect a cloud with /connect" in render_answer(nothing, "en")
    assert chart_for(nothing, "ru") is None
