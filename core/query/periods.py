"""Period phrases as a table of (pattern, resolver) rules, Russian and English together.

Every rule's pattern is compiled once. `find_period` keeps the longest match (ties go to the
earlier rule), so "с 1 ноября по сегодня" beats "сегодня" and "last year" beats "past year".
Resolvers return the natural calendar range; clipping to today happens in the parser.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta

from core.query.calendar import (
    DateRange,
    add_months,
    choose,
    month_range,
    quarter_range,
    rolling,
    week_range,
    weekend_range,
    year_range,
)
from core.query.dates import date_pattern, partial_from, resolve_range, resolve_single
from core.query.lexicon import (
    MONTH,
    NUM,
    ORD_QUARTER,
    UNIT,
    YEAR,
    month_number,
    number_value,
    quarter_value,
    unit_key,
)
from core.query.model import Lean

__all__ = ["PERIOD_RULES", "PeriodMatch", "PeriodRule", "find_period"]

Resolver = Callable[[re.Match[str], date, Lean], DateRange | None]


@dataclass(frozen=True, slots=True)
class PeriodRule:
    name: str
    pattern: re.Pattern[str]
    resolve: Resolver


@dataclass(frozen=True, slots=True)
class PeriodMatch:
    """A recognised period phrase, resolved later once the intent's lean is known."""

    rule: PeriodRule
    match: re.Match[str]

    @property
    def span(self) -> tuple[int, int]:
        return self.match.span()

    def resolve(self, today: date, lean: Lean) -> DateRange | None:
        return self.rule.resolve(self.match, today, lean)


# --- resolvers -------------------------------------------------------------------------------

def _fixed(fn: Callable[[date], DateRange]) -> Resolver:
    return lambda _m, today, _lean: fn(today)


def _this_month(today: date) -> DateRange:
    return month_range(today.year, today.month)


def _month_shift(n: int) -> Callable[[date], DateRange]:
    def fn(today: date) -> DateRange:
        day = add_months(today.replace(day=1), n)
        return month_range(day.year, day.month)
    return fn


def _quarter_shift(n: int) -> Callable[[date], DateRange]:
    def fn(today: date) -> DateRange:
        index = today.year * 4 + (today.month - 1) // 3 + n
        return quarter_range(index // 4, index % 4 + 1)
    return fn


def _day(offset: int) -> Callable[[date], DateRange]:
    return lambda today: (today - timedelta(days=offset), today - timedelta(days=offset))


def _year_of(g: dict[str, str | None], today: date) -> int | None:
    """An explicit year, or one said relative to today ("прошлого года", "last year")."""
    if g.get("y"):
        return int(g["y"] or 0)
    rel = g.get("rel") or g.get("rel_en") or ""
    if rel.startswith(("прошл", "last", "previous")):
        return today.year - 1
    if rel.startswith(("след", "next")):
        return today.year + 1
    if rel:
        return today.year
    return None


def _named_month(m: re.Match[str], today: date, lean: Lean) -> DateRange | None:
    month = month_number(m["m"])
    if month is None:
        return None
    year = _year_of(m.groupdict(), today)
    if year is not None:
        return month_range(year, month)
    return choose([month_range(y, month) for y in range(today.year - 1, today.year + 2)],
                  today, lean)


def _month_span(m: re.Match[str], today: date, lean: Lean) -> DateRange | None:
    first, last = month_number(m["m1"]), month_number(m["m2"])
    if first is None or last is None:
        return None
    wraps = first > last
    if m["y"]:
        year = int(m["y"])
        return month_range(year - wraps, first)[0], month_range(year, last)[1]
    candidates = [(month_range(y - wraps, first)[0], month_range(y, last)[1])
                  for y in range(today.year - 1, today.year + 2)]
    return choose(candidates, today, lean)


def _since_month(m: re.Match[str], today: date, lean: Lean) -> DateRange | None:
    found = _named_month(m, today, Lean.PAST)
    return (found[0], today) if found and found[0] <= today else None


def _year_month(m: re.Match[str], _today: date, _lean: Lean) -> DateRange | None:
    return month_range(int(m["y"]), int(m["mon"]))


def _quarter(m: re.Match[str], today: date, lean: Lean) -> DateRange | None:
    quarter = quarter_value(m["q"])
    if quarter is None:
        return None
    if m["y"]:
        return quarter_range(int(m["y"]), quarter)
    return choose([quarter_range(y, quarter) for y in range(today.year - 1, today.year + 2)],
                  today, lean)


def _year(m: re.Match[str], _today: date, _lean: Lean) -> DateRange | None:
    return year_range(int(m["y"]))


def _rolling(m: re.Match[str], today: date, _lean: Lean) -> DateRange | None:
    count = number_value(m["n"]) if m["n"] else 1
    if not count or count > 3650:
        return None
    return rolling(today, count, unit_key(m["u"]))


def _half_year(_m: re.Match[str], today: date, _lean: Lean) -> DateRange | None:
    return rolling(today, 6, "month")


def _weekend(m: re.Match[str], today: date, _lean: Lean) -> DateRange | None:
    return weekend_range(today, previous=bool(m["prev"]))


def _range(m: re.Match[str], today: date, lean: Lean) -> DateRange | None:
    a, b = partial_from(m, "a"), partial_from(m, "b")
    if a is None or b is None:
        return None
    if not m.groupdict().get("pre") and a.month is None and b.month is None and not b.word:
        return None  # "5-10" alone is not a period
    return resolve_range(a, b, today, lean)


def _since_date(m: re.Match[str], today: date, lean: Lean) -> DateRange | None:
    a = partial_from(m, "a")
    if a is None:
        return None
    found = resolve_single(a, today, Lean.PAST)
    return (found[0], today) if found and found[0] <= today else None


def _single(m: re.Match[str], today: date, lean: Lean) -> DateRange | None:
    a = partial_from(m, "a")
    return resolve_single(a, today, lean) if a else None


def _to_end_of(fn: Callable[[date], DateRange]) -> Resolver:
    return lambda _m, today, _lean: (today, fn(today)[1])


def _to_date(fn: Callable[[date], DateRange]) -> Resolver:
    return lambda _m, today, _lean: (fn(today)[0], today)


# --- the table ------------------------------------------------------------------------------

_THIS = r"(?:эт[а-я]*|текущ[а-я]*|нынешн[а-я]*|сей|this|current)"
_LAST = r"(?:прошл[а-я]*|предыдущ[а-я]*|last|previous|prior)"
_NEXT = r"(?:следующ[а-я]*|будущ[а-я]*|next|upcoming|coming)"
_SINCE_START = r"(?:с\s+начала|since\s+(?:the\s+)?(?:start|beginning)\s+of)\s+(?:the\s+)?" \
               rf"(?:{_THIS}\s+)?"
_UNTIL_END = r"(?:до\s+конца|(?:until|till|through|to)\s+(?:the\s+)?end\s+of|rest\s+of)" \
             rf"\s+(?:the\s+)?(?:{_THIS}\s+)?"
_AT_END = r"(?:(?:к|на|в)\s+кон(?:ец|ц[а-я]*)|(?:by|at|for)\s+(?:the\s+)?end\s+of|end\s+of)" \
          rf"\s+(?:the\s+)?(?:{_THIS}\s+)?"
_MONTH_W = r"(?:месяц[а-я]*|month(?:'s)?)"
_WEEK_W = r"(?:недел[а-я]*|week(?:'s)?)"
_QUARTER_W = r"(?:квартал[а-я]*|quarter(?:'s)?)"
_YEAR_W = r"(?:год[а-я]*|year(?:'s)?)"
_YEAR_REL = (rf"(?:\s+(?P<y>{YEAR})(?:\s*(?:г\.?|года?|году))?"
             r"|\s+(?P<rel>прошлого|этого|текущего|следующего)\s+года"
             r"|\s+(?P<rel_en>last|this|next)\s+year)?")
_NOT_AGO = r"(?!\s+(?:назад|ago)(?!\w))"
_SEP = r"\s*(?:по|до|to|till|until|through|thru|and|и|-|\.\.)\s*"

_RAW: tuple[tuple[str, str, Resolver], ...] = (
    ("today", r"сегодня[а-я]*|today|на\s+текущий\s+день", _fixed(_day(0))),
    ("yesterday", r"вчера[а-я]*|yesterday", _fixed(_day(1))),
    ("day_before", r"позавчера[а-я]*|(?:the\s+)?day\s+before\s+yesterday", _fixed(_day(2))),
    ("this_week", rf"{_THIS}\s+{_WEEK_W}", _fixed(week_range)),
    ("wtd", rf"{_SINCE_START}недели|week[\s-]+to[\s-]+date|wtd",
     _to_date(week_range)),
    ("week_before_last", r"позапрошл[а-я]*\s+недел[а-я]*|(?:the\s+)?week\s+before\s+last",
     _fixed(lambda t: week_range(t, -2))),
    ("last_week", rf"{_LAST}\s+{_WEEK_W}", _fixed(lambda t: week_range(t, -1))),
    ("next_week", rf"{_NEXT}\s+{_WEEK_W}", _fixed(lambda t: week_range(t, 1))),
    ("this_month", rf"{_THIS}\s+{_MONTH_W}", _fixed(_this_month)),
    ("mtd", rf"{_SINCE_START}месяца|month[\s-]+to[\s-]+date|mtd", _to_date(_this_month)),
    ("month_before_last", r"позапрошл[а-я]*\s+месяц[а-я]*|(?:the\s+)?month\s+before\s+last",
     _fixed(_month_shift(-2))),
    ("last_month", rf"{_LAST}\s+{_MONTH_W}", _fixed(_month_shift(-1))),
    ("next_month", rf"{_NEXT}\s+{_MONTH_W}", _fixed(_month_shift(1))),
    ("until_month_end", rf"{_UNTIL_END}(?:месяца|month)", _to_end_of(_this_month)),
    ("month_end", rf"{_AT_END}(?:месяца|month)|eom", _fixed(_this_month)),
    ("this_quarter", rf"{_THIS}\s+{_QUARTER_W}", _fixed(_quarter_shift(0))),
    ("qtd", rf"{_SINCE_START}квартала|quarter[\s-]+to[\s-]+date|qtd",
     _to_date(_quarter_shift(0))),
    ("last_quarter", rf"{_LAST}\s+{_QUARTER_W}", _fixed(_quarter_shift(-1))),
    ("next_quarter", rf"{_NEXT}\s+{_QUARTER_W}", _fixed(_quarter_shift(1))),
    ("until_quarter_end", rf"{_UNTIL_END}(?:квартала|quarter)", _to_end_of(_quarter_shift(0))),
    ("quarter_ru", rf"(?P<q>{ORD_QUARTER})(?:-?(?:й|ом|ый|ий|м))?\s*"
                   rf"(?:квартал(?:е|ом)?(?!\w)|кв\b\.?){_YEAR_REL}", _quarter),
    ("quarter_q", rf"(?P<q>[1-4])\s*q|q\s*(?P<qq>[1-4])(?:\s*[-']?\s*(?P<y>{YEAR}))?",
     lambda m, t, lean: _quarter_q(m, t, lean)),
    ("year_q", rf"(?P<y>{YEAR})\s*[-/]?\s*q(?P<q>[1-4])", _quarter),
    ("quarter_en", rf"(?P<q>{ORD_QUARTER})\s+quarter(?:\s+(?:of\s+)?(?P<y>{YEAR}))?",
     _quarter),
    ("half", rf"(?P<h>перв[а-я]*|втор[а-я]*|[12])(?:-?(?:е|ое|м))?\s*полугоди[а-я]*"
             rf"(?:\s+(?P<y>{YEAR}))?"
             rf"|h(?P<h2>[12])(?:\s+(?P<y2>{YEAR}))?"
             rf"|(?P<h3>first|second)\s+half(?:\s+of\s+(?:the\s+year|(?P<y3>{YEAR})))?",
     lambda m, t, lean: _half_any(m, t, lean)),
    ("this_year", rf"{_THIS}\s+{_YEAR_W}", _fixed(lambda t: year_range(t.year))),
    ("ytd", rf"{_SINCE_START}года|year[\s-]+to[\s-]+date|ytd",
     _to_date(lambda t: year_range(t.year))),
    ("last_year", rf"{_LAST}\s+{_YEAR_W}", _fixed(lambda t: year_range(t.year - 1))),
    ("next_year", rf"{_NEXT}\s+{_YEAR_W}", _fixed(lambda t: year_range(t.year + 1))),
    ("until_year_end", rf"{_UNTIL_END}(?:года|year)", _to_end_of(lambda t: year_range(t.year))),
    ("year_end", rf"{_AT_END}(?:года|year)", _fixed(lambda t: year_range(t.year))),
    ("year", rf"(?P<y>{YEAR})(?:\s*(?:г\.?|года?|году|year))?", _year),
    ("weekend", r"(?:(?P<prev>позапрошл[а-я]*|прошл[а-я]*|previous)\s+|(?:эт[а-я]*|последн[а-я]*"
                r"|this|last|past|the)\s+)?(?:выходн[а-я]*|weekend)", _weekend),
    ("rolling", rf"(?:последн[а-я]*|прошедш[а-я]*|last|past|previous|trailing)\s+"
                rf"(?:(?P<n>{NUM})\s+)?(?P<u>{UNIT}){_NOT_AGO}", _rolling),
    ("rolling_n", rf"(?:прошл[а-я]*\s+|за\s+|в\s+течение\s+|(?:for|over|in)\s+(?:the\s+)?)?"
                  rf"(?P<n>{NUM})\s+(?P<u>{UNIT}){_NOT_AGO}", _rolling),
    ("rolling_za", rf"за\s+(?P<n>)(?P<u>{UNIT})", _rolling),
    ("half_year", r"(?:за\s+)?(?:полгода|пол\s+года|полугод[а-я]*|half\s+(?:a\s+)?year)",
     _half_year),
    ("year_month", rf"(?P<y>{YEAR})-(?P<mon>0[1-9]|1[0-2])(?![\d-])", _year_month),
    ("month_span", rf"(?:(?:с|со|from|between)\s+)?(?P<m1>{MONTH}){_SEP}(?P<m2>{MONTH})"
                   rf"(?:\s+(?P<y>{YEAR}))?", _month_span),
    ("since_month", rf"(?:с|со|since|starting(?:\s+(?:from|in))?|from|начиная\s+с)\s+"
                    rf"(?P<m>{MONTH}){_YEAR_REL}", _since_month),
    ("month", rf"(?P<m>{MONTH}){_YEAR_REL}", _named_month),
    ("range", rf"(?P<pre>с|со|from|between|между)\s+{date_pattern('a', bare=True)}{_SEP}"
              rf"{date_pattern('b', bare=True)}", _range),
    ("range_bare", rf"{date_pattern('a', bare=True)}\s*(?:-|\.\.|по|to|through)\s*"
                   rf"{date_pattern('b', bare=True)}", _range),
    ("since_date", rf"(?:с|со|since|starting(?:\s+(?:from|on))?|from|after|начиная\s+с)\s+"
                   rf"{date_pattern('a', bare=False)}", _since_date),
    ("date", date_pattern("a", bare=False), _single),
)


def _quarter_q(m: re.Match[str], today: date, lean: Lean) -> DateRange | None:
    quarter = int(m["q"] or m["qq"])
    if m["y"]:
        return quarter_range(int(m["y"]), quarter)
    return choose([quarter_range(y, quarter) for y in range(today.year - 1, today.year + 2)],
                  today, lean)


def _half_any(m: re.Match[str], today: date, lean: Lean) -> DateRange | None:
    h = m["h"] or m["h2"] or m["h3"]
    y = m["y"] or m["y2"] or m["y3"]
    second = h.startswith(("втор", "2", "second"))

    def rng(year: int) -> DateRange:
        return (date(year, 7, 1), date(year, 12, 31)) if second else (date(year, 1, 1),
                                                                      date(year, 6, 30))
    if y:
        return rng(int(y))
    return choose([rng(year) for year in range(today.year - 1, today.year + 2)], today, lean)


PERIOD_RULES: tuple[PeriodRule, ...] = tuple(
    PeriodRule(name, re.compile(rf"(?<![\w./-])(?:{pattern})(?![\w/])"), resolve)
    for name, pattern, resolve in _RAW
)


def find_period(text: str, today: date, lean: Lean) -> tuple[PeriodMatch, DateRange] | None:
    """The longest period phrase in `text` that resolves to a real range."""
    found: list[tuple[int, int, PeriodMatch]] = []
    for order, rule in enumerate(PERIOD_RULES):
        for m in rule.pattern.finditer(text):
            if m.end() > m.start():
                found.append((m.end() - m.start(), -order, PeriodMatch(rule, m)))
    found.sort(key=lambda item: (item[0], item[1]), reverse=True)
    dead: list[tuple[int, int]] = []
    for _length, _order, candidate in found:
        start, end = candidate.span
        if any(d[0] <= start and end <= d[1] for d in dead):
            continue  # part of an impossible date ("31 февраля"): do not guess February
        resolved = candidate.resolve(today, lean)
        if resolved is not None and resolved[0] <= resolved[1]:
            return candidate, resolved
        dead.append(candidate.span)
    return None
