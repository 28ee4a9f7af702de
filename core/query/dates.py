"""Absolute dates inside questions ("1 ноября", "Nov 3rd", "01.10.2026", "2026-10-01").

A date may be partial (no year, or only a day as in "с 1 по 15 ноября"); ranges fill the
gaps from their other end, then pick the year by the question's lean.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

from core.query.calendar import DateRange, choose
from core.query.lexicon import DAY, MONTH, YEAR, day_value, month_number
from core.query.model import Lean

__all__ = ["PartialDate", "date_pattern", "partial_from", "resolve_range", "resolve_single"]

_SUFFIX = r"(?:-?(?:го|е|ое|st|nd|rd|th))?"
_AFTER_PREPOSITION = "(?:" + "|".join(
    rf"(?<=\b{word} \d\.)|(?<=\b{word} \d\d\.)|(?<=\b{word} \d/)|(?<=\b{word} \d\d/)"
    for word in ("за", "на", "по", "до", "с", "со", "on", "to", "from", "since", "until",
                 "till", "and", "и")) + ")"
"""A one-digit month ("5.9") only right after a preposition: "на 5.9", "since 5.9"; elsewhere
"2.5" is more often a number than the 2nd of May."""


_END = r"(?![\d/]|\.\d)"
"""A date's digits end here; a full stop after them ends the sentence ("… по 30.09.2026.")."""
_YEAR_WORD = r"(?:\s*(?:г\.?|года?|году)(?!\w))?"
""""2026 года", "2026 г.": the word after a year written in Russian."""


def _year_after(tag: str, group: str) -> str:
    """A year after a date: "2026", "2026 года", "этого года", "of last year"."""
    return (rf"(?:,?\s*(?P<{group}{tag}>{YEAR}){_YEAR_WORD}"
            rf"|\s+(?P<r{group}{tag}>позапрошлого|прошлого|этого|текущего|следующего)\s+года"
            rf"|,?\s+(?:of\s+)?(?P<e{group}{tag}>last|this|next)\s+year)?")


def date_pattern(tag: str, *, bare: bool) -> str:
    """One date, its groups suffixed with `tag`; `bare` also allows a lone day number."""
    forms = [
        rf"(?P<iy{tag}>{YEAR})-(?P<im{tag}>\d{{1,2}})-(?P<id{tag}>\d{{1,2}})(?![\d-])",
        rf"(?P<nd{tag}>\d{{1,2}})[./](?P<nm{tag}>\d{{2}}|{_AFTER_PREPOSITION}\d)"
        rf"(?:[./](?P<ny{tag}>\d{{4}}|\d{{2}}){_END}{_YEAR_WORD})?{_END}",
        rf"(?:the\s+)?(?P<d{tag}>{DAY}){_SUFFIX}\s*(?:of\s+)?(?P<m{tag}>{MONTH})"
        + _year_after(tag, "y"),
        rf"(?P<mm{tag}>{MONTH})\s*(?P<md{tag}>\d{{1,2}})(?:st|nd|rd|th)?(?![\d.])"
        + _year_after(tag, "my"),
        rf"(?P<w{tag}>сегодня|сейчас|сей\s+день|текущий\s+день|нынешний\s+день|today|now"
        r"|вчера|yesterday)(?!\w)",
    ]
    if bare:
        forms.append(rf"(?:the\s+)?(?P<b{tag}>{DAY}){_SUFFIX}(?![\d.:])")
    return "(?:" + "|".join(forms) + ")"


@dataclass(frozen=True, slots=True)
class PartialDate:
    """A date as written: any of its parts may be missing, or it may be a word (today)."""

    day: int | None = None
    month: int | None = None
    year: int | None = None
    word: str | None = None


def _year(text: str | None) -> int | None:
    if not text:
        return None
    value = int(text)
    return value + 2000 if value < 100 else value


_SHIFT = {"позапрошлого": -2, "прошлого": -1, "last": -1, "этого": 0, "текущего": 0, "this": 0,
          "следующего": 1, "next": 1}


def _named_year(g: dict[str, str | None], group: str, today: date | None) -> int | None:
    """The year written after a date, in digits or relative to today ("прошлого года")."""
    if g.get(group):
        return _year(g[group])
    word = g.get(f"r{group}") or g.get(f"e{group}")
    return today.year + _SHIFT[word] if word and today is not None else None


def partial_from(m: re.Match[str], tag: str, today: date | None = None) -> PartialDate | None:
    """Read the date written in the groups suffixed `tag`, or None if that side is absent;
    `today` reads a relative year ("1 марта прошлого года")."""
    g = m.groupdict()
    if g.get(f"iy{tag}"):
        return PartialDate(int(g[f"id{tag}"]), int(g[f"im{tag}"]), int(g[f"iy{tag}"]))
    if g.get(f"nd{tag}"):
        return PartialDate(int(g[f"nd{tag}"]), int(g[f"nm{tag}"]), _year(g.get(f"ny{tag}")))
    if g.get(f"d{tag}"):
        return PartialDate(day_value(g[f"d{tag}"]), month_number(g[f"m{tag}"]),
                           _named_year(g, f"y{tag}", today))
    if g.get(f"mm{tag}"):
        return PartialDate(int(g[f"md{tag}"]), month_number(g[f"mm{tag}"]),
                           _named_year(g, f"my{tag}", today))
    if g.get(f"w{tag}"):
        return PartialDate(word=g[f"w{tag}"])
    if g.get(f"b{tag}"):
        return PartialDate(day_value(g[f"b{tag}"]))
    return None


def _word_date(word: str, today: date) -> date:
    return today - timedelta(days=1) if word in ("вчера", "yesterday") else today


def _safe(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


def resolve_single(p: PartialDate, today: date, lean: Lean) -> DateRange | None:
    """One day; without a year, the one in the direction the question leans."""
    if p.word:
        day = _word_date(p.word, today)
        return day, day
    return resolve_range(p, p, today, lean)


def resolve_range(a: PartialDate, b: PartialDate, today: date, lean: Lean,
                  ) -> DateRange | None:
    """`a`..`b` inclusive, borrowing missing month/year across; None if impossible."""
    if a.word and b.word:
        first, last = _word_date(a.word, today), _word_date(b.word, today)
        return (first, last) if first <= last else None
    if b.word:
        last = _word_date(b.word, today)
        month = a.month or last.month
        day = a.day or 1
        year = a.year or (last.year if (month, day) <= (last.month, last.day) else last.year - 1)
        first_day = _safe(year, month, day)
        return (first_day, last) if first_day is not None and first_day <= last else None
    if a.word or a.day is None or b.day is None:
        return None
    month_a = a.month or b.month or today.month
    month_b = b.month or a.month or today.month
    wraps = (month_a, a.day) > (month_b, b.day)
    explicit = b.year or a.year
    if explicit is not None:
        year_b = b.year or (a.year + 1 if wraps and a.year else explicit)
        year_a = a.year or (year_b - 1 if wraps else year_b)
        start, end = _safe(year_a, month_a, a.day), _safe(year_b, month_b, b.day)
        return (start, end) if start and end and start <= end else None
    candidates: list[DateRange] = []
    for year in range(today.year - 4, today.year + 5):  # 29 February needs a leap year
        start = _safe(year - 1 if wraps else year, month_a, a.day)
        end = _safe(year, month_b, b.day)
        if start and end:
            candidates.append((start, end))
    return choose(candidates, today, lean) if candidates else None
