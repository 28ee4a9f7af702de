"""Round 3: phrasings written per family of fresh_v5's misses, before the rules that pass them.

Each family is a table of what other users would type for the same meaning, in both
languages: ranges whose end is "the end of" a period, parts of a period ("the first 10 days
of October", "за 9 месяцев 2026 года", "the last quarter of 2026"), the current half-year,
weekdays before last and abbreviated; intent phrasings (a sum "по облакам", "основные деньги",
"is it going up?", the month's final bill, idle resources, "выше обычного", "what's deployed");
a connection named by its provider in any case; and prices or weather, which are no cost
question without a cloud or cost context.
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


# --- periods ------------------------------------------------------------------------------------

RANGE_TO_END_OF: tuple[tuple[str, str, str], ...] = (
    ("расходы с начала года до конца сентября", "2026-01-01", "2026-09-30"),
    ("траты с начала года по конец сентября", "2026-01-01", "2026-09-30"),
    ("сколько потратили с начала года и до конца сентября", "2026-01-01", "2026-09-30"),
    ("spend from the start of the year to the end of september", "2026-01-01", "2026-09-30"),
    ("costs since the beginning of the year through the end of September", "2026-01-01",
     "2026-09-30"),
    ("с начала августа до конца октября", "2026-08-01", "2026-10-31"),
    ("from the beginning of august until the end of october", "2026-08-01", "2026-10-31"),
    ("расходы с начала года до конца прошлого месяца", "2026-01-01", "2026-10-31"),
    ("затраты с начала года по конец прошлого квартала", "2026-01-01", "2026-09-30"),
    ("spend from the start of the year to the end of last quarter", "2026-01-01", "2026-09-30"),
    ("сколько ушло с 1 марта до конца июня", "2026-03-01", "2026-06-30"),
    ("costs from march 1 to the end of june", "2026-03-01", "2026-06-30"),
    ("траты с начала квартала до конца октября", "2026-10-01", "2026-10-31"),
    ("расходы с сентября до конца октября", "2026-09-01", "2026-10-31"),
    ("spend from july through the end of september", "2026-07-01", "2026-09-30"),
    ("траты с прошлого понедельника до конца прошлой недели", "2026-11-09", "2026-11-15"),
)

PART_OF_A_PERIOD: tuple[tuple[str, str, str], ...] = (
    ("подскажите общую сумму затрат за 9 месяцев 2026 года", "2026-01-01", "2026-09-30"),
    ("расходы за 9 месяцев 2025 года", "2025-01-01", "2025-09-30"),
    ("расходы за первые 9 месяцев года", "2026-01-01", "2026-09-30"),
    ("spend for the first 9 months of 2026", "2026-01-01", "2026-09-30"),
    ("траты за первые 10 дней октября", "2026-10-01", "2026-10-10"),
    ("gcp costs for the first 10 days of october", "2026-10-01", "2026-10-10"),
    ("сколько ушло в первые десять дней октября", "2026-10-01", "2026-10-10"),
    ("расходы за последние 5 дней сентября", "2026-09-26", "2026-09-30"),
    ("spend in the last 5 days of september", "2026-09-26", "2026-09-30"),
    ("траты за первые две недели ноября", "2026-11-01", "2026-11-14"),
    ("costs for the first two weeks of november", "2026-11-01", "2026-11-14"),
    ("spend over the last two weeks of october", "2026-10-18", "2026-10-31"),
    ("расходы за последние 2 недели октября", "2026-10-18", "2026-10-31"),
    ("сколько потратили в последнем квартале 2025 года", "2025-10-01", "2025-12-31"),
    ("spend in the last quarter of last year", "2025-10-01", "2025-12-31"),
    ("spend in the first week of last month", "2026-10-01", "2026-10-07"),
    ("расходы за первую неделю прошлого месяца", "2026-10-01", "2026-10-07"),
    ("траты за 3 квартала 2025", "2025-01-01", "2025-09-30"),
    ("расходы за первые три месяца прошлого года", "2025-01-01", "2025-03-31"),
    ("costs in the last week of 2025", "2025-12-25", "2025-12-31"),
    ("затраты за 10 месяцев этого года", "2026-01-01", "2026-10-31"),
    ("spend in the first month of 2025", "2025-01-01", "2025-01-31"),
)

CURRENT_HALF: tuple[tuple[str, str, str], ...] = (
    ("траты в этом полугодии", "2026-07-01", "2026-11-18"),
    ("расходы за текущее полугодие", "2026-07-01", "2026-11-18"),
    ("сколько ушло в нынешнем полугодии", "2026-07-01", "2026-11-18"),
    ("spend this half", "2026-07-01", "2026-11-18"),
    ("costs for the current half-year", "2026-07-01", "2026-11-18"),
    ("расходы с начала полугодия", "2026-07-01", "2026-11-18"),
    ("spend since the start of the half-year", "2026-07-01", "2026-11-18"),
    ("прогноз на следующее полугодие", "2027-01-01", "2027-06-30"),
    ("forecast for next half", "2027-01-01", "2027-06-30"),
    ("прогноз на это полугодие", "2026-07-01", "2026-12-31"),
)

WEEKDAYS: tuple[tuple[str, str], ...] = (
    ("сколько ушло в позапрошлую пятницу", "2026-11-06"),
    ("траты в позапрошлый понедельник", "2026-11-02"),
    ("spend on the friday before last", "2026-11-06"),
    ("расходы в пятницу на прошлой неделе", "2026-11-13"),
    ("расходы в пятницу на позапрошлой неделе", "2026-11-06"),
    ("what was spend on sat", "2026-11-14"),
    ("расходы в сб", "2026-11-14"),
    ("сколько потратили в пт", "2026-11-13"),
    ("траты за прошлый пн", "2026-11-09"),
    ("spend last fri", "2026-11-13"),
    ("costs on tue", "2026-11-17"),
    ("траты в прошлую сб", "2026-11-14"),
    ("расходы во вс", "2026-11-15"),
    ("aws spend on thurs", "2026-11-12"),
)
SINCE_WEEKDAY: tuple[tuple[str, str], ...] = (
    ("расходы с пн", "2026-11-16"), ("spend since mon", "2026-11-16"),
    ("траты с позапрошлой пятницы", "2026-11-06"), ("spend since last fri", "2026-11-13"),
)


@pytest.mark.parametrize(("text", "start", "end"),
                         RANGE_TO_END_OF + PART_OF_A_PERIOD + CURRENT_HALF)
def test_composed_periods(text: str, start: str, end: str) -> None:
    got = parse(text, today=TODAY, known=VOCABULARY)
    assert (got.period.start, got.period.end) == (_d(start), _d(end)), text
    assert got.top_n is None, text  # "first 10 days" is a period, not a top 10


@pytest.mark.parametrize(("text", "day"), WEEKDAYS)
def test_weekdays_before_last_and_abbreviated(text: str, day: str) -> None:
    got = parse(text, today=TODAY, known=VOCABULARY)
    assert (got.period.start, got.period.end) == (_d(day), _d(day)), text


@pytest.mark.parametrize(("text", "day"), SINCE_WEEKDAY)
def test_since_an_abbreviated_or_before_last_weekday(text: str, day: str) -> None:
    got = parse(text, today=TODAY, known=VOCABULARY)
    assert (got.period.start, got.period.end) == (_d(day), TODAY), text


@pytest.mark.parametrize("text", ["sat in the queue", "sun protection", "a wed wedding",
                                  "пт сб вс"])
def test_an_abbreviated_weekday_needs_a_preposition(text: str) -> None:
    got = parse(f"spend {text}", today=TODAY, known=VOCABULARY)
    assert got.period.start == date(2026, 11, 1), text


# --- intents ------------------------------------------------------------------------------------

INTENTS: tuple[tuple[str, Intent], ...] = (
    # "по облакам" with no breakdown word is the scope of one sum
    ("qtd по облакам сколько", Intent.SPEND),
    ("скок вышло по облакам в марте", Intent.SPEND),
    ("по облакам сколько за октябрь", Intent.SPEND),
    ("расходы по облакам за сентябрь", Intent.SPEND),
    ("сколько всего по облакам", Intent.SPEND),
    ("разбивка по облакам за сентябрь", Intent.TOP),
    ("spend by cloud for october", Intent.TOP),
    # where the bulk of the money goes
    ("в какие сервисы уходят основные деньги", Intent.TOP),
    ("на какие проекты уходит больше всего денег", Intent.TOP),
    ("какие сервисы съедают основную часть расходов", Intent.TOP),
    ("основные статьи расходов за октябрь", Intent.TOP),
    ("главные статьи затрат в этом месяце", Intent.TOP),
    ("на какие команды уходят основные деньги", Intent.TOP),
    ("which services take the bulk of our spend", Intent.TOP),
    ("where does most of the money go", Intent.TOP),
    ("what are our main cost items this month", Intent.TOP),
    # is it going up or down
    ("is our aws spend going up? last 12 weeks", Intent.TREND),
    ("are costs rising", Intent.TREND),
    ("is the bill creeping up", Intent.TREND),
    ("is gcp spend trending down", Intent.TREND),
    ("are our costs increasing", Intent.TREND),
    ("is spend decreasing on selectel", Intent.TREND),
    ("расходы ползут вверх?", Intent.TREND),
    ("идут ли расходы вверх", Intent.TREND),
    ("снижаются ли затраты на яндекс", Intent.TREND),
    ("траты падают или нет", Intent.TREND),
    ("увеличиваются ли расходы на кубер", Intent.TREND),
    # the bill still to come
    ("какой счёт прилетит за ноябрь по итогу", Intent.FORECAST),
    ("какой счёт придёт за декабрь", Intent.FORECAST),
    ("сколько нам выставят за ноябрь", Intent.FORECAST),
    ("во что выльется команда data на следующей неделе", Intent.FORECAST),
    ("во сколько влетит кубер в декабре", Intent.FORECAST),
    ("во сколько встанет яндекс в следующем месяце", Intent.FORECAST),
    ("прогноз расходов на 2027 год для бюджетного планирования", Intent.FORECAST),
    ("forecast for 2027 for budget planning", Intent.FORECAST),
    ("what will the november bill be", Intent.FORECAST),
    ("how much will we be billed for december", Intent.FORECAST),
    ("бюджет на 2027 год", Intent.BUDGET),
    # advice: idle, oversized, wasted, commitments
    ("какие ресурсы можно даунсайзить в проекте core-api", Intent.RECOMMENDATIONS),
    ("что можно даунсайзнуть", Intent.RECOMMENDATIONS),
    ("where are we wasting money on gcp", Intent.RECOMMENDATIONS),
    ("what can we rightsize", Intent.RECOMMENDATIONS),
    ("какие серверы не используются", Intent.RECOMMENDATIONS),
    ("что у нас крутится без нагрузки", Intent.RECOMMENDATIONS),
    ("стоит ли брать резервированные инстансы в яндексе", Intent.RECOMMENDATIONS),
    ("имеет ли смысл покупать reserved instances", Intent.RECOMMENDATIONS),
    ("где мы теряем деньги", Intent.RECOMMENDATIONS),
    ("на что мы тратим деньги впустую", Intent.RECOMMENDATIONS),
    ("какие машины зря работают", Intent.RECOMMENDATIONS),
    ("what resources are underutilized", Intent.RECOMMENDATIONS),
    ("which servers are sitting idle", Intent.RECOMMENDATIONS),
    ("is it worth moving to committed use discounts", Intent.RECOMMENDATIONS),
    # higher than usual
    ("почему счёт за трафик в сентябре выше обычного", Intent.ANOMALIES),
    ("почему расходы больше обычного", Intent.ANOMALIES),
    ("траты выше нормы в этом месяце?", Intent.ANOMALIES),
    ("почему в октябре заплатили больше, чем обычно", Intent.ANOMALIES),
    ("why is the bill higher than usual", Intent.ANOMALIES),
    ("aws costs above normal this week", Intent.ANOMALIES),
    ("spend is more than usual, why?", Intent.ANOMALIES),
    # what exists
    ("какие базы данных у нас есть в Яндекс Прод", Intent.RESOURCES),
    ("what's deployed in Selectel BU-B", Intent.RESOURCES),
    ("что у нас развернуто в бегете", Intent.RESOURCES),
    ("что задеплоено в проекте shop", Intent.RESOURCES),
    ("какие кластеры кубера у нас есть", Intent.RESOURCES),
    ("what do we have deployed on aws", Intent.RESOURCES),
    # money verbs beat a resource word or a resource's name
    ("сколько уходит на ресурсы петрова в этом месяце", Intent.SPEND),
    ("во что нам обходится s3-media-bucket за последние 3 месяца", Intent.SPEND),
    ("сколько стоит k8s-worker-02", Intent.SPEND),
    ("во что обходятся виртуалки в октябре", Intent.SPEND),
    ("сколько денег съедают серверы", Intent.SPEND),
    ("how much are we paying for instances", Intent.SPEND),
    ("what does db-postgres-prod-01 cost us", Intent.SPEND),
    ("сколько тратим на ресурсы команды data", Intent.SPEND),
    ("how much are we spending on servers", Intent.SPEND),
    ("расходы на s3-media-bucket в октябре", Intent.SPEND),
    ("сколько стоил api-backend-prod-01 вчера", Intent.SPEND),
    ("k8s-worker-02 costs last week", Intent.SPEND),
)


@pytest.mark.parametrize(("text", "intent"), INTENTS)
def test_intent_phrasings(text: str, intent: Intent) -> None:
    assert parse(text, today=TODAY, known=VOCABULARY).intent is intent, text


def test_the_months_final_bill_is_the_whole_month() -> None:
    got = parse("какой счёт прилетит за ноябрь по итогу", today=TODAY, known=VOCABULARY)
    assert (got.period.start, got.period.end) == (date(2026, 11, 1), date(2026, 11, 30))


# --- filters ------------------------------------------------------------------------------------

CONNECTIONS: tuple[tuple[str, str], ...] = (
    ("сколько ушло по селектелу BU-A за сентябрь", "Selectel BU-A"),
    ("расходы селектела bu-b", "Selectel BU-B"),
    ("траты в селектеле BU-A", "Selectel BU-A"),
    ("selectel bu-a spend", "Selectel BU-A"),
    ("сколько потратили в бегете прод", "Beget Prod"),
    ("beget dev costs", "Beget Dev"),
    ("расходы на бегете дев за октябрь", "Beget Dev"),
    ("яндекс прод расходы", "Яндекс Прод"),
    ("yandex prod spend", "Яндекс Прод"),
    ("сколько ушло в яндексе прод", "Яндекс Прод"),
)


@pytest.mark.parametrize(("text", "connection"), CONNECTIONS)
def test_a_connection_named_by_its_provider_in_any_case(text: str, connection: str) -> None:
    assert parse(text, today=TODAY, known=VOCABULARY).filters.connection == connection, text


@pytest.mark.parametrize(("text", "intent", "service"), [
    ("сколько у нас k8s-нод в ru-central1", Intent.RESOURCES, "Kubernetes"),
    ("покажи k8s-кластеры", Intent.RESOURCES, "Kubernetes"),
    ("какие s3-бакеты у нас есть", Intent.RESOURCES, "S3"),
    ("сколько стоят k8s-ноды", Intent.SPEND, "Kubernetes"),
    ("сколько стоит k8s-worker-02", Intent.SPEND, None),
    ("какие диски висят без дела на бегете", Intent.RECOMMENDATIONS, "Block Storage"),
])
def test_a_service_word_joined_to_a_russian_word(text: str, intent: Intent,
                                                 service: str | None) -> None:
    got = parse(text, today=TODAY, known=VOCABULARY)
    assert (got.intent, got.filters.service) == (intent, service), text


# --- non-questions ------------------------------------------------------------------------------

NOT_ABOUT_OUR_COSTS: tuple[str, ...] = (
    "сколько стоит айфон 16", "how much is a pizza in moscow", "сколько сейчас градусов на улице",
    "сколько стоит билет в москву", "почём нынче гречка", "how much does a tesla cost",
    "сколько будет стоить ремонт квартиры", "прогноз погоды на завтра",
    "сколько километров до луны", "how much is bitcoin today",
    "what's the weather forecast for tomorrow", "топ фильмов 2025 года",
    "сколько стоит кофе в старбаксе", "динамика курса доллара за месяц",
    "how much does a flight to paris cost",
)
STILL_ABOUT_OUR_COSTS: tuple[tuple[str, Intent], ...] = (
    ("сколько стоит хранение в s3", Intent.SPEND), ("how much is the bill", Intent.SPEND),
    ("сколько за октябрь", Intent.SPEND), ("сколько стоит трафик", Intent.SPEND),
    ("how much did we spend", Intent.SPEND), ("сколько вышло в прошлом месяце", Intent.SPEND),
    ("прогноз на декабрь", Intent.FORECAST), ("сколько стоит сервер на 8 ядер", Intent.SPEND),
    ("сколько стоит селектел за месяц", Intent.SPEND), ("топ 5 за октябрь", Intent.TOP),
    ("how much is core-api costing", Intent.SPEND),
    # filler words are no subject of their own
    ("прогноз на декабрь плз", Intent.FORECAST), ("october total pls", Intent.SPEND),
    ("сколько за прошлую неделю по факту", Intent.SPEND),
    ("сколько в итоге за квартал", Intent.SPEND), ("top 10 this month pls", Intent.TOP),
    ("сколько улетело в октябре", Intent.SPEND),
    ("what will january look like cost-wise", Intent.FORECAST),
    ("top 3 cost centers this month", Intent.TOP), ("первые 7 дорогих", Intent.TOP),
)


@pytest.mark.parametrize("text", NOT_ABOUT_OUR_COSTS)
def test_a_price_or_the_weather_is_no_cost_question(text: str) -> None:
    got = parse(text, today=TODAY, known=VOCABULARY)
    assert got.intent is Intent.UNKNOWN, text
    assert (got.period.start, got.period.end) == (date(2026, 11, 1), TODAY), text


@pytest.mark.parametrize(("text", "intent"), STILL_ABOUT_OUR_COSTS)
def test_a_cost_question_with_a_cloud_or_cost_context_stays(text: str, intent: Intent) -> None:
    assert parse(text, today=TODAY, known=VOCABULARY).intent is intent, text
