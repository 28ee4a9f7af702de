"""Everyday words, generated: intent words × provider nicknames × periods, service nicknames,
money amounts and one-letter typos.

Sentences are built from parts, so a word that works only next to one provider, one period
or one language fails here; the expected answer is stated per part, never per sentence.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterator
from datetime import date

import pytest

from core.query import Intent, Vocabulary, parse
from tests.query.labelled import load_vocabulary

TODAY = date(2026, 11, 18)  # a Wednesday

PROVIDERS_RU: tuple[tuple[str, str], ...] = (
    ("селектеле", "selectel"), ("селеке", "selectel"), ("бегете", "beget"),
    ("яндекс облаке", "yandex"), ("yc", "yandex"), ("вк облаке", "vk"), ("амазоне", "aws"),
    ("эвс", "aws"), ("ажуре", "azure"), ("гугле", "gcp"), ("оракле", "oci"),
    ("клауд.ру", "cloudru"), ("сбере", "cloudru"),
)
PROVIDERS_EN: tuple[tuple[str, str], ...] = (
    ("Selectel", "selectel"), ("Beget", "beget"), ("Yandex Cloud", "yandex"),
    ("ya cloud", "yandex"), ("VK Cloud", "vk"), ("AWS", "aws"), ("Azure", "azure"),
    ("GCP", "gcp"), ("Oracle", "oci"), ("cloud.ru", "cloudru"),
)
Span = tuple[date, date]
PAST_RU: tuple[tuple[str, Span], ...] = (
    ("в октябре", (date(2026, 10, 1), date(2026, 10, 31))),
    ("за прошлую неделю", (date(2026, 11, 9), date(2026, 11, 15))),
)
PAST_EN: tuple[tuple[str, Span], ...] = (
    ("in October", (date(2026, 10, 1), date(2026, 10, 31))),
    ("last week", (date(2026, 11, 9), date(2026, 11, 15))),
)
FUTURE_RU: tuple[tuple[str, Span], ...] = (
    ("на следующий месяц", (date(2026, 12, 1), date(2026, 12, 31))),
    ("в декабре", (date(2026, 12, 1), date(2026, 12, 31))),
)
FUTURE_EN: tuple[tuple[str, Span], ...] = (
    ("next month", (date(2026, 12, 1), date(2026, 12, 31))),
    ("in December", (date(2026, 12, 1), date(2026, 12, 31))),
)
THIS_MONTH: Span = (date(2026, 11, 1), date(2026, 11, 18))
WHOLE_MONTH: Span = (date(2026, 11, 1), date(2026, 11, 30))
NO_PERIOD: tuple[tuple[str, Span], ...] = (("", THIS_MONTH),)

INTENT_WORDS: dict[Intent, tuple[str, ...]] = {
    Intent.SPEND: (
        "сколько потратили на {p} {t}", "сколько слили на {p} {t}", "сколько ушло на {p} {t}",
        "сколько сожрал {p} {t}", "почём вышел {p} {t}", "во что обошёлся {p} {t}",
        "сколько набежало по {p} {t}", "счёт за {p} {t}", "чек за {p} {t}",
        "траты на {p} {t}", "затраты на {p} {t}", "издержки на {p} {t}",
        "how much did we spend on {p} {t}", "{p} bill {t}", "what did {p} cost {t}",
        "how much did we burn on {p} {t}", "{p} spend {t}", "во сколько обходится {p} {t}",
        "косты на {p} {t}",
    ),
    Intent.TOP: (
        "самые дорогие ресурсы на {p} {t}", "самые прожорливые серверы на {p} {t}",
        "что больше всего стоит на {p} {t}", "лидеры по затратам на {p} {t}",
        "самые затратные проекты на {p} {t}", "most expensive resources on {p} {t}",
        "priciest resources on {p} {t}", "costliest services on {p} {t}",
        "biggest cost drivers on {p} {t}", "куда утекают деньги на {p} {t}",
        "where's the money going on {p} {t}",
    ),
    Intent.TREND: (
        "динамика расходов на {p} {t}", "как менялись траты на {p} {t}",
        "график затрат на {p} {t}", "тренд расходов на {p} {t}",
        "{p} spend over time {t}", "chart of {p} costs {t}", "{p} cost trend {t}",
    ),
    Intent.ANOMALIES: (
        "аномалии на {p} {t}", "всплеск расходов на {p} {t}", "скачок затрат на {p} {t}",
        "почему вырос счёт за {p} {t}", "spikes on {p} {t}", "weird jump on {p} {t}",
        "anything unusual on {p} {t}",
    ),
    Intent.REPORT: (
        "отчёт по {p} {t}", "pdf по {p} {t}", "выгрузи {p} {t} в csv", "эксель по {p} {t}",
        "export {p} costs {t} to csv", "{p} report {t}",
    ),
}
FORECAST_WORDS: tuple[str, ...] = (
    "прогноз по {p} {t}", "сколько будет стоить {p} {t}", "ожидаемые расходы на {p} {t}",
    "сколько потратим на {p} {t}", "projected {p} spend {t}", "expected {p} costs {t}",
    "how much will we spend on {p} {t}", "{p} forecast {t}",
)
BUDGET_WORDS: tuple[str, ...] = (
    "бюджет по {p} {t}", "уложимся в лимит по {p} {t}", "перерасход по {p} {t}",
    "впишемся в бюджет на {p} {t}", "are we on track on {p} {t}",
    "are we over budget on {p} {t}",
)
RECOMMENDATION_WORDS: tuple[str, ...] = (
    "как сэкономить на {p}", "как оптимизировать {p}", "как урезать расходы на {p}",
    "как меньше платить за {p}", "что можно выключить на {p}", "rightsizing on {p}",
    "how to save money on {p}", "how can we pay less for {p}", "idle servers on {p}",
)
RESOURCE_WORDS: tuple[str, ...] = (
    "какие серверы на {p}", "список виртуалок на {p}", "сколько виртуалок на {p}",
    "сколько инстансов на {p}", "что крутится на {p}", "inventory on {p}",
    "list vms on {p}", "how many instances on {p}",
)

Case = tuple[str, Intent, str, Span]


def _russian(text: str) -> bool:
    return bool(re.search(r"[а-яё]", text, re.IGNORECASE))


def _fill(templates: tuple[str, ...], intent: Intent, ru: tuple[tuple[str, Span], ...],
          en: tuple[tuple[str, Span], ...]) -> Iterator[Case]:
    for template in templates:
        russian = _russian(template.replace("{p}", "").replace("{t}", ""))
        providers, periods = (PROVIDERS_RU, ru) if russian else (PROVIDERS_EN, en)
        for (p, key), (t, span) in itertools.product(providers, periods):
            yield " ".join(template.format(p=p, t=t).split()), intent, key, span


def _cases() -> Iterator[Case]:
    for intent, templates in INTENT_WORDS.items():
        yield from _fill(templates, intent, PAST_RU, PAST_EN)
    yield from _fill(FORECAST_WORDS, Intent.FORECAST, FUTURE_RU, FUTURE_EN)
    yield from _fill(BUDGET_WORDS, Intent.BUDGET, (("в этом месяце", WHOLE_MONTH),),
                     (("this month", WHOLE_MONTH),))
    yield from _fill(RECOMMENDATION_WORDS, Intent.RECOMMENDATIONS, NO_PERIOD, NO_PERIOD)
    yield from _fill(RESOURCE_WORDS, Intent.RESOURCES, NO_PERIOD, NO_PERIOD)


CASES = list(_cases())


def test_every_intent_and_provider_is_exercised() -> None:
    assert {c[1] for c in CASES} == set(Intent) - {Intent.UNKNOWN}
    assert {c[2] for c in CASES} == {key for _word, key in PROVIDERS_RU + PROVIDERS_EN}
    assert len(CASES) > 1000


@pytest.mark.parametrize("chunk", range(4))
def test_intent_words_with_provider_nicknames_and_periods(chunk: int) -> None:
    misses = []
    for text, intent, provider, span in CASES[chunk::4]:
        got = parse(text, today=TODAY)
        actual = (got.intent, got.filters.provider, (got.period.start, got.period.end))
        if actual != (intent, provider, span):
            misses.append(f"{text!r}: got {actual}, expected {(intent, provider, span)}")
    assert not misses, "\n".join(misses[:40]) + f"\n({len(misses)} misses)"


SERVICE_NICKNAMES: tuple[tuple[str, str], ...] = (
    ("кубер", "Kubernetes"), ("кубик", "Kubernetes"), ("k8s", "Kubernetes"),
    ("кубернетес", "Kubernetes"), ("s3", "S3"), ("с3", "S3"),
    ("объектное хранилище", "Object Storage"), ("object storage", "Object Storage"),
    ("базы данных", "Managed Databases"), ("базы", "Managed Databases"),
    ("бд", "Managed Databases"), ("постгрес", "Managed Databases"),
    ("postgres", "Managed Databases"), ("mysql", "Managed Databases"),
    ("redis", "Managed Databases"), ("databases", "Managed Databases"),
    ("блочное хранилище", "Block Storage"), ("бэкапы", "Backup"), ("бекапы", "Backup"),
    ("снапшоты", "Backup"), ("backups", "Backup"), ("snapshots", "Backup"),
    ("сеть", "Network"), ("трафик", "Network"), ("egress", "Network"),
    ("network", "Network"), ("vps", "VPS"), ("впс", "VPS"), ("s3шка", "S3"), ("s3шке", "S3"),
    ("с3шку", "S3"), ("траффик", "Network"), ("впски", "VPS"), ("впсках", "VPS"),
)
SERVICE_FRAMES: tuple[tuple[str, Intent], ...] = (
    ("сколько ушло на {s} в октябре", Intent.SPEND),
    ("во сколько обошлись {s} за октябрь", Intent.SPEND),
    ("how much did {s} cost in October", Intent.SPEND),
    ("где сэкономить на {s}", Intent.RECOMMENDATIONS),
    ("самые дорогие {s} в октябре", Intent.TOP),
)
GENERIC = {"S3": "Object Storage"}
"""Without an organisation's vocabulary, "S3" is named by the generic service."""


@pytest.mark.parametrize("known", [True, False])
def test_service_nicknames_map_to_the_orgs_service(known: bool) -> None:
    vocabulary: Vocabulary | None = load_vocabulary() if known else None
    misses = []
    for (nick, service), (frame, intent) in itertools.product(SERVICE_NICKNAMES,
                                                              SERVICE_FRAMES):
        text = frame.format(s=nick)
        expected = service if known else GENERIC.get(service, service)
        got = parse(text, today=TODAY, known=vocabulary)
        if (got.filters.service, got.intent) != (expected, intent):
            misses.append(f"{text!r}: got {got.filters.service} {got.intent}")
    assert not misses, "\n".join(misses)


@pytest.mark.parametrize(("noun", "service"), [
    ("серверы", None), ("виртуалки", "Compute"), ("инстансы", None), ("диски", "Block Storage"),
    ("бакеты", "Object Storage"), ("VMs", "Compute"), ("instances", None),
    ("volumes", "Block Storage"), ("buckets", "Object Storage"), ("тачки", "Compute")])
def test_a_listed_kind_of_resource_is_its_service_and_a_generic_one_none(
        noun: str, service: str | None) -> None:
    """VMs and disks are the org's Compute and Block Storage in lists too (round 5), buckets
    its Object Storage (round 6); servers and instances run in several services, so they
    filter nothing."""
    for text in (f"какие {noun} есть", f"сколько у нас {noun.rstrip('ы')}", f"list {noun}"):
        got = parse(text, today=TODAY, known=load_vocabulary())
        assert got.intent is Intent.RESOURCES, text
        assert got.filters.service == service, text


AMOUNTS = ("500к", "500k", "100 тыс", "100 тыс.", "1,5 млн", "1.5 млн ₽", "$2k", "$2000",
           "20 000 руб", "3 тыс. ₽", "15 косарей", "2 ляма", "300 usd", "5 000 р.")


@pytest.mark.parametrize("amount", AMOUNTS)
def test_money_amounts_are_not_dates(amount: str) -> None:
    cases = (
        (f"бюджет {amount} на декабрь", Intent.BUDGET, (date(2026, 12, 1), date(2026, 12, 31))),
        (f"лимит {amount} в месяц", Intent.BUDGET, WHOLE_MONTH),
        (f"потратили больше {amount} за прошлую неделю?", Intent.SPEND,
         (date(2026, 11, 9), date(2026, 11, 15))),
        (f"ресурсы дороже {amount} в октябре", Intent.RESOURCES,
         (date(2026, 10, 1), date(2026, 10, 31))),
    )
    for text, intent, span in cases:
        got = parse(text, today=TODAY)
        assert (got.intent, (got.period.start, got.period.end)) == (intent, span), text
        assert not any(re.search(r"\d", word) for word in got.unparsed), (text, got.unparsed)


def _typos(word: str) -> Iterator[str]:
    """Each swap of two inner neighbours and each inner deletion: one edit each."""
    for i in range(1, len(word) - 2):
        yield word[:i] + word[i + 1] + word[i] + word[i + 2:]
    for i in range(1, len(word) - 1):
        yield word[:i] + word[i + 1:]


MONTH_FORMS: dict[str, int] = {
    "январе": 1, "феврале": 2, "апреле": 4, "августе": 8, "сентябре": 9, "октябре": 10,
    "ноябре": 11, "декабре": 12, "january": 1, "february": 2, "august": 8, "september": 9,
    "october": 10, "november": 11, "december": 12,
}


@pytest.mark.parametrize("month", sorted(MONTH_FORMS))
def test_a_month_with_one_typo_is_still_that_month(month: str) -> None:
    number = MONTH_FORMS[month]
    year = 2026 if number <= 11 else 2025
    misses = []
    for typo in _typos(month):
        if len(typo) < 6:
            continue
        text = f"сколько потратили в {typo}" if _russian(month) else f"spend in {typo}"
        got = parse(text, today=TODAY)
        if (got.period.start.month, got.period.start.year) != (number, year):
            misses.append(f"{typo}: {got.period}")
    assert not misses, "\n".join(misses)


KEYWORDS: tuple[tuple[str, Intent], ...] = (
    ("прогноз на декабрь", Intent.FORECAST), ("бюджет на декабрь", Intent.BUDGET),
    ("аномалии за неделю", Intent.ANOMALIES), ("рекомендации", Intent.RECOMMENDATIONS),
    ("динамика за полгода", Intent.TREND), ("forecast for december", Intent.FORECAST),
    ("anomalies last week", Intent.ANOMALIES), ("recommendations", Intent.RECOMMENDATIONS),
    ("budget for december", Intent.BUDGET), ("сколько потратили", Intent.SPEND),
)


@pytest.mark.parametrize(("phrase", "intent"), KEYWORDS)
def test_a_keyword_with_one_typo_keeps_its_intent(phrase: str, intent: Intent) -> None:
    keyword, _, rest = phrase.partition(" ")
    for typo in _typos(keyword):
        if len(typo) < 5:
            continue
        text = f"{typo} {rest}".strip()
        assert parse(text, today=TODAY).intent is intent, text
