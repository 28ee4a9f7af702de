"""Round 5: phrasings written per family of fresh_v7's misses, before the rules that pass them.

Money words outrank kinds of resource; what exists or is set up is a resources question; an
order to operate the infrastructure or a price of something not ours is not understood; two
days joined by "и", the start of a period to today, decades of a month, "the last quarter"
as the calendar one, days still to come as a forecast; "скинь цифру" and a count before a
group noun.
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


# --- 1. a money word outranks a kind of resource ----------------------------------------------

MONEY_OVER_KINDS: tuple[tuple[str, str | None], ...] = (
    ("затраты команды qa на диски за прошлую неделю", "Block Storage"),
    ("сколько на ресурсы иванова ушло за позапрошлую неделю", None),
    ("what did we pay for vms the day before yesterday", "Compute"),
    ("расходы на виртуалки в октябре", "Compute"),
    ("траты на вмки за прошлый месяц", "Compute"),
    ("сколько денег сожрали диски в октябре", "Block Storage"),
    ("стоимость виртуальных машин за октябрь", "Compute"),
    ("во что обошлись серверы в октябре", None),
    ("счёт за диски за сентябрь", "Block Storage"),
    ("how much money went on disks in october", "Block Storage"),
    ("what are we paying for virtual machines this month", "Compute"),
    ("vm costs last month", "Compute"),
    ("the bill for volumes in september", "Block Storage"),
    ("what did the servers cost us in october", None),
    ("сколько платим за инстансы", None),
    ("затраты на кластеры за неделю", None),
)


@pytest.mark.parametrize(("text", "service"), MONEY_OVER_KINDS)
def test_a_money_word_outranks_a_kind_of_resource(text: str, service: str | None) -> None:
    got = parse(text, today=TODAY, known=VOCABULARY)
    assert got.intent is Intent.SPEND, text
    assert got.filters.service == service, text


COUNTED: tuple[tuple[str, str | None], ...] = (
    ("сколько у нас виртуалок", "Compute"),
    ("какие диски есть", "Block Storage"),
    ("how many vms are running", "Compute"),
    ("list disks in ru-3", "Block Storage"),
    ("покажи все серверы", None),
    ("сколько инстансов запущено", None),
)


@pytest.mark.parametrize(("text", "service"), COUNTED)
def test_without_a_money_word_a_kind_is_counted_or_listed(text: str,
                                                         service: str | None) -> None:
    got = parse(text, today=TODAY, known=VOCABULARY)
    assert (got.intent, got.filters.service) == (Intent.RESOURCES, service), text


# --- 2. what exists or is set up: resources, a kind as its service ----------------------------

EXISTENCE: tuple[tuple[str, dict[str, object]], ...] = (
    ("what databases do we run on selectel", {"service": "Managed Databases",
                                              "provider": "selectel"}),
    ("какие бэкапы у нас настроены на селектеле", {"service": "Backup", "provider": "selectel"}),
    ("show me everything tagged env=stage", {"tags": {"env": "stage"}}),
    ("список вм в ru-central1", {"service": "Compute", "region": "ru-central1"}),
    ("which vms do we have in ru-3", {"service": "Compute", "region": "ru-3"}),
    ("what disks do we use on yandex", {"service": "Block Storage", "provider": "yandex"}),
    ("what k8s clusters do we run", {"service": "Kubernetes"}),
    ("какие снапшоты настроены", {"service": "Backup"}),
    ("какие базы у нас заведены в яндексе", {"service": "Managed Databases",
                                            "provider": "yandex"}),
    ("list everything labelled env=prod", {"tags": {"env": "prod"}}),
    ("всё что с тегом env=dev", {"tags": {"env": "dev"}}),
    ("какие бэкапы есть на aws", {"service": "Backup", "provider": "aws"}),
    ("список дисков в ru-3", {"service": "Block Storage", "region": "ru-3"}),
    ("which backups are configured on gcp", {"service": "Backup", "provider": "gcp"}),
    ("what vms do we host on selectel", {"service": "Compute", "provider": "selectel"}),
)


@pytest.mark.parametrize(("text", "filters"), EXISTENCE)
def test_what_exists_is_a_resources_question(text: str, filters: dict[str, object]) -> None:
    got = parse(text, today=TODAY, known=VOCABULARY)
    assert got.intent is Intent.RESOURCES, text
    assert got.filters.to_dict() == filters, text
    assert (got.period.start, got.period.end) == (_d("2026-11-01"), TODAY)


# --- 3. orders to operate, prices of things not ours: not understood --------------------------

NOT_OURS: tuple[str, ...] = (
    "перезагрузи сервер", "restart the prod cluster", "удали вм web-01", "scale up the cluster",
    "перезапусти кубер на селектеле", "выключи все виртуалки в выходные", "создай новую вм",
    "please reboot db-postgres-prod-01", "delete the old snapshots", "spin up a new vm",
    "останови инстансы в ru-3", "отмасштабируй кластер до 5 нод", "shut down the staging vms",
    "can you terminate idle instances", "снеси старые бэкапы",
    "сколько стоит подписка на chatgpt", "how much is a netflix subscription",
    "сколько стоит тариф мегафона", "сколько стоит лицензия photoshop",
)


@pytest.mark.parametrize("text", NOT_OURS)
def test_orders_and_prices_of_other_things_are_not_understood(text: str) -> None:
    got = parse(text, today=TODAY, known=VOCABULARY)
    assert got.intent is Intent.UNKNOWN, text
    assert (got.period.start, got.period.end) == (_d("2026-11-01"), TODAY)


STILL_OURS: tuple[tuple[str, Intent], ...] = (
    ("сколько стоит наша подписка на yandex cloud", Intent.SPEND),
    ("какие вм можно выключить", Intent.RECOMMENDATIONS),
    ("что можно удалить чтобы сэкономить", Intent.RECOMMENDATIONS),
    ("spend since the start of the month", Intent.SPEND),
    ("start of month spend on aws", Intent.SPEND),
    ("should we scale down the cluster?", Intent.RECOMMENDATIONS),
    ("выгрузи отчёт за октябрь", Intent.REPORT),
)


@pytest.mark.parametrize(("text", "intent"), STILL_OURS)
def test_advice_and_our_subscriptions_stay_questions(text: str, intent: Intent) -> None:
    assert parse(text, today=TODAY, known=VOCABULARY).intent is intent, text


def test_an_order_names_no_filters() -> None:
    got = parse("restart the prod cluster", today=TODAY, known=VOCABULARY)
    assert got.filters.is_empty


# --- 4. periods -------------------------------------------------------------------------------

PERIODS: tuple[tuple[str, str, str], ...] = (
    # two days joined by "и" / "and": both days
    ("сколько ушло за 14 и 15 ноября", "2026-11-14", "2026-11-15"),
    ("расходы за 1 и 2 октября", "2026-10-01", "2026-10-02"),
    ("траты 3 и 4 ноября на aws", "2026-11-03", "2026-11-04"),
    ("spend on nov 14 and 15", "2026-11-14", "2026-11-15"),
    ("costs for 14 and 15 november", "2026-11-14", "2026-11-15"),
    # the start of a period to today
    ("с начала прошлого месяца сколько ушло", "2026-10-01", "2026-11-18"),
    ("расходы с начала прошлого года", "2025-01-01", "2026-11-18"),
    ("траты с начала прошлого квартала", "2026-07-01", "2026-11-18"),
    ("с начала 4 квартала сколько потратили", "2026-10-01", "2026-11-18"),
    ("затраты с начала третьего квартала", "2026-07-01", "2026-11-18"),
    ("расходы с начала октября", "2026-10-01", "2026-11-18"),
    ("spend since the start of last month", "2026-10-01", "2026-11-18"),
    ("costs since the beginning of last quarter", "2026-07-01", "2026-11-18"),
    ("spend from the start of october", "2026-10-01", "2026-11-18"),
    ("траты с начала прошлой недели", "2026-11-09", "2026-11-18"),
    # decades of a month
    ("в первой декаде октября сколько потратили на диски", "2026-10-01", "2026-10-10"),
    ("расходы за вторую декаду октября", "2026-10-11", "2026-10-20"),
    ("траты в третьей декаде октября", "2026-10-21", "2026-10-31"),
    ("затраты за последнюю декаду сентября", "2026-09-21", "2026-09-30"),
    ("расходы за 2-ю декаду сентября 2025", "2025-09-11", "2025-09-20"),
    ("расходы за первую декаду месяца", "2026-11-01", "2026-11-10"),
    ("траты за третью декаду прошлого месяца", "2026-10-21", "2026-10-31"),
    # "the last quarter": the calendar one, as "last quarter"
    ("break down beget spend by service for the last quarter", "2026-07-01", "2026-09-30"),
    ("spend for the last month", "2026-10-01", "2026-10-31"),
    ("what did we spend in the last quarter on aws", "2026-07-01", "2026-09-30"),
    ("costs over the last year", "2025-01-01", "2025-12-31"),
    ("spend for the last 3 months", "2026-08-19", "2026-11-18"),
    ("spend in the last fortnight", "2026-11-05", "2026-11-18"),
    ("сколько потратили за последний квартал", "2026-08-19", "2026-11-18"),
)


@pytest.mark.parametrize(("text", "start", "end"), PERIODS)
def test_period_forms_of_round_5(text: str, start: str, end: str) -> None:
    got = parse(text, today=TODAY, known=VOCABULARY)
    assert (got.period.start, got.period.end) == (_d(start), _d(end)), text


AHEAD: tuple[tuple[str, str, str], ...] = (
    ("сколько ещё сожрут базы до конца года", "2026-11-18", "2026-12-31"),
    ("сколько уйдёт на aws до конца месяца", "2026-11-18", "2026-11-30"),
    ("сколько съедят виртуалки до конца квартала", "2026-11-18", "2026-12-31"),
    ("how much will the databases eat till the end of the year", "2026-11-18", "2026-12-31"),
    ("сколько потратим на кубер до конца года", "2026-11-18", "2026-12-31"),
    ("spend for the rest of the year", "2026-11-18", "2026-12-31"),
    ("расходы до конца года", "2026-11-18", "2026-12-31"),
    ("what will we spend through year-end", "2026-11-18", "2026-12-31"),
    ("сколько уйдёт в следующем месяце", "2026-12-01", "2026-12-31"),
    ("расходы на следующей неделе", "2026-11-23", "2026-11-29"),
    ("how much will we burn on s3 next month", "2026-12-01", "2026-12-31"),
)


@pytest.mark.parametrize(("text", "start", "end"), AHEAD)
def test_money_over_days_still_to_come_is_a_forecast(text: str, start: str, end: str) -> None:
    got = parse(text, today=TODAY, known=VOCABULARY)
    assert got.intent is Intent.FORECAST, text
    assert (got.period.start, got.period.end) == (_d(start), _d(end)), text


@pytest.mark.parametrize(("text", "start", "end"), [
    ("расходы за этот месяц", "2026-12-01", "2026-12-01"),
    ("сколько потратили сегодня", "2026-12-01", "2026-12-01"),
    ("spend this week", "2026-11-30", "2026-12-01"),
])
def test_a_current_period_that_began_today_stays_spend(text: str, start: str, end: str) -> None:
    got = parse(text, today=date(2026, 12, 1), known=VOCABULARY)
    assert got.intent is Intent.SPEND, text
    assert (got.period.start, got.period.end) == (_d(start), _d(end)), text


# --- 5. "скинь цифру", truncated months, a count before a group noun --------------------------

NUMBER_ASKED: tuple[tuple[str, str, str], ...] = (
    ("за сентябр по бд скинь цифру", "2026-09-01", "2026-09-30"),
    ("скинь цифру по кубу за октябрь", "2026-10-01", "2026-10-31"),
    ("дай цифры по aws за сентябрь", "2026-09-01", "2026-09-30"),
    ("цифра по селектелу за прошлую неделю", "2026-11-09", "2026-11-15"),
    ("нужна цифра за октябр по s3", "2026-10-01", "2026-10-31"),
    ("озвучь цифру по сети за август", "2026-08-01", "2026-08-31"),
    ("give me the number for gcp in october", "2026-10-01", "2026-10-31"),
    ("send the figures for aws in september", "2026-09-01", "2026-09-30"),
    ("what are the numbers for selectel last month", "2026-10-01", "2026-10-31"),
    ("циферку по бд за сентябрь скинь", "2026-09-01", "2026-09-30"),
)


@pytest.mark.parametrize(("text", "start", "end"), NUMBER_ASKED)
def test_the_number_asked_for_is_the_sum(text: str, start: str, end: str) -> None:
    got = parse(text, today=TODAY, known=VOCABULARY)
    assert got.intent is Intent.SPEND, text
    assert (got.period.start, got.period.end) == (_d(start), _d(end)), text


TOP_COUNTS: tuple[tuple[str, int], ...] = (
    ("какие 4 команды тратят больше всего на бд за 3 квартал", 4),
    ("какие 3 проекта самые дорогие", 3),
    ("какие 5 сервисов съели больше всего в октябре", 5),
    ("какие две команды тратят больше всех", 2),
    ("which 3 teams spend the most", 3),
    ("which 5 projects cost the most last month", 5),
    ("what 4 services are the biggest spenders", 4),
    ("какие 7 ресурсов самые прожорливые", 7),
    ("какие 10 вм дороже всего", 10),
    ("which two providers cost the most", 2),
)


@pytest.mark.parametrize(("text", "n"), TOP_COUNTS)
def test_a_count_before_a_group_noun_is_top_n(text: str, n: int) -> None:
    got = parse(text, today=TODAY, known=VOCABULARY)
    assert (got.intent, got.top_n) == (Intent.TOP, n), text
