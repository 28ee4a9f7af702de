"""Period forms people type in a chat, generated over many "today"s: abbreviations
(мес/нед/кв, 30d), to-date and to-end phrases, weekends, dd.mm without a year, two-digit years,
halves of a month. The expected range is computed here with plain calendar arithmetic.
"""

from __future__ import annotations

import calendar
import itertools
from collections.abc import Iterator
from datetime import date, timedelta

import pytest

from core.query import parse

TODAYS = tuple(date(2026, 11, 16) + timedelta(days=n) for n in range(7)) + (
    date(2027, 1, 2), date(2026, 3, 31), date(2026, 7, 1))
"""A whole week (every weekday, the weekend included) and a few month and year edges."""
Span = tuple[date, date]
Case = tuple[str, date, Span]


def _month(year: int, month: int) -> Span:
    return date(year, month, 1), date(year, month, calendar.monthrange(year, month)[1])


def _shift_month(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def _quarter(day: date, shift: int = 0) -> Span:
    index = day.year * 4 + (day.month - 1) // 3 + shift
    first = date(index // 4, index % 4 * 3 + 1, 1)
    return first, _month(first.year, first.month + 2)[1]


def _week(day: date, shift: int = 0) -> Span:
    monday = day - timedelta(days=day.weekday()) + timedelta(weeks=shift)
    return monday, monday + timedelta(days=6)


def _clip(span: Span, today: date) -> Span:
    """Spend stops at today; a range entirely ahead is kept as it is."""
    return (span[0], min(span[1], today)) if span[0] <= today else span


def _back_months(today: date, months: int) -> date:
    index = today.year * 12 + today.month - 1 - months
    year, month = divmod(index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return date(year, month + 1, min(today.day, last)) + timedelta(days=1)


UNITS_RU = {"week": ("неделю", "нед", "нед."), "month": ("месяц", "мес", "мес."),
            "quarter": ("квартал", "кв", "кв.")}
UNITS_EN = {"week": ("week", "wk"), "month": ("month", "mo"), "quarter": ("quarter", "qtr")}
RELATIVE_RU = {0: ("этот", "текущий", "тек."), -1: ("прошлый", "пред.", "предыдущий"),
               1: ("следующий", "след.")}
RELATIVE_EN = {0: ("this", "current"), -1: ("last", "previous", "prev"), 1: ("next",)}


def _unit_span(unit: str, today: date, shift: int) -> Span:
    if unit == "week":
        return _week(today, shift)
    if unit == "month":
        first = _shift_month(today, shift)
        return _month(first.year, first.month)
    return _quarter(today, shift)


def _relative_cases() -> Iterator[Case]:
    for today, unit in itertools.product(TODAYS, ("week", "month", "quarter")):
        for shift in (-1, 0, 1):
            span = _clip(_unit_span(unit, today, shift), today)
            for rel, word in itertools.product(RELATIVE_RU[shift], UNITS_RU[unit]):
                yield f"расходы за {rel} {word}", today, span
            for rel, word in itertools.product(RELATIVE_EN[shift], UNITS_EN[unit]):
                yield f"spend {rel} {word}", today, span


def _to_date_cases() -> Iterator[Case]:
    for today in TODAYS:
        starts = {"year": date(today.year, 1, 1), "quarter": _quarter(today)[0],
                  "month": today.replace(day=1), "week": _week(today)[0]}
        ru = {"year": "года", "quarter": "квартала", "month": "месяца", "week": "недели"}
        for unit, start in starts.items():
            yield f"траты с начала {ru[unit]}", today, (start, today)
            yield f"траты с нач. {ru[unit]}", today, (start, today)
            yield f"spend since the start of the {unit}", today, (start, today)
            yield f"costs from the beginning of the {unit}", today, (start, today)
            yield f"spend {unit}-to-date", today, (start, today)
            yield f"{unit[0]}td spend", today, (start, today)


def _rolling_cases() -> Iterator[Case]:
    for today, n in itertools.product(TODAYS, (2, 3, 5)):
        days = (today - timedelta(days=n - 1), today)
        weeks = (today - timedelta(days=7 * n - 1), today)
        months = (_back_months(today, n), today)
        quarters = (_back_months(today, 3 * n), today)
        for words, span in ((("дн", "дня", "дней", "days", "d"), days),
                            (("нед", "недели", "weeks", "wks", "w"), weeks),
                            (("мес", "мес.", "месяца", "months", "mos", "mo"), months),
                            (("кв", "квартала", "quarters", "qtrs"), quarters)):
            for word in words:
                gap = "" if len(word) <= 2 and word.isascii() else " "
                prefix = "last" if word.isascii() else "за последние"
                yield f"spend {prefix} {n}{gap}{word}", today, span
        half = (_back_months(today, 6), today)
        for text in ("за полгода", "за пол года", "за последние полгода", "last half year"):
            yield f"расходы {text}", today, half


def _weekend_cases() -> Iterator[Case]:
    for today in TODAYS:
        latest_saturday = today - timedelta(days=(today.weekday() - 5) % 7)
        latest = (latest_saturday, latest_saturday + timedelta(days=1))
        previous = latest if today.weekday() < 5 else (
            latest[0] - timedelta(days=7), latest[1] - timedelta(days=7))
        coming = (today + timedelta(days=5 - today.weekday()),
                  today + timedelta(days=6 - today.weekday())) if today.weekday() < 5 else latest
        for text in ("на прошлых выходных", "за прошлые выходные", "last weekend",
                     "previous weekend"):
            yield f"сколько потратили {text}", today, _clip(previous, today)
        for text in ("в эти выходные", "за выходные", "this weekend"):
            yield f"сколько потратили {text}", today, _clip(latest, today)
        for text in ("на эти выходные", "на выходные", "на следующие выходные",
                     "for this weekend", "for next weekend"):
            if today.weekday() < 5:
                yield f"прогноз {text}", today, coming


def _day_month_cases() -> Iterator[Case]:
    for today, offset in itertools.product(TODAYS, range(-120, 121, 9)):
        day = today + timedelta(days=offset)
        if (day.month, day.day) == (2, 29):
            continue
        past = day if day <= today else day.replace(year=day.year - 1)
        future = day if day >= today else day.replace(year=day.year + 1)
        yield f"расходы за {day:%d.%m}", today, (past, past)
        yield f"spend on {day.day}.{day.month}", today, (past, past)
        yield f"прогноз на {day:%d.%m}", today, (future, future)


def _near_day_cases() -> Iterator[Case]:
    for today in TODAYS:
        one, two = timedelta(days=1), timedelta(days=2)
        yield "расходы за позавчера", today, (today - two, today - two)
        yield "spend the day before yesterday", today, (today - two, today - two)
        yield "расходы за вчера и сегодня", today, (today - one, today)
        yield "spend yesterday and today", today, (today - one, today)
        yield "прогноз на завтра", today, (today + one, today + one)
        yield "forecast for tomorrow", today, (today + one, today + one)


def _short_year_cases() -> Iterator[Case]:
    ru = ("январе", "феврале", "марте", "апреле", "мае", "июне", "июле", "августе",
          "сентябре", "октябре", "ноябре", "декабре")
    for year, month in itertools.product((2024, 2025), range(1, 13)):
        short = year % 100
        span = _month(year, month)
        today = date(2026, 11, 18)
        yield f"расходы в {ru[month - 1]} {short} года", today, span
        yield f"spend in {calendar.month_abbr[month]} '{short}", today, span
        yield f"расходы в {ru[month - 1]} {short}-го года", today, span
    for year in (2024, 2025):
        yield f"расходы в {year % 100} году", date(2026, 11, 18), (date(year, 1, 1),
                                                                   date(year, 12, 31))


def _end_cases() -> Iterator[Case]:
    for today in TODAYS:
        month, quarter = _month(today.year, today.month), _quarter(today)
        year = (date(today.year, 1, 1), date(today.year, 12, 31))
        for unit, span, ru in (("month", month, "месяца"), ("quarter", quarter, "квартала"),
                               ("year", year, "года")):
            yield f"прогноз до конца {ru}", today, (today, span[1])
            yield f"forecast through {unit}-end", today, (today, span[1])
            yield f"forecast until the end of the {unit}", today, (today, span[1])
            yield f"прогноз на конец {ru}", today, span
            yield f"forecast by {unit} end", today, span
            yield f"forecast for the end of the {unit}", today, span
            yield f"forecast eo{unit[0]}", today, span


def _half_month_cases() -> Iterator[Case]:
    ru = ("января", "февраля", "марта", "апреля", "мая", "июня", "июля", "августа",
          "сентября", "октября", "ноября", "декабря")
    today = date(2026, 11, 18)
    for month in range(1, 11):
        first, last = _month(2026, month)
        middle = date(2026, month, 15)
        yield f"расходы за первую половину {ru[month - 1]}", today, (first, middle)
        yield f"расходы во второй половине {ru[month - 1]}", today, (
            middle + timedelta(days=1), last)
        yield f"spend in the first half of {calendar.month_name[month]}", today, (first, middle)
    yield "расходы за первую половину месяца", today, (date(2026, 11, 1), date(2026, 11, 15))
    yield "spend in the second half of the month", today, (date(2026, 11, 16), today)


def _month_pair_cases() -> Iterator[Case]:
    """Two months named for a comparison, in any order: the run from the earlier to the later."""
    ru = ("январь", "февраль", "март", "апрель", "май", "июнь", "июль", "август",
          "сентябрь", "октябрь", "ноябрь", "декабрь")
    today = date(2026, 12, 20)
    for a, b in itertools.permutations(range(1, 13), 2):
        span = _clip((date(2026, min(a, b), 1), _month(2026, max(a, b))[1]), today)
        for sep in ("и", "vs", "против"):
            yield f"сравни {ru[a - 1]} {sep} {ru[b - 1]}", today, span
        yield f"compare {calendar.month_name[a]} and {calendar.month_name[b]}", today, span


def _suffixed_year_cases() -> Iterator[Case]:
    """A year with its case ending on the digits ("в 2025м", "за 2025-й", "в 25-м"), alone
    or after a month, with any intent word before it."""
    today = date(2026, 11, 18)
    for year in range(2019, 2027):
        span = _clip((date(year, 1, 1), date(year, 12, 31)), today)
        for ending, prep in itertools.product(("м", "-м", "й", "-й"), ("в", "за")):
            yield f"расходы {prep} {year}{ending}", today, span
            yield f"график {prep} {year}{ending} по яндексу", today, span
        for ending in ("м", "-м", "-ом"):
            yield f"сколько потратили в {year % 100}{ending}", today, span
        yield f"траты за {year % 100}-й", today, span
        for month in (1, 6, 9, 12):
            yield (f"траты в {RU_IN_MONTH[month - 1]} {year}-м", today,
                   _clip(_month(year, month), today))


RU_IN_MONTH = ("январе", "феврале", "марте", "апреле", "мае", "июне", "июле", "августе",
               "сентябре", "октябре", "ноябре", "декабре")


def _inner_typos(word: str) -> Iterator[str]:
    """One swap of inner neighbours or one inner letter doubled: the typos of fast typing."""
    for i in range(1, len(word) - 2):
        yield word[:i] + word[i + 1] + word[i] + word[i + 2:]
    for i in range(1, len(word) - 1):
        yield word[:i] + word[i] + word[i:]


def _misspelt_month_year_cases() -> Iterator[Case]:
    """A misspelt month before a year is that month of that year, never the whole year."""
    today = date(2026, 11, 18)
    for month, year in itertools.product((2, 4, 8, 9, 10, 11, 12), (2024, 2025, 2026)):
        span = _clip(_month(year, month), today)
        for typo in set(_inner_typos(RU_IN_MONTH[month - 1])):
            yield f"траты в {typo} {year}", today, span
        for typo in set(_inner_typos(calendar.month_name[month].lower())):
            yield f"how much did we spend in {typo} {year}", today, span


def _before_last_abbreviation_cases() -> Iterator[Case]:
    """"позапрошлый мес", "в позапрошлом мес.", "позапрошлая нед", "позапрошлый кв"."""
    for today in TODAYS:
        month = _shift_month(today, -2)
        week, quarter = _week(today, -2), _quarter(today, -2)
        for word in ("месяц", "мес", "мес."):
            yield f"траты за позапрошлый {word}", today, _month(month.year, month.month)
        yield "скока слили в позапрошлом мес", today, _month(month.year, month.month)
        for word in ("неделю", "нед", "нед."):
            yield f"траты за позапрошлую {word}", today, week
        for word in ("квартал", "кв", "кв."):
            yield f"траты за позапрошлый {word}", today, quarter


def _not_a_year_cases() -> Iterator[Case]:
    """Ordinals that are not years stay what they were: a day, a quarter, a month."""
    today = date(2026, 11, 18)
    yield "расходы за 25-е", today, (date(2026, 10, 25), date(2026, 10, 25))
    yield "расходы в 3-м квартале", today, (date(2026, 7, 1), date(2026, 9, 30))
    yield "расходы во 2-м полугодии", today, (date(2026, 7, 1), today)
    yield "расходы в 10-м месяце", today, (date(2026, 11, 1), today)
    yield "расходы в сентябре", today, (date(2026, 9, 1), date(2026, 9, 30))
    yield "расходы в сентябре 2025", today, (date(2025, 9, 1), date(2025, 9, 30))


FAMILIES = {
    "suffixed_years": list(_suffixed_year_cases()),
    "misspelt_month_with_year": list(_misspelt_month_year_cases()),
    "before_last_abbreviations": list(_before_last_abbreviation_cases()),
    "ordinals_that_are_not_years": list(_not_a_year_cases()),
    "relative_abbreviations": list(_relative_cases()), "to_date": list(_to_date_cases()),
    "rolling": list(_rolling_cases()), "weekends": list(_weekend_cases()),
    "day_month_without_year": list(_day_month_cases()), "near_days": list(_near_day_cases()),
    "two_digit_years": list(_short_year_cases()), "period_ends": list(_end_cases()),
    "halves_of_a_month": list(_half_month_cases()), "month_pairs": list(_month_pair_cases()),
}


def test_each_family_is_generated_broadly() -> None:
    assert all(len(cases) >= 20 for name, cases in FAMILIES.items()
               if name != "ordinals_that_are_not_years")
    assert sum(len(cases) for cases in FAMILIES.values()) > 2000


@pytest.mark.parametrize("family", sorted(FAMILIES))
def test_period_forms(family: str) -> None:
    misses = []
    for text, today, span in FAMILIES[family]:
        got = parse(text, today=today)
        if (got.period.start, got.period.end) != span:
            misses.append(f"{text!r} on {today} ({today:%a}): got {got.period.start}.."
                          f"{got.period.end}, expected {span[0]}..{span[1]}")
    assert not misses, "\n".join(misses[:30]) + f"\n({len(misses)} misses)"
