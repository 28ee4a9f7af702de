"""Resolvers for the period table: each turns a matched phrase into a date range.

A resolver gets the match, `today` and the lean (past for spend, future for a forecast) and
returns the natural calendar range, or None when the words name no real date.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date, timedelta

from core.query.calendar import (
    DateRange,
    add_months,
    choose,
    month_range,
    quarter_range,
    rolling,
    weekend_range,
    year_range,
)
from core.query.dates import partial_from, resolve_range, resolve_single
from core.query.lexicon import (
    WEEKDAY_SHORT,
    day_value,
    month_number,
    number_value,
    ordinal_value,
    quarter_value,
    unit_key,
    weekday_number,
)
from core.query.model import Lean

__all__ = [
    "date_span", "day", "fixed", "half_any", "half_year", "month_shift", "month_span",
    "named_month", "quarter", "quarter_q", "quarter_shift", "rolling_window", "since_date",
    "since_month", "single", "this_month", "to_date", "to_end_of", "weekend", "whole_year",
    "year_month", "Resolver", "before_last", "day_of_month", "month_of_quarter",
    "month_of_year", "previous_half",
    "since_day_of_month", "since_weekday", "week_of_month", "weekday_day", "days_to_today",
    "half_of_month", "half_shift", "part_of", "rest_of_month", "budget_term",
    "decade_of_month",
]

Resolver = Callable[[re.Match[str], date, Lean], DateRange | None]


def fixed(fn: Callable[[date], DateRange]) -> Resolver:
    return lambda _m, today, _lean: fn(today)


def this_month(today: date) -> DateRange:
    return month_range(today.year, today.month)


def month_shift(n: int) -> Callable[[date], DateRange]:
    def fn(today: date) -> DateRange:
        day = add_months(today.replace(day=1), n)
        return month_range(day.year, day.month)
    return fn


def quarter_shift(n: int) -> Callable[[date], DateRange]:
    def fn(today: date) -> DateRange:
        index = today.year * 4 + (today.month - 1) // 3 + n
        return quarter_range(index // 4, index % 4 + 1)
    return fn


def day(offset: int) -> Callable[[date], DateRange]:
    return lambda today: (today - timedelta(days=offset), today - timedelta(days=offset))


def year_of(g: dict[str, str | None], today: date) -> int | None:
    """An explicit year, or one said relative to today ("прошлого года", "last year")."""
    if g.get("y"):
        return int(g["y"] or 0)
    short = g.get("ys") or g.get("ys2")
    if short:
        return 2000 + int(short)
    rel = g.get("rel") or g.get("rel_en") or ""
    if rel.startswith("позапрошл"):
        return today.year - 2
    if rel.startswith(("прошл", "last", "previous")):
        return today.year - 1
    if rel.startswith(("след", "next")):
        return today.year + 1
    if rel:
        return today.year
    return None


def named_month(m: re.Match[str], today: date, lean: Lean) -> DateRange | None:
    month = month_number(m["m"])
    if month is None:
        return None
    year = year_of(m.groupdict(), today)
    if year is not None:
        return month_range(year, month)
    return choose([month_range(y, month) for y in range(today.year - 1, today.year + 2)],
                  today, lean)


def month_span(m: re.Match[str], today: date, lean: Lean) -> DateRange | None:
    first, last = month_number(m["m1"]), month_number(m["m2"])
    if first is None or last is None:
        return None
    if m.groupdict().get("sep") not in (None, "по", "до", "to", "till", "until", "through",
                                        "thru", "-", ".."):
        first, last = min(first, last), max(first, last)  # "октябрь и сентябрь": both months
    wraps = first > last
    if m["y"]:
        year = int(m["y"])
        return month_range(year - wraps, first)[0], month_range(year, last)[1]
    candidates = [(month_range(y - wraps, first)[0], month_range(y, last)[1])
                  for y in range(today.year - 1, today.year + 2)]
    return choose(candidates, today, lean)


def rest_of_month(m: re.Match[str], today: date, _lean: Lean) -> DateRange | None:
    """"Остаток ноября": today to the month's end; a month still ahead, all of it; the nearest
    month of that name that is over has no rest (the month alone is read instead)."""
    found = named_month(m, today, Lean.NEAREST)
    if found is None or found[1] < today:
        return found
    return max(found[0], today), found[1]


def budget_term(m: re.Match[str], today: date, _lean: Lean) -> DateRange | None:
    """A yearly or quarterly budget ("годовой бюджет", "annual budget") is the current one."""
    if m["t"].startswith(("годов", "year", "annual")):
        return year_range(today.year)
    return quarter_shift(0)(today)


def since_month(m: re.Match[str], today: date, lean: Lean) -> DateRange | None:
    found = named_month(m, today, Lean.PAST)
    return (found[0], today) if found and found[0] <= today else None


def year_month(m: re.Match[str], _today: date, _lean: Lean) -> DateRange | None:
    return month_range(int(m["y"]), int(m["mon"]))


def quarter(m: re.Match[str], today: date, lean: Lean) -> DateRange | None:
    quarter = quarter_value(m["q"])
    if quarter is None:
        return None
    year = year_of(m.groupdict(), today)
    if year is not None:
        return quarter_range(year, quarter)
    return choose([quarter_range(y, quarter) for y in range(today.year - 1, today.year + 2)],
                  today, lean)


def whole_year(m: re.Match[str], today: date, _lean: Lean) -> DateRange | None:
    short = m.groupdict().get("ys") or m.groupdict().get("ys3")
    if short:  # "в 25 году", "в 25-м": only a plausible recent year
        year = 2000 + int(short)
        return year_range(year) if 2010 <= year <= today.year + 1 else None
    return year_range(int(m["y"]))


def rolling_window(m: re.Match[str], today: date, _lean: Lean) -> DateRange | None:
    count = number_value(m["n"]) if m["n"] else 1
    if not count or count > 3650:
        return None
    return rolling(today, count, unit_key(m["u"]))


def half_year(_m: re.Match[str], today: date, _lean: Lean) -> DateRange | None:
    return rolling(today, 6, "month")


def weekend(m: re.Match[str], today: date, lean: Lean) -> DateRange | None:
    """The latest weekend begun; "прошлые / last" skips one in progress; "эти / this" or
    "next" asked on a weekday for a forecast is the coming one."""
    this = m["this"] or ""
    coming = this.startswith(("след", "ближайш", "next", "coming", "upcoming")) or (
        lean is Lean.FUTURE and not m["prev"]) or bool(this and lean is Lean.NEAREST)
    if today.weekday() < 5 and coming:
        saturday = today + timedelta(days=5 - today.weekday())
        return saturday, saturday + timedelta(days=1)
    return weekend_range(today, previous=bool(m["prev"]))


def date_span(m: re.Match[str], today: date, lean: Lean) -> DateRange | None:
    a, b = partial_from(m, "a", today), partial_from(m, "b", today)
    if a is None or b is None:
        return None
    if not m.groupdict().get("pre") and a.month is None and b.month is None and not b.word:
        return None  # "5-10" alone is not a period
    return resolve_range(a, b, today, lean)


def since_date(m: re.Match[str], today: date, lean: Lean) -> DateRange | None:
    a = partial_from(m, "a", today)
    if a is None:
        return None
    found = resolve_single(a, today, Lean.PAST)
    return (found[0], today) if found and found[0] <= today else None


def single(m: re.Match[str], today: date, lean: Lean) -> DateRange | None:
    a = partial_from(m, "a", today)
    return resolve_single(a, today, lean) if a else None


def to_end_of(fn: Callable[[date], DateRange]) -> Resolver:
    return lambda _m, today, _lean: (today, fn(today)[1])


def to_date(fn: Callable[[date], DateRange]) -> Resolver:
    return lambda _m, today, _lean: (fn(today)[0], today)


def quarter_q(m: re.Match[str], today: date, lean: Lean) -> DateRange | None:
    quarter = int(m["q"] or m["qq"])
    year = year_of(m.groupdict(), today)
    if year is not None:
        return quarter_range(year, quarter)
    return choose([quarter_range(y, quarter) for y in range(today.year - 1, today.year + 2)],
                  today, lean)


def half_any(m: re.Match[str], today: date, lean: Lean) -> DateRange | None:
    h = m["h"]
    y = year_of(m.groupdict(), today)
    second = h.startswith(("втор", "2", "second"))

    def rng(year: int) -> DateRange:
        return (date(year, 7, 1), date(year, 12, 31)) if second else (date(year, 1, 1),
                                                                      date(year, 6, 30))
    if y is not None:
        return rng(y)
    return choose([rng(year) for year in range(today.year - 1, today.year + 2)], today, lean)




# --- v2: weekdays, ordinal weeks and months, "before last", lone days of the month ----------

def _latest_weekday(today: date, weekday: int) -> date:
    """The latest `weekday` on or before today ("в четверг" asked on a Wednesday = 6 days ago)."""
    return today - timedelta(days=(today.weekday() - weekday) % 7)


def _previous_week_day(today: date, weekday: int, weeks: int = 1) -> date:
    """That weekday `weeks` ISO weeks back: "в прошлую пятницу", "в позапрошлую пятницу"."""
    monday = today - timedelta(days=today.weekday() + 7 * weeks)
    return monday + timedelta(days=weekday)


_SHORT_WD = re.compile(WEEKDAY_SHORT)


def weekday_day(m: re.Match[str], today: date, _lean: Lean) -> DateRange | None:
    """One weekday: the previous week's when "прошлый/last" is said, the week before that's
    for "позапрошлый" / "before last", else the latest one. An abbreviation ("sat", "пт")
    alone is no weekday: it needs a preposition or "last" before it."""
    wd = weekday_number(m["wd"])
    if wd is None or (_SHORT_WD.fullmatch(m["wd"]) and m.group() == m["wd"]):
        return None
    g = m.groupdict()
    previous = g.get("prev") or g.get("prev_en") or g.get("prev_ru") or ""
    weeks = 2 if previous.startswith(("позапрошл", "before")) else 1 if previous else 0
    day = _previous_week_day(today, wd, weeks) if weeks else _latest_weekday(today, wd)
    return day, day


def since_weekday(m: re.Match[str], today: date, lean: Lean) -> DateRange | None:
    found = weekday_day(m, today, lean)
    return (found[0], today) if found else None


def days_to_today(m: re.Match[str], today: date, _lean: Lean) -> DateRange | None:
    """"вчера и сегодня", "позавчера и сегодня": from that day to today."""
    back = 2 if m["w"].startswith(("поза", "the", "day")) else 1
    return today - timedelta(days=back), today


def half_of_month(m: re.Match[str], today: date, lean: Lean) -> DateRange | None:
    """"первая половина ноября" = days 1–15, "вторая" = 16 to the month's end."""
    g = m.groupdict()
    month = named_month(m, today, lean) if g.get("m") else (
        _month_by_word(g["m2"], today, lean) if g.get("m2") else month_range(today.year,
                                                                          today.month))
    if month is None:
        return None
    first, last = month
    middle = first + timedelta(days=14)
    second = (g.get("h") or g.get("h2") or "").startswith(("втор", "second"))
    return (middle + timedelta(days=1), last) if second else (first, middle)


def _month_by_word(word: str, today: date, lean: Lean) -> DateRange | None:
    month = month_number(word)
    if month is None:
        return None
    return choose([month_range(y, month) for y in range(today.year - 1, today.year + 2)],
                  today, lean)


def before_last(unit: str) -> Callable[[date], DateRange]:
    """"позапрошлый квартал / год", "the quarter / year before last"."""
    def fn(today: date) -> DateRange:
        if unit == "quarter":
            return quarter_shift(-2)(today)
        return year_range(today.year - 2)
    return fn


def _month_of(m: re.Match[str], today: date, lean: Lean) -> DateRange | None:
    """The month the phrase names (with its year if said), else the current month."""
    if m.groupdict().get("m"):
        return named_month(m, today, lean)
    return month_range(today.year, today.month)


def week_of_month(m: re.Match[str], today: date, lean: Lean) -> DateRange | None:
    """Ordinal week of a month read as days 1–7, 8–14, 15–21, 22–28, 29–end; "last" = the
    month's last seven days. Calendar weeks would split across months, so this reading is
    the one documented and announced."""
    month = _month_of(m, today, lean)
    n = ordinal_value(m["o"])
    if month is None or n is None:
        return None
    first, last = month
    if n == -1:
        return last - timedelta(days=6), last
    start = first + timedelta(days=7 * (n - 1))
    if start > last:
        return None
    return start, min(start + timedelta(days=6), last)


def month_of_quarter(m: re.Match[str], today: date, _lean: Lean) -> DateRange | None:
    """"первый месяц квартала", "the last month of last quarter"."""
    n = ordinal_value(m["o"] or m["o2"])
    if n is None or n > 3:
        return None
    shift = -1 if (m["prev"] or m["prev2"]) else 0
    first = quarter_shift(shift)(today)[0]
    month = first.month + (2 if n == -1 else n - 1)
    return month_range(first.year, month)


def month_of_year(m: re.Match[str], today: date, _lean: Lean) -> DateRange | None:
    """"первый месяц этого года", "the last month of 2025": a month counted in a year."""
    n = ordinal_value(m["o"] or m["o2"])
    if n is None:
        return None
    groups = m.groupdict()
    year = int(groups["y2"]) if groups.get("y2") else year_of(groups, today) or today.year
    return month_range(year, 12 if n == -1 else n)


def half_shift(n: int) -> Callable[[date], DateRange]:
    """The calendar half-year holding today, shifted by `n` halves ("это полугодие" = 0)."""
    def fn(today: date) -> DateRange:
        index = today.year * 2 + (today.month - 1) // 6 + n
        year, half = divmod(index, 2)
        return (date(year, 7, 1), date(year, 12, 31)) if half else (date(year, 1, 1),
                                                                    date(year, 6, 30))
    return fn


def part_of(container: DateRange, first: bool, count: int, unit: str) -> DateRange | None:
    """The first or last `count` units of a period: "первые 10 дней октября" (Oct 1–10),
    "the last quarter of 2026" (Q4), "за 9 месяцев 2026 года" (Jan–Sep); None if the part
    would be longer than the period."""
    begin, end = container
    if unit in ("day", "week"):
        days = count * (7 if unit == "week" else 1)
        part = (begin, begin + timedelta(days=days - 1)) if first else (
            end - timedelta(days=days - 1), end)
    else:
        months = count * {"month": 1, "quarter": 3, "year": 12}.get(unit, 1)
        part = (begin, add_months(begin, months) - timedelta(days=1)) if first else (
            add_months(end + timedelta(days=1), -months), end)
    return part if begin <= part[0] and part[1] <= end else None


def previous_half(_m: re.Match[str], today: date, _lean: Lean) -> DateRange | None:
    """"прошлое полугодие": the calendar half-year before the current one."""
    if today.month > 6:
        return date(today.year, 1, 1), date(today.year, 6, 30)
    return date(today.year - 1, 7, 1), date(today.year - 1, 12, 31)


def day_of_month(m: re.Match[str], today: date, _lean: Lean) -> DateRange | None:
    """A lone day ("3-го", "on the 3rd"): this month's if it has come, else last month's."""
    n = day_value(m["dd"])
    if not n or n > 31:
        return None
    for back in range(0, 3):
        first = add_months(today.replace(day=1), -back)
        try:
            day = first.replace(day=n)
        except ValueError:
            continue
        if day <= today:
            return day, day
    return None


def since_day_of_month(m: re.Match[str], today: date, lean: Lean) -> DateRange | None:
    found = day_of_month(m, today, lean)
    return (found[0], today) if found else None


def decade_of_month(m: re.Match[str], today: date, lean: Lean) -> DateRange | None:
    """"первая / вторая / третья декада октября": days 1–10, 11–20, 21 to the month's end, as
    Russian accounting counts them; "последняя" is the third. No month named: this month,
    "прошлого месяца" the previous one."""
    g = m.groupdict()
    if g.get("prev_m"):
        month: DateRange | None = month_shift(-1)(today)
    else:
        month = _month_of(m, today, lean)
    n = ordinal_value(m["o"])
    if month is None or n is None or n > 3:
        return None
    first, last = month
    if n == -1:
        n = 3
    start = first + timedelta(days=10 * (n - 1))
    return start, last if n == 3 else start + timedelta(days=9)
