"""Round 6: phrasings written per family of fresh_v8's misses, before the rules that pass them.

A year said anywhere applies to an ordinal period without one; a budget question about a
named period takes the current year's (a forecast the next one ahead); a kind word next to a
resource's name is that resource's kind, not a second filter; "тачки" and "бакеты" are kinds
of resource; "месяц к месяцу" is a trend, forgotten resources and making one cheaper are
advice; counting people is no cost question.
"""

from __future__ import annotations

from datetime import date

import pytest

from core.query import Intent, parse
from tests.query.labelled import load_vocabulary

TODAY = date(2026, 11, 18)  # a Wednesday
VOCABULARY = load_vocabulary()


def _d(text: str) -> date:
    return date.fromisoformat(text)


def _period(text: str) -> tuple[date, date]:
    got = parse(text, today=TODAY, known=VOCABULARY)
    return got.period.start, got.period.end


# --- 1. a year word anywhere applies to the ordinal period ----------------------------------

YEAR_ANYWHERE: tuple[tuple[str, str, str], ...] = (
    ("в прошлом году сколько потратили в 3 квартале", "2025-07-01", "2025-09-30"),
    ("расходы в 4 квартале прошлого года", "2025-10-01", "2025-12-31"),
    ("в прошлом году за первый квартал сколько ушло на селектел", "2025-01-01", "2025-03-31"),
    ("сколько ушло в позапрошлом году во 2 квартале", "2024-04-01", "2024-06-30"),
    ("траты за прошлогодний 4 квартал", "2025-10-01", "2025-12-31"),
    ("в первом полугодии прошлого года сколько потратили", "2025-01-01", "2025-06-30"),
    ("в прошлом году в первом полугодии какие были расходы", "2025-01-01", "2025-06-30"),
    ("затраты во втором полугодии прошлого года", "2025-07-01", "2025-12-31"),
    ("в марте прошлого года сколько ушло на кубер", "2025-03-01", "2025-03-31"),
    ("в прошлом году в ноябре сколько потратили", "2025-11-01", "2025-11-30"),
    ("сколько мы в прошлом году заплатили в сентябре", "2025-09-01", "2025-09-30"),
    ("в 2025 году в 4 квартале сколько ушло", "2025-10-01", "2025-12-31"),
    ("spend in Q4 last year", "2025-10-01", "2025-12-31"),
    ("last year, what did we spend in q3", "2025-07-01", "2025-09-30"),
    ("how much did we spend last year in the second quarter", "2025-04-01", "2025-06-30"),
    ("last year's March spend", "2025-03-01", "2025-03-31"),
    ("what did we spend in November last year", "2025-11-01", "2025-11-30"),
    ("costs for the first half of last year", "2025-01-01", "2025-06-30"),
    ("in 2024, what did we pay in H2", "2024-07-01", "2024-12-31"),
    ("this year, how much went on disks in Q1", "2026-01-01", "2026-03-31"),
)


@pytest.mark.parametrize(("text", "start", "end"), YEAR_ANYWHERE)
def test_a_year_anywhere_applies_to_the_ordinal_period(text: str, start: str, end: str) -> None:
    assert _period(text) == (_d(start), _d(end)), text


def test_the_year_and_the_period_both_count_as_read() -> None:
    got = parse("сколько в прошлом году ушло на кубик в 4 квартале", today=TODAY,
                known=VOCABULARY)
    assert (got.intent, got.filters.service) == (Intent.SPEND, "Kubernetes")
    assert not {"прошлом", "году", "квартале"} & set(got.unparsed)


def test_a_year_alone_or_a_period_with_its_own_year_is_unchanged() -> None:
    assert _period("расходы в прошлом году") == (_d("2025-01-01"), _d("2025-12-31"))
    assert _period("расходы в 4 квартале") == (_d("2026-10-01"), _d("2026-11-18"))
    assert _period("расходы за 3 квартал 2025 по сравнению с прошлым годом") == (
        _d("2025-07-01"), _d("2025-09-30"))


# --- 2. a budget question takes the current year's period; a forecast the next ahead -------

BUDGET_CURRENT: tuple[tuple[str, str, str], ...] = (
    ("исполнение бюджета за первое полугодие", "2026-01-01", "2026-06-30"),
    ("уложились ли в бюджет в первом полугодии", "2026-01-01", "2026-06-30"),
    ("как исполнили бюджет в 1 квартале по команде web", "2026-01-01", "2026-03-31"),
    ("лимит за 2 квартал превысили?", "2026-04-01", "2026-06-30"),
    ("план/факт за H1", "2026-01-01", "2026-06-30"),
    ("бюджет на второе полугодие", "2026-07-01", "2026-12-31"),
    ("did we stay within budget in the first half", "2026-01-01", "2026-06-30"),
    ("budget vs actual for Q1", "2026-01-01", "2026-03-31"),
    ("were we over budget in February", "2026-02-01", "2026-02-28"),
    ("budget for Q4", "2026-10-01", "2026-12-31"),
    ("бюджет на декабрь", "2026-12-01", "2026-12-31"),
    ("бюджет на первое полугодие следующего года", "2027-01-01", "2027-06-30"),
    ("бюджет на следующее полугодие", "2027-01-01", "2027-06-30"),
    ("budget for next quarter", "2027-01-01", "2027-03-31"),
)


@pytest.mark.parametrize(("text", "start", "end"), BUDGET_CURRENT)
def test_a_budget_question_takes_the_current_years_period(text: str, start: str,
                                                         end: str) -> None:
    got = parse(text, today=TODAY, known=VOCABULARY)
    assert got.intent is Intent.BUDGET, text
    assert (got.period.start, got.period.end) == (_d(start), _d(end)), text


FORECAST_AHEAD: tuple[tuple[str, str, str], ...] = (
    ("прогноз на первое полугодие", "2027-01-01", "2027-06-30"),
    ("прогноз расходов на 1 квартал", "2027-01-01", "2027-03-31"),
    ("forecast for the first half", "2027-01-01", "2027-06-30"),
    ("forecast for February", "2027-02-01", "2027-02-28"),
    ("прогноз на декабрь", "2026-12-01", "2026-12-31"),
)


@pytest.mark.parametrize(("text", "start", "end"), FORECAST_AHEAD)
def test_a_forecast_takes_the_next_period_ahead(text: str, start: str, end: str) -> None:
    got = parse(text, today=TODAY, known=VOCABULARY)
    assert got.intent is Intent.FORECAST, text
    assert (got.period.start, got.period.end) == (_d(start), _d(end)), text


# --- 3. a kind word next to a resource's name is its kind, not another filter ---------------

KIND_OF_RESOURCE: tuple[tuple[str, str], ...] = (
    ("сколько стоила впска vps-app-01 в октябре", "vps-app-01"),
    ("расходы на виртуалку api-backend-prod-01", "api-backend-prod-01"),
    ("во что обходится бакет s3-media-bucket", "s3-media-bucket"),
    ("сколько жрёт вм api-backend-prod-01", "api-backend-prod-01"),
    ("затраты на бд db-postgres-prod-01 за месяц", "db-postgres-prod-01"),
    ("впс vps-app-01 сколько стоит", "vps-app-01"),
    ("сколько ушло на тачку api-backend-prod-01", "api-backend-prod-01"),
    ("можно ли удешевить виртуалку api-backend-prod-01", "api-backend-prod-01"),
    ("what did the vm api-backend-prod-01 cost last month", "api-backend-prod-01"),
    ("cost of the bucket s3-media-bucket in october", "s3-media-bucket"),
    ("how much is the vps vps-app-01 costing us", "vps-app-01"),
    ("spend on database db-postgres-prod-01", "db-postgres-prod-01"),
    ("s3 bucket s3-media-bucket spend", "s3-media-bucket"),
    ("api-backend-prod-01 vm costs", "api-backend-prod-01"),
)


@pytest.mark.parametrize(("text", "resource"), KIND_OF_RESOURCE)
def test_a_kind_word_beside_a_resource_is_no_service(text: str, resource: str) -> None:
    got = parse(text, today=TODAY, known=VOCABULARY)
    assert (got.filters.resource, got.filters.service) == (resource, None), text
    assert got.intent is not Intent.UNKNOWN, text


def test_a_kind_word_apart_from_the_resource_still_names_the_service() -> None:
    got = parse("сравни виртуалки и api-backend-prod-01", today=TODAY, known=VOCABULARY)
    assert got.filters.service == "Compute"


# --- 4. "тачки" are Compute, "бакеты" Object Storage ("s3 бакеты" S3) ------------------------

NICKNAMES: tuple[tuple[str, Intent, str], ...] = (
    ("сколько ушло на тачки в октябре", Intent.SPEND, "Compute"),
    ("во что обходятся тачки на селектеле", Intent.SPEND, "Compute"),
    ("сколько бабла сожрали тачки за прошлый месяц", Intent.SPEND, "Compute"),
    ("какие тачки простаивают", Intent.RECOMMENDATIONS, "Compute"),
    ("какие тачки можно выключить", Intent.RECOMMENDATIONS, "Compute"),
    ("покажи все тачки в ru-3", Intent.RESOURCES, "Compute"),
    ("сколько у нас тачек", Intent.RESOURCES, "Compute"),
    ("какая тачка самая дорогая", Intent.TOP, "Compute"),
    ("расходы на бакеты за сентябрь", Intent.SPEND, "Object Storage"),
    ("сколько стоят бакеты", Intent.SPEND, "Object Storage"),
    ("какие бакеты у нас есть", Intent.RESOURCES, "Object Storage"),
    ("есть ли неиспользуемые бакеты", Intent.RECOMMENDATIONS, "Object Storage"),
    ("сколько у нас бакетов в яндексе", Intent.RESOURCES, "Object Storage"),
    ("what do the buckets cost", Intent.SPEND, "Object Storage"),
    ("list buckets in project shop", Intent.RESOURCES, "Object Storage"),
    ("any unused buckets?", Intent.RECOMMENDATIONS, "Object Storage"),
    ("сколько стоят s3 бакеты", Intent.SPEND, "S3"),
    ("какие s3-бакеты есть", Intent.RESOURCES, "S3"),
    ("s3 buckets spend last month", Intent.SPEND, "S3"),
)


@pytest.mark.parametrize(("text", "intent", "service"), NICKNAMES)
def test_kind_nicknames_name_the_service(text: str, intent: Intent, service: str) -> None:
    got = parse(text, today=TODAY, known=VOCABULARY)
    assert (got.intent, got.filters.service) == (intent, service), text


# --- 5. period-over-period is a trend; forgotten resources and making X cheaper are advice --

TRENDS: tuple[str, ...] = (
    "изменение расходов месяц к месяцу",
    "траты на яндекс месяц к месяцу за 2026",
    "сравнение год к году по селектелу",
    "расходы неделя к неделе",
    "затраты квартал к кварталу",
    "как изменились траты мес к мес",
    "рост расходов г/г",
    "м/м по кубику",
    "MoM spend change for beget",
    "month-over-month costs in 2026",
    "YoY cloud spend",
    "year over year costs on yandex",
    "week-over-week spend",
    "QoQ spend on selectel",
)


@pytest.mark.parametrize("text", TRENDS)
def test_period_over_period_is_a_trend(text: str) -> None:
    assert parse(text, today=TODAY, known=VOCABULARY).intent is Intent.TREND, text


ADVICE: tuple[str, ...] = (
    "есть ли забытые виртуалки",
    "найди заброшенные диски",
    "какие ресурсы брошены",
    "брошенные бакеты в яндексе",
    "покажи забытые снапшоты",
    "какие серверы висят без дела",
    "заброшенные вмки у команды web",
    "что можно сделать с api-backend-prod-01 чтобы дешевле выходило",
    "как удешевить кубер",
    "что сделать чтобы база обходилась дешевле",
    "как сделать так чтобы s3 стоил дешевле",
    "any forgotten disks?",
    "abandoned resources on selectel",
    "find stale snapshots",
    "how can we make k8s-worker-02 cheaper",
)


@pytest.mark.parametrize("text", ADVICE)
def test_forgotten_resources_and_making_one_cheaper_are_advice(text: str) -> None:
    got = parse(text, today=TODAY, known=VOCABULARY)
    assert got.intent is Intent.RECOMMENDATIONS, text


# --- 6. counting people is no cost question ---------------------------------------------------

PEOPLE: tuple[str, ...] = (
    "сколько человек у нас в отделе",
    "сколько сотрудников в компании",
    "сколько у нас разработчиков",
    "сколько людей в команде platform",
    "сколько инженеров в дата-отделе",
    "сколько народу работает в команде web",
    "сколько пользователей у нас в боте",
    "how many people are on the team",
    "how many employees do we have",
    "how many engineers work on platform",
    "what's our headcount",
)


@pytest.mark.parametrize("text", PEOPLE)
def test_counting_people_is_not_understood(text: str) -> None:
    got = parse(text, today=TODAY, known=VOCABULARY)
    assert got.intent is Intent.UNKNOWN, text


PEOPLE_COSTS: tuple[tuple[str, Intent], ...] = (
    ("сколько тратим на одного разработчика", Intent.SPEND),
    ("сколько стоит облако на человека", Intent.SPEND),
    ("how much do we spend per engineer", Intent.SPEND),
)


@pytest.mark.parametrize(("text", "intent"), PEOPLE_COSTS)
def test_cost_per_person_stays_a_cost_question(text: str, intent: Intent) -> None:
    assert parse(text, today=TODAY, known=VOCABULARY).intent is intent, text
