"""Period edge cases: year boundaries, leaning past or future, leap years, ISO weeks."""

from __future__ import annotations

from datetime import date

import pytest

from core.query import Intent, PeriodSource, parse
from core.query.calendar import add_months, rolling, week_range, weekend_range


def _period(text: str, today: date) -> tuple[str, str]:
    got = parse(text, today=today)
    return got.period.start.isoformat(), got.period.end.isoformat()


@pytest.mark.parametrize(("text", "today", "expected"), [
    # a month name means the latest one that has begun...
    ("расходы в декабре", date(2027, 1, 10), ("2026-12-01", "2026-12-31")),
    ("spend in January", date(2027, 1, 10), ("2027-01-01", "2027-01-10")),
    ("расходы в феврале", date(2027, 1, 10), ("2026-02-01", "2026-02-28")),
    # ...but the next one for a forecast, and the closest for a budget
    ("прогноз на январь", date(2026, 12, 20), ("2027-01-01", "2027-01-31")),
    ("прогноз на декабрь", date(2026, 12, 20), ("2026-12-01", "2026-12-31")),
    ("бюджет на январь", date(2026, 12, 20), ("2027-01-01", "2027-01-31")),
    ("бюджет за ноябрь", date(2026, 12, 20), ("2026-11-01", "2026-11-30")),
    # ISO weeks across a year boundary and across months
    ("расходы на прошлой неделе", date(2027, 1, 5), ("2026-12-28", "2027-01-03")),
    ("траты на этой неделе", date(2026, 10, 1), ("2026-09-28", "2026-10-01")),
    ("spend last week", date(2026, 3, 2), ("2026-02-23", "2026-03-01")),
    ("прогноз на следующую неделю", date(2026, 12, 30), ("2027-01-04", "2027-01-10")),
    # months and quarters across the year
    ("расходы в прошлом месяце", date(2027, 1, 15), ("2026-12-01", "2026-12-31")),
    ("прогноз на следующий месяц", date(2026, 12, 15), ("2027-01-01", "2027-01-31")),
    ("spend last quarter", date(2026, 2, 1), ("2025-10-01", "2025-12-31")),
    ("расходы за 4 кв.", date(2026, 2, 1), ("2025-10-01", "2025-12-31")),
    ("с 25 декабря по 10 января", date(2026, 1, 20), ("2025-12-25", "2026-01-10")),
    ("from 28 Dec 2025 to 3 Jan 2026", date(2026, 11, 18), ("2025-12-28", "2026-01-03")),
    # leap years
    ("расходы в феврале", date(2028, 3, 1), ("2028-02-01", "2028-02-29")),
    ("за последние 30 дней", date(2028, 3, 1), ("2028-02-01", "2028-03-01")),
    ("за последний год", date(2024, 2, 29), ("2023-03-01", "2024-02-29")),
    ("29 февраля", date(2026, 11, 18), ("2024-02-29", "2024-02-29")),
    ("расходы за месяц", date(2026, 3, 31), ("2026-03-01", "2026-03-31")),
    # to-date periods stop at today, weekends are the latest begun
    ("с начала года", date(2026, 1, 1), ("2026-01-01", "2026-01-01")),
    ("since March", date(2026, 3, 1), ("2026-03-01", "2026-03-01")),
    ("since March", date(2026, 2, 27), ("2025-03-01", "2026-02-27")),
    ("за выходные", date(2026, 11, 21), ("2026-11-21", "2026-11-21")),
    ("на прошлых выходных", date(2026, 11, 22), ("2026-11-14", "2026-11-15")),
    ("вчера", date(2026, 1, 1), ("2025-12-31", "2025-12-31")),
    ("позавчера", date(2026, 3, 1), ("2026-02-27", "2026-02-27")),
])
def test_period_edges(text: str, today: date, expected: tuple[str, str]) -> None:
    assert _period(text, today) == expected


def test_an_impossible_date_is_not_a_period() -> None:
    got = parse("расходы 31 февраля", today=date(2026, 11, 18))
    assert got.period_source is PeriodSource.DEFAULT
    assert got.intent is Intent.SPEND


def test_default_period_is_month_to_date_or_whole_month_for_forecast_and_budget() -> None:
    today = date(2026, 11, 18)
    spend, forecast, budget = (parse(t, today=today) for t in ("расходы", "прогноз", "бюджет"))
    assert spend.period_source is PeriodSource.DEFAULT
    assert (spend.period.start, spend.period.end) == (date(2026, 11, 1), today)
    assert forecast.period.end == budget.period.end == date(2026, 11, 30)


def test_future_periods_are_kept_whole_for_forecast_and_cut_at_today_for_spend() -> None:
    today = date(2026, 11, 18)
    assert parse("прогноз на этот год", today=today).period.end == date(2026, 12, 31)
    assert parse("расходы в этом году", today=today).period.end == today


@pytest.mark.parametrize(("day", "months", "expected"), [
    (date(2026, 3, 31), -1, date(2026, 2, 28)),
    (date(2024, 3, 31), -1, date(2024, 2, 29)),
    (date(2026, 1, 15), -1, date(2025, 12, 15)),
    (date(2026, 12, 31), 2, date(2027, 2, 28)),
])
def test_add_months_clamps_to_the_month_length(day: date, months: int, expected: date) -> None:
    assert add_months(day, months) == expected


def test_calendar_helpers() -> None:
    assert week_range(date(2026, 11, 1)) == (date(2026, 10, 26), date(2026, 11, 1))
    assert weekend_range(date(2026, 11, 18)) == (date(2026, 11, 14), date(2026, 11, 15))
    assert weekend_range(date(2026, 11, 22), previous=True) == (date(2026, 11, 14),
                                                                  date(2026, 11, 15))
    assert rolling(date(2026, 11, 18), 2, "week") == (date(2026, 11, 5), date(2026, 11, 18))


@pytest.mark.parametrize(("text", "expected"), [
    ("сколько потратили 2 недели назад", "2026-11-04"),
    ("расходы три дня назад", "2026-11-15"),
    ("spend a week ago", "2026-11-11"),
    ("costs on 10/3/2026", "2026-03-10"),
    ("расходы 2026/10/03", "2026-10-03"),
])
def test_dates_only_dateparser_reads(text: str, expected: str) -> None:
    got = parse(text, today=date(2026, 11, 18))
    assert got.period_source is PeriodSource.TEXT
    assert got.period.start.isoformat() == got.period.end.isoformat() == expected


@pytest.mark.parametrize(("text", "expected"), [
    ("расходы с пятнадцатого ноября", ("2026-11-15", "2026-11-18")),
    ("с первого по десятое октября", ("2026-10-01", "2026-10-10")),
    ("расходы двадцать первого октября", ("2026-10-21", "2026-10-21")),
    ("spend on the twenty-first of October", ("2026-10-21", "2026-10-21")),
    ("spend in the last fortnight", ("2026-11-05", "2026-11-18")),
    ("за 3 квартал", ("2026-07-01", "2026-09-30")),
    ("за 3 квартала", ("2026-02-19", "2026-11-18")),
])
def test_ordinal_days_fortnights_and_quarter_numbers(text: str,
                                                     expected: tuple[str, str]) -> None:
    assert _period(text, date(2026, 11, 18)) == expected


@pytest.mark.parametrize(("text", "expected"), [
    ("spend in the last month of 2025", ("2025-12-01", "2025-12-31")),
    ("the first month of last year", ("2025-01-01", "2025-01-31")),
    ("сколько потратили в первый месяц этого года", ("2026-01-01", "2026-01-31")),
    ("расходы за последний месяц прошлого года", ("2025-12-01", "2025-12-31")),
    ("траты за второй месяц 2025 года", ("2025-02-01", "2025-02-28")),
    ("расходы за прошлое полугодие", ("2026-01-01", "2026-06-30")),
    ("how much did we spend last mnth", ("2026-10-01", "2026-10-31")),
])
def test_a_month_counted_in_a_year_keeps_its_year(text: str, expected: tuple[str, str]) -> None:
    assert _period(text, date(2026, 11, 18)) == expected


def test_the_previous_half_year_in_the_first_half_is_last_years_second() -> None:
    assert _period("расходы за прошлое полугодие", date(2026, 3, 5)) == ("2025-07-01",
                                                                          "2025-12-31")
