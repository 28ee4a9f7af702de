"""The PDF brief: opens, has its sections in the right language, charts as images, fonts inside."""

from __future__ import annotations

import io
import re
from dataclasses import replace
from datetime import datetime
from typing import Any, cast

import pytest
from pypdf import PdfReader

from renderers.pdf import render_brief
from tests.renderers import sample_data


def _text(reader: PdfReader) -> str:
    return re.sub(r"\s+", " ", " ".join(page.extract_text() for page in reader.pages))


@pytest.fixture(scope="module")
def preliminary_ru() -> PdfReader:
    return PdfReader(io.BytesIO(render_brief(sample_data.brief("ru", "preliminary"))))


@pytest.fixture(scope="module")
def final_en() -> PdfReader:
    return PdfReader(io.BytesIO(render_brief(sample_data.brief("en", "final"))))


def test_preliminary_ru_content(preliminary_ru: PdfReader) -> None:
    assert 3 <= len(preliminary_ru.pages) <= 6
    text = _text(preliminary_ru)
    for expected in ("ООО «Ромашка Облака»", "417 000 ₽", "ПРЕДВАРИТЕЛЬНЫЙ", "около десяти дней",
                     "Динамика расходов и прогноз", "Структура расходов", "По провайдерам",
                     "Селектел BU-A", "Бюджеты: план и факт", "Рекомендации по экономии",
                     "58 500 ₽", "Аномалии периода", "Методика", "+12%",
                     f"стр. 1 из {len(preliminary_ru.pages)}",
                     "Сформировано 1 ноября 2026, 09:00"):
        assert expected in text, expected
    assert "Что изменилось" not in text
    assert "Одиннадцатая" not in text  # only the top 10 recommendations


def test_final_en_content(final_en: PdfReader) -> None:
    text = _text(final_en)
    for expected in ("FINAL", "What changed since the preliminary edition", "₽409,500",
                     "₽417,000", "+₽7,500", "Spend trend and forecast", "Spend breakdown",
                     "Budgets: plan vs actual", "Savings recommendations",
                     "Anomalies of the period", "Methodology",
                     f"page 2 of {len(final_en.pages)}", "Generated November 1"):
        assert expected in text, expected
    assert "PRELIMINARY" not in text


def test_charts_are_images(preliminary_ru: PdfReader) -> None:
    pages_with_images = [i for i, page in enumerate(preliminary_ru.pages) if page.images]
    assert pages_with_images[0] == 0  # the trend chart sits on the first page
    assert sum(len(page.images) for page in preliminary_ru.pages) == 3


def test_fonts_are_embedded(preliminary_ru: PdfReader) -> None:
    fonts = {}
    for page in preliminary_ru.pages:
        for font in cast(Any, page["/Resources"])["/Font"].values():
            font = font.get_object()
            descriptor = font["/DescendantFonts"][0].get_object()["/FontDescriptor"]
            fonts[str(font["/BaseFont"])] = "/FontFile2" in descriptor
    assert fonts
    assert all(fonts.values())
    assert any("DejaVuSans-Bold" in name or "DejaVuSansBold" in name for name in fonts)


def test_empty_sections_say_so() -> None:
    reader = PdfReader(io.BytesIO(render_brief(sample_data.brief("ru", "final", empty=True))))
    text = _text(reader)
    for expected in ("Бюджеты не заданы", "Рекомендаций по экономии сейчас нет",
                     "Аномалий за период не обнаружено", "ИТОГОВЫЙ"):
        assert expected in text, expected


def test_unknown_kpis_render_as_dashes() -> None:
    data = sample_data.brief("en", "weekly")
    kpis = replace(data.kpis, previous_total=None, change_ratio=None, forecast_total=None,
                   forecast_low=None, forecast_high=None, budget_amount=None,
                   budget_used_ratio=None, budget_status=None)
    text = _text(PdfReader(io.BytesIO(render_brief(replace(data, kpis=kpis, by_provider=(),
                                                           by_service=(), by_team=(),
                                                           provider_daily=None)))))
    for expected in ("WEEKLY", "no budget set", "no data for the previous period",
                     "No charges in the period"):
        assert expected in text, expected


def test_naive_generation_time_is_rejected() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        replace(sample_data.brief(), generated_at=datetime(2026, 11, 1, 9, 0))
