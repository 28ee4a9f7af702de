"""Any text gives an answer: no exceptions, and what was understood is said."""

from __future__ import annotations

import random
from datetime import date

import pytest

from core.query import Intent, PeriodSource, parse
from core.query.model import Vocabulary
from core.query.parser import MAX_CHARS
from tests.query.labelled import load_vocabulary

TODAY = date(2026, 11, 18)


@pytest.mark.parametrize("text", [
    "", " ", "\n\t", "🙂", "🙂🙂🙂🔥💸", "?!", "....", "(((", "[a-z]*", "\\d+\\", "$^*+?{}|",
    "\x00\x01\x02", "0", "-1", "99999999999999999999", "31.02.2026", "2026-13-45",
    "с 40 по 50 ноября", "топ-99999", "за последние 100000 дней", "Q9", "в 1800 году",
    "ё" * 50, "ΑΒΓ δ", "٣٤٥", "中文问题", "\u200b\u200b", "'; DROP TABLE costs; --",
])
def test_odd_input_never_raises(text: str) -> None:
    got = parse(text, today=TODAY, known=load_vocabulary())
    assert got.period.start <= got.period.end
    assert isinstance(got.to_dict()["intent"], str)


def test_ten_kilobytes_of_junk_is_read_in_part_without_error() -> None:
    rng = random.Random(4)
    alphabet = "абвгдежзиклмнопрстуфхцчшщыэюяabcdefghijklmnopqrstuvwxyz0123456789 .,-=:/'\"🙂"
    for _ in range(20):
        junk = "".join(rng.choice(alphabet) for _ in range(10_000))
        got = parse(junk, today=TODAY, known=load_vocabulary())
        assert len(got.unparsed) <= 30
        assert got.period.start <= got.period.end


def test_text_beyond_the_limit_is_ignored() -> None:
    tail = "прогноз на декабрь"
    got = parse("x " * MAX_CHARS + tail, today=TODAY)
    assert got.intent is Intent.UNKNOWN
    assert got.period_source is PeriodSource.DEFAULT


def test_not_understood_still_says_what_was_understood() -> None:
    got = parse("селектел на прошлой неделе, ну и?", today=TODAY)
    assert not got.understood
    assert got.period_source is PeriodSource.TEXT
    assert got.filters.provider == "selectel"
    assert got.to_dict()["understood"] is False


def test_unrecognised_words_are_listed() -> None:
    got = parse("сколько потратили на фломастеры в октябре", today=TODAY)
    assert got.intent is Intent.SPEND
    assert got.unparsed == ("фломастеры",)


@pytest.mark.parametrize(("text", "lang"), [
    ("сколько потратили на AWS", "ru"), ("how much on Selectel", "en"), ("", "ru"),
])
def test_language_is_detected_unless_given(text: str, lang: str) -> None:
    assert parse(text, today=TODAY).lang == lang
    assert parse(text, today=TODAY, lang="en").lang == "en"


@pytest.mark.parametrize("text", [
    "how much did project zzqx cost", "how much does project zzqx cost last month",
    "what did project zzqx cost us", "how much have the zzqx servers cost"])
def test_a_name_inside_a_long_spend_phrase_that_filters_nothing_is_reported(text: str) -> None:
    """"how much did project zzqx cost": the phrase says spend, but zzqx names nothing the org
    has. It must come back as not understood, so the answer (the org's total) says it did not
    filter on it, instead of passing the total off as zzqx's."""
    got = parse(text, today=TODAY, known=load_vocabulary())
    assert got.intent is Intent.SPEND
    assert got.filters.project is None
    assert "zzqx" in got.unparsed


@pytest.mark.parametrize("text", [
    "what did the whole infrastructure cost in september",
    "how much did everything cost last month", "how much did all our clouds cost in october",
    "сколько нам стоила вся инфраструктура в октябре"])
def test_words_for_the_whole_organisation_inside_a_long_spend_phrase_are_read(text: str) -> None:
    """The org's total is what these ask for: nothing in them is left unread."""
    got = parse(text, today=TODAY, known=load_vocabulary())
    assert (got.intent, got.unparsed) == (Intent.SPEND, ())


def test_a_known_name_inside_a_long_spend_phrase_filters_and_leaves_nothing_unread() -> None:
    vocabulary = load_vocabulary()
    project = vocabulary.projects[0]
    got = parse(f"how much did project {project} cost", today=TODAY, known=vocabulary)
    assert (got.intent, got.filters.project, got.unparsed) == (Intent.SPEND, project, ())


@pytest.mark.parametrize("text", ["расходы по тегу отдел=продажи", "расходы с тегом отдел продажи",
                                  "траты по метке Отдел: ПРОДАЖИ за октябрь"])
def test_a_tag_written_in_russian_is_read(text: str) -> None:
    """Russian teams tag in Russian: the key and value are read (spelt as the org's tags
    spell them), not left as words the answer could not filter on."""
    known = Vocabulary.build(connections=(), services=(), regions=(), projects=(), teams=(),
                             tags={"отдел": ["Продажи"], "env": ["prod"]}, resources=())
    got = parse(text, today=TODAY, known=known)
    assert (got.filters.tags, got.unparsed) == ((("отдел", "Продажи"),), ())
