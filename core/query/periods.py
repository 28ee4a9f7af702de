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

from core.query import resolvers as r
from core.query.calendar import DateRange, add_months, week_range, year_range
from core.query.dates import date_pattern
from core.query.lexicon import (
    DAY,
    MONTH,
    NUM,
    ORD_QUARTER,
    ORDINAL,
    UNIT,
    WEEKDAY,
    WEEKDAY_SHORT,
    YEAR,
    number_value,
    unit_key,
)
from core.query.model import Lean
from core.query.resolvers import Resolver

__all__ = ["PERIOD_RULES", "PeriodMatch", "PeriodRule", "find_period"]


@dataclass(frozen=True, slots=True)
class PeriodRule:
    name: str
    pattern: re.Pattern[str]
    resolve: Resolver
    reading: str | None = None
    """Set when the words allow more than one reading: the key of the one taken (the answer
    says it, locale `answers.reading.<key>`)."""


@dataclass(frozen=True, slots=True)
class PeriodMatch:
    """A recognised period phrase, resolved later once the intent's lean is known.

    A range of two phrases ("с начала года до конца сентября") is the first phrase with
    `until` set to the second: it runs from the start of one to the end of the other."""

    rule: PeriodRule
    match: re.Match[str]
    until: PeriodMatch | None = None
    begin: int | None = None
    """Where a composed range starts when its "с начала" / "from" precedes the first phrase."""
    year: tuple[int, int] | None = None
    """Where the year said apart from this phrase stands ("в прошлом году … в 4 квартале")."""

    @property
    def span(self) -> tuple[int, int]:
        start = self.match.start() if self.begin is None else self.begin
        return start, (self.until or self).match.end()

    @property
    def spans(self) -> tuple[tuple[int, int], ...]:
        """The words read as this period: the phrase, and the year said apart from it."""
        return (self.span,) if self.year is None else (self.span, self.year)

    def resolve(self, today: date, lean: Lean) -> DateRange | None:
        first = self.rule.resolve(self.match, today, lean)
        if self.until is None or first is None:
            return first
        last = self.until.resolve(today, lean)
        return (first[0], last[1]) if last is not None else None


# --- the table ------------------------------------------------------------------------------

_THIS = r"(?:эт[а-я]*|текущ[а-я]*|тек\.?|нынешн[а-я]*|сей|this|current|curr?\.?)"
_LAST = r"(?:прошл[а-я]*|предыдущ[а-я]*|пред\.?|прош\.?|last|previous|prev\.?|prior)"
_NEXT = r"(?:следующ[а-я]*|след\.?|будущ[а-я]*|next|upcoming|coming)"
"""Relative words, with the abbreviations people type ("след месяц", "пред. неделя")."""
_SINCE_START = (r"(?:с\s+(?:начала|нач\.?)|(?:since|from)\s+(?:the\s+)?(?:start|beginning)\s+of)"
                rf"\s+(?:the\s+)?(?:{_THIS}\s+)?")
_REST = (r"(?:до\s+конца|(?:until|till|through|to)\s+(?:the\s+)?end\s+of|rest\s+of"
         r"|remainder\s+of|остат(?:ок|ка|ке|ку|ком)|оставш[а-я]*\s+(?:част[а-я]*|дн[а-я]*)"
         r"|(?:the\s+)?remaining\s+(?:days|part|weeks)\s+of)")
"""Today to the end of a period: "до конца ноября", "the rest of the month", "остаток
ноября", "оставшиеся дни месяца"."""
_UNTIL_END = rf"{_REST}\s+(?:the\s+)?(?:{_THIS}\s+)?"
_AT_END = r"(?:(?:к|на|в)\s+кон(?:ец|ц[а-я]*)|(?:by|at|for)\s+(?:the\s+)?end\s+of|end\s+of)" \
          rf"\s+(?:the\s+)?(?:{_THIS}\s+)?"
_UNTIL_UNIT_END = r"(?:through|thru|till|until|to)\s+(?:the\s+)?{0}[\s-]end"
_AT_UNIT_END = r"(?:(?:by|at|for)\s+(?:the\s+)?)?{0}[\s-]end|eo{1}"
"""English "through year-end" (today to the end) and "by month end", "EOQ" (the whole one)."""
_MONTH_W = r"(?:месяц[а-я]*|мес\.?|month(?:'s)?|mnth|mo)"
_WEEK_W = r"(?:недел[а-я]*|нед\.?|week(?:'s)?|wee?k|wk)"
_QUARTER_W = r"(?:квартал[а-я]*|кв\.?|quarter(?:'s)?|qtr)"
_YEAR_W = r"(?:год[а-я]*|year(?:'s)?)"
_SHORT_YEAR = (r"\s*'(?P<ys>\d{2})(?!\d)"
               r"|\s+(?P<ys2>\d{2})(?:-?(?:го|й|м))?\s*(?:г\.?|года?|году)(?!\w)")
"""A two-digit year, only with an apostrophe or the word "год": "окт '25", "октябрь 25 года";
a bare "октябрь 25" stays the 25th of October."""
_YEAR_ENDING = r"-?(?:м|й|ом|ый|го|ого)"
"""A year's case ending, written on the digits: "в 2025м", "за 2025-й", "в 25-м"."""
_YEAR_REL = (rf"(?:,?\s+(?:of\s+|in\s+)?(?P<y>{YEAR})(?:-?(?:го|м|й))?(?:\s*(?:г\.?|года?|году))?"
             r"|\s+(?P<rel>позапрошлого|прошлого|этого|текущего|следующего)\s+года"
             r"|\s+(?:of\s+)?(?P<rel_en>last|this|next)\s+year"
             rf"|{_SHORT_YEAR})?")
"""An optional year after any period: "2025", "of 2025", "2025-го года", "прошлого года",
"'25", "25 года"."""
_YEAR_Q = (rf"(?:\s*[-']?\s*(?P<y>{YEAR})"
           r"|\s+(?P<rel>прошлого|этого|текущего|следующего)\s+года"
           r"|\s+(?:of\s+)?(?P<rel_en>last|this|next)\s+year)?")
_BEFORE_LAST = r"(?:позапрошл[а-я]*\s+{0}|(?:the\s+)?{1}\s+before\s+last)"
_PREV_WD = r"(?:(?P<prev>позапрошл[а-я]*|прошл[а-я]*|предыдущ[а-я]*|last|previous)\s+)?"
_ANY_WD = rf"(?:{WEEKDAY}|{WEEKDAY_SHORT})"
_DAY_SUFFIX = r"(?:-?(?:го|е|ое)(?:\s+числа)?|\s+числ[оа]|st|nd|rd|th)"
_NOT_UNIT = (rf"(?!\s*(?:{MONTH}|полугод|квартал|кв\b|недел|месяц|half|quarter|week|month"
             r"|q\b))")
_LONE_DAY = rf"(?:the\s+)?(?P<dd>\d{{1,2}}|{DAY}){_DAY_SUFFIX}{_NOT_UNIT}"
"""A day of the month said alone ("3-го", "15 числа", "the 3rd"), not "1-е полугодие"."""
_NOT_AGO = r"(?!\s+(?:назад|ago)(?!\w))"
_SEP = r"\s*(?:по|до|to|till|until|through|thru|and|и|-|\.\.)\s*"

_HALF_W = r"(?:полугоди[а-я]*|half(?:[\s-]year)?)"


def _anon(pattern: str) -> str:
    """`pattern` without its named groups, to be used inside a larger one."""
    return re.sub(r"\(\?P<\w+>", "(?:", pattern)


_CONTAINER_BARE = (r"(?:the\s+)?(?:месяца|квартала|года|полугодия|month|quarter|year"
                   r"|half[\s-]year)")
_CONTAINER = (
    rf"(?:{MONTH}{_anon(_YEAR_REL)}"
    rf"|(?:{_THIS}|{_LAST}|{_NEXT}|позапрошл[а-я]*)\s+(?:{_MONTH_W}|{_QUARTER_W}|{_YEAR_W}"
    rf"|{_HALF_W})"
    rf"|{YEAR}{_YEAR_ENDING}?(?:\s*(?:г\.?|года?|году))?"
    rf"|q[1-4](?:\s*{YEAR})?|{_CONTAINER_BARE})(?!\w)"
)
"""A period that has parts: a month, a quarter, a half-year or a year, named or relative."""
_PART_UNIT = (r"(?:дн[а-я]*|день|недел[а-я]*|нед\.?|месяц[а-я]*|мес\.?|квартал[а-я]*|кв\.?"
              r"|days?|weeks?|months?|quarters?|qtrs?)(?!\w)")
_PART_UNITS = (r"(?:дней|дня|суток|недел[иь]|месяц(?:а|ев)|мес\.?|квартал(?:а|ов)|days|weeks"
               r"|months|quarters)(?!\w)")
_PART = (rf"(?:(?:за|в|во|на|for|in|during|over)\s+)?(?:the\s+)?"
         rf"(?:(?P<side>перв[а-я]*|последн[а-я]*|first|last|final)\s+(?:(?P<n>{NUM})\s+)?"
         rf"(?P<u>{_PART_UNIT})|(?P<n2>{NUM})\s+(?P<u2>{_PART_UNITS}))"
         rf"\s+(?:(?:of|in)\s+(?:the\s+)?)?(?P<c>{_CONTAINER})")
"""The first or last N days, weeks, months or quarters of a period ("первые 10 дней
октября", "the last quarter of 2026"); a count alone before a period is its first part, as
accounts say it ("за 9 месяцев 2026 года" = January to September)."""
_BARE_UNITS: dict[str, Callable[[date], DateRange]] = {
    "мес": r.this_month, "mon": r.this_month, "кварт": r.quarter_shift(0),
    "quar": r.quarter_shift(0), "год": lambda t: year_range(t.year),
    "yea": lambda t: year_range(t.year), "полу": r.half_shift(0), "hal": r.half_shift(0),
}


def _container(text: str, today: date, lean: Lean) -> DateRange | None:
    bare = re.fullmatch(_CONTAINER_BARE, text)
    if bare:
        word = text.removeprefix("the ").strip()
        return next(fn(today) for prefix, fn in _BARE_UNITS.items() if word.startswith(prefix))
    found = find_period(text, today, lean)
    return found[1] if found and found[0].span == (0, len(text)) else None


def _part_of(m: re.Match[str], today: date, lean: Lean) -> DateRange | None:
    container = _container(m["c"], today, lean)
    count = number_value(m["n"] or m["n2"] or "1")
    unit = unit_key(m["u"] or m["u2"])
    if container is None or not count:
        return None
    side = m["side"] or ""
    return r.part_of(container, not side.startswith(("последн", "last", "final")), count, unit)


_SINCE_START_OF = (
    rf"{_SINCE_START}(?:(?P<q>{ORD_QUARTER})(?:-?(?:го|ого|его|й|ий|ый|м))?\s*"
    rf"(?:квартала|кв\.?|quarter)(?!\w){_YEAR_REL}"
    rf"|(?P<c>{_CONTAINER}|(?:{_LAST}|позапрошл[а-я]*)\s+{_WEEK_W}))")
"""The start of any period to today: "с начала прошлого месяца", "с начала 4 квартала",
"since the beginning of last year" (a period still ahead is read whole)."""


def _since_start_of(m: re.Match[str], today: date, lean: Lean) -> DateRange | None:
    whole = r.quarter(m, today, Lean.PAST) if m["q"] else _container(m["c"], today, Lean.PAST)
    if whole is None:
        return None
    return (whole[0], today) if whole[0] <= today else whole


_RAW: tuple[tuple[str, str, Resolver] | tuple[str, str, Resolver, str], ...] = (
    ("today", r"сегодня[а-я]*|с[её]дня|today|на\s+текущий\s+день", r.fixed(r.day(0))),
    ("yesterday", r"вчера[а-я]*|yesterday", r.fixed(r.day(1))),
    ("tomorrow", r"завтра[а-я]*|tomorrow", r.fixed(r.day(-1))),
    ("day_after_tomorrow", r"послезавтра[а-я]*|(?:the\s+)?day\s+after\s+tomorrow",
     r.fixed(r.day(-2))),
    ("days_to_today", r"(?:за\s+)?(?P<w>позавчера|вчера|(?:the\s+)?day\s+before\s+yesterday"
                      r"|yesterday)\s*(?:и|and|\+|,)\s*(?:за\s+)?(?:сегодня|today)",
     r.days_to_today),
    ("day_before", r"позавчера[а-я]*|(?:the\s+)?day\s+before\s+yesterday", r.fixed(r.day(2))),
    ("this_week", rf"{_THIS}\s+{_WEEK_W}", r.fixed(week_range)),
    ("wtd", rf"{_SINCE_START}(?:недели|week)|week[\s-]+to[\s-]+date|wtd",
     r.to_date(week_range)),
    ("week_before_last", rf"позапрошл[а-я]*\s+{_WEEK_W}|(?:the\s+)?week\s+before\s+last",
     r.fixed(lambda t: week_range(t, -2))),
    ("last_week", rf"{_LAST}\s+{_WEEK_W}", r.fixed(lambda t: week_range(t, -1))),
    ("next_week", rf"{_NEXT}\s+{_WEEK_W}", r.fixed(lambda t: week_range(t, 1))),
    ("this_month", rf"{_THIS}\s+{_MONTH_W}", r.fixed(r.this_month)),
    ("mtd", rf"{_SINCE_START}(?:месяца|month)|month[\s-]+to[\s-]+date|mtd",
     r.to_date(r.this_month)),
    ("month_before_last", rf"позапрошл[а-я]*\s+{_MONTH_W}|(?:the\s+)?month\s+before\s+last",
     r.fixed(r.month_shift(-2))),
    ("last_month", rf"{_LAST}\s+{_MONTH_W}", r.fixed(r.month_shift(-1))),
    ("next_month", rf"{_NEXT}\s+{_MONTH_W}", r.fixed(r.month_shift(1))),
    ("until_month_end", rf"{_UNTIL_END}(?:месяца|month)|{_UNTIL_UNIT_END.format('month')}",
     r.to_end_of(r.this_month)),
    ("month_end", rf"{_AT_END}(?:месяца|month)|{_AT_UNIT_END.format('month', 'm')}",
     r.fixed(r.this_month)),
    ("this_quarter", rf"{_THIS}\s+{_QUARTER_W}", r.fixed(r.quarter_shift(0))),
    ("qtd", rf"{_SINCE_START}(?:квартала|quarter)|quarter[\s-]+to[\s-]+date|qtd",
     r.to_date(r.quarter_shift(0))),
    ("last_quarter", rf"{_LAST}\s+{_QUARTER_W}", r.fixed(r.quarter_shift(-1))),
    ("next_quarter", rf"{_NEXT}\s+{_QUARTER_W}", r.fixed(r.quarter_shift(1))),
    ("until_quarter_end", rf"{_UNTIL_END}(?:квартала|quarter)"
                          rf"|{_UNTIL_UNIT_END.format('quarter')}",
     r.to_end_of(r.quarter_shift(0))),
    ("quarter_end", rf"{_AT_END}(?:квартала|quarter)|{_AT_UNIT_END.format('quarter', 'q')}",
     r.fixed(r.quarter_shift(0))),
    ("quarter_ru", rf"(?:(?:за|в|во|на)\s+)?(?P<q>{ORD_QUARTER})(?:-?(?:й|ом|ый|ий|м))?\s*"
                   rf"(?:квартал(?:е|ом)?(?!\w)|кв\b\.?){_YEAR_REL}", r.quarter),
    ("quarter_q", rf"(?:(?P<q>[1-4])\s*q|q\s*(?P<qq>[1-4])){_YEAR_Q}",
     r.quarter_q),
    ("year_q", rf"(?P<y>{YEAR})\s*[-/]?\s*q(?P<q>[1-4])", r.quarter),
    ("quarter_en", rf"(?P<q>{ORD_QUARTER})\s+quarter{_YEAR_REL}", r.quarter),
    ("quarter_before_last", _BEFORE_LAST.format(_QUARTER_W, "quarter"),
     r.fixed(r.before_last("quarter"))),
    ("year_before_last", _BEFORE_LAST.format(r"год[а-я]*", "year"),
     r.fixed(r.before_last("year"))),
    ("week_of_month", rf"(?:(?:в|во|за|на)\s+)?(?P<o>{ORDINAL})\s+{_WEEK_W}"
                      rf"\s+(?P<m>{MONTH}){_YEAR_REL}", r.week_of_month, "week_days"),
    ("week_of_this_month", rf"(?:(?:в|во|за|на)\s+)?(?!последн|last|final)(?P<o>{ORDINAL})"
                           rf"\s+{_WEEK_W}(?!\s+(?:before|назад|ago))", r.week_of_month,
     "week_days"),
    ("week_of_month_en", rf"(?:the\s+)?(?P<o>{ORDINAL})\s+week\s+(?:of|in)\s+(?P<m>{MONTH})"
                         rf"{_YEAR_REL}", r.week_of_month, "week_days"),
    ("month_of_quarter", rf"(?P<o>{ORDINAL})\s+месяц[а-я]*\s+(?:(?P<prev>прошл[а-я]*)\s+|"
                         rf"{_THIS}\s+)?квартал[а-я]*"
                         rf"|(?:the\s+)?(?P<o2>first|second|third|last)\s+month\s+of\s+"
                         rf"(?:the\s+|this\s+|(?P<prev2>last|previous)\s+)?quarter",
     r.month_of_quarter),
    ("month_of_year", rf"(?P<o>{ORDINAL})\s+месяц[а-я]*\s+(?:(?P<rel>позапрошлого|прошлого|этого"
                      rf"|текущего|следующего)\s+года|(?P<y>{YEAR})(?:-?(?:го|м|й))?"
                      r"(?:\s*(?:г\.?|года?|году))?|года)"
                      rf"|(?:the\s+)?(?P<o2>{ORDINAL})\s+month\s+of\s+(?:the\s+year|(?P<y2>{YEAR})"
                      r"|(?P<rel_en>last|this|next)\s+year)", r.month_of_year),
    ("previous_half", r"(?:прошл[а-я]*|предыдущ[а-я]*)\s+полугоди[а-я]*", r.previous_half),
    ("this_half", rf"{_THIS}\s+{_HALF_W}", r.fixed(r.half_shift(0))),
    ("next_half", rf"{_NEXT}\s+{_HALF_W}", r.fixed(r.half_shift(1))),
    ("htd", rf"{_SINCE_START}(?:полугодия|half(?:[\s-]year)?)|half[\s-]year[\s-]to[\s-]date",
     r.to_date(r.half_shift(0))),
    ("weekday", rf"(?:(?:в|во|за|on)\s+)?(?:the\s+)?{_PREV_WD}(?P<wd>{_ANY_WD})"
                rf"(?:\s+(?P<prev_en>last\s+week|before\s+last)"
                r"|\s+на\s+(?P<prev_ru>позапрошл[а-я]*|прошл[а-я]*)\s+недел[а-я]*)?",
     r.weekday_day, "weekday"),
    ("since_weekday", rf"(?:с|со|since|starting(?:\s+(?:from|on))?|from|начиная\s+с)\s+"
                      rf"{_PREV_WD}(?P<wd>{_ANY_WD})", r.since_weekday, "weekday"),
    ("day_of_month", rf"(?:(?:за|на|on)\s+)?{_LONE_DAY}", r.day_of_month, "lone_day"),
    ("since_day_of_month", rf"(?:с|со|since|starting(?:\s+(?:from|on))?|from|начиная\s+с)\s+"
                           rf"{_LONE_DAY}", r.since_day_of_month, "lone_day"),
    ("half_of_month", rf"(?:(?:в|во|за)\s+)?(?P<h>перв[а-я]*|втор[а-я]*)\s+половин[а-я]*\s+"
                      rf"(?:(?P<m>{MONTH}){_YEAR_REL}|(?:{_THIS}\s+)?месяца)"
                      rf"|(?:the\s+)?(?P<h2>first|second)\s+half\s+of\s+(?:(?P<m2>{MONTH})"
                      rf"|(?:the\s+|this\s+)?month)", r.half_of_month),
    ("half_ru", rf"(?P<h>перв[а-я]*|втор[а-я]*)\s+половин[а-я]*(?:\s+года)?{_YEAR_REL}",
     r.half_any),
    ("half", rf"(?P<h>перв[а-я]*|втор[а-я]*|[12])(?:-?(?:е|ое|м))?\s*полугоди[а-я]*{_YEAR_REL}",
     r.half_any),
    ("half_h", rf"h(?P<h>[12]){_YEAR_REL}", r.half_any),
    ("half_en", rf"(?:the\s+)?(?P<h>first|second)\s+half(?:\s+of(?:\s+the\s+year)?)?{_YEAR_REL}",
     r.half_any),
    ("this_year", rf"{_THIS}\s+{_YEAR_W}", r.fixed(lambda t: year_range(t.year))),
    ("ytd", rf"{_SINCE_START}(?:года|year)|year[\s-]+to[\s-]+date|ytd",
     r.to_date(lambda t: year_range(t.year))),
    ("last_year", rf"{_LAST}\s+{_YEAR_W}", r.fixed(lambda t: year_range(t.year - 1))),
    ("last_year_adj", r"(?P<pre>поза)?прошлогодн[а-я]*",
     lambda m, t, _lean: year_range(t.year - (2 if m["pre"] else 1))),
    ("next_year", rf"{_NEXT}\s+{_YEAR_W}", r.fixed(lambda t: year_range(t.year + 1))),
    ("until_year_end", rf"{_UNTIL_END}(?:года|year)|{_UNTIL_UNIT_END.format('year')}",
     r.to_end_of(lambda t: year_range(t.year))),
    ("year_end", rf"{_AT_END}(?:года|year)|{_AT_UNIT_END.format('year', 'y')}",
     r.fixed(lambda t: year_range(t.year))),
    ("year", rf"(?P<y>{YEAR}){_YEAR_ENDING}?(?:\s*(?:г\.?|года?|году|year))?", r.whole_year),
    ("short_year", r"(?:в|за|во|на)\s+(?P<ys>\d{2})(?:-?(?:м|й|ом|ый))?\s*(?:г\.|году|год)"
                   r"(?!\w)"
                   rf"|(?:в|во|за)\s+(?P<ys3>\d{{2}})-?(?:м|ом|й|ый)(?!\w){_NOT_UNIT}",
     r.whole_year),
    ("weekend", r"(?:(?P<prev>позапрошл[а-я]*|прошл[а-я]*|previous|last)\s+|(?P<this>эт[а-я]*"
                r"|these|this|coming|upcoming|следующ[а-я]*|ближайш[а-я]*|next)\s+"
                r"|(?:последн[а-я]*|past|the)\s+)?(?:выходн[а-я]*|weekends?|вых)(?!\w)",
     r.weekend),
    ("rolling", rf"(?:(?:over|for|in|during)\s+the\s+)?"
                # "the last quarter" without a count is the calendar one, as "last quarter"
                rf"(?:последн[а-я]*|прошедш[а-я]*|past|trailing|(?:last|previous)"
                rf"(?=\s+(?:{NUM}\s|fortnight|hours?\b)))\s+"
                rf"(?:(?P<n>{NUM})\s+)?(?P<u>{UNIT}){_NOT_AGO}", r.rolling_window),
    ("rolling_n", rf"(?:прошл(?!огод)[а-я]*\s+|за\s+|в\s+течение\s+"
                  rf"|(?:for|over|in)\s+(?:the\s+)?)?"
                  rf"(?P<n>{NUM})\s+(?P<u>{UNIT}){_NOT_AGO}", r.rolling_window),
    ("rolling_compact", r"(?:(?:последн[а-я]*|прошедш[а-я]*|за|last|past|previous|trailing"
                        r"|over\s+the|for\s+the|in\s+the)\s+)(?P<n>\d{1,3})(?P<u>d|w|mo|m|y|qtr|q|h)"
                        r"(?!\w)", r.rolling_window),
    ("rolling_za", rf"за\s+(?P<n>)(?P<u>{UNIT})", r.rolling_window),
    ("half_year", r"(?:за\s+)?(?:(?:последн[а-я]*|прошедш[а-я]*|past|last)\s+)?"
                  r"(?:полгода|пол\s+года|полугод[а-я]*|half\s+(?:a\s+)?year)",
     r.half_year),
    ("year_month", rf"(?P<y>{YEAR})-(?P<mon>0[1-9]|1[0-2])(?![\d-])", r.year_month),
    ("month_span", rf"(?:(?:с|со|from|between)\s+)?(?P<m1>{MONTH})"
                   r"\s*(?P<sep>по|до|to|till|until|through|thru|and|и|-|\.\.|vs\.?|versus|против"
                   rf"|или|or|,)\s*(?P<m2>{MONTH})"
                   rf"(?:\s+(?P<y>{YEAR}))?", r.month_span),
    ("since_month", rf"(?:с|со|since|starting(?:\s+(?:from|in))?|from|начиная\s+с)\s+"
                    rf"(?P<m>{MONTH}){_YEAR_REL}", r.since_month),
    ("month", rf"(?P<m>{MONTH}){_YEAR_REL}", r.named_month),
    ("rest_of_month", rf"(?:(?:на|за|в|for|in|over)\s+)?(?:the\s+)?{_REST}\s+(?P<m>{MONTH})"
                      rf"{_YEAR_REL}", r.rest_of_month),
    ("budget_term", r"(?P<t>годов[а-я]*|yearly|annual|квартальн[а-я]*|quarterly)"
                    r"(?=\s+(?:бюджет|лимит|план|квот|budget|limit|plan|cap|quota))",
     r.budget_term),
    ("range", rf"(?P<pre>с|со|from|between|между)\s+{date_pattern('a', bare=True)}{_SEP}"
              rf"{date_pattern('b', bare=True)}", r.date_span),
    ("range_bare", rf"{date_pattern('a', bare=True)}\s*(?:-|\.\.|по|to|through|и|and|&)\s*"
                   rf"{date_pattern('b', bare=True)}", r.date_span),
    ("since_date", rf"(?:с|со|since|starting(?:\s+(?:from|on))?|from|after|начиная\s+с)\s+"
                   rf"{date_pattern('a', bare=False)}", r.since_date),
    ("date", date_pattern("a", bare=False), r.single),
    ("part_of", _PART, _part_of),
    ("since_start_of", _SINCE_START_OF, _since_start_of),
    ("decade", rf"(?:(?:в|во|за|на)\s+)?(?P<o>{ORDINAL})\s+декад[а-я]*"
               rf"(?:\s+(?P<m>{MONTH}){_YEAR_REL}|\s+(?P<prev_m>прошл[а-я]*|предыдущ[а-я]*)"
               rf"\s+месяца|\s+(?:{_THIS}\s+)?месяца)?", r.decade_of_month),
)


PERIOD_RULES: tuple[PeriodRule, ...] = tuple(
    PeriodRule(rule[0], re.compile(rf"(?<![\w./-])(?:{rule[1]})(?![\w/])"), rule[2],
               rule[3] if len(rule) > 3 else None)
    for rule in _RAW
)


_FROM = re.compile(r"^(?:с|со|from|since|starting|начиная|between|между)(?!\w)")
_FROM_BEFORE = re.compile(
    r"(?<![\w])(?:с|со|from|since|between|между|начиная\s+с|starting(?:\s+from)?)\s+"
    r"(?:(?:начала|нач\.?|(?:the\s+)?(?:start|beginning)\s+of)\s+(?:the\s+)?)?$")
_JOIN = re.compile(
    r"\s*(?:-|\.\.|(?:и\s+)?(?:по|до)|to|till|until|through|thru|up\s+to|and)\s+"
    r"(?:(?:the\s+)?(?:конец|конца|end\s+of)\s+(?:the\s+)?)?")
"""Two period phrases joined into one range: "с начала года до конца сентября", "from
March 1 to the end of June": the first phrase's start, the second's end."""


def _ranges(text: str, found: list[PeriodMatch]) -> list[PeriodMatch]:
    """Every "from <period> to (the end of) <period>" pair among the phrases found."""
    out = []
    for first in found:
        before = _FROM_BEFORE.search(text, 0, first.match.start())
        if not _FROM.match(first.match.group()) and before is None:
            continue
        for last in found:
            gap = text[first.match.end():last.match.start()]
            if last.match.start() > first.match.end() and _JOIN.fullmatch(gap):
                begin = None if _FROM.match(first.match.group()) or before is None \
                    else before.start()
                out.append(PeriodMatch(first.rule, first.match, last, begin))
    return out


_YEARS = frozenset({"this_year", "last_year", "next_year", "year_before_last", "year",
                    "short_year", "last_year_adj"})
"""Phrases that name a calendar year, and nothing smaller."""
_IN_A_YEAR = frozenset({"quarter_ru", "quarter_q", "quarter_en", "half", "half_h", "half_en",
                        "half_ru", "month", "month_span", "week_of_month", "week_of_month_en",
                        "half_of_month", "decade", "month_of_year"})
"""Periods named by their place in a year (a quarter, a half, a month), which may say their
year elsewhere in the sentence."""
_OWN_YEAR = ("y", "ys", "ys2", "rel", "rel_en", "y2")
_VERSUS = re.compile(r"(?<![\w])(?:сравн[а-я]*|vs\.?|versus|против|чем|относительно|compar[a-z]*"
                     r"|than|against)(?![\w])")


def _shift_years(day: date, years: int) -> date:
    moved = add_months(day, 12 * years)
    if (day + timedelta(days=1)).day == 1:  # a month's last day stays its last (29 Feb)
        return add_months(moved.replace(day=1), 1) - timedelta(days=1)
    return moved


def _in_year(text: str, found: list[PeriodMatch], best: PeriodMatch,
             resolved: DateRange, today: date, lean: Lean
             ) -> tuple[PeriodMatch, DateRange] | None:
    """A year and a period of it said apart ("в прошлом году … в 4 квартале", "Q4 last
    year", "last year's March"): the period in that year, both phrases read."""
    if best.until is not None or best.begin is not None:
        return None
    pairs: list[tuple[PeriodMatch, PeriodMatch, DateRange | None]]
    if best.rule.name in _YEARS:
        pairs = [(c, best, resolved) for c in found if c.rule.name in _IN_A_YEAR]
    elif best.rule.name in _IN_A_YEAR:
        pairs = [(best, c, c.resolve(today, lean)) for c in found if c.rule.name in _YEARS]
    else:
        return None
    pairs.sort(key=lambda p: (p[0].span[1] - p[0].span[0], p[1].span[1] - p[1].span[0]),
               reverse=True)  # the longest phrases first, as for one period
    for period, year_match, year_range_ in pairs:
        (a, b), (c, d) = period.span, year_match.span
        groups = period.match.groupdict()
        if year_range_ is None or not (b <= c or d <= a) or any(groups.get(g) for g in _OWN_YEAR):
            continue
        if _VERSUS.search(text, min(b, d), max(a, c)):
            continue  # "4 квартал по сравнению с прошлым годом": two periods, not one
        got = period.resolve(today, lean)
        if got is None:
            continue
        years = year_range_[0].year - got[0].year
        return (PeriodMatch(period.rule, period.match, year=year_match.span),
                (_shift_years(got[0], years), _shift_years(got[1], years)))
    return None


def find_period(text: str, today: date, lean: Lean) -> tuple[PeriodMatch, DateRange] | None:
    """The longest period phrase in `text` that resolves to a real range; a period of a year
    takes the year said elsewhere in the sentence."""
    best = _longest(text, today, lean)
    if best is None:
        return None
    found = [PeriodMatch(rule, m) for rule in PERIOD_RULES
             if rule.name in _YEARS | _IN_A_YEAR for m in rule.pattern.finditer(text)]
    return _in_year(text, found, best[0], best[1], today, lean) or best


def _longest(text: str, today: date, lean: Lean) -> tuple[PeriodMatch, DateRange] | None:
    """The longest period phrase in `text` that resolves to a real range."""
    found: list[tuple[int, int, PeriodMatch]] = []
    for order, rule in enumerate(PERIOD_RULES):
        for m in rule.pattern.finditer(text):
            if m.end() > m.start():
                found.append((m.end() - m.start(), -order, PeriodMatch(rule, m)))
    for composed in _ranges(text, [item[2] for item in found]):
        found.append((composed.span[1] - composed.span[0], -len(PERIOD_RULES), composed))
    found.sort(key=lambda item: (item[0], item[1]), reverse=True)
    dead: list[tuple[int, int]] = []
    for _length, _order, candidate in found:
        start, end = candidate.span
        if any(d[0] <= start and end <= d[1] for d in dead):
            continue  # part of an impossible date ("31 февраля"): do not guess February
        resolved = candidate.resolve(today, lean)
        if resolved is not None and resolved[0] <= resolved[1]:
            return candidate, resolved
        if candidate.until is None:  # a range of two phrases in the wrong order is no date
            dead.append(candidate.span)
    return None
